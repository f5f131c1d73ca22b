"""导出当前数据 on a kind's own page: `{% load imports_tags %}{% export_current "projects" %}`, or several
kinds of one page in a menu (`{% export_current "enterprises" "enterprise-metrics" %}`)."""

from django import template
from django.urls import reverse

from kuochan.imports.specs import REGISTRY

register = template.Library()


@register.inclusion_tag("imports/_export_current.html")
def export_current(*kinds: str) -> dict[str, object]:
    return {"links": [(REGISTRY[kind].title, reverse("imports:export", args=[kind])) for kind in kinds]}
