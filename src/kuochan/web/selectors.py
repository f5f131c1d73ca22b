"""Reads for the home page: the actor's scope on the map, with a figure per reporting unit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from kuochan.accounts.models import User
from kuochan.core.scope import scoped
from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.orgs.selectors import map_unit_for
from kuochan.registry.models import Enterprise


@dataclass
class UnitFigures:
    unit: OrgUnit
    figures: dict[str, int] = field(default_factory=dict)

    def labelled(self) -> list[tuple[str, int]]:
        return [(label, self.figures.get(key, 0)) for key, label in FIGURE_LABELS.items()]


# Figure keys and their labels, in display order. Later modules add theirs (enterprises, projects, lights).
FIGURE_LABELS = {
    "enterprises": "企业",
    "above_scale": "规上企业",
    "towns": "乡镇（街道）",
    "parks": "园区",
    "users": "用户",
}


def reporting_unit_figures(*, actor: Any) -> list[UnitFigures]:
    """One row per reporting unit in the actor's scope, figures counted over its subtree.

    A few queries whatever the number of units: the units in scope, and one grouped count per figure
    source, attributed to reporting units by their materialised paths.
    """
    units = list(
        scoped(
            OrgUnit.objects.only(
                "id", "code", "name", "short_name", "kind", "path", "map_name", "sort_order"
            ),
            actor,
        )
    )
    reporting = {unit.path: UnitFigures(unit=unit) for unit in units if unit.kind in REPORTING_KINDS}
    if not reporting:
        return []

    def owner(path: str) -> UnitFigures | None:
        parts = path.split(".")
        for end in range(len(parts) - 1, 0, -1):
            found = reporting.get(".".join(parts[:end]) + ".")
            if found is not None:
                return found
        return None

    kinds = Counter()
    for unit in units:
        row = owner(unit.path)
        if row is not None and unit.path != row.unit.path:
            kinds[(row.unit.path, unit.kind)] += 1
    users = Counter()
    for path in scoped(User.objects.filter(is_active=True), actor).values_list("org_unit__path", flat=True):
        row = owner(path or "")
        if row is not None:
            users[row.unit.path] += 1
    by_district = {
        (path, above): count
        for path, above, count in scoped(Enterprise.objects.all(), actor)
        .values_list("district__path", "above_scale")
        .annotate(count=Count("id"))
        .order_by()
    }
    for path, row in reporting.items():
        row.figures = {
            "enterprises": by_district.get((path, True), 0) + by_district.get((path, False), 0),
            "above_scale": by_district.get((path, True), 0),
            "towns": kinds[(path, OrgKind.TOWN)],
            "parks": kinds[(path, OrgKind.PARK)],
            "users": users[path],
        }
    return sorted(reporting.values(), key=lambda row: (row.unit.sort_order, row.unit.path))


def home_map(*, actor: Any) -> OrgUnit | None:
    """The map to draw for the actor: their own unit's, or the nearest ancestor's that has one."""
    return map_unit_for(actor.org_unit) if actor.org_unit_id and not actor.is_enterprise_user else None
