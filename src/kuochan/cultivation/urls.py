from django.urls import path

from kuochan.cultivation import round_views

app_name = "cultivation"

# 申报批次: yearly application rounds and their result lists.
urlpatterns = [
    path("rounds/", round_views.round_list, name="rounds"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round"),
    path("rounds/<int:pk>/results/", round_views.round_results_upload, name="round-results"),
]
