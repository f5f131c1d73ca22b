"""Writing the audit trail. Every service that changes business data calls one of these in its transaction.

An audited model implements `audit_scope() -> (org_path, enterprise_id | None)`, which says whose data
the object is, so the trail can be scoped like the data itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.db.models.fields.files import FieldFile

from kuochan.audit.models import Action, AuditEntry, Source


def json_value(value: Any) -> Any:
    """A field value as it is stored in the trail: exact (Decimal and dates as text), JSON-safe."""
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name  # where the file is stored, not its content
    return value


def snapshot(obj: Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The object's editable field values by field name (foreign keys as ids), JSON-safe.

    Derived and internal fields (editable=False: paths, timestamps) are left out: they say nothing a
    reader of the trail needs, and change whenever their sources do.
    """
    wanted = set(fields) if fields is not None else None
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or not field.editable or (wanted is not None and field.name not in wanted):
            continue
        values[field.name] = json_value(getattr(obj, field.attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field whose value differs; blank counts as missing."""
    keys = list(dict.fromkeys([*before, *after]))
    blank = (None, "")
    return {
        key: [before.get(key), after.get(key)]
        for key in keys
        if before.get(key) != after.get(key) and not (before.get(key) in blank and after.get(key) in blank)
    }


def audit_entry(
    *,
    actor: Any,
    source: Source,
    action: Action,
    obj: Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    batch_id: int | None = None,
) -> AuditEntry:
    """An unsaved entry, for callers that write many at once with `audit_bulk`."""
    scope_path, enterprise_id = obj.audit_scope()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEntry(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "系统",
        source=source,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=diff(before or {}, after or {}),
        scope_path=scope_path,
        enterprise_id=enterprise_id,
        batch_id=batch_id,
    )


def audit_record(**kwargs: Any) -> AuditEntry | None:
    """Record one change. An update that changed nothing leaves no entry."""
    entry = audit_entry(**kwargs)
    if entry.action == Action.UPDATE and not entry.changes:
        return None
    entry.save()
    return entry


def audit_bulk(entries: Iterable[AuditEntry], *, batch_size: int = 2000) -> None:
    """Write many entries in few statements (bulk imports); updates that changed nothing are dropped."""
    AuditEntry.objects.bulk_create(
        [entry for entry in entries if entry.action != Action.UPDATE or entry.changes], batch_size=batch_size
    )


def fields_update(obj: Model, *, actor: Any, source: Source, **values: Any) -> None:
    """Set a few fields of a saved object, save just those, and record the change."""
    names = list(values)
    before = snapshot(obj, names)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=names)
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=obj, before=before, after=snapshot(obj, names)
    )
