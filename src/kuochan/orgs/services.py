"""Writes to the org tree. Every write is checked against the actor's scope and audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_bulk, audit_entry, audit_record, snapshot
from kuochan.orgs.models import PATH_SEPARATOR, OrgKind, OrgUnit, PathMove

EDITABLE_FIELDS = ("code", "name", "short_name", "kind", "sort_order", "map_file", "map_name", "note")


def can_edit_unit(actor: Any, unit: OrgUnit) -> bool:
    """City admins edit their own unit and below; other editors only the units below their own."""
    if not actor.can_edit or actor.org_path is None:
        return False
    if actor.is_city_admin:
        return unit.path.startswith(actor.org_path)
    return unit.path.startswith(actor.org_path) and unit.path != actor.org_path


def can_add_child(actor: Any, parent: OrgUnit) -> bool:
    return actor.can_edit and actor.org_path is not None and parent.path.startswith(actor.org_path)


def _clean(values: dict[str, Any], *, instance: OrgUnit | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    code = str(values.get("code", "")).strip()
    name = str(values.get("name", "")).strip()
    if not code:
        errors["code"] = "代码不能为空。"
    elif OrgUnit.objects.filter(code=code).exclude(pk=instance.pk if instance else None).exists():
        errors["code"] = f"代码“{code}”已被其他单位使用，请换一个。"
    if not name:
        errors["name"] = "名称不能为空。"
    if values.get("kind") not in OrgKind.values:
        errors["kind"] = f"类型“{values.get('kind')}”无效，应为：{'、'.join(OrgKind.labels)}。"
    if errors:
        raise ValidationError(errors)
    return {**values, "code": code, "name": name}


@transaction.atomic
def org_unit_create(*, actor: Any, source: Source, parent: OrgUnit, **values: Any) -> OrgUnit:
    if not can_add_child(actor, parent):
        raise PermissionDenied("您无权在该单位下新增下级单位。")
    values = _clean({key: values[key] for key in EDITABLE_FIELDS if key in values})
    unit = OrgUnit(parent=parent, path=f"new:{values['code']}", depth=parent.depth + 1, **values)
    unit.save()
    unit.path = f"{parent.path}{unit.pk}{PATH_SEPARATOR}"
    unit.save(update_fields=["path"])
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=unit, after=snapshot(unit))
    return unit


@transaction.atomic
def org_unit_update(*, actor: Any, source: Source, unit: OrgUnit, **values: Any) -> OrgUnit:
    if not can_edit_unit(actor, unit):
        raise PermissionDenied("您无权修改该单位。")
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    changes = {key: values[key] for key in EDITABLE_FIELDS if key in values}
    cleaned = _clean({**{key: getattr(unit, key) for key in EDITABLE_FIELDS}, **changes}, instance=unit)
    for key, value in cleaned.items():
        setattr(unit, key, value)
    unit.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=unit, before=before, after=snapshot(unit)
    )
    return unit


def _move_subtree(unit: OrgUnit, parent: OrgUnit | None, loaded: Iterable[OrgUnit] = ()) -> None:
    """Re-hang `unit` under `parent` (None: make it a root): one UPDATE rewrites the paths of the whole
    subtree. The units of the subtree among `loaded` (held in memory by the caller) get their new paths too."""
    old_path = unit.path
    new_path = f"{parent.path if parent else ''}{unit.pk}{PATH_SEPARATOR}"
    delta = (parent.depth + 1 if parent else 0) - unit.depth
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta
    )
    PathMove.objects.create(old_path=old_path, new_path=new_path)  # how the trail written before finds it
    for held in loaded:
        if held is not unit and held.path.startswith(old_path):
            held.path, held.depth = new_path + held.path[len(old_path) :], held.depth + delta
    unit.path, unit.depth, unit.parent = new_path, unit.depth + delta, parent


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    messages: list[str] = field(default_factory=list)


def flatten_tree(nodes: Sequence[dict[str, Any]], parent_code: str | None = None) -> list[dict[str, Any]]:
    """Nested reference data ({..., "children": [...]}) as rows with `parent_code`, parents first."""
    rows = []
    for order, node in enumerate(nodes, start=1):
        row = {key: value for key, value in node.items() if key != "children"}
        row.setdefault("sort_order", order)
        rows.append({**row, "parent_code": parent_code})
        rows.extend(flatten_tree(node.get("children", []), node["code"]))
    return rows


def _check_rows(rows: Sequence[dict[str, Any]], known_codes: set[str]) -> None:
    problems = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        code, name = str(row.get("code", "")).strip(), str(row.get("name", "")).strip()
        label = f"第 {number} 个单位（{name or code or '无名称'}）"
        if not code:
            problems.append(f"{label}：缺少代码。")
        elif code in seen:
            problems.append(f"{label}：代码“{code}”重复。")
        if not name:
            problems.append(f"{label}：缺少名称。")
        if row.get("kind") not in OrgKind.values:
            problems.append(f"{label}：类型“{row.get('kind')}”无效，应为 {'/'.join(OrgKind.values)} 之一。")
        parent_code = row.get("parent_code")
        if parent_code is not None and parent_code not in seen and parent_code not in known_codes:
            problems.append(f"{label}：上级代码“{parent_code}”不存在。")
        seen.add(code)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def org_units_load(
    *, rows: Sequence[dict[str, Any]], actor: Any = None, source: Source = Source.CLI
) -> LoadResult:
    """Create or update units from reference rows (parents first), keyed by code. Idempotent.

    Runs in a handful of queries per tree level, so a province of thousands of units loads at once.
    Units not named in the rows are left alone: deleting reference data is a decision for a person.
    """
    existing = {unit.code: unit for unit in OrgUnit.objects.all()}
    _check_rows(rows, set(existing))
    result = LoadResult()
    entries = []
    pending = list(rows)
    while pending:
        level = [row for row in pending if row["parent_code"] is None or row["parent_code"] in existing]
        level_codes = {row["code"] for row in level}
        pending = [row for row in pending if row["code"] not in level_codes]
        new_units, changed_units = [], []
        for row in level:
            parent = existing.get(row["parent_code"]) if row["parent_code"] else None
            values = {
                key: row.get(key, OrgUnit._meta.get_field(key).get_default()) for key in EDITABLE_FIELDS
            }
            unit = existing.get(row["code"])
            if unit is None:
                unit = OrgUnit(
                    parent=parent, path=f"new:{row['code']}", depth=parent.depth + 1 if parent else 0
                )
                for key, value in values.items():
                    setattr(unit, key, value)
                new_units.append(unit)
                continue
            before = snapshot(unit)
            for key, value in values.items():
                setattr(unit, key, value)
            if unit.parent_id != (parent.pk if parent else None):
                _move_subtree(unit, parent, existing.values())  # e.g. a city hung under its new province
            after = snapshot(unit)
            if after == before:
                result.unchanged += 1
                continue
            changed_units.append(unit)
            entries.append(
                audit_entry(
                    actor=actor, source=source, action=Action.UPDATE, obj=unit, before=before, after=after
                )
            )
        OrgUnit.objects.bulk_create(new_units)
        for unit in new_units:
            parent_path = unit.parent.path if unit.parent else ""
            unit.path = f"{parent_path}{unit.pk}{PATH_SEPARATOR}"
            existing[unit.code] = unit
            entries.append(
                audit_entry(actor=actor, source=source, action=Action.CREATE, obj=unit, after=snapshot(unit))
            )
        OrgUnit.objects.bulk_update(new_units, ["path"], batch_size=1000)
        OrgUnit.objects.bulk_update(changed_units, [*EDITABLE_FIELDS, "parent"], batch_size=1000)
        result.created += len(new_units)
        result.updated += len(changed_units)
    audit_bulk(entries)
    return result
