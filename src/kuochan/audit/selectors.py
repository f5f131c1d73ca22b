"""Reads of the audit trail, scoped like the data it describes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from kuochan.audit.models import AuditEntry
from kuochan.core.scope import scoped


@dataclass(frozen=True)
class AuditFilter:
    model: str | None = None  # "app_label.model"
    action: str | None = None
    source: str | None = None
    actor: str | None = None  # username, exact
    object_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    batch_id: int | None = None


def audit_entries(*, actor: Any, filters: AuditFilter | None = None) -> QuerySet[AuditEntry]:
    """The trail in the actor's scope. The auditor reads all of it under their unit, accounts and city-wide
    settings included; city admins also see the city-wide settings' trail."""
    all_entries = AuditEntry.objects.select_related("content_type")
    city_wide = Q(scope_path="")
    if getattr(actor, "is_auditor", False):
        entries = all_entries.filter(Q(scope_path__startswith=actor.org_path or "\0") | city_wide)
    elif getattr(actor, "is_city_admin", False):
        entries = scoped(all_entries, actor) | all_entries.filter(city_wide)
    else:
        entries = scoped(all_entries, actor)
    f = filters or AuditFilter()
    if f.model and "." in f.model:
        app_label, model = f.model.split(".", 1)
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    if f.action:
        entries = entries.filter(action=f.action)
    if f.source:
        entries = entries.filter(source=f.source)
    if f.actor:
        entries = entries.filter(actor_name=f.actor)
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
    entries = AuditEntry.objects.filter(content_type=content_type, object_id=str(obj.pk))
    return entries if checked else scoped(entries, actor)


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
