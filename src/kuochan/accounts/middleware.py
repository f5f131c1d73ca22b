"""What the security policy asks of every signed-in request: the idle timeout; a new password when an
administrator reset it or it is too old; the second factor where the policy demands it; and, for the three
administrators and an account without a role, only the pages of their duty (三员分立)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kuochan.accounts.models import Role, SecurityPolicy, User
from kuochan.accounts.selectors import security_policy

# Always reachable: one's own account, signing in and out, static files. The API checks on its own (tokens
# are not sessions; kuochan.core.api refuses a session or token whose user owes a demand below), and its
# data scope gives the administrators nothing.
EXEMPT = ("/accounts/password/", "/accounts/otp/", "/login/", "/logout/", "/static/", "/api/")
OWN_ACCOUNT = ("/accounts/me/", *EXEMPT)
# The pages of each duty, and where its holder lands.
AREAS = {
    Role.SYSTEM_ADMIN: (("/accounts/users/",), "/accounts/users/"),
    Role.SECURITY_ADMIN: (("/accounts/users/", "/accounts/policy/"), "/accounts/policy/"),
    Role.AUDITOR: (("/accounts/security-log/", "/audit/"), "/accounts/security-log/"),
    Role.PENDING: ((), "/accounts/me/"),
}


@dataclass(frozen=True)
class Demand:
    """What a signed-in user must do before anything else, why, and on which page."""

    reason: str
    action: str
    page: str

    @property
    def message(self) -> str:
        return f"{self.reason}，请先{self.action}。"

    @property
    def api_refusal(self) -> str:
        """The API's answer (403) meanwhile: the page is where it is done."""
        return f"{self.reason}，请先{self.action}后再使用接口。"


def outstanding_demand(user: User, policy: SecurityPolicy) -> Demand | None:
    """A new password (reset by an administrator, or too old) or a second factor the policy asks for."""
    if user.must_change_password:
        return Demand("管理员已重置您的密码", "设置自己的新密码", "accounts:password")
    if user.password_expired(policy.password_days):
        return Demand(f"您的密码已超过 {policy.password_days} 天未修改", "设置新密码", "accounts:password")
    if policy.admin_totp_required and user.may_use_totp and not user.totp_enabled:
        return Demand("安全策略要求管理员启用双因素认证", "绑定身份验证器", "accounts:otp")
    return None


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
        if demand := outstanding_demand(user, policy):
            messages.warning(request, demand.message)
            return redirect(demand.page)
        if user.role in AREAS:
            allowed, home = AREAS[user.role]
            if request.path == "/" and user.role == Role.PENDING:
                return redirect(home)
            if request.path == "/":  # the administrators' own to-do home: their queues, no business data
                return None
            if not request.path.startswith((*allowed, *OWN_ACCOUNT)):
                raise PermissionDenied(f"{user.get_role_display()}不能访问此页面（三员分立：各司其职）。")
        return None
