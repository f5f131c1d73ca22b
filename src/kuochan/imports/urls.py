from django.urls import path

from kuochan.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("apply/", views.apply, name="apply"),
    path("template/<str:kind>.xlsx", views.template, name="template"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/rollback/", views.rollback, name="rollback"),
]
