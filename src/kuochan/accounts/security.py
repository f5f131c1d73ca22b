"""Sign-in protection: the login log, and the lockout of an account or an address after repeated failed
attempts (per account: 5 in 15 minutes; per address: 20), before the password is even checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from kuochan.accounts.models import SecurityEvent

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


def client_ip(request: HttpRequest | None) -> str | None:
    """The address a request came from (REMOTE_ADDR: behind a proxy, the proxy must set it)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


def lockout_reason(*, account_failures: int, address_failures: int) -> str | None:
    """Why a sign-in is refused before the password is checked, in Chinese, or None."""
    minutes = int(WINDOW.total_seconds() // 60)
    if account_failures >= ACCOUNT_LIMIT:
        return f"该账号 {minutes} 分钟内登录失败 {account_failures} 次，已暂时锁定，请 {minutes} 分钟后再试或联系管理员。"
    if address_failures >= ADDRESS_LIMIT:
        return f"您所在地址 {minutes} 分钟内登录失败 {address_failures} 次，已暂时锁定，请 {minutes} 分钟后再试。"
    return None


def failures_since(username: str, ip: str | None, since: dt.datetime) -> tuple[int, int]:
    failed = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.FAILED, at__gte=since)
    by_account = failed.filter(username=username).count()
    by_address = failed.filter(ip=ip).count() if ip else 0
    return by_account, by_address


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a locked account or address before checking the password."""

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        ip = client_ip(self.request)
        account, address = failures_since(username, ip, timezone.now() - WINDOW)
        if reason := lockout_reason(account_failures=account, address_failures=address):
            SecurityEvent.objects.create(
                kind=SecurityEvent.Kind.LOCKED, username=username[:150], ip=ip, detail=reason[:200]
            )
            raise forms.ValidationError(reason, code="locked")
        return super().clean()


@receiver(user_login_failed)
def record_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.FAILED,
        username=str(credentials.get("username", ""))[:150],
        ip=client_ip(request),
    )


@receiver(user_logged_in)
def record_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.LOGIN, username=user.username, user=user, ip=client_ip(request)
    )


@receiver(user_logged_out)
def record_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        SecurityEvent.objects.create(
            kind=SecurityEvent.Kind.LOGOUT, username=user.username, user=user, ip=client_ip(request)
        )
