from django.urls import path

from kuochan.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.pool_list, name="pools"),
    path("pools/<int:pk>/", views.pool_detail, name="pool"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request-new"),
    path("advances/", views.advance_list, name="advances"),
    path("spaces/", views.listing_list, name="listings"),
    path("spaces/<int:pk>/", views.listing_detail, name="listing"),
    path("spaces/photos/<int:pk>/", views.listing_photo, name="photo"),
    path("needs/", views.need_list, name="needs"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
]
