"""Reads of the registry, always in the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from kuochan.audit.models import AuditEntry
from kuochan.audit.selectors import visible_entries
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.registry.models import Enterprise, Honour


@dataclass(frozen=True)
class EnterpriseFilter:
    query: str = ""
    district: int | None = None
    tag: int | None = None
    honour: str = ""
    size: str = ""
    above_scale: bool | None = None


def enterprises(*, actor: Any, filters: EnterpriseFilter | None = None) -> QuerySet[Enterprise]:
    f = filters or EnterpriseFilter()
    found = scoped(Enterprise.objects.select_related("district", "town"), actor)
    if f.query:
        text = f.query.strip()
        found = found.filter(Q(name__contains=text) | Q(uscc__startswith=text.upper()))
    if f.district:
        found = found.filter(district_id=f.district)
    if f.tag:
        found = found.filter(tags__id=f.tag)
    if f.honour:
        current = Honour.objects.filter(enterprise=OuterRef("pk"), kind=f.honour, year_lost__isnull=True)
        found = found.filter(Exists(current))
    if f.size:
        found = found.filter(size_class=f.size)
    if f.above_scale is not None:
        found = found.filter(above_scale=f.above_scale)
    return found.order_by("district__sort_order", "name")


def enterprise_get(*, actor: Any, pk: Any) -> Enterprise:
    return get_scoped_or_404(Enterprise.objects.select_related("district", "town"), actor, pk=pk)


def enterprise_trail(*, actor: Any, enterprise: Enterprise) -> QuerySet[AuditEntry]:
    """Every change to the enterprise and to what belongs to it (metrics, honours, surveys, contacts) that the
    actor may read: an enterprise user not the staff's notes about it (visits, key-enterprise reasons…)."""
    return visible_entries(AuditEntry.objects.select_related("content_type"), actor).filter(
        enterprise_id=enterprise.pk
    )


def metric_series(enterprise: Enterprise) -> dict[str, Any]:
    """Years and the headline metrics, for the profile's trend chart (万元, nulls where not reported)."""
    rows = list(enterprise.annualmetrics.order_by("year"))
    series = {
        "营业收入": "revenue_wan",
        "工业增加值": "value_added_wan",
        "实缴税金": "tax_wan",
        "研发费用": "rnd_wan",
    }
    return {
        "years": [row.year for row in rows],
        "series": [
            {
                "name": label,
                "data": [float(v) if (v := getattr(row, field)) is not None else None for row in rows],
            }
            for label, field in series.items()
        ],
    }
