"""The leaders' cockpit (驾驶舱): every figure of the programme as it stood at the end of a chosen month, read
from the modules' own selectors (so the cockpit and the modules never disagree), for the actor's scope.

A closed month's figures only change when business data changes, and every change of business data is
audited: the figures are cached under the latest audit entry's id, so a meeting's repeated opens cost one
small query until someone edits something."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from kuochan.accounts.models import User
from kuochan.audit.models import AuditEntry
from kuochan.cockpit.models import Measure, Meeting, MonthlyReport, SupervisedTask, TaskReport
from kuochan.cockpit.rules import TaskFacts, supervision_light
from kuochan.core.scope import scope_root, scoped
from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.orgs.selectors import sees_whole_tree
from kuochan.outreach import selectors as outreach
from kuochan.policies.models import Step
from kuochan.policies.selectors import applications
from kuochan.projects.models import YI_WAN
from kuochan.projects.rules import (
    MILESTONE_LABELS,
    MILESTONES,
    STALLS,
    TERMINATED,
    ProjectFacts,
    ThreeLists,
    Verdict,
    last_complete_month,
    light_summary,
    renovation_investment_by_month,
)
from kuochan.projects.selectors import Board, district_rank, project_board, project_lists, renovation_reports
from kuochan.statistics import selectors as stats
from kuochan.statistics.rules import Standing
from kuochan.targets.selectors import (
    Reads,
    investment_by_month,
    plan_get,
    ranking,
    reporting_units,
    targets_report,
)


def default_month(today: dt.date | None = None) -> tuple[int, int]:
    """The last complete month: what a meeting at the start of a month looks at."""
    today = today or timezone.localdate()
    last = last_complete_month(today) or dt.date(today.year - 1, 12, 1)
    return last.year, last.month


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def as_of_for(year: int, month: int, today: dt.date | None = None) -> dt.date:
    """The month's last day, or today while the month is still running."""
    return min(month_end(year, month), today or timezone.localdate())


@dataclass
class Region:
    """One reporting unit on the map and in the ranking."""

    unit: OrgUnit
    projects: int = 0
    red: int = 0
    yellow: int = 0
    completion: dict[str, float | None] = field(default_factory=dict)  # indicator name → completion


@dataclass
class Cockpit:
    year: int
    month: int
    as_of: dt.date
    unit: OrgUnit | None
    headline: list[dict[str, Any]]
    ranking: list[Any]
    lights: dict[str, int]
    stalls: list[tuple[str, int]]
    large: list[tuple[str, str, int, Decimal]]  # stage key, label, projects, total investment 亿元
    investment: dict[str, list[float]]
    regions: list[Region]
    tickets: outreach.TicketFigures
    events: outreach.EventTotals
    policies: dict[str, Any]
    statistics: StatisticsCard

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass
class StatisticsCard:
    """The statistics bureau's figures for the month: the actor's city (its growth against the province's,
    its rank among the province's cities) and, for a district's staff, their district against the city."""

    month: dt.date
    lines: list[tuple[OrgUnit, list[Standing]]]  # (area, its figures), the city first

    @property
    def empty(self) -> bool:
        return not any(standings for _, standings in self.lines)

    @property
    def any_ytd(self) -> bool:
        return any(s.ytd is not None for _, standings in self.lines for s in standings)


def statistics_card(actor: User, year: int, month: int) -> StatisticsCard:
    first = dt.date(year, month, 1)
    city = stats.home_city(actor)
    rows = stats.month_rows(actor=actor, month=first) if city is not None else []
    areas = [city] if city is not None else []
    own = actor.org_unit if actor.org_unit_id else None
    if own is not None and own.kind in REPORTING_KINDS:
        areas.append(own)
    return StatisticsCard(first, [(area, stats.standings_of(rows, area)) for area in areas])


def _yi(hundredths: int) -> float:
    return round(hundredths / 1_000_000, 2)


def _investment(
    actor: User, year: int, as_of: dt.date, memo: Reads, *, whole_tree: bool
) -> dict[str, list[float]]:
    """Renovation investment completed, year to date at each month end (亿元), this year against last. An
    actor who sees everything shares the targets' reads (`memo`); anyone else reads their own scope."""
    if whole_tree:
        this = investment_by_month(memo, year, as_of)
        last = investment_by_month(memo, year - 1, month_end(year - 1, 12))
    else:
        this = renovation_investment_by_month(
            renovation_reports(actor=actor, year=year), year=year, as_of=as_of
        )
        last = renovation_investment_by_month(
            renovation_reports(actor=actor, year=year - 1), year=year - 1, as_of=month_end(year - 1, 12)
        )
    months = as_of.month if as_of.year == year else 12

    def total(by_district: dict[str, list[int]]) -> list[int]:
        return [sum(row[i] for row in by_district.values()) for i in range(12)]

    return {
        "months": [f"{m}月" for m in range(1, 13)],
        "this_year": [_yi(v) for v in total(this)[:months]],
        "last_year": [_yi(v) for v in total(last)],
    }


