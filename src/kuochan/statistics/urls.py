from django.urls import path

from kuochan.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.monthly_page, name="monthly"),
    path("indicators/new/", views.indicator_new, name="indicator-new"),
]
