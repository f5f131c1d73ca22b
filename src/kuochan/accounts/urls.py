from django.urls import path

from kuochan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("security-log/", views.security_log, name="security-log"),
]
