from django.urls import path

from kuochan.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
]