def _policy_figures(actor: User, year: int, as_of: dt.date) -> dict[str, Any]:
    """The year's applications raised by the as-of date, and the money approved and paid by then (万元)."""
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    found = applications(actor=actor).filter(year=year)
    steps = Step.objects.filter(application__in=found.values("pk"), at__lt=end)
    approved = steps.filter(action__in=("pass_city", "award")).aggregate(total=Sum("amount_wan"))["total"]
    paid = found.filter(steps__action="pay", steps__at__lt=end).aggregate(total=Sum("paid_wan"))["total"]
    return {
        "applications": found.filter(created_at__lt=end).count(),
        "approved_wan": approved or Decimal(0),
        "paid_wan": paid or Decimal(0),
    }


def reporting_regions(actor: User) -> list[Region]:
    units = OrgUnit.objects.filter(kind__in=REPORTING_KINDS).order_by("sort_order", "path")
    if actor.org_path is not None and not actor.is_enterprise_user:
        units = units.filter(path__startswith=actor.org_path)
    return [Region(unit) for unit in units]


def cockpit_data(*, actor: User, year: int, month: int) -> Cockpit:
    """Every figure of the cockpit for the month, in the actor's scope."""
    version = AuditEntry.objects.aggregate(latest=Max("id"))["latest"] or 0
    as_of = as_of_for(year, month)
    key = f"cockpit:{actor.pk}:{actor.org_path}:{year}-{month}:{as_of}:{version}"
    found = cache.get(key)
    if found is None:
        found = _compute(actor, year, month, as_of)
        cache.set(key, found, timeout=3600)
    return found


def _compute(actor: User, year: int, month: int, as_of: dt.date) -> Cockpit:
    board = project_board(actor=actor, as_of=as_of)
    regions = reporting_regions(actor)
    by_name = {r.unit.name: r for r in regions}
    stalls: Counter[str] = Counter()
    large: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for facts, verdict in zip(board.facts, board.verdicts, strict=True):
        region = by_name.get(facts.district)
        if region is not None:
            region.projects += 1
            region.red += verdict.light.value == "red"
            region.yellow += verdict.light.value == "yellow"
        if verdict.stall:
            stalls[verdict.stall] += 1
        if facts.total is not None and facts.total >= YI_WAN * 100 and facts.status != TERMINATED:
            row = large[verdict.stage or "planned"]
            row[0] += 1
            row[1] += facts.total
    plan = plan_get(actor=actor, year=year)
    unit = _plan_unit(actor, plan)
    headline, ranked = [], []
    memo = Reads()
    whole_tree = sees_whole_tree(actor)
    if whole_tree:
        memo.facts = board.facts  # the whole tree's projects: the targets need not read them again
    if plan is not None and plan.period_start <= year <= plan.period_end:
        headline = targets_report(plan=plan, year=year, month=month, unit=unit, detail=True, memo=memo)[
            "indicators"
        ]
        ranked = ranking(plan=plan, year=year, month=month, memo=memo)
        for row in ranked:
            region = next((r for r in regions if r.unit.display_name == row.unit), None)
            if region is not None:
                region.completion = {name: float(completion) for name, completion, _, _ in row.parts}
    stages = [("planned", "谋划中"), *((m, MILESTONE_LABELS[m]) for m in MILESTONES)]
    rules = outreach.current_rules()
    return Cockpit(
        year=year,
        month=month,
        as_of=as_of,
        unit=unit,
        headline=headline,
        ranking=ranked,
        lights=light_summary(board.verdicts),
        stalls=[(label, stalls.get(label, 0)) for label in STALLS],
        large=[
            (key, label, large[key][0], Decimal(large[key][1]) / 1_000_000)
            for key, label in stages
            if key in large
        ],
        investment=_investment(actor, year, as_of, memo, whole_tree=whole_tree),
        regions=regions,
        tickets=outreach.ticket_figures(actor=actor, as_of=as_of, rules=rules),
        events=outreach.event_totals(actor=actor, start=dt.date(year, 1, 1), end=as_of)[1],
        policies=_policy_figures(actor, year, as_of),
        statistics=statistics_card(actor, year, month),
    )


def _plan_unit(actor: User, plan: Any) -> OrgUnit | None:
    """The unit the headline figures are for: a district's own staff see their district, others the plan's
    unit."""
    if plan is None:
        return None
    own = actor.org_unit if actor.org_unit_id else None
    if own is not None and own.kind in REPORTING_KINDS and own.path.startswith(plan.org_unit.path):
        return own
    return plan.org_unit


# The monthly report ---------------------------------------------------------------------------------


