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
    path("plans/", views.plans_page, name="plans"),
    path("plans/new/", views.plan_new_page, name="plan-new"),
    path("plans/<slug:code>/edit/", views.plan_edit_page, name="plan-edit"),
    path("plans/<slug:code>/copy/", views.plan_copy_page, name="plan-copy"),
    path("plans/<slug:code>/retire/", views.plan_retire_page, name="plan-retire"),
]
