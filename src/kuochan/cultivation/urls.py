from django.urls import path

from kuochan.cultivation import views

app_name = "cultivation"
urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/", views.tasks, name="tasks"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry-remove"),
    path("entries/<int:pk>/reenter/", views.entry_reenter, name="entry-reenter"),
    path("<slug:code>/", views.library, name="library"),
    path("<slug:code>/fill/", views.fill, name="fill"),
    path("<slug:code>/feed/", views.feed, name="feed"),
    path("<slug:code>/nominate/", views.nominate, name="nominate"),
]
