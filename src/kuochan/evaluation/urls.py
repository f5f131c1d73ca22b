from django.urls import path

from kuochan.evaluation import carbon_views, views

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
    path("benchmarks/", carbon_views.benchmark_list, name="benchmarks"),
    path("benchmarks/new/", carbon_views.benchmark_create, name="benchmark-create"),
    path("benchmarks/<int:pk>/edit/", carbon_views.benchmark_edit, name="benchmark-edit"),
    path("benchmarks/<int:pk>/remove/", carbon_views.benchmark_remove, name="benchmark-remove"),
    path("enterprises/<int:pk>/offsets/new/", carbon_views.offset_create, name="offset-create"),
    path("offsets/<int:pk>/remove/", carbon_views.offset_remove, name="offset-remove"),
]
