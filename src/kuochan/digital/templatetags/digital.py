"""Template helpers of 数字化改造: a coverage row's figures, and an enterprise's digital section for its
profile page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from kuochan.digital.rules import CoverageRow
from kuochan.digital.selectors import enterprise_digital

register = template.Library()


@register.filter
def reached(row: CoverageRow, level: str) -> int:
    """Above-scale enterprises of the row at `level` or above."""
    return row.reached[level]


@register.filter
def share_of(row: CoverageRow, level: str) -> Decimal | None:
    return row.share(level)


@register.simple_tag(takes_context=True)
def digital_of(context: template.Context, enterprise: Any) -> dict[str, Any]:
    """The enterprise's levels, tasks with projects and factory titles, as the viewer may see them."""
    return enterprise_digital(actor=context["user"], enterprise=enterprise, today=timezone.localdate())
