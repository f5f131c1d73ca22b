"""Wording for the enterprise on the module pages it reaches from its portal."""

from django import template

from kuochan.portal.selectors import plain

register = template.Library()


@register.filter
def for_enterprise(text: str, user: object) -> str:
    """A policy condition as the enterprise reads it: a placeholder says it awaits the authority; staff
    see the condition as city staff wrote it, to complete it."""
    return plain(str(text)) if getattr(user, "is_enterprise_user", False) else text
