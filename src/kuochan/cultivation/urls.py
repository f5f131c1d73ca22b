from django.urls import path

from kuochan.cultivation import round_views, title_views

app_name = "cultivation"
urlpatterns = [
    # Titles and their criteria (title_views).
    path("titles/", title_views.title_list, name="titles"),
    path("titles/<slug:code>/", title_views.title_detail, name="title"),
    path(
        "titles/<slug:code>/criteria/<slug:criterion>/edit/",
        title_views.criterion_edit,
        name="criterion-edit",
    ),
    path("titles/<slug:code>/rule-check/", title_views.rule_check, name="title-rule-check"),
    # 申报批次: yearly application rounds and their result lists (round_views).
    path("rounds/", round_views.round_list, name="rounds"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round"),
    path("rounds/<int:pk>/results/", round_views.round_results_upload, name="round-results"),
]
