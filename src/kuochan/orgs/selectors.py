"""Reads of the org tree, always within the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kuochan.core.scope import CITY_LEVEL_KINDS, city_level, get_scoped_or_404, scope_root, scoped
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit


def org_units(*, actor: Any, kind: str | None = None, query: str | None = None) -> QuerySet[OrgUnit]:
    units = scoped(OrgUnit.objects.select_related("parent"), actor)
    if kind:
        units = units.filter(kind=kind)
    if query:
        text = query.strip()
        units = units.filter(Q(name__contains=text) | Q(code__startswith=text))
    return units.order_by("path")


def org_unit_get(*, actor: Any, pk: Any) -> OrgUnit:
    return get_scoped_or_404(OrgUnit.objects.select_related("parent"), actor, pk=pk)


def reporting_units(*, actor: Any) -> QuerySet[OrgUnit]:
    """The districts and zones the actor sees: the rows of every district table and ranking."""
    return org_units(actor=actor).filter(kind__in=REPORTING_KINDS).order_by("sort_order", "path")


def sees_whole_tree(actor: Any) -> bool:
    """Whether the actor's subtree holds every unit but the ones above it (Huzhou's city staff under a
    province of one city, or a province's staff): their scoped reads equal the whole database's. One query."""
    root = scope_root(actor)
    if root is None:
        return False
    outside = OrgUnit.objects.exclude(path__startswith=root).exclude(pk__in=actor.org_unit.ancestor_ids())
    return not outside.exists()


def towns(*, actor: Any) -> QuerySet[OrgUnit]:
    """The towns and parks directly under a district the actor sees: what an enterprise or a project may
    name as its 乡镇（园区）."""
    return org_units(actor=actor).exclude(kind__in=REPORTING_KINDS).filter(parent__kind__in=REPORTING_KINDS)


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """From the root down to the unit's parent, in one query (ids come from the path)."""
    ids = unit.ancestor_ids()[:-1]
    by_id = OrgUnit.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def map_unit_for(unit: OrgUnit) -> OrgUnit | None:
    """The nearest unit, the given one or an ancestor, that has a map of its sub-units."""
    if unit.map_file:
        return unit
    for ancestor in reversed(ancestors(unit)):
        if ancestor.map_file:
            return ancestor
    return None


def issuing_units(actor: Any) -> QuerySet[OrgUnit]:
    """The units in whose name the actor may issue and keep documents (policies, plans): city-level staff
    their city (or province) and every unit of that level or district level below it; district staff their
    own district only; anyone else none."""
    if actor is None or not getattr(actor, "can_edit", False) or actor.is_enterprise_user:
        return OrgUnit.objects.none()
    unit = actor.org_unit if actor.org_unit_id else None
    if unit is None:
        return OrgUnit.objects.none()
    if city_level(actor):
        kinds = (*CITY_LEVEL_KINDS, *REPORTING_KINDS)
        return OrgUnit.objects.filter(path__startswith=unit.path, kind__in=kinds).order_by("path")
    if unit.kind in REPORTING_KINDS and not actor.is_city_staff:
        return OrgUnit.objects.filter(pk=unit.pk)
    return OrgUnit.objects.none()
