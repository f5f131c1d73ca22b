from django.urls import path

from kuochan.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/contacts/", views.contact_add, name="contact-add"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact-remove"),
    path("<int:pk>/parcels/new/", views.parcel_create, name="parcel-create"),
    path("parcels/<int:pk>/edit/", views.parcel_edit, name="parcel-edit"),
    path("parcels/<int:pk>/remove/", views.parcel_remove, name="parcel-remove"),
    path("<int:pk>/tenancies/new/", views.tenancy_create, name="tenancy-create"),
    path("tenancies/<int:pk>/edit/", views.tenancy_edit, name="tenancy-edit"),
    path("tenancies/<int:pk>/remove/", views.tenancy_remove, name="tenancy-remove"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<int:pk>/", views.tag_change, name="tag-change"),
]
