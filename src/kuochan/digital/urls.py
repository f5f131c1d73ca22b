from django.urls import path

from kuochan.digital import views

app_name = "digital"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/status/", views.task_status, name="task-status"),
    path("tasks/<int:pk>/remove/", views.task_remove, name="task-remove"),
    path("levels/new/", views.level_new, name="level-new"),
    path("levels/<int:pk>/remove/", views.level_remove, name="level-remove"),
]