@dataclass
class ReportData:
    """What the monthly report (月度通报) says, read as of the month's end for one unit's scope: the plan's
    unit (the city), or a district's own cut."""

    year: int
    month: int
    as_of: dt.date
    unit: OrgUnit
    unit_name: str
    plan_name: str  # the plan in force in the month, whose targets the report reads
    indicators: list[dict[str, Any]]  # the plan's unit, with reasons
    by_unit: list[tuple[str, list[dict[str, Any]]]]  # each reporting unit's indicators
    ranking: list[Any]
    lights: dict[str, int]
    flagged: list[tuple[ProjectFacts, Verdict]]  # red and yellow projects, red first
    stalls: list[tuple[str, list[tuple[ProjectFacts, Verdict]]]]
    lists: ThreeLists
    tickets: outreach.TicketFigures
    events: outreach.EventTotals
    unit_names: dict[str, str]  # the ranking's short names → full names
    statistics: list[stats.FigureRow]  # the month's published figures of the unit, its subtree and above

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


def report_unit(actor: User | None, plan: Any) -> OrgUnit:
    """The unit whose scope a report generated by `actor` covers: the plan's unit for the system or for staff
    of the plan's unit; a reporting unit (district) for its own staff. Anyone else is refused."""
    if actor is None:
        return plan.org_unit
    unit = actor.org_unit if scope_root(actor) is not None and actor.can_edit else None
    if unit is not None and (
        unit.pk == plan.org_unit_id
        or (unit.kind in REPORTING_KINDS and unit.path.startswith(plan.org_unit.path))
    ):
        return unit
    raise PermissionDenied("只有市级或区县工作人员可以生成月度通报。")


def report_data(
    *,
    year: int,
    month: int,
    actor: User | None = None,
    today: dt.date | None = None,
    board: Board | None = None,
) -> ReportData:
    """Everything the month's report states, from the modules' own selectors read in `actor`'s scope (None:
    the system, the whole plan's unit), as of the month's end (or today, for a month still running). A
    district's cut holds its own projects, lists, indicators and ranking row only."""
    as_of = as_of_for(year, month, today)
    plan = plan_get(actor=actor, year=year)
    if plan is None or not plan.period_start <= year <= plan.period_end:
        raise ValidationError(f"{year} 年不在规划期内，或尚未加载规划，不能生成月度通报。")
    unit = report_unit(actor, plan)
    if board is None or board.as_of != as_of or actor is not None:
        board = project_board(actor=actor, as_of=as_of)
    rank = district_rank()
    pairs = sorted(
        zip(board.facts, board.verdicts, strict=True),
        key=lambda fv: (rank.get(fv[0].district, len(rank)), fv[0].code),
    )
    memo = Reads()
    units = [u for u in reporting_units(plan) if u.path.startswith(unit.path)]
    names = {u.display_name for u in units}
    return ReportData(
        year=year,
        month=month,
        as_of=as_of,
        unit=unit,
        unit_name=unit.name,
        plan_name=plan.name,
        indicators=targets_report(plan=plan, year=year, month=month, unit=unit, detail=True, memo=memo)[
            "indicators"
        ],
        by_unit=[
            (u.name, targets_report(plan=plan, year=year, month=month, unit=u, memo=memo)["indicators"])
            for u in units
        ],
        ranking=[r for r in ranking(plan=plan, year=year, month=month, memo=memo) if r.unit in names],
        lights=light_summary(board.verdicts),
        flagged=[p for p in pairs if p[1].light.value == "red"]
        + [p for p in pairs if p[1].light.value == "yellow"],
        stalls=[(label, [p for p in pairs if p[1].stall == label]) for label in STALLS],
        lists=project_lists(
            actor=actor, start=dt.date(year, month, 1), end=month_end(year, month), as_of=as_of
        ),
        tickets=outreach.ticket_figures(actor=actor, as_of=as_of, rules=outreach.current_rules()),
        events=outreach.event_totals(actor=actor, start=dt.date(year, 1, 1), end=as_of)[1],
        unit_names={u.display_name: u.name for u in units},
        statistics=stats.month_rows(actor=actor, month=dt.date(year, month, 1), within=unit),
    )


def monthly_reports(*, actor: User) -> QuerySet[MonthlyReport]:
    """The reports the actor may read: those generated for its scope (a district's cut, or for city staff
    every report under the city), and a city-wide report above it once city staff have published it."""
    found = MonthlyReport.objects.select_related("generated_by", "published_by", "unit")
    own = scoped(found, actor)
    if scope_root(actor) is None:
        return own
    above = actor.org_unit.ancestor_ids()[:-1]
    return own | found.filter(unit_id__in=above, published_at__isnull=False)


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _statistics_figures(data: ReportData) -> dict[str, Any]:
    """The unit's published figures for the month, each beside its peers' growth: what the 通报 cites."""
    subject = {OrgKind.CITY: "全市", OrgKind.PROVINCE: "全省"}.get(data.unit.kind, data.unit.name)
    return {
        "subject": subject,
        "standings": [
            {
                "indicator": s.indicator, "kind": s.kind, "unit": s.unit, "ytd": _decimal_text(s.ytd),
                "growth": _decimal_text(s.growth), "rank": s.rank, "peers": s.peers,
                "peers_growth": _decimal_text(s.peers_growth),
            }
            for s in stats.standings_of(data.statistics, data.unit)
        ],
    }  # fmt: skip


