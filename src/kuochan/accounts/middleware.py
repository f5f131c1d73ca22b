"""What the security policy asks of every signed-in request: the idle timeout; a new password when an
administrator reset it or it is too old; the second factor where the policy demands it; and, for the three
administrators and an account without a role, only the pages of their duty (三员分立)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kuochan.accounts.models import Role, SecurityPolicy, User
from kuochan.accounts.selectors import security_policy

# Always reachable: one's own account, signing in and out, static files. The API checks on its own (tokens
# are not sessions), and its data scope gives the administrators nothing.
EXEMPT = ("/accounts/password/", "/accounts/otp/", "/login/", "/logout/", "/static/", "/api/")
OWN_ACCOUNT = ("/accounts/me/", *EXEMPT)
# The pages of each duty, and where its holder lands.
AREAS = {
    Role.SYSTEM_ADMIN: (("/accounts/users/",), "/accounts/users/"),
    Role.SECURITY_ADMIN: (("/accounts/users/", "/accounts/policy/"), "/accounts/policy/"),
    Role.AUDITOR: (("/accounts/security-log/", "/audit/"), "/accounts/security-log/"),
    Role.PENDING: ((), "/accounts/me/"),
}


class AccountPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            policy = security_policy()
            request.session.set_expiry(policy.idle_minutes * 60)
            if not request.path.startswith(EXEMPT) and (response := self.demand(request, user, policy)):
                return response
        return self.get_response(request)

    def demand(self, request: HttpRequest, user: User, policy: SecurityPolicy) -> HttpResponse | None:
        if user.must_change_password:
            messages.warning(request, "管理员已重置您的密码，请先设置自己的新密码。")
            return redirect("accounts:password")
        if user.password_expired(policy.password_days):
            messages.warning(request, f"您的密码已超过 {policy.password_days} 天未修改，请先设置新密码。")
            return redirect("accounts:password")
        if policy.admin_totp_required and user.may_use_totp and not user.totp_enabled:
            messages.warning(request, "安全策略要求管理员启用双因素认证，请先绑定身份验证器。")
            return redirect("accounts:otp")
        if user.role in AREAS:
            allowed, home = AREAS[user.role]
            if request.path == "/":
                return redirect(home)
            if not request.path.startswith((*allowed, *OWN_ACCOUNT)):
                raise PermissionDenied(f"{user.get_role_display()}不能访问此页面（三员分立：各司其职）。")
        return None
