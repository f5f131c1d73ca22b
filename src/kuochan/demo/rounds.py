"""The demo's 申报批次: last year's 基础级智能工厂 round run to its end (nominated, reviewed, its result list
imported with a document number, closed), and this year's 创新型中小企业 round open with the districts' first
nominations from the library the demo filled by rule, so the round pages, the honours and the plan's forecast
have something to show."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.cultivation.models import Entry, EntrySource, EntryStatus, Round, Title
from kuochan.cultivation.round_services import (
    Decision,
    entries_nominate,
    entries_review,
    round_close,
    round_create,
)
from kuochan.imports.engine import run_import
from kuochan.imports.exporting import write_table
from kuochan.registry.models import Enterprise

DISTRICTS = {"330502": "wuxing", "330503": "nanxun"}


def _library(title: Title, year: int, enterprises: list[Enterprise], entered_on: dt.date) -> list[Entry]:
    """The enterprises the districts put in the title's library for the year."""
    Entry.objects.bulk_create(
        [
            Entry(title=title, year=year, enterprise=e, source=EntrySource.NOMINATION, entered_on=entered_on,
                  status_on=entered_on, status=EntryStatus.ENTERED)
            for e in enterprises
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    return list(
        Entry.objects.filter(title=title, year=year, enterprise__in=enterprises).select_related(
            "enterprise__district"
        )
    )


def _nominate(round_: Round, entries: list[Entry], day: dt.date) -> list[Entry]:
    """Each district's staff put forward their own entries still 入库."""
    nominated = []
    for code, username in DISTRICTS.items():
        own = [e for e in entries if e.enterprise.district.code == code and e.status == EntryStatus.ENTERED]
        if own:
            actor = User.objects.get(username=username)
            nominated += entries_nominate(
                actor=actor, source=Source.CLI, round_=round_, entries=own, today=day
            )
    return nominated


def _candidates(count: int, offset: int) -> list[Enterprise]:
    return list(
        Enterprise.objects.filter(above_scale=True, district__code__in=DISTRICTS)
        .select_related("district")
        .order_by("uscc")[offset : offset + count]
    )


def demo_rounds(today: dt.date) -> dict[str, int]:
    """Once: a second run leaves the rounds as they are."""
    if Round.objects.exists():
        return {"existing": Round.objects.count()}
    city = User.objects.get(username="city")
    last = today.year - 1
    smart = Title.objects.get(code="smart_factory_basic")
    finished = round_create(
        actor=city, source=Source.CLI, title=smart, year=last, opens_on=dt.date(last, 3, 1),
        nomination_deadline=dt.date(last, 5, 31), review_deadline=dt.date(last, 6, 30),
        notice="关于组织开展基础级智能工厂申报工作的通知（演示）",
    )  # fmt: skip
    entries = _library(smart, last, _candidates(16, 0), dt.date(last, 2, 1))
    nominated = _nominate(finished, entries, dt.date(last, 5, 20))
    review_day = dt.date(last, 6, 20)
    for part, decision, reason in (
        (nominated[:10], Decision.RECOMMEND, ""),
        (nominated[10:12], Decision.RETURN, "智能化改造投入佐证材料不全"),
        (nominated[12:], Decision.REJECT, "未达到基础级智能工厂要求"),
    ):
        if part:
            entries_review(actor=city, source=Source.CLI, round_=finished, entries=part, decision=decision,
                           reason=reason, today=review_day)  # fmt: skip
    granted = nominated[:8]
    result = None
    if granted:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "认定名单.xlsx"
            write_table(str(path), f"{last}年度基础级智能工厂名单", ["统一社会信用代码", "企业名称", "结果"],
                        [[e.enterprise.uscc, e.enterprise.name, "认定"] for e in granted])  # fmt: skip
            result = run_import(
                "title-results", path, actor=city, source=Source.CLI, file_name=path.name,
                context={"round": finished.pk, "document_number": f"湖经信〔{last}〕58号",
                         "published_on": dt.date(last, 9, 15).isoformat()},
            )  # fmt: skip
    closed = round_close(actor=city, source=Source.CLI, round_=finished, today=dt.date(last, 9, 20))
    innovative = Title.objects.get(code="innovative_sme")
    opens_on = today - dt.timedelta(days=20)
    current = round_create(
        actor=city, source=Source.CLI, title=innovative, year=today.year, opens_on=opens_on,
        nomination_deadline=today + dt.timedelta(days=15), review_deadline=today + dt.timedelta(days=45),
        notice="关于组织开展创新型中小企业评价工作的通知（演示）",
    )  # fmt: skip
    entries = list(
        Entry.objects.filter(
            title=innovative,
            year=today.year,
            status=EntryStatus.ENTERED,
            enterprise__district__code__in=DISTRICTS,
        )
        .select_related("enterprise__district")
        .order_by("pk")[:20]
    )
    open_nominated = _nominate(current, entries[::2], today)
    return {
        "rounds": 2,
        "granted": result.created + result.updated if result else 0,
        "not_granted": len(closed),
        "nominated_this_year": len(open_nominated),
    }
