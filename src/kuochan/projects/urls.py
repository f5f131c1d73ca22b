from django.urls import path

from kuochan.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("board/", views.light_board, name="board"),
    path("stalls/", views.stall_board, name="stalls"),
    path("lists/", views.three_lists, name="lists"),
    path("quality/", views.data_quality, name="quality"),
    path("rules/", views.light_rules, name="rules"),
    path("progress/", views.progress_month, name="progress-month"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/milestones/", views.milestones_edit, name="milestones"),
    path("<int:pk>/progress/", views.progress_report, name="progress"),
]
