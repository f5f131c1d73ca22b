"""Writes of the title library: the shipped titles and their criteria, and the candidate libraries (培育库):
entries by rule, by district nomination and from the evaluation's treatment lists, their owners and support,
and their removal; every write checked against the actor's scope and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_bulk, audit_entry, audit_record, snapshot
from kuochan.core.scope import city_level, ensure_in_scope
from kuochan.cultivation import selectors
from kuochan.cultivation.models import Entry, EntrySource, EntryStatus, Title, TitleLevel
from kuochan.cultivation.rules import criterion_rule
from kuochan.cultivation.title_services import staff_edited_codes
from kuochan.evaluation.selectors import ResultFilter, evaluation_run, results
from kuochan.orgs.services import LoadResult
from kuochan.registry.models import Enterprise, HonourKind

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
    """The shipped titles: missing ones are added and shipped values restored, audited, except the criteria
    of a title city staff edited (`title_services.title_save`); titles staff added are left alone. Loading
    twice changes nothing."""
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
    edited = staff_edited_codes()
    for code, values in rows:
        title = stored.get(code)
        if code in edited:  # city staff changed its criteria on the page: theirs stand
            values["criteria"] = title.criteria
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


# Candidate libraries ------------------------------------------------------------------------------------

EDIT_REFUSAL = "无权修改培育库。"
FILL_REFUSAL = "按条件遴选入库由市级工作人员进行。"
ENTRY_FIELDS = ("responsible", "planned_support", "note")


def can_keep_library(actor: Any) -> bool:
    """Whether the actor may write library entries at all (staff who edit; no enterprise user, no leader)."""
    return actor is None or (actor.can_edit and not actor.is_enterprise_user)


def _ensure_keeper(actor: Any, *objects: Any) -> None:
    if not can_keep_library(actor):
        raise PermissionDenied(EDIT_REFUSAL)
    ensure_in_scope(actor, *objects, message=EDIT_REFUSAL + "（不在您的数据范围内）")


def _check_responsible(responsible: Any, enterprise: Enterprise) -> None:
    if responsible is not None and not selectors.may_answer_for(responsible, enterprise):
        raise ValidationError(
            {
                "responsible": f"责任人“{responsible}”应为“{enterprise.district.name}”或其上级单位的在岗工作人员。"
            }
        )


def _entries_create(
    *, actor: Any, source: Source, title: Title, year: int, chosen: QuerySet[Enterprise], how: str,
    today: dt.date, note: str = "", gaps: dict[int, list[str]] | None = None,
) -> int:  # fmt: skip
    """New entries for the enterprises of `chosen` not yet in the library (holders of the title left out),
    with their gaps as of the library's day (`gaps` by enterprise id when the caller has them already); one
    bulk insert and one bulk audit, reading `chosen` as subqueries."""
    present = set(Entry.objects.filter(title=title, year=year).values_list("enterprise_id", flat=True))
    held = selectors.holders(title, chosen, year)
    fresh = [
        e
        for e in chosen.select_related("district").order_by("uscc")
        if e.pk not in present and e.pk not in held
    ]
    if not fresh:
        return 0
    ensure_in_scope(actor, *fresh, message=EDIT_REFUSAL)
    if gaps is None:
        assessed = selectors.assessments_of(title, chosen, selectors.as_of_for(year, today))
        gaps = {pk: selectors.gaps_text(assessment) for pk, assessment in assessed.items()}
    made = Entry.objects.bulk_create(
        [
            Entry(
                title=title, year=year, enterprise=e, status=EntryStatus.ENTERED, source=how, entered_on=today,
                status_on=today, gaps=gaps[e.pk], note=note[:500],
            )
            for e in fresh
        ],
        batch_size=1000,
    )  # fmt: skip
    audit_bulk(
        audit_entry(actor=actor, source=source, action=Action.CREATE, obj=entry, after=snapshot(entry))
        for entry in made
    )
    return len(made)


@transaction.atomic
def entries_fill_by_rule(
    *, actor: Any, source: Source, title: Title, year: int, margin_pct: Decimal, today: dt.date
) -> int:
    """按条件遴选入库: every candidate in scope (`selectors.candidates`) not yet in the title's library for the
    year, entered by rule with the gaps its assessment found; returns how many were added. Running it again
    adds none."""
    if not city_level(actor):
        raise PermissionDenied(FILL_REFUSAL)
    if not can_keep_library(actor):
        raise PermissionDenied(EDIT_REFUSAL)
    found = {
        c.uscc: c.assessment
        for c in selectors.candidates(actor=actor, title=title, year=year, margin_pct=margin_pct, today=today)
    }
    present = set(Entry.objects.filter(title=title, year=year).values_list("enterprise__uscc", flat=True))
    wanted = [uscc for uscc in found if uscc not in present]
    ids = dict(Enterprise.objects.filter(uscc__in=wanted).values_list("uscc", "id"))
    return _entries_create(
        actor=actor, source=source, title=title, year=year, chosen=Enterprise.objects.filter(uscc__in=wanted),
        how=EntrySource.RULE, today=today, gaps={ids[u]: selectors.gaps_text(found[u]) for u in wanted},
    )  # fmt: skip


@transaction.atomic
def entry_add(
    *, actor: Any, source: Source, title: Title, year: int, enterprise: Enterprise, today: dt.date,
    responsible: Any = None, planned_support: str = "", note: str = "",
) -> Entry:  # fmt: skip
    """推荐入库: a district nominates one enterprise of its own into the title's library for the year."""
    _ensure_keeper(actor, enterprise)
    stored = Entry.objects.filter(title=title, year=year, enterprise=enterprise).first()
    if stored is not None:
        hint = "，可在该条目中重新入库" if stored.status == EntryStatus.REMOVED else ""
        raise ValidationError(
            {
                "enterprise": f"“{enterprise.name}”已在 {year} 年{title.name}培育库中（{stored.get_status_display()}）{hint}。"
            }
        )
    if enterprise.pk in selectors.holders(title, Enterprise.objects.filter(pk=enterprise.pk), year):
        raise ValidationError(
            {"enterprise": f"“{enterprise.name}”{year} 年已获{title.name}称号，无需入库培育。"}
        )
    _check_responsible(responsible, enterprise)
    assessed = selectors.assessments_of(
        title, Enterprise.objects.filter(pk=enterprise.pk), selectors.as_of_for(year, today)
    )[enterprise.pk]
    entry = Entry.objects.create(
        title=title, year=year, enterprise=enterprise, status=EntryStatus.ENTERED, source=EntrySource.NOMINATION,
        entered_on=today, status_on=today, responsible=responsible, planned_support=planned_support.strip(),
        gaps=selectors.gaps_text(assessed), note=note.strip()[:500],
    )  # fmt: skip
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=entry, after=snapshot(entry))
    return entry


