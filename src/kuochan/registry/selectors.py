"""Reads of the registry, always in the actor's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from kuochan.audit.models import AuditEntry
from kuochan.audit.selectors import visible_entries
from kuochan.core.scope import get_scoped_or_404, in_scope, scoped
from kuochan.registry.models import Enterprise, Honour, LandParcel, LandTenancy
from kuochan.registry.rules import normalise_code


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


@dataclass(frozen=True)
class Land:
    """An enterprise's land: the parcels it owns, each with `tenants` (its tenancies), and the tenancies it
    holds on others' parcels. Every other enterprise named carries `linked`: whether the actor may open it."""

    owned: list[LandParcel]
    rented: list[LandTenancy]

    def __bool__(self) -> bool:
        return bool(self.owned or self.rented)


def land_of(*, actor: Any, enterprise: Enterprise) -> Land:
    """In three queries: the parcels, their tenants, and the enterprise's own tenancies with their owners."""
    owned = list(scoped(LandParcel.objects.filter(enterprise=enterprise), actor).order_by("code"))
    tenancies = LandTenancy.objects.filter(parcel__in=owned).select_related("enterprise__district")
    by_parcel: dict[int, list[LandTenancy]] = {}
    for tenancy in tenancies.order_by("started_on", "enterprise__name"):
        tenancy.enterprise.linked = in_scope(actor, tenancy.enterprise)
        by_parcel.setdefault(tenancy.parcel_id, []).append(tenancy)
    for parcel in owned:
        parcel.tenants = by_parcel.get(parcel.pk, [])
    rented = list(
        scoped(LandTenancy.objects.filter(enterprise=enterprise), actor)
        .select_related("parcel__enterprise__district")
        .order_by("-started_on", "parcel__code")
    )
    for tenancy in rented:
        tenancy.parcel.enterprise.linked = in_scope(actor, tenancy.parcel.enterprise)
    return Land(owned=owned, rented=rented)


def parcel_get(*, actor: Any, pk: Any) -> LandParcel:
    return get_scoped_or_404(LandParcel.objects.select_related("enterprise__district"), actor, pk=pk)


def parcel_by_code(*, actor: Any, code: str) -> LandParcel | None:
    """The parcel of that code (as typed: full-width and spaces folded) in the actor's scope, or None."""
    found = scoped(LandParcel.objects.select_related("enterprise__district"), actor)
    return found.filter(code=normalise_code(code)).first()


def tenancy_get(*, actor: Any, pk: Any) -> LandTenancy:
    return get_scoped_or_404(
        LandTenancy.objects.select_related("enterprise__district", "parcel__enterprise"), actor, pk=pk
    )
