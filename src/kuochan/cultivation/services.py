"""Writes of the title library: the shipped titles and their criteria, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.cultivation.models import Title, TitleLevel
from kuochan.cultivation.rules import criterion_rule
from kuochan.orgs.services import LoadResult
from kuochan.registry.models import HonourKind

LIBRARY_FIELDS = (
    "name",
    "ladder",
    "rank_in_ladder",
    "level",
    "honour_kind",
    "criteria",
    "source",
    "sort_order",
)


def _problems(code: str, values: dict[str, Any]) -> list[str]:
    problems = []
    if values["level"] not in TitleLevel.values:
        problems.append(f"称号 {code}：认定层级“{values['level']}”应为 {'、'.join(TitleLevel.values)}。")
    if values["honour_kind"] and values["honour_kind"] not in HonourKind.values:
        problems.append(f"称号 {code}：企业荣誉中没有“{values['honour_kind']}”。")
    seen = set()
    for i, criterion in enumerate(values["criteria"], start=1):
        where = f"称号 {code} 第 {i} 条（{criterion.get('code', '')}）"
        if not criterion.get("code") or criterion["code"] in seen:
            problems.append(f"{where}：条件代码缺失或重复。")
        seen.add(criterion.get("code"))
        if not criterion.get("source"):
            problems.append(f"{where}：须注明出处。")
        try:
            criterion_rule(criterion.get("rule"))
        except ValueError as exc:
            problems += [f"{where}：{p}" for p in exc.args[0]]
    return problems


@transaction.atomic
def titles_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """The shipped titles: missing ones are added and shipped values restored, audited; titles staff added
    are left alone. Loading twice changes nothing."""
    result = LoadResult()
    stored = {title.code: title for title in Title.objects.all()}
    problems: list[str] = []
    rows = []
    for order, item in enumerate(data["titles"], start=1):
        values = {
            "name": item["name"], "ladder": item.get("ladder") or "", "rank_in_ladder": item.get("rank_in_ladder"),
            "level": item["level"], "honour_kind": item.get("honour_kind") or "",
            "criteria": [
                {key: c.get(key) for key in ("code", "text", "rule", "source", "inclusive", "verified")}
                for c in item.get("criteria", [])
            ],
            "source": item.get("source", ""), "sort_order": order,
        }  # fmt: skip
        problems += _problems(item["code"], values)
        rows.append((item["code"], values))
    if problems:
        raise ValidationError(problems)
    for code, values in rows:
        title = stored.get(code)
        if title is None:
            title = Title.objects.create(code=code, **values)
            audit_record(actor=None, source=source, action=Action.CREATE, obj=title, after=snapshot(title))
            result.created += 1
            continue
        before = snapshot(title, LIBRARY_FIELDS)
        if before == values:
            result.unchanged += 1
            continue
        for name, value in values.items():
            setattr(title, name, value)
        title.save()
        audit_record(
            actor=None, source=source, action=Action.UPDATE, obj=title, before=before,
            after=snapshot(title, LIBRARY_FIELDS),
        )  # fmt: skip
        result.updated += 1
    return result
