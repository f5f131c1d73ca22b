from django.urls import path

from kuochan.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/retry/", views.notification_retry, name="retry"),
]
