from django.urls import path

from kuochan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("otp/", views.otp, name="otp"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("policy/", views.policy, name="policy"),
    path("security-log/", views.security_log, name="security-log"),
    path("password/", views.PasswordChangeView.as_view(), name="password"),
    path("password/done/", views.password_done, name="password-done"),
]
