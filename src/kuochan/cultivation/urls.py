from django.urls import path

from kuochan.cultivation import round_views, title_views, views

app_name = "cultivation"
urlpatterns = [
    # 培育库: the libraries, their entries and the district work list (views).
    path("", views.index, name="index"),
    path("tasks/", views.tasks, name="tasks"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry-remove"),
    path("entries/<int:pk>/reenter/", views.entry_reenter, name="entry-reenter"),
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
    # A title's library last: its code is the first part of the path.
    path("<slug:code>/", views.library, name="library"),
    path("<slug:code>/fill/", views.fill, name="fill"),
    path("<slug:code>/feed/", views.feed, name="feed"),
    path("<slug:code>/nominate/", views.nominate, name="nominate"),
]
