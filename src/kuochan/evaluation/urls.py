from django.urls import path

from kuochan.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.result_list, name="results"),
    path("scheme/", views.scheme, name="scheme"),
    path("carbon/", views.carbon, name="carbon"),
    path("treatment/", views.treatment, name="treatment"),
    path("low-efficiency/", views.low_efficiency, name="low-efficiency"),
    path("above-scale/", views.above_scale, name="above-scale"),
    path("tracking/", views.tracking, name="tracking"),
    path("exemptions/", views.exemption_list, name="exemptions"),
]
