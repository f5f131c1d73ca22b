from django.urls import path

from kuochan.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/<str:kind>/", views.report_file, name="report-file"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/new/", views.task_new, name="task-new"),
    path("supervision/<int:pk>/", views.task_detail, name="task"),
    path("meetings/", views.meetings, name="meetings"),
    path("cycle/", views.cycle, name="cycle"),
]
