from django.urls import path

from kuochan.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/<str:kind>/", views.report_file, name="report-file"),
]
