"""Writes of a title's criteria by city staff (the shipped titles are loaded by `services.titles_load`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.audit.services import audit_record
from kuochan.cultivation.models import Title
from kuochan.cultivation.rules import criterion_rule

CRITERION_KEYS = ("code", "text", "rule", "source", "inclusive", "verified")
EDITED_FIELD = "criteria"  # what `title_save` changes, as its audit entries name it


def ensure_can_keep_titles(actor: Any) -> None:
    if actor is None or not actor.is_city_staff:
        raise PermissionDenied("只有市级管理员和市级工作人员可以修改培育称号的认定条件。")


def criteria_problems(criteria: Sequence[dict[str, Any]]) -> list[str]:
    """What keeps the criteria from being saved, each naming the criterion, in Chinese."""
    problems: list[str] = []
    seen: set[str] = set()
    for i, criterion in enumerate(criteria, start=1):
        where = f"第 {i} 条“{criterion.get('text') or criterion.get('code') or ''}”"
        code = criterion.get("code") or ""
        if not code or code in seen:
            problems.append(f"{where}：条件代码缺失或重复。")
        seen.add(code)
        if not (criterion.get("text") or "").strip():
            problems.append(f"{where}：须写明条件原文。")
        if not (criterion.get("source") or "").strip():
            problems.append(f"{where}：须注明出处。")
        try:
            criterion_rule(criterion.get("rule"))
        except ValueError as exc:
            problems += [f"{where}：{problem}" for problem in exc.args[0]]
        except RecursionError:
            problems.append(f"{where}：条件嵌套过深，请简化。")
    return problems


@transaction.atomic
def title_save(
    *, actor: Any, title: Title, criteria: Sequence[dict[str, Any]], source: Source = Source.WEB
) -> Title:
    """Replace a title's criteria, audited (before and after). Refused whole, with a Chinese message naming
    each criterion at fault, when any rule is not one of the rule language or a criterion lacks its source."""
    ensure_can_keep_titles(actor)
    cleaned = [{key: criterion.get(key) for key in CRITERION_KEYS} for criterion in criteria]
    problems = criteria_problems(cleaned)
    if problems:
        raise ValidationError(problems)
    title = Title.objects.select_for_update().get(pk=title.pk)
    before = {EDITED_FIELD: title.criteria}
    title.criteria = cleaned
    title.save(update_fields=[EDITED_FIELD])
    audit_record(
        actor=actor,
        source=source,
        action=Action.UPDATE,
        obj=title,
        before=before,
        after={EDITED_FIELD: cleaned},
    )
    return title


def staff_edited_codes() -> set[str]:
    """The codes of the titles whose criteria a person changed (`title_save`), which a reload of the shipped
    titles should leave as they are: an update by a user, found in the audit trail."""
    titles = dict(Title.objects.values_list("pk", "code"))
    edited = AuditEntry.objects.filter(
        content_type__app_label="cultivation",
        content_type__model="title",
        action=Action.UPDATE,
        actor__isnull=False,
    ).values_list("object_id", flat=True)
    return {titles[int(pk)] for pk in edited if int(pk) in titles}
