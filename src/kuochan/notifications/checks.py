"""Startup checks: a misspelt channel or an impossible e-mail setting is refused before any notice is lost."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from kuochan.notifications.channels import configured_channels


@checks.register()
def notification_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    problems = []
    try:
        configured_channels()
    except ImproperlyConfigured as exc:
        problems.append(checks.Error(str(exc), id="notifications.E001"))
    if settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
        problems.append(
            checks.Error("EMAIL_USE_TLS 与 EMAIL_USE_SSL 只能开启一个。", id="notifications.E002")
        )
    if getattr(settings, "KUOCHAN_NOTIFY_MAX_ATTEMPTS", 5) < 1:
        problems.append(checks.Error("KUOCHAN_NOTIFY_MAX_ATTEMPTS 至少为 1。", id="notifications.E003"))
    return problems
