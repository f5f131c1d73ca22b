"""Writes of the registry outside imports: reference dictionaries, and audited single-object edits."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_bulk, audit_entry, snapshot
from kuochan.orgs.services import LoadResult
from kuochan.registry.models import IndustryCategory, IndustryTag


def _upsert(model: Any, key: str, rows: list[dict[str, Any]], source: Source) -> LoadResult:
    """Create or update reference rows by `key`; leaves rows the data does not name alone."""
    result = LoadResult()
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    new, changed, entries = [], [], []
    for values in rows:
        obj = existing.get(values[key])
        if obj is None:
            new.append(model(**values))
            continue
        before = snapshot(obj)
        for name, value in values.items():
            setattr(obj, name, value)
        after = snapshot(obj)
        if after == before:
            result.unchanged += 1
        else:
            changed.append(obj)
            entries.append(
                audit_entry(
                    actor=None, source=source, action=Action.UPDATE, obj=obj, before=before, after=after
                )
            )
    model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, [name for name in rows[0] if name != key])
    entries += [
        audit_entry(actor=None, source=source, action=Action.CREATE, obj=obj, after=snapshot(obj))
        for obj in new
    ]
    audit_bulk(entries)
    result.created, result.updated = len(new), len(changed)
    return result


@transaction.atomic
def industries_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """GB/T 4754 sections (门类) and divisions (大类)."""
    rows = []
    for section in data["sections"]:
        rows.append(
            {"code": section["code"], "name": section["name"], "section": section["code"], "is_section": True}
        )
        rows += [
            {"code": d["code"], "name": d["name"], "section": section["code"], "is_section": False}
            for d in section["divisions"]
        ]
    return _upsert(IndustryCategory, "code", rows, source)


@transaction.atomic
def tags_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    rows = [
        {"name": tag["name"], "kind": tag["kind"], "sort_order": order}
        for order, tag in enumerate(data["tags"], 1)
    ]
    return _upsert(IndustryTag, "name", rows, source)
