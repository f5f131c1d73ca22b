"""Writes of the yearly application rounds (申报工作), audited: the city opens a title's round with its
deadlines, districts nominate their library entries up to the nomination deadline, the city reviews the
nominations, the official result list is imported (`cultivation.importers`), and the city closes the round.
Every entry moves by the one table of moves (`Entry.can_move_to`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_bulk, audit_entry, audit_record, snapshot
from kuochan.core.scope import ensure_city_level, ensure_in_scope
from kuochan.cultivation.models import Entry, EntryStatus, Round, Title
from kuochan.cultivation.round_selectors import rounds

ROUND_FIELDS = ("opens_on", "nomination_deadline", "review_deadline", "notice")
ENTRY_FIELDS = ("status", "status_on", "note")
CITY_ONLY = "申报批次由市级工作人员组织、审核和结束。"
DISTRICT_ONLY = "只有区县工作人员可以推荐本区县的企业申报。"


class Decision:
    RECOMMEND = "recommend"
    RETURN = "return"
    REJECT = "reject"


DECISIONS = {
    Decision.RECOMMEND: ("推荐", EntryStatus.RECOMMENDED),
    Decision.RETURN: ("退回", EntryStatus.ENTERED),
    Decision.REJECT: ("不予推荐", EntryStatus.REJECTED),
}


def _deadlines_checked(opens_on: dt.date, nomination_deadline: dt.date, review_deadline: dt.date) -> None:
    problems = {}
    if nomination_deadline < opens_on:
        problems["nomination_deadline"] = (
            f"区县推荐截止日 {nomination_deadline} 早于启动日期 {opens_on}，应在启动之后。"
        )
    if review_deadline < nomination_deadline:
        problems["review_deadline"] = (
            f"市级审核截止日 {review_deadline} 早于区县推荐截止日 {nomination_deadline}，应在其后。"
        )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def round_create(
    *,
    actor: Any,
    source: Source,
    title: Title,
    year: int,
    opens_on: dt.date,
    nomination_deadline: dt.date,
    review_deadline: dt.date,
    notice: str = "",
) -> Round:
    """Open a title's round for the year in the actor's city: one round per title, year and city."""
    ensure_city_level(actor, CITY_ONLY)
    _deadlines_checked(opens_on, nomination_deadline, review_deadline)
    city = actor.org_unit
    if Round.objects.filter(title=title, year=year, city=city).exists():
        raise ValidationError(
            {"title": f"{city.name}{year}年“{title.name}”申报批次已经存在，请在原批次中修改。"}
        )
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                title=title, year=year, city=city, opens_on=opens_on, nomination_deadline=nomination_deadline,
                review_deadline=review_deadline, notice=notice,
            )  # fmt: skip
    except IntegrityError as exc:  # opened at the same moment by someone else
        raise ValidationError(f"{year}年“{title.name}”申报批次已经存在。") from exc
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=round_, after=snapshot(round_))
    return round_


@transaction.atomic
def round_update(
    *,
    actor: Any,
    source: Source,
    round_: Round,
    opens_on: dt.date,
    nomination_deadline: dt.date,
    review_deadline: dt.date,
    notice: str = "",
) -> Round:
    """Change a round's dates or notice (its title, year and city stay)."""
    ensure_city_level(actor, CITY_ONLY, round_)
    _deadlines_checked(opens_on, nomination_deadline, review_deadline)
    before = snapshot(round_, ROUND_FIELDS)
    round_.opens_on, round_.nomination_deadline, round_.review_deadline = (
        opens_on,
        nomination_deadline,
        review_deadline,
    )
    round_.notice = notice
    round_.save(update_fields=list(ROUND_FIELDS))
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=round_, before=before,
        after=snapshot(round_, ROUND_FIELDS),
    )  # fmt: skip
    return round_


def _ensure_takes_part(actor: Any, round_: Round) -> None:
    """The round is one the actor sees (their city's, or a city in their subtree)."""
    if not rounds(actor=actor).filter(pk=round_.pk).exists():
        raise PermissionDenied("该申报批次不在您的数据范围内。")


def _of_round(round_: Round, entries: Iterable[Entry]) -> list[Entry]:
    """The entries as stored now (locked), each checked to be the round's title and year."""
    ids = [entry.pk for entry in entries]
    found = list(
        Entry.objects.select_for_update()
        .filter(pk__in=ids)
        .select_related("enterprise__district", "title")
        .order_by("enterprise__name")
    )
    if not found:
        raise ValidationError("请选择企业。")
    strangers = [
        entry.enterprise.name
        for entry in found
        if (entry.title_id, entry.year) != (round_.title_id, round_.year)
    ]
    if strangers:
        raise ValidationError(f"{'、'.join(strangers)}不在{round_}的培育库中。")
    return found