@transaction.atomic
def entry_update(
    *, actor: Any, source: Source, entry: Entry, responsible: Any, planned_support: str, note: str
) -> Entry:
    """Who answers for the entry, the support planned and the note."""
    _ensure_keeper(actor, entry)
    _check_responsible(responsible, entry.enterprise)
    before = snapshot(entry, ENTRY_FIELDS)
    entry.responsible, entry.planned_support, entry.note = (
        responsible,
        planned_support.strip(),
        note.strip()[:500],
    )
    entry.save(update_fields=list(ENTRY_FIELDS))
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=entry, before=before,
        after=snapshot(entry, ENTRY_FIELDS),
    )  # fmt: skip
    return entry


def _move(actor: Any, source: Source, entry: Entry, status: str, today: dt.date, **values: Any) -> Entry:
    if not entry.can_move_to(status):
        raise ValidationError(
            {"status": f"状态为“{entry.get_status_display()}”的条目不能改为“{EntryStatus(status).label}”。"}
        )
    names = ["status", "status_on", *values]
    before = snapshot(entry, names)
    entry.status, entry.status_on = status, today
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save(update_fields=names)
    audit_record(
        actor=actor,
        source=source,
        action=Action.UPDATE,
        obj=entry,
        before=before,
        after=snapshot(entry, names),
    )
    return entry


@transaction.atomic
def entry_remove(*, actor: Any, source: Source, entry: Entry, reason: str, today: dt.date) -> Entry:
    """出库, with the reason (kept in the note)."""
    _ensure_keeper(actor, entry)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写出库原因。"})
    note = "；".join(part for part in (entry.note, f"出库原因：{reason}") if part)[:500]
    return _move(actor, source, entry, EntryStatus.REMOVED, today, note=note)


@transaction.atomic
def entry_reenter(*, actor: Any, source: Source, entry: Entry, today: dt.date) -> Entry:
    """A removed enterprise entered again, its gaps taken afresh; not one that has since won the title."""
    _ensure_keeper(actor, entry)
    if entry.status != EntryStatus.REMOVED:
        raise ValidationError(
            {"status": f"只有出库的条目可以重新入库，该条目为“{entry.get_status_display()}”。"}
        )
    one = Enterprise.objects.filter(pk=entry.enterprise_id)
    if entry.enterprise_id in selectors.holders(entry.title, one, entry.year):
        raise ValidationError(
            {
                "status": f"“{entry.enterprise.name}”{entry.year} 年已获{entry.title.name}称号，无需再入库培育。"
            }
        )
    assessed = selectors.assessments_of(entry.title, one, selectors.as_of_for(entry.year, today))
    return _move(
        actor,
        source,
        entry,
        EntryStatus.ENTERED,
        today,
        gaps=selectors.gaps_text(assessed[entry.enterprise_id]),
    )


@transaction.atomic
def entries_from_evaluation(
    *, actor: Any, source: Source, title: Title, year: int, treatment_index: int, today: dt.date,
    evaluation_year: int | None = None,
) -> int:  # fmt: skip
    """The enterprises of one of the evaluation's treatment work lists (e.g. B-class small firms willing to
    expand) in scope, entered into the title's library; the evaluation of `evaluation_year`, by default the
    latest evaluated year up to the library's. Returns how many were added."""
    if not can_keep_library(actor):
        raise PermissionDenied(EDIT_REFUSAL)
    evaluated = evaluation_year or selectors.evaluation_year_for(year)
    run = evaluation_run(evaluated, actor) if evaluated else None
    treatments = run.parsed[0].treatments if run else ()
    if not 0 <= treatment_index < len(treatments):
        raise ValidationError(
            {"treatment": f"{evaluated or year} 年的评价方案中没有第 {treatment_index + 1} 条施策规则。"}
        )
    listed = results(actor=actor, year=evaluated, filters=ResultFilter(treatment=treatment_index))
    return _entries_create(
        actor=actor, source=source, title=title, year=year,
        chosen=Enterprise.objects.filter(pk__in=listed.values("enterprise_id")), how=EntrySource.EVALUATION,
        today=today, note=f"{evaluated} 年分类施策：{treatments[treatment_index].treatment}",
    )  # fmt: skip
