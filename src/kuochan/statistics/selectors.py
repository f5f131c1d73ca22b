"""Reads of the monthly statistics, filtered by what the actor may see: the figures of their own subtree and
those of the units above them (a district's staff compare with the city and the province)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, QuerySet

from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.statistics.models import StatFigure, StatIndicator
from kuochan.statistics.rules import Standing


def figures_visible(actor: Any) -> QuerySet[StatFigure]:
    """Figures of areas in the actor's subtree or above it; none for enterprises and administrators. No
    actor is the system (a command without --user): everything."""
    figures = StatFigure.objects.all()
    if actor is None:
        return figures
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.sees_business_data:
        return figures.none()
    if actor.is_enterprise_user or actor.org_path is None or actor.org_unit is None:
        return figures.none()
    return figures.filter(
        Q(area__path__startswith=actor.org_path) | Q(area_id__in=actor.org_unit.ancestor_ids())
    )


def indicators() -> list[StatIndicator]:
    return list(StatIndicator.objects.order_by("sort_order", "code"))


def latest_month(actor: Any) -> dt.date | None:
    return figures_visible(actor).aggregate(latest=Max("month"))["latest"]


def months(actor: Any) -> list[dt.date]:
    return list(figures_visible(actor).order_by("-month").values_list("month", flat=True).distinct())


def home_city(actor: Any) -> OrgUnit | None:
    """The city whose districts the page lays out: the actor's own city (or the unit they are placed at,
    for a province), or, for the system, the first city."""
    unit = getattr(actor, "org_unit", None) if actor is not None else None
    if unit is None:
        return OrgUnit.objects.filter(kind=OrgKind.CITY).order_by("path").first()
    if unit.kind in (OrgKind.CITY, OrgKind.PROVINCE):
        return unit
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids(), kind=OrgKind.CITY).order_by("-depth").first()


@dataclass(frozen=True)
class FigureRow:
    indicator: StatIndicator
    area: OrgUnit
    value: Decimal | None
    ytd: Decimal | None
    growth: Decimal | None
    rank: int | None


AREA_ORDER = {OrgKind.PROVINCE: 0, OrgKind.CITY: 1}


def month_rows(
    *, actor: Any, month: dt.date, area: OrgUnit | None = None, within: OrgUnit | None = None
) -> list[FigureRow]:
    """The month's figures the actor may see, by indicator, then the province, the city, and the districts
    by rank (unranked last, in the tree's order). `area` narrows to that area; `within` to that unit's
    subtree and the units above it (a city's report: never another city's figures)."""
    figures = figures_visible(actor).filter(month=month).select_related("indicator", "area")
    if area is not None:
        figures = figures.filter(area=area)
    if within is not None:
        figures = figures.filter(Q(area__path__startswith=within.path) | Q(area_id__in=within.ancestor_ids()))
    rows = [FigureRow(f.indicator, f.area, f.value, f.ytd, f.growth, f.rank) for f in figures]
    rows.sort(
        key=lambda r: (
            r.indicator.sort_order,
            r.indicator.code,
            AREA_ORDER.get(r.area.kind, 2),
            r.rank if r.rank is not None else 10**6,
            r.area.path,
        )
    )
    return rows


PEERS = {OrgKind.CITY: "全省", OrgKind.DISTRICT: "全市", OrgKind.ZONE: "全市"}


def standings_of(rows: Sequence[FigureRow], area: OrgUnit) -> list[Standing]:
    """`area`'s figures among `rows` (one month's), each beside the growth of the unit directly above it:
    the province for a city, the city for a district. No query."""
    above = {row.indicator.pk: row.growth for row in rows if row.area.pk == area.parent_id}
    return [
        Standing(
            indicator=row.indicator.name, kind=row.indicator.kind, unit=row.indicator.unit, ytd=row.ytd,
            growth=row.growth, rank=row.rank, peers=PEERS.get(area.kind, ""),
            peers_growth=above.get(row.indicator.pk),
        )
        for row in rows
        if row.area.pk == area.pk
    ]  # fmt: skip


def district_units(city: OrgUnit | None) -> list[OrgUnit]:
    if city is None:
        return []
    return list(OrgUnit.objects.filter(parent=city, kind__in=REPORTING_KINDS).order_by("sort_order", "path"))


def growth_trend(
    *, actor: Any, indicator: StatIndicator, year: int
) -> list[tuple[OrgUnit, list[Decimal | None]]]:
    """Each visible area's year-to-date growth of `indicator` for the twelve months of `year` (None where
    nothing is published), the province and the city first."""
    figures = (
        figures_visible(actor)
        .filter(indicator=indicator, month__year=year)
        .select_related("area")
        .order_by("area__path", "month")
    )
    series: dict[int, tuple[OrgUnit, list[Decimal | None]]] = {}
    for figure in figures:
        _, values = series.setdefault(figure.area_id, (figure.area, [None] * 12))
        values[figure.month.month - 1] = figure.growth
    return sorted(
        series.values(), key=lambda item: (AREA_ORDER.get(item[0].kind, 2), item[0].sort_order, item[0].path)
    )
