from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kuochan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("security-log/", views.security_log, name="security-log"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password.html", success_url=reverse_lazy("accounts:password-done")
        ),
        name="password",
    ),
    path("password/done/", views.password_done, name="password-done"),
]
