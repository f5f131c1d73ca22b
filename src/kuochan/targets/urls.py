from django.urls import path

from kuochan.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("check/", views.check_page, name="check"),
    path("progress/", views.progress_page, name="progress"),
    path("decomposition/", views.decomposition_page, name="decomposition"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("forecast/", views.forecast_page, name="forecast"),
]
