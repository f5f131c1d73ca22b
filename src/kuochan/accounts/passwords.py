"""The password policy: complexity when a password is set, and expiry, after which the next page asks for a
new one. Both are settings (AUTH_PASSWORD_VALIDATORS, KUOCHAN_PASSWORD_DAYS)."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

CLASSES = (
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


class ComplexityValidator:
    """At least `min_length` characters, of at least `classes` of the four kinds: upper case, lower case,
    digits, symbols (Django's own length check has no Chinese message)."""

    def __init__(self, min_length: int = 10, classes: int = 3) -> None:
        self.min_length, self.classes = min_length, classes

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码长度太短：至少 {self.min_length} 位，当前 {len(password)} 位。",
                code="password_too_short",
            )
        present = [name for name, test in CLASSES if any(test(c) for c in password)]
        if len(present) < self.classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.classes} 类，当前只有 {len(present)} 类"
                f"（{'、'.join(present) or '无'}）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return (
            f"密码至少 {self.min_length} 位，包含大写字母、小写字母、数字、符号中的至少 {self.classes} 类。"
        )


EXEMPT = ("/accounts/password/", "/logout/", "/login/", "/static/", "/api/")


class PasswordExpiryMiddleware:
    """A signed-in user whose password is older than KUOCHAN_PASSWORD_DAYS is sent to change it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT)
            and user.password_expired(settings.KUOCHAN_PASSWORD_DAYS)
        ):
            messages.warning(
                request, f"您的密码已超过 {settings.KUOCHAN_PASSWORD_DAYS} 天未修改，请先设置新密码。"
            )
            return redirect(reverse("accounts:password"))
        return self.get_response(request)
