from django.urls import path

from kuochan.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.preview, name="preview"),
    path("uploads/<int:pk>/apply/", views.apply, name="apply"),
    path("uploads/<int:pk>/errors.csv", views.preview_errors, name="errors"),
    path("template/<str:kind>.xlsx", views.template, name="template"),
    path("export/<str:kind>.xlsx", views.export, name="export"),
    path("exports/<int:pk>.xlsx", views.export_file, name="export-file"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/rollback/", views.rollback, name="rollback"),
]
