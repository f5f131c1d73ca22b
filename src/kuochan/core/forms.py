"""Reading what users type into forms and query strings, and bringing a service's ValidationError back
onto the form the user filled in."""

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError


def error_map(exc: ValidationError, default_field: str = "__all__") -> dict[str, list[str]]:
    """{field: [messages]} for any ValidationError, with or without field names."""
    return exc.message_dict if hasattr(exc, "error_dict") else {default_field: exc.messages}


def add_service_errors(form: forms.Form, exc: ValidationError, default_field: str | None = None) -> None:
    """Each message on its field, or on `default_field`, or above the form when the field is not on it."""
    for field, errors in error_map(exc, default_field or "__all__").items():
        form.add_error(field if field in form.fields else None, errors)


def refusal(exc: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one Chinese message for the page (every problem of a ValidationError)."""
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc) or "无权执行此操作。"


def date_or_none(value: str | None) -> dt.date | None:
    """An ISO date typed into a form or a query string (2026-06-30), or None when empty or not a date."""
    try:
        return dt.date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None
