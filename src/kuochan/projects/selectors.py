"""Reads of the project pipeline, always in the actor's scope; the facts the rules need, in a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Round
from django.utils import timezone

from kuochan.audit.models import AuditEntry
from kuochan.core.bulk import as_date, date_reader, gc_paused, id_batches, raw_date, raw_values
from kuochan.core.scope import get_scoped_or_404, scoped, scoped_or_system
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.projects.models import YI_WAN, LightRuleSet, Progress, Project, ProjectStatus, YearPlan
from kuochan.projects.rules import (
    MILESTONES,
    URGENCY,
    EnterpriseFacts,
    LightRules,
    ProjectFacts,
    ThreeLists,
    Verdict,
    enterprises_producing,
    last_complete_month,
    light_summary,
    project_verdicts,
    three_lists,
)
from kuochan.registry.models import AnnualMetric, Enterprise


def hundredths(field: str) -> Cast:
    return Cast(Round(F(field) * 100), BigIntegerField())


def light_rules() -> LightRules:
    """The rule set in force; the documented defaults until one is loaded."""
    stored = LightRuleSet.objects.filter(name="default").first()
    if stored is None:
        return LightRules()
    return LightRules(
        milestone_order=tuple(stored.milestone_order),
        stall_labels=dict(stored.stall_labels),
        schedule_yellow_days=stored.schedule_yellow_days,
        schedule_yellow_inclusive=stored.schedule_yellow_inclusive,
        schedule_red_days=stored.schedule_red_days,
        schedule_red_inclusive=stored.schedule_red_inclusive,
        pace_yellow_hundredths=int(stored.pace_yellow_points * 100),
        pace_yellow_inclusive=stored.pace_yellow_inclusive,
        pace_red_hundredths=int(stored.pace_red_points * 100),
        pace_red_inclusive=stored.pace_red_inclusive,
        in_stats_min_total=int(stored.in_stats_min_total_wan * 100),
        in_stats_yellow_after_days=stored.in_stats_yellow_after_days,
        in_stats_yellow_inclusive=stored.in_stats_yellow_inclusive,
        in_stats_red_after_days=stored.in_stats_red_after_days,
        in_stats_red_inclusive=stored.in_stats_red_inclusive,
        above_scale_revenue=int(stored.above_scale_revenue_wan * 100),
    )


def projects(*, actor: Any) -> QuerySet[Project]:
    """The projects the actor may see (None: the system, everything)."""
    return scoped_or_system(Project.objects.all(), actor)


def project_get(*, actor: Any, pk: Any) -> Project:
    return get_scoped_or_404(
        Project.objects.select_related("enterprise", "district", "town", "chain"), actor, pk=pk
    )


def project_trail(*, actor: Any, project: Project) -> QuerySet[AuditEntry]:
    """Changes to the project, its yearly plans and its monthly progress."""
    types = ContentType.objects.get_for_models(Project, YearPlan, Progress)
    project_type = types[Project]
    owned = Q(content_type=project_type, object_id=str(project.pk))
    plan_ids = [str(pk) for pk in project.year_plans.values_list("pk", flat=True)]
    progress_ids = [str(pk) for pk in project.progress.values_list("pk", flat=True)]
    owned |= Q(content_type=types[YearPlan], object_id__in=plan_ids)
    owned |= Q(content_type=types[Progress], object_id__in=progress_ids)
    return scoped(AuditEntry.objects.select_related("content_type"), actor).filter(owned)


_DATE_COLUMNS = [f"{name}_{kind}" for name in MILESTONES for kind in ("planned", "actual")]


def project_facts(
    *, actor: Any, as_of: dt.date, queryset: QuerySet[Project] | None = None, with_progress: bool = True
) -> list[ProjectFacts]:
    """Every project in scope (or in `queryset`) as the rules see it on as_of, in one query.

    With progress (what the lights need, not the three lists), each project also carries the as-of year's
    plan and its latest report for a complete month of that year up to as_of: subqueries that probe the
    (project, month) and (project, year) unique indexes, so the cost follows the number of projects, not
    the millions of reports.
    """
    found = (queryset if queryset is not None else projects(actor=actor)).order_by()
    extra: list[Any] = []
    if with_progress:
        last = last_complete_month(as_of) or dt.date(as_of.year - 1, 12, 31)  # January: no month yet
        plan = YearPlan.objects.filter(project=OuterRef("pk"), year=as_of.year).order_by()
        latest = Progress.objects.filter(
            project=OuterRef("pk"), month__gte=dt.date(as_of.year, 1, 1), month__lte=last
        ).order_by("-month")
        extra = [
            Subquery(plan.annotate(h=hundredths("planned_wan")).values("h")[:1]),
            Subquery(latest.annotate(h=hundredths("ytd_wan")).values("h")[:1]),
            Subquery(latest.annotate(m=raw_date("month")).values("m")[:1]),
        ]
    rows = raw_values(
        found.values_list(
            "id", "code", "name", "district__name", "status", "enterprise_id", "is_renovation",
            hundredths("total_wan"), *(raw_date(name) for name in _DATE_COLUMNS), *extra,
        )
    )  # fmt: skip
    read = date_reader()
    end = 8 + len(_DATE_COLUMNS)
    with gc_paused():  # 150,000 small objects and dicts with no cycles
        return [
            ProjectFacts(
                row[0], row[1], row[2], row[3], row[4],
                dict(zip(MILESTONES, [read(v) for v in row[8:end:2]], strict=True)),
                dict(zip(MILESTONES, [read(v) for v in row[9:end:2]], strict=True)),
                row[7], row[5], bool(row[6]),
                *((row[end], row[end + 1], read(row[end + 2])) if with_progress else ()),
            )
            for row in rows
        ]  # fmt: skip


@dataclass(frozen=True)
class Board:
    """All projects in scope with their verdicts on as_of."""

    as_of: dt.date
    rules: LightRules
    facts: list[ProjectFacts]
    verdicts: list[Verdict]

    def by_id(self) -> dict[int, tuple[ProjectFacts, Verdict]]:
        return {f.id: (f, v) for f, v in zip(self.facts, self.verdicts, strict=True)}


def project_board(*, actor: Any, as_of: dt.date, queryset: QuerySet[Project] | None = None) -> Board:
    rules = light_rules()
    facts = project_facts(actor=actor, as_of=as_of, queryset=queryset)
    return Board(as_of, rules, facts, project_verdicts(facts, as_of=as_of, rules=rules))


def enterprise_facts(
    *, actor: Any, as_of: dt.date, rules: LightRules | None = None, also: Iterable[int] | None = None
) -> list[EnterpriseFacts]:
    """Enterprises in scope not above-scale on as_of, with main revenue of the three years before as_of's
    (营业收入 for an enterprise that reported no main revenue): what the 升规 list needs.

    With `rules`, only those that could be on the list are read: revenue already at the bar in some year,
    or growth between two years steep enough to reach it within three years (a generous SQL test; the rule
    decides exactly), and the enterprises in `also` (those with a project reaching production).
    """
    below = (
        scoped_or_system(Enterprise.objects.all(), actor)
        .filter(Q(above_scale=False) | Q(above_scale_since__gt=as_of))
        .order_by()
    )
    columns = ("id", "uscc", "name", "district__name", "above_scale", raw_date("above_scale_since"))
    if rules is None:
        rows = raw_values(below.values_list(*columns))
    else:
        wanted = sorted(_could_reach(as_of, rules) | set(also or ()))
        rows = [
            row
            for ids in id_batches(wanted)
            for row in raw_values(below.filter(id__in=ids).values_list(*columns))
        ]
    read = date_reader()
    main: dict[int, dict[int, int]] = {}
    other: dict[int, dict[int, int]] = {}
    for ids in id_batches([row[0] for row in rows]):
        for enterprise_id, year, main_revenue, revenue in raw_values(
            AnnualMetric.objects.filter(enterprise_id__in=ids, year__gte=as_of.year - 3, year__lt=as_of.year)
            .order_by()
            .values_list("enterprise_id", "year", hundredths("main_revenue_wan"), hundredths("revenue_wan"))
        ):
            if main_revenue is not None:
                main.setdefault(enterprise_id, {})[year] = main_revenue
            if revenue is not None:
                other.setdefault(enterprise_id, {})[year] = revenue
    return [
        EnterpriseFacts(
            id=pk,
            uscc=uscc,
            name=name,
            district=district,
            above_scale=bool(above),
            above_scale_since=read(since),
            revenue=main.get(pk) or other.get(pk, {}),
            revenue_label="主营业务收入" if pk in main else "营业收入",
        )
        for pk, uscc, name, district, above, since in rows
    ]


def _could_reach(as_of: dt.date, rules: LightRules) -> set[int]:
    """Ids of enterprises below scale on as_of whose revenue (main or total) in the three years before is at
    the bar, or grew from one year to the next enough to reach it this year at that rate, in floating point
    with 1 % to spare. A superset of the 升规 candidates (tested against the full read); the rule decides."""
    metrics = connection.ops.quote_name(AnnualMetric._meta.db_table)
    firms = connection.ops.quote_name(Enterprise._meta.db_table)
    # The latest year L projects Y − L years ahead: R² ≥ bar × P for a pair ending last year, R³ ≥ bar × P²
    # for one ending the year before (a pair ending three years back has no earlier year in the window).
    a, b = "CAST(a.{c} AS DOUBLE PRECISION)", "CAST(b.{c} AS DOUBLE PRECISION)"
    grew = (
        f"(b.{{c}} > 0 AND a.{{c}} > b.{{c}} AND ((a.year = %s AND {a} * {a} >= %s * {b}) "
        f"OR (a.year = %s AND {a} * {a} * {a} >= %s * {b} * {b})))"
    )
    sql = (
        f"SELECT DISTINCT a.enterprise_id FROM {metrics} a "
        f"JOIN {firms} e ON e.id = a.enterprise_id AND (NOT e.above_scale OR e.above_scale_since > %s) "
        f"LEFT JOIN {metrics} b ON b.enterprise_id = a.enterprise_id AND b.year = a.year - 1 "
        "WHERE a.year >= %s AND a.year < %s AND (a.main_revenue_wan >= %s OR a.revenue_wan >= %s "
        f"OR {grew.format(c='main_revenue_wan')} OR {grew.format(c='revenue_wan')})"
    )
    bar = float(rules.above_scale_revenue) / 100 * 0.99
    year = as_of.year
    pair = [year - 1, bar, year - 2, bar]
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of, year - 3, year, bar, bar, *pair, *pair])
        return {pk for (pk,) in cursor.fetchall()}


def project_lists(
    *,
    actor: Any,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
    facts: list[ProjectFacts] | None = None,
) -> ThreeLists:
    """The three lists for [start, end], with what was known at the period's end (or as_of); never later
    than today, so a mistyped future date does not count for a period still running. `facts` already read
    for the same as_of (the board's) are reused rather than read again."""
    known_on = as_of or min(end, timezone.localdate())
    rules = light_rules()
    if facts is None:
        facts = project_facts(actor=actor, as_of=known_on, with_progress=False)
    producing = enterprises_producing(facts, start=start, end=end, as_of=known_on)
    lists = three_lists(
        facts,
        enterprise_facts(actor=actor, as_of=known_on, rules=rules, also=producing),
        start=start,
        end=end,
        as_of=known_on,
        rules=rules,
    )
    rank = district_rank()
    order = lambda entry: (rank.get(entry.district, len(rank)), entry.key)  # noqa: E731
    return ThreeLists(
        to_start=sorted(lists.to_start, key=order),
        to_complete=sorted(lists.to_complete, key=order),
        to_above_scale=sorted(lists.to_above_scale, key=order),
    )


def district_rank() -> dict[str, int]:
    """Reporting units' names in their official order (吴兴区, 南浔区, … as the bureau lists them)."""
    names = (
        OrgUnit.objects.filter(kind__in=REPORTING_KINDS)
        .order_by("sort_order", "path")
        .values_list("name", flat=True)
    )
    return {name: rank for rank, name in enumerate(names)}


@dataclass(frozen=True)
class ProjectFilter:
    query: str = ""
    district: int | None = None
    light: str = ""
    stage: str = ""
    stall: str = ""
    chain: int | None = None
    project_type: str = ""
    large: bool = False  # 亿元以上


def project_rows(
    *, actor: Any, as_of: dt.date, filters: ProjectFilter | None = None
) -> list[tuple[ProjectFacts, Verdict]]:
    """Projects in scope with their verdicts on as_of, filtered as the list page asks, most urgent first:
    red, yellow, green, then unlit; within a light those whose next milestone is overdue (破五未) first;
    then by district and code. Filters on the verdict (light, stage, stall) apply after the rules ran."""
    f = filters or ProjectFilter()
    found = projects(actor=actor)
    if f.query:
        text = f.query.strip()
        found = found.filter(
            Q(name__contains=text) | Q(code__startswith=text.upper()) | Q(enterprise__name__contains=text)
        )
    if f.district:
        found = found.filter(district__path__startswith=_path_of(f.district))
    if f.chain:
        found = found.filter(chain_id=f.chain)
    if f.project_type:
        found = found.filter(project_type=f.project_type)
    if f.large:
        found = found.filter(total_wan__gte=YI_WAN)
    board = project_board(actor=actor, as_of=as_of, queryset=found)
    rows = [
        (facts, verdict)
        for facts, verdict in zip(board.facts, board.verdicts, strict=True)
        if (not f.light or verdict.light.value == f.light)
        and (not f.stage or verdict.stage == f.stage)
        and (not f.stall or verdict.stall == f.stall)
    ]
    rank = district_rank()
    rows.sort(
        key=lambda row: (
            URGENCY.index(row[1].light),
            row[1].stall is None,
            rank.get(row[0].district, len(rank)),
            row[0].code,
        )
    )
    return rows


def _path_of(unit_id: int) -> str:
    unit = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    return unit if unit is not None else "-"


def lights_report(board: Board) -> dict[str, Any]:
    """The lights of a board as `kuochan lights --format json` and the API give them (stable keys)."""
    rank = district_rank()
    pairs = sorted(
        zip(board.facts, board.verdicts, strict=True),
        key=lambda fv: (rank.get(fv[0].district, len(rank)), fv[0].code),
    )
    return {
        "as_of": board.as_of.isoformat(),
        "projects": [
            {
                "code": f.code,
                "name": f.name,
                "district": f.district,
                "stage": v.stage_label,
                "light": v.light.value,
                "stall": v.stall,
                "reasons": list(v.reasons),
            }
            for f, v in pairs
        ],
        "summary": light_summary(board.verdicts),
    }


def renovation_reports(*, actor: Any, year: int) -> list[tuple[str, int, dt.date, int]]:
    """(district, project id, month, year-to-date hundredths) of every renovation project's reports in
    `year`: the input of `rules.renovation_investment_by_month`."""
    return [
        (district, pk, as_date(month), ytd)
        for district, pk, month, ytd in raw_values(
            scoped_or_system(Progress.objects.all(), actor)
            .filter(
                project__is_renovation=True, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
            )
            .order_by()
            .values_list("project__district__name", "project_id", "month", hundredths("ytd_wan"))
        )
    ]


def projects_to_report(
    *, actor: Any, month: dt.date, district: int | None = None, unreported: bool = False
) -> list[Project]:
    """The projects in scope that report progress for `month`: 推进中 and not yet at capacity then;
    `unreported`: only those with no report for it yet."""
    found = (
        projects(actor=actor)
        .filter(status=ProjectStatus.ACTIVE)
        .filter(Q(at_capacity_actual__isnull=True) | Q(at_capacity_actual__gte=month))
        .select_related("district", "enterprise")
    )
    if district:
        found = found.filter(district__path__startswith=_path_of(district))
    if unreported:
        found = found.exclude(pk__in=Progress.objects.filter(month=month).values("project_id"))
    rank = district_rank()
    return sorted(found, key=lambda p: (rank.get(p.district.name, len(rank)), p.code))


def month_reports(
    project_list: list[Project], month: dt.date
) -> tuple[dict[int, Progress], dict[int, Decimal]]:
    """For these projects: what each reported for `month`, and its year-to-date of the month before (same
    year), to show beside the input."""
    ids = [p.pk for p in project_list]
    this_month = {p.project_id: p for p in Progress.objects.filter(project_id__in=ids, month=month)}
    before: dict[int, Decimal] = {}
    if month.month > 1:
        previous = month.replace(month=month.month - 1)
        before = dict(
            Progress.objects.filter(project_id__in=ids, month=previous).values_list("project_id", "ytd_wan")
        )
    return this_month, before


def newly_red(*, actor: Any, as_of: dt.date, queryset: QuerySet[Project] | None = None) -> set[int]:
    """Ids of the projects red on as_of that were not red at the end of the month before: the month's new
    red lights."""
    before = as_of.replace(day=1) - dt.timedelta(days=1)

    def red(board: Board) -> set[int]:
        return {f.id for f, v in zip(board.facts, board.verdicts, strict=True) if v.light.value == "red"}

    now = project_board(actor=actor, as_of=as_of, queryset=queryset)
    return red(now) - red(project_board(actor=actor, as_of=before, queryset=queryset))
