"""Reads of the audit trail, scoped like the data it describes.

An entry is shown only to someone who may see the object it is about: its org path (`scope_path`) must lie
in the reader's subtree, and an enterprise user reads only entries about models whose rows it may see
(`SCOPE_ENTERPRISE` set), never the staff's own notes about it (visits, follow-ups, key-enterprise and
exemption reasons). The auditor (三员分立) reads who did what, when and to which object (its type and
number); the values of business data in an entry, and the object's name, are masked for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable

from kuochan.audit.models import AuditEntry
from kuochan.core.scope import path_filter, scoped

# The accounts, roles and security settings: the administrators' own work, which the auditor is there to
# read in full. Every other app holds business data.
AUDITOR_READS_IN_FULL = frozenset({"accounts"})
MASKED = "（已隐去）"


@dataclass(frozen=True)
class AuditFilter:
    model: str | None = None  # "app_label.model"
    action: str | None = None
    source: str | None = None
    actor: str | None = None  # 姓名 or username, exact
    object_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    batch_id: int | None = None


def enterprise_visible_types() -> list[int]:
    """Content type ids of the models an enterprise user may see rows of (their SCOPE_ENTERPRISE is set)."""
    models = [model for model in apps.get_models() if getattr(model, "SCOPE_ENTERPRISE", None) is not None]
    models = [model for model in models if model is not AuditEntry]
    types = ContentType.objects.get_for_models(*models)
    return sorted(content_type.pk for content_type in types.values())


def masked_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Which fields changed, without their values (an empty value stays empty: set or cleared shows)."""
    return {
        name: [None if value in (None, "") else MASKED for value in pair] for name, pair in changes.items()
    }


class _MaskedForAuditor(ModelIterable):
    """Entries as the auditor reads them: business data's values masked as each row is loaded, so the
    page, the export and the API cannot differ."""

    def __iter__(self) -> Iterator[AuditEntry]:
        for entry in super().__iter__():
            if entry.content_type.app_label not in AUDITOR_READS_IN_FULL:
                entry.changes = masked_changes(entry.changes)
                entry.object_repr = f"编号 {entry.object_id}"  # a name can be business text (a follow-up's)
            yield entry


def visible_entries(entries: QuerySet[AuditEntry], actor: Any) -> QuerySet[AuditEntry]:
    """The one rule of who reads which entry (see the module's docstring). The auditor reads all of it under
    their unit, accounts and city-wide settings included; city admins also see the city-wide settings'
    trail."""
    city_wide = Q(scope_path="")
    if getattr(actor, "is_auditor", False):
        under = path_filter("scope_path", actor.org_path or "\0")
        found = entries.select_related("content_type").filter(under | city_wide)
        found._iterable_class = _MaskedForAuditor
        return found
    if getattr(actor, "is_city_admin", False):
        return scoped(entries, actor) | entries.filter(city_wide)
    found = scoped(entries, actor)
    if getattr(actor, "is_enterprise_user", False):
        found = found.filter(content_type__in=enterprise_visible_types())
    return found


def audit_entries(*, actor: Any, filters: AuditFilter | None = None) -> QuerySet[AuditEntry]:
    """The trail the actor may read (`visible_entries`), filtered."""
    entries = visible_entries(AuditEntry.objects.select_related("content_type", "actor"), actor)
    f = filters or AuditFilter()
    if f.model and "." in f.model:
        app_label, model = f.model.split(".", 1)
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    if f.action:
        entries = entries.filter(action=f.action)
    if f.source:
        entries = entries.filter(source=f.source)
    if f.actor:
        entries = entries.filter(Q(actor_name=f.actor) | Q(actor__full_name=f.actor))
    if f.object_id:
        entries = entries.filter(object_id=f.object_id)
    if f.date_from:
        entries = entries.filter(at__date__gte=f.date_from)
    if f.date_to:
        entries = entries.filter(at__date__lte=f.date_to)
    if f.batch_id:
        entries = entries.filter(batch_id=f.batch_id)
    return entries


def audit_for_object(*, actor: Any, obj: Any, checked: bool = False) -> QuerySet[AuditEntry]:
    """The trail of one object, for its detail page. `checked`: the caller has already established that the
    actor may see this object (an administrator's account page), so the data scope does not apply."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    entries = AuditEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)).select_related(
        "content_type", "actor"
    )
    return entries if checked else visible_entries(entries, actor)


def audited_models() -> list[tuple[str, str]]:
    """("app_label.model", verbose name) of every model that has entries, for the filter's choices."""
    ids = AuditEntry.objects.values_list("content_type", flat=True).distinct()
    return sorted(
        (
            f"{ct.app_label}.{ct.model}",
            str(ct.model_class()._meta.verbose_name) if ct.model_class() else ct.model,
        )
        for ct in ContentType.objects.filter(pk__in=ids)
    )
