from django.urls import path

from kuochan.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/add-child/", views.unit_add_child, name="add-child"),
]
