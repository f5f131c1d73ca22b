"""Reads of the project pipeline, always in the actor's scope; the facts the rules need, in a few queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, F, Q, QuerySet
from django.db.models.functions import Cast, Round

from kuochan.audit.models import AuditEntry
from kuochan.core.bulk import as_date, raw_values
from kuochan.core.scope import get_scoped_or_404, scoped, scoped_or_system
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.projects.models import YI_WAN, LightRuleSet, Progress, Project, ProjectStatus, YearPlan
from kuochan.projects.rules import (
    MILESTONES,
    EnterpriseFacts,
    LightRules,
    ProjectFacts,
    ThreeLists,
    Verdict,
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
        schedule_red_days=stored.schedule_red_days,
        pace_yellow_hundredths=int(stored.pace_yellow_points * 100),
        pace_red_hundredths=int(stored.pace_red_points * 100),
        in_stats_min_total=int(stored.in_stats_min_total_wan * 100),
        in_stats_yellow_after_days=stored.in_stats_yellow_after_days,
        in_stats_red_after_days=stored.in_stats_red_after_days,
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
    *, actor: Any, as_of: dt.date, queryset: QuerySet[Project] | None = None
) -> list[ProjectFacts]:
    """Every project in scope (or in `queryset`) as the rules see it on as_of: three queries in all.

    Progress counts only for complete months of as_of's year up to as_of; of those, the latest report's
    year-to-date figure is the one the pace rule compares with the year's plan.
    """
    found = queryset if queryset is not None else projects(actor=actor)
    rows = raw_values(
        found.order_by().values_list(
            "id", "code", "name", "district__name", "status", "enterprise_id", "is_renovation",
            hundredths("total_wan"), *_DATE_COLUMNS,
        )
    )  # fmt: skip
    plans = dict(
        raw_values(
            scoped_or_system(YearPlan.objects.all(), actor)
            .filter(year=as_of.year)
            .order_by()
            .values_list("project_id", hundredths("planned_wan"))
        )
    )
    latest = latest_progress(as_of)
    facts = []
    width = len(MILESTONES)
    for row in rows:
        dates = [as_date(value) for value in row[8:]]
        pk = row[0]
        reported = latest.get(pk)
        facts.append(
            ProjectFacts(
                id=pk,
                code=row[1],
                name=row[2],
                district=row[3],
                status=row[4],
                enterprise_id=row[5],
                is_renovation=bool(row[6]),
                total=row[7],
                planned=dict(zip(MILESTONES, dates[0 : 2 * width : 2], strict=True)),
                actual=dict(zip(MILESTONES, dates[1 : 2 * width : 2], strict=True)),
                year_plan=plans.get(pk),
                ytd=reported[1] if reported else None,
                ytd_month=reported[0] if reported else None,
            )
        )
    return facts


def latest_progress(as_of: dt.date) -> dict[int, tuple[dt.date, int]]:
    """project id → (month, year-to-date hundredths) of its latest report for a complete month of as_of's
    year, in one query over that year's reports."""
    last = last_complete_month(as_of)
    if last is None:
        return {}
    table = connection.ops.quote_name(Progress._meta.db_table)
    sql = (
        f"SELECT p.project_id, p.month, CAST(ROUND(p.ytd_wan * 100) AS BIGINT) FROM {table} p "
        f"JOIN (SELECT project_id, MAX(month) AS month FROM {table} WHERE month >= %s AND month <= %s "
        f"GROUP BY project_id) l ON l.project_id = p.project_id AND l.month = p.month"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [dt.date(as_of.year, 1, 1), last])
        return {pk: (as_date(month), ytd) for pk, month, ytd in cursor.fetchall()}


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


def enterprise_facts(*, actor: Any, as_of: dt.date) -> list[EnterpriseFacts]:
    """Enterprises in scope not above-scale on as_of, with main revenue of the three years before as_of's
    (营业收入 for an enterprise that reported no main revenue): what the 升规 list needs."""
    below = (
        scoped_or_system(Enterprise.objects.all(), actor)
        .filter(Q(above_scale=False) | Q(above_scale_since__gt=as_of))
        .order_by()
    )
    rows = raw_values(
        below.values_list("id", "uscc", "name", "district__name", "above_scale", "above_scale_since")
    )
    main: dict[int, dict[int, int]] = {}
    other: dict[int, dict[int, int]] = {}
    for enterprise_id, year, main_revenue, revenue in raw_values(
        AnnualMetric.objects.filter(
            enterprise__in=below.values("id"), year__gte=as_of.year - 3, year__lt=as_of.year
        )
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
            above_scale_since=as_date(since),
            revenue=main.get(pk) or other.get(pk, {}),
            revenue_label="主营业务收入" if pk in main else "营业收入",
        )
        for pk, uscc, name, district, above, since in rows
    ]


def project_lists(*, actor: Any, start: dt.date, end: dt.date, as_of: dt.date | None = None) -> ThreeLists:
    """The three lists for [start, end], with what was known at the period's end (or as_of); never later
    than today, so a mistyped future date does not count for a period still running."""
    known_on = as_of or min(end, dt.date.today())
    lists = three_lists(
        project_facts(actor=actor, as_of=known_on),
        enterprise_facts(actor=actor, as_of=known_on),
        start=start,
        end=end,
        as_of=known_on,
        rules=light_rules(),
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
    """Projects in scope with their verdicts on as_of, filtered as the list page asks, ordered by
    district and code. Filters on the verdict (light, stage, stall) apply after the rules ran."""
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
    rows.sort(key=lambda row: (rank.get(row[0].district, len(rank)), row[0].code))
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


def projects_to_report(*, actor: Any, month: dt.date, district: int | None = None) -> list[Project]:
    """The projects in scope that report progress for `month`: 推进中 and not yet at capacity then."""
    found = (
        projects(actor=actor)
        .filter(status=ProjectStatus.ACTIVE)
        .filter(Q(at_capacity_actual__isnull=True) | Q(at_capacity_actual__gte=month))
        .select_related("district", "enterprise")
    )
    if district:
        found = found.filter(district__path__startswith=_path_of(district))
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
