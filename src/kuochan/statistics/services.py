"""Writes of the monthly statistics: the shipped indicator library, indicators staff add, and who may write
an area's figures. Figures themselves are written by the import (`importers.py`), audited as a batch."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.core.scope import city_level, ensure_city_level, path_in_scope
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.services import LoadResult
from kuochan.statistics.models import StatIndicator, StatKind

LIBRARY_FIELDS = ("name", "aliases", "unit", "kind", "sort_order", "source")
ADD_REFUSAL = "只有市级人员可以增加统计指标。"


def may_write_area(actor: Any, area: OrgUnit) -> bool:
    """Staff write the figures of their own subtree; city-level staff also those of the units above them
    (the province's figures a city's table carries for comparison). No actor is the system."""
    if actor is None:
        return True
    if path_in_scope(area.path, actor):
        return True
    return city_level(actor) and area.pk in actor.org_unit.ancestor_ids()


def _check(values: dict[str, Any], *, instance: StatIndicator | None = None) -> None:
    errors = {}
    others = StatIndicator.objects.exclude(pk=instance.pk if instance else None)
    if values["kind"] not in StatKind.values:
        errors["kind"] = f"类型应为：{'、'.join(str(label) for label in StatKind.labels)}"
    if others.filter(code=values["code"]).exists():
        errors["code"] = f"代码“{values['code']}”已被其他指标使用。"
    if others.filter(name=values["name"]).exists():
        errors["name"] = f"指标“{values['name']}”已存在。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicators_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """The shipped library: missing indicators are added and shipped values restored, audited; indicators
    staff added are left alone."""
    result = LoadResult()
    stored = {indicator.code: indicator for indicator in StatIndicator.objects.all()}
    for order, item in enumerate(data["indicators"]):
        values = {
            "name": item["name"], "aliases": item.get("aliases", []), "unit": item.get("unit", ""),
            "kind": item["kind"], "sort_order": order, "source": item.get("source", ""),
        }  # fmt: skip
        indicator = stored.get(item["code"])
        if indicator is None:
            _check({"code": item["code"], **values})
            indicator = StatIndicator.objects.create(code=item["code"], **values)
            audit_record(
                actor=None, source=source, action=Action.CREATE, obj=indicator, after=snapshot(indicator)
            )
            result.created += 1
            continue
        before = snapshot(indicator, LIBRARY_FIELDS)
        if before == values:
            result.unchanged += 1
            continue
        for name, value in values.items():
            setattr(indicator, name, value)
        indicator.save()
        audit_record(
            actor=None, source=source, action=Action.UPDATE, obj=indicator, before=before,
            after=snapshot(indicator, LIBRARY_FIELDS),
        )  # fmt: skip
        result.updated += 1
    return result


@transaction.atomic
def indicator_create(
    *,
    actor: Any,
    source: Source,
    code: str,
    name: str,
    kind: str,
    unit: str = "",
    aliases: list[str] | None = None,
    indicator_source: str = "",
) -> StatIndicator:
    """An indicator the bureau's tables report that the library lacks; city-level staff add it."""
    if actor is not None:
        ensure_city_level(actor, ADD_REFUSAL)
    values = {
        "code": code, "name": name, "kind": kind, "unit": unit, "aliases": aliases or [],
        "source": indicator_source,
    }  # fmt: skip
    _check(values)
    last = StatIndicator.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
    indicator = StatIndicator.objects.create(sort_order=(last or 0) + 1, **values)
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=indicator, after=snapshot(indicator))
    return indicator