def _move(
    *, actor: Any, source: Source, entries: list[Entry], status: str, today: dt.date, note: str | None = None
) -> None:
    """Move the entries (already checked) to `status` on `today`, one audit entry each."""
    audits = []
    for entry in entries:
        before = snapshot(entry, ENTRY_FIELDS)
        entry.status, entry.status_on = status, today
        if note is not None:
            entry.note = note[:500]
        audits.append(
            audit_entry(
                actor=actor,
                source=source,
                action=Action.UPDATE,
                obj=entry,
                before=before,
                after=snapshot(entry, ENTRY_FIELDS),
            )
        )
    Entry.objects.bulk_update(entries, list(ENTRY_FIELDS))
    audit_bulk(audits)


def _refused_moves(entries: list[Entry], status: str, what: str) -> list[str]:
    return [
        f"{entry.enterprise.name}当前为“{entry.get_status_display()}”，不能{what}。"
        for entry in entries
        if not entry.can_move_to(status)
    ]


@transaction.atomic
def entries_nominate(
    *, actor: Any, source: Source, round_: Round, entries: Iterable[Entry], today: dt.date
) -> list[Entry]:
    """A district's staff put their 入库 enterprises forward (申报) from the round's opening up to its
    nomination deadline, that day included. All or none: every refusal names the enterprise."""
    if actor is not None and (actor.is_enterprise_user or actor.is_city_staff or not actor.can_edit):
        raise PermissionDenied(DISTRICT_ONLY)
    _ensure_takes_part(actor, round_)
    found = _of_round(round_, entries)
    ensure_in_scope(actor, *found, message="所选企业不在您的数据范围内，只能推荐本区县的企业。")
    if today > round_.nomination_deadline:
        raise ValidationError(f"区县推荐已于 {round_.nomination_deadline} 截止，不能再推荐。")
    if today < round_.opens_on:
        raise ValidationError(f"{round_}将于 {round_.opens_on} 启动，启动后才能推荐。")
    problems = _refused_moves(found, EntryStatus.APPLIED, "推荐申报")
    if problems:
        raise ValidationError(problems)
    _move(actor=actor, source=source, entries=found, status=EntryStatus.APPLIED, today=today)
    return found


@transaction.atomic
def entries_review(
    *,
    actor: Any,
    source: Source,
    round_: Round,
    entries: Iterable[Entry],
    decision: str,
    reason: str,
    today: dt.date,
) -> list[Entry]:
    """The city reviews nominated (申报) entries: 推荐 them up, 退回 them to the library (入库) or reject them
    (未通过); returning and rejecting need a reason, kept on the entry. Before the result list only."""
    ensure_city_level(actor, CITY_ONLY, round_)
    if decision not in DECISIONS:
        raise ValidationError({"decision": "审核意见应为 推荐、退回 或 不予推荐。"})
    label, status = DECISIONS[decision]
    reason = reason.strip()
    if decision != Decision.RECOMMEND and not reason:
        raise ValidationError({"reason": f"{label}须写明理由。"})
    if round_.result_published_on is not None:
        raise ValidationError(f"{round_}的认定结果已于 {round_.result_published_on} 公布，不能再审核。")
    found = _of_round(round_, entries)
    ensure_in_scope(actor, *found)
    problems = [
        f"{entry.enterprise.name}当前为“{entry.get_status_display()}”，不是待审核的申报，不能{label}。"
        for entry in found
        if entry.status != EntryStatus.APPLIED or not entry.can_move_to(status)
    ]
    if problems:
        raise ValidationError(problems)
    note = f"{today} 市级{label}：{reason}" if reason else None
    _move(actor=actor, source=source, entries=found, status=status, today=today, note=note)
    return found


@transaction.atomic
def round_close(*, actor: Any, source: Source, round_: Round, today: dt.date) -> list[Entry]:
    """End the round after its result list: the recommended enterprises the list did not name are not
    granted (未通过). Refused while nominations wait for review. Closing again changes nothing."""
    ensure_city_level(actor, CITY_ONLY, round_)
    waiting = Entry.objects.filter(title_id=round_.title_id, year=round_.year, status=EntryStatus.APPLIED)
    waiting = waiting.filter(enterprise__district__path__startswith=round_.city.path)
    if waiting.exists():
        raise ValidationError(f"尚有 {waiting.count():,} 家企业的申报未经市级审核，请先审核再结束批次。")
    remaining = list(
        Entry.objects.select_for_update()
        .filter(
            title_id=round_.title_id,
            year=round_.year,
            status=EntryStatus.RECOMMENDED,
            enterprise__district__path__startswith=round_.city.path,
        )
        .select_related("enterprise__district")
    )
    number = round_.result_document_number
    note = f"{today} 批次结束，未列入认定名单" + (f"（{number}）" if number else "")
    _move(actor=actor, source=source, entries=remaining, status=EntryStatus.REJECTED, today=today, note=note)
    return remaining
