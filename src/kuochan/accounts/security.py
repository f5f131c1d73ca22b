"""Sign-in protection: the login and security log; the lockout of an account or an address after repeated
failed attempts (passwords and second-factor codes alike), checked before the password; and the second
factor itself (TOTP, RFC 6238), with a code never accepted twice. The limits come from the security policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from kuochan.accounts.models import SecurityEvent, SecurityPolicy, User
from kuochan.accounts.selectors import security_policy

TOTP_ISSUER = "扩产通"


def client_ip(request: HttpRequest | None) -> str | None:
    """The address a request came from (REMOTE_ADDR: behind a proxy, the proxy must set it)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


def security_event_record(
    kind: SecurityEvent.Kind,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    """One line of the login and security log."""
    return SecurityEvent.objects.create(
        kind=kind,
        username=(user.get_username() if user is not None else username)[:150],
        user=user if getattr(user, "pk", None) else None,
        ip=client_ip(request),
        detail=detail[:200],
        path=(request.path if request is not None else "")[:200],
    )


def lockout_reason(policy: SecurityPolicy, *, account_failures: int, address_failures: int) -> str | None:
    """Why a sign-in is refused before the password is checked, in Chinese, or None."""
    minutes = policy.lockout_minutes
    if account_failures >= policy.lockout_account_failures:
        return f"该账号 {minutes} 分钟内登录失败 {account_failures} 次，已暂时锁定，请 {minutes} 分钟后再试或联系管理员。"
    if address_failures >= policy.lockout_address_failures:
        return f"您所在地址 {minutes} 分钟内登录失败 {address_failures} 次，已暂时锁定，请 {minutes} 分钟后再试。"
    return None


def failures_since(username: str, ip: str | None, since: dt.datetime) -> tuple[int, int]:
    failed = SecurityEvent.objects.filter(kind__in=SecurityEvent.FAILURES, at__gte=since)
    by_account = failed.filter(username=username).count()
    by_address = failed.filter(ip=ip).count() if ip else 0
    return by_account, by_address


def lockout_check(request: HttpRequest | None, username: str) -> None:
    """Refuse (and log) a sign-in step for a locked account or address."""
    policy = security_policy()
    ip = client_ip(request)
    since = timezone.now() - dt.timedelta(minutes=policy.lockout_minutes)
    account, address = failures_since(username, ip, since)
    if reason := lockout_reason(policy, account_failures=account, address_failures=address):
        security_event_record(SecurityEvent.Kind.LOCKED, request=request, username=username, detail=reason)
        raise forms.ValidationError(reason, code="locked")


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a locked account or address before checking the password."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")  # None when the field itself was refused (e.g. NUL)
        if username is not None:
            lockout_check(self.request, username.strip())
        return super().clean()


def totp_for(user: User) -> pyotp.TOTP:
    return pyotp.TOTP(user.totp_secret, issuer=TOTP_ISSUER, name=user.get_username())


def totp_step(user: User, code: str, at: dt.datetime | None = None) -> int | None:
    """The time step a six-digit code belongs to (this one or either neighbour, for clock drift), or None.
    A step at or before the last one accepted is refused: a code works once."""
    code = "".join(code.split())
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return None
    totp = totp_for(user)
    now = at or timezone.now()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if totp.generate_otp(step) == code and (user.totp_last_step is None or step > user.totp_last_step):
            return step
    return None


class OtpForm(forms.Form):
    code = forms.CharField(
        label="动态口令",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="打开手机上的身份验证器（如微信小程序“腾讯身份验证器”、Google Authenticator），输入 6 位数字。",
    )


@receiver(user_login_failed)
def record_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    security_event_record(
        SecurityEvent.Kind.FAILED, request=request, username=str(credentials.get("username", ""))
    )


@receiver(user_logged_in)
def record_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    detail = "密码+动态口令" if user.totp_enabled else "密码"
    security_event_record(SecurityEvent.Kind.LOGIN, request=request, user=user, detail=detail)


@receiver(user_logged_out)
def record_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        security_event_record(SecurityEvent.Kind.LOGOUT, request=request, user=user)