def report_figures(data: ReportData) -> dict[str, Any]:
    """The report's figures as stable JSON: what the narrative is written from, what is stored with each
    report, and what `kuochan report monthly --format json` prints."""
    red_by_district: Counter[str] = Counter(f.district for f, v in data.flagged if v.light.value == "red")
    return {
        "month": data.label,
        "as_of": data.as_of.isoformat(),
        "unit": data.unit_name,
        "plan": data.plan_name,
        "indicators": [
            {
                k: row[k]
                for k in ("code", "name", "unit", "actual", "year_target", "completion", "time_pace", "light")
            }
            | {"level_text": row.get("level_text")}
            for row in data.indicators
        ],
        "ranking": [
            {"unit": r.unit, "rank": r.rank, "score": None if r.score is None else str(r.score)}
            for r in data.ranking
        ],
        "lights": data.lights,
        "red_by_district": dict(sorted(red_by_district.items())),
        "flagged": [
            {
                "code": f.code,
                "name": f.name,
                "district": f.district,
                "light": v.light.value,
                "stall": v.stall,
                "reasons": list(v.reasons),
            }
            for f, v in data.flagged
        ],
        "stalls": {label: len(rows) for label, rows in data.stalls},
        "statistics": _statistics_figures(data),
        "lists": {
            "to_start": len(data.lists.to_start),
            "to_complete": len(data.lists.to_complete),
            "to_above_scale": len(data.lists.to_above_scale),
        },
        "tickets": asdict(data.tickets),
        "events": {
            "events": data.events.events,
            "enterprises": data.events.enterprises,
            "orders_wan": str(data.events.orders_wan.quantize(Decimal("0.01"))),
            "financing_wan": str(data.events.financing_wan.quantize(Decimal("0.01"))),
        },
    }


# Supervision (督办) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    task: SupervisedTask
    light: str
    reasons: tuple[str, ...]
    last: TaskReport | None  # the latest report made by the as-of date


def _with_shared(queryset: QuerySet[Any], actor: User | None) -> QuerySet[Any]:
    """Rows in the actor's scope, and those city staff shared with every district (staff only, never an
    enterprise user nor an administrator). No actor is the system: everything."""
    if actor is None:
        return queryset
    visible = scoped(queryset, actor)
    if scope_root(actor) is not None:
        visible = queryset.filter(Q(shared=True) | Q(pk__in=visible.values("pk")))
    return visible


def supervised_tasks(*, actor: User | None) -> QuerySet[SupervisedTask]:
    """The supervised tasks the actor may see: its responsible unit in the actor's subtree, or shared."""
    return _with_shared(SupervisedTask.objects.all(), actor)


def meetings(*, actor: User | None) -> QuerySet[Meeting]:
    """The meetings the actor may see, each with only the decisions (tasks) the actor may see."""
    tasks = supervised_tasks(actor=actor).select_related("owner")
    return _with_shared(Meeting.objects.all(), actor).prefetch_related(Prefetch("tasks", queryset=tasks))


def supervision_board(
    *, actor: User | None, as_of: dt.date, tasks: QuerySet[SupervisedTask] | None = None
) -> list[TaskRow]:
    """Every supervised task the actor may see (of `tasks`, if given) with its light as of a date: two
    queries, whatever the number of tasks. No actor is the system (the monthly cycle's reminders)."""
    found = list(
        (tasks if tasks is not None else SupervisedTask.objects.all())
        .filter(pk__in=supervised_tasks(actor=actor).values("pk"), starts_on__lte=as_of)
        .select_related("measure", "meeting", "owner")
    )
    reports: dict[int, list[TaskReport]] = defaultdict(list)
    for report in TaskReport.objects.filter(task__in=[t.pk for t in found], reported_on__lte=as_of).order_by(
        "month"
    ):
        reports[report.task_id].append(report)
    rows = []
    for task in found:
        made = reports.get(task.pk, [])
        facts = TaskFacts(
            task.starts_on, task.deadline, task.done_on, task.report_day, frozenset(r.month for r in made)
        )
        light, reasons = supervision_light(facts, as_of=as_of)
        rows.append(TaskRow(task, light, reasons, made[-1] if made else None))
    return rows


def measures() -> QuerySet[Measure]:
    return Measure.objects.all()
