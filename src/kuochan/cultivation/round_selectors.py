"""Reads of the yearly application rounds: the rounds an actor may see, each round's entries by status and
what its result list did, and the forecast of the plan's title indicators from the libraries."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from kuochan.core.scope import city_level, scope_root, scoped_or_system
from kuochan.cultivation.models import Entry, EntryStatus, Round, Title
from kuochan.cultivation.selectors import candidates
from kuochan.orgs.models import PATH_SEPARATOR
from kuochan.registry.models import Enterprise, Honour
from kuochan.targets.models import Indicator, Plan


def _ancestor_paths(path: str) -> list[str]:
    """ "1.5.23." → ["1.", "1.5.", "1.5.23."]: the unit and every unit above it."""
    parts = [part for part in path.split(PATH_SEPARATOR) if part]
    return [PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR for i in range(len(parts))]


def rounds(*, actor: Any) -> QuerySet[Round]:
    """The rounds the actor takes part in: those run by a unit above or at theirs (a district's city), and
    those of the cities in their subtree. Enterprise users and administrators see none. No actor: all."""
    found = Round.objects.select_related("title", "city")
    if actor is None:
        return found
    root = scope_root(actor)
    if root is None:
        return found.none()
    return found.filter(Q(city__path__in=_ancestor_paths(root)) | Q(city__path__startswith=root))


def round_get(*, actor: Any, pk: int) -> Round | None:
    return rounds(actor=actor).filter(pk=pk).first()


def runs_round(actor: Any, round_: Round) -> bool:
    """Whether the actor is city-level staff over the round's city (who create, review, import, close)."""
    if actor is None:
        return True
    root = scope_root(actor)
    return city_level(actor) and root is not None and round_.city.path.startswith(root)


def round_entries(*, actor: Any, round_: Round) -> QuerySet[Entry]:
    """The round's library entries in the actor's scope (a district sees its own enterprises only)."""
    return (
        scoped_or_system(Entry.objects.all(), actor)
        .filter(
            title_id=round_.title_id,
            year=round_.year,
            enterprise__district__path__startswith=round_.city.path,
        )
        .select_related("enterprise__district", "responsible")
        .order_by("enterprise__district__path", "enterprise__name")
    )


STATUS_ORDER = [s.value for s in EntryStatus]


def status_counts(*, actor: Any, found: list[Round]) -> dict[int, dict[str, int]]:
    """{round id: {status: entries}} for the rounds given, in one query, in the actor's scope."""
    counts: dict[int, dict[str, int]] = {r.pk: dict.fromkeys(STATUS_ORDER, 0) for r in found}
    if not found:
        return counts
    by_key = {(r.title_id, r.year): r for r in found}
    rows = (
        scoped_or_system(Entry.objects.all(), actor)
        .filter(title_id__in={r.title_id for r in found}, year__in={r.year for r in found})
        .order_by()
        .values_list("title_id", "year", "enterprise__district__path", "status")
        .annotate(n=Count("id"))
    )
    for title_id, year, path, status, n in rows:
        round_ = by_key.get((title_id, year))
        if round_ is not None and path.startswith(round_.city.path):
            counts[round_.pk][status] += n
    return counts


def days_left(deadline: dt.date, today: dt.date) -> int:
    return (deadline - today).days


@dataclass(frozen=True, slots=True)
class ResultLine:
    enterprise: Enterprise
    outcome: str  # 认定 / 未通过 / 撤销
    note: str


def round_results(*, actor: Any, round_: Round) -> list[ResultLine]:
    """What the round's result list did, in the actor's scope: the enterprises granted (the honour with the
    round's year), those not granted, and those whose title was revoked in the round's year."""
    kind = round_.title.honour_kind
    lines: list[ResultLine] = []
    if kind:
        honours = (
            scoped_or_system(Honour.objects.all(), actor)
            .filter(Q(year_granted=round_.year) | Q(year_lost=round_.year), kind=kind)
            .filter(enterprise__district__path__startswith=round_.city.path)
            .select_related("enterprise__district")
            .order_by("enterprise__name")
        )
        for honour in honours:
            if honour.year_lost == round_.year:
                lines.append(ResultLine(honour.enterprise, "撤销", f"{honour.year_granted} 年认定"))
            if honour.year_granted == round_.year:
                number = honour.document_number or "未记文号"
                lines.append(ResultLine(honour.enterprise, "认定", f"{number}，{honour.granted_on or ''}"))
    rejected = round_entries(actor=actor, round_=round_).filter(status=EntryStatus.REJECTED)
    lines += [ResultLine(entry.enterprise, "未通过", entry.note) for entry in rejected]
    order = {"认定": 0, "未通过": 1, "撤销": 2}
    return sorted(lines, key=lambda line: (order[line.outcome], line.enterprise.name))


# The plan's title indicators: their derivation `honour:<kinds>` (held) or `honour_new:<kinds>`.
TITLE_DERIVATIONS = ("honour", "honour_new")


@dataclass(frozen=True, slots=True)
class TitleForecast:
    code: str
    name: str
    unit: str
    year: int
    target: Decimal | None
    counted: int  # held (a level) or granted this year (newly granted)
    recommended: int
    applied: int
    entered: int
    met_not_applied: int
    titles: tuple[str, ...]
    newly: bool

    @property
    def reachable(self) -> int:
        return self.counted + self.recommended + self.applied

    @property
    def shortfall(self) -> int | None:
        if self.target is None:
            return None
        return max(int(self.target.to_integral_value(rounding="ROUND_CEILING")) - self.reachable, 0)

    @property
    def sentence(self) -> str:
        text = (
            f"已认定 {self.counted:,} 家，推荐 {self.recommended:,} 家、申报 {self.applied:,} 家，"
            f"按全部通过可达 {self.reachable:,} 家"
        )
        if self.target is None:
            return f"{text}，本年度未设目标"
        target = f"{self.target.normalize():,f}"
        if self.shortfall:
            return f"{text}，年度目标 {target} 家，差 {self.shortfall:,} 家"
        return f"{text}，年度目标 {target} 家，可以完成"


def _target(indicator: Indicator, year: int) -> Decimal | None:
    value = (indicator.yearly or {}).get(str(year))
    return None if value is None else Decimal(str(value))


def met_not_entered(*, actor: Any, titles: list[Title], year: int, today: dt.date) -> dict[int, set[int]]:
    """{title id: ids of the enterprises in scope that meet the title's computable criteria, do not hold it
    and are not in its library for the year}: the candidates not yet taken in."""
    in_library = defaultdict(set)
    for title_id, enterprise_id in (
        scoped_or_system(Entry.objects.all(), actor)
        .filter(year=year, title__in=titles)
        .values_list("title_id", "enterprise_id")
    ):
        in_library[title_id].add(enterprise_id)
    found = {}
    for title in titles:
        met = [c.uscc for c in candidates(actor=actor, title=title, year=year, margin_pct=Decimal(0), today=today)
               if c.assessment.met]  # fmt: skip
        ids = set(Enterprise.objects.filter(uscc__in=met).values_list("id", flat=True)) if met else set()
        found[title.pk] = ids - in_library[title.pk]
    return found


def title_forecast(
    *, actor: Any, plan: Plan, year: int, today: dt.date, with_candidates: bool = True
) -> list[TitleForecast]:
    """For each title indicator of the plan (`honour:` held, `honour_new:` granted in the year): the year's
    target, the enterprises counted now, and the enterprises in the year's libraries of the titles giving
    its honours, each once at its furthest status (those already counted left out), plus those meeting a
    title's criteria not yet taken in. Reachable = counted + recommended + applied, i.e. if all were granted.
    In the actor's scope, within the plan's unit. `with_candidates=False` leaves out the candidates (their
    criteria are computed for every enterprise in scope): a page beside the plan reads the libraries only."""
    indicators = [
        i
        for i in plan.indicators.order_by("table_row", "code")
        if i.derivation.partition(":")[0] in TITLE_DERIVATIONS
    ]
    if not indicators:
        return []
    kinds_of = {i.pk: set(i.derivation.partition(":")[2].split(",")) for i in indicators}
    all_kinds = set().union(*kinds_of.values())
    path = plan.org_unit.path
    honours = list(
        scoped_or_system(Honour.objects.all(), actor)
        .filter(kind__in=all_kinds, year_granted__lte=year, enterprise__district__path__startswith=path)
        .filter(Q(year_lost__isnull=True) | Q(year_lost__gt=year))
        .values_list("enterprise_id", "kind", "year_granted")
    )
    entries = list(
        scoped_or_system(Entry.objects.all(), actor)
        .filter(year=year, title__honour_kind__in=all_kinds, enterprise__district__path__startswith=path)
        .values_list("enterprise_id", "title__honour_kind", "status")
    )
    titles = list(Title.objects.filter(honour_kind__in=all_kinds))
    met = met_not_entered(actor=actor, titles=titles, year=year, today=today) if with_candidates else {}
    found = []
    for indicator in indicators:
        kinds = kinds_of[indicator.pk]
        newly = indicator.derivation.startswith("honour_new:")
        counted = {pk for pk, kind, granted in honours if kind in kinds and (not newly or granted == year)}
        furthest: dict[int, int] = {}  # enterprise → its furthest status (the order of FORECAST_STATUSES)
        for pk, kind, status in entries:
            if kind in kinds and pk not in counted and status in FORECAST_STATUSES:
                furthest[pk] = min(furthest.get(pk, 9), FORECAST_STATUSES.index(status))
        by_status = Counter(FORECAST_STATUSES[i] for i in furthest.values())
        own_titles = [t for t in titles if t.honour_kind in kinds]
        waiting = set().union(set(), *(met.get(t.pk, set()) for t in own_titles)) - counted - set(furthest)
        found.append(
            TitleForecast(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                year=year,
                target=_target(indicator, year),
                counted=len(counted),
                recommended=by_status[EntryStatus.RECOMMENDED],
                applied=by_status[EntryStatus.APPLIED],
                entered=by_status[EntryStatus.ENTERED],
                met_not_applied=len(waiting),
                titles=tuple(t.name for t in own_titles),
                newly=newly,
            )
        )
    return found


# The library statuses a forecast counts, furthest first.
FORECAST_STATUSES = (EntryStatus.RECOMMENDED, EntryStatus.APPLIED, EntryStatus.ENTERED)


@dataclass(frozen=True, slots=True)
class NextStep:
    """What the person answering for an entry does next, in words, and the round page to do it on."""

    text: str
    round: Round | None = None


def entry_next_step(*, actor: Any, entry: Entry, met: bool, today: dt.date) -> NextStep:
    """An entry's next step from its status and its title's round for the year in the actor's city."""
    round_ = rounds(actor=actor).filter(title=entry.title_id, year=entry.year).first()
    if entry.status == EntryStatus.ENTERED:
        if round_ is None:
            if met:
                return NextStep("已符合可测算条件：市里启动本年度申报批次后即可推荐申报。")
            return NextStep("尚有差距：跟进企业补齐上列差距，再推荐申报。")
        if today > round_.nomination_deadline:
            return NextStep(
                f"本年度区县推荐已于 {round_.nomination_deadline:%Y-%m-%d} 截止，可在下一年度继续培育。"
            )
        ready = "已符合可测算条件，可推荐申报" if met else "尚有差距，补齐后推荐申报"
        left = days_left(round_.nomination_deadline, today)
        return NextStep(
            f"{ready}：本年度区县推荐截止 {round_.nomination_deadline:%Y-%m-%d}（剩 {left} 天）。", round_
        )
    if entry.status == EntryStatus.APPLIED:
        deadline = f"（市级审核截止 {round_.review_deadline:%Y-%m-%d}）" if round_ else ""
        return NextStep(f"已申报，等待市级审核{deadline}。", round_)
    if entry.status == EntryStatus.RECOMMENDED:
        return NextStep("已推荐，等待认定结果公布。", round_)
    if entry.status == EntryStatus.GRANTED:
        return NextStep("已认定，称号已记入企业荣誉。", round_)
    if entry.status == EntryStatus.REJECTED:
        return NextStep("未通过，原因见备注；可出库或下一年度继续培育。", round_)
    return NextStep("已出库。")
