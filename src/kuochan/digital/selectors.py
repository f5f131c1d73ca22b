"""Reads of 数字化改造, filtered by the actor's data scope and read in a few queries for all enterprises at
once: coverage of above-scale enterprises on a date, a year's three lists, and the factory titles held."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kuochan.core.scope import scoped_or_system
from kuochan.digital.models import DigitalLevel, DigitalTask, TaskStatus
from kuochan.digital.rules import CoverageRow, Firm, coverage, level_as_of
from kuochan.projects.models import Project
from kuochan.projects.rules import MILESTONE_LABELS, MILESTONES, known, stage_of
from kuochan.registry.models import Enterprise, Honour, HonourKind, IndustryCategory

BY_DISTRICT, BY_INDUSTRY = "district", "industry"
NO_INDUSTRY = "未填行业"

# The smart-factory tiers the plan counts (国家基础级以上 / 卓越级以上), and Zhejiang's own titles beside them.
NATIONAL_TIERS = (
    HonourKind.SMART_FACTORY_BASIC,
    HonourKind.SMART_FACTORY_ADVANCED,
    HonourKind.SMART_FACTORY_EXCELLENT,
    HonourKind.SMART_FACTORY_LEADING,
)
EXCELLENT_OR_ABOVE = (HonourKind.SMART_FACTORY_EXCELLENT, HonourKind.SMART_FACTORY_LEADING)
PROVINCIAL_TITLES = (
    HonourKind.ZJ_DIGITAL_WORKSHOP,
    HonourKind.ZJ_SMART_FACTORY,
    HonourKind.ZJ_FUTURE_FACTORY,
)
FACTORY_KINDS = (*NATIONAL_TIERS, *PROVINCIAL_TITLES)


def above_scale_on(as_of: dt.date, prefix: str = "") -> Q:
    """Above scale on that day, as the other modules decide it: flagged, and since a date not after it."""
    return Q(**{f"{prefix}above_scale": True}) & (
        Q(**{f"{prefix}above_scale_since__isnull": True}) | Q(**{f"{prefix}above_scale_since__lte": as_of})
    )


def enterprises_visible(actor: Any) -> QuerySet[Enterprise]:
    return scoped_or_system(Enterprise.objects.all(), actor)


def levels_as_of(enterprises: QuerySet[Enterprise], as_of: dt.date) -> dict[int, str]:
    """Each enterprise's level on as_of (the latest assessment on or before it), in one query."""
    found: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    rows = DigitalLevel.objects.filter(
        enterprise__in=enterprises.order_by().values("id"), assessed_on__lte=as_of
    )
    for pk, day, level in rows.order_by().values_list("enterprise_id", "assessed_on", "level"):
        found[pk].append((day, level))
    return {pk: level for pk, days in found.items() if (level := level_as_of(days, as_of)) is not None}


def industry_names() -> dict[str, str]:
    """行业大类 code → "13 农副食品加工业"."""
    return {
        code: f"{code} {name}"
        for code, name in IndustryCategory.objects.filter(
            is_section=False, code__regex=r"^\d{2}$"
        ).values_list("code", "name")
    }


@dataclass(frozen=True)
class Coverage:
    as_of: dt.date
    by: str
    rows: list[CoverageRow]
    total: CoverageRow


def coverage_of(*, actor: Any, as_of: dt.date, by: str = BY_DISTRICT) -> Coverage:
    """Above-scale enterprises on as_of in the actor's scope at level 1.0 and 2.0 or above, by district (in
    the tree's order) or by 行业大类, and in total. An enterprise above scale only after as_of, or assessed
    only after it, does not count."""
    firms_qs = enterprises_visible(actor).filter(above_scale_on(as_of))
    levels = levels_as_of(firms_qs, as_of)
    rows = list(
        firms_qs.order_by().values_list(
            "id", "district__name", "district__sort_order", "district__path", "industry_division"
        )
    )
    if by == BY_INDUSTRY:
        names = industry_names()
        firms = [
            Firm(pk, names.get(div, div) if div else NO_INDUSTRY, levels.get(pk)) for pk, *_, div in rows
        ]
        order = sorted({firm.group for firm in firms}, key=lambda g: (g == NO_INDUSTRY, g))
    else:
        firms = [Firm(pk, name, levels.get(pk)) for pk, name, *_ in rows]
        order = [name for name, *_ in sorted({(r[1], r[2], r[3]) for r in rows}, key=lambda r: (r[1], r[2]))]
    grouped, total = coverage(firms, order)
    return Coverage(as_of, by, grouped, total)


def coverage_report(report: Coverage) -> dict[str, Any]:
    """The coverage as the command and the API give it (stable keys; shares in percent, two decimals)."""

    def row(r: CoverageRow) -> dict[str, Any]:
        return {
            "name": r.group,
            "above_scale": r.above_scale,
            "level_1": r.reached["1.0"],
            "level_2": r.reached["2.0"],
            "share_1": _pct(r.share("1.0")),
            "share_2": _pct(r.share("2.0")),
            "reasons": list(r.reasons),
        }

    return {
        "as_of": report.as_of.isoformat(),
        "by": report.by,
        "rows": [row(r) for r in report.rows],
        "total": row(report.total),
    }


def _pct(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# The three lists --------------------------------------------------------------------------------------


def tasks_visible(actor: Any) -> QuerySet[DigitalTask]:
    return scoped_or_system(DigitalTask.objects.all(), actor)


def project_state(project: Project, today: dt.date) -> str:
    """ "开工（2026-03-01）" — the furthest milestone reached by today, or why there is none."""
    if project.status != "active":
        return project.get_status_display()
    reached = known({name: getattr(project, f"{name}_actual") for name in MILESTONES}, today)
    stage = stage_of(reached)
    if stage is None:
        return "未签约"
    return f"已{MILESTONE_LABELS[stage]}（{reached[stage]:%Y-%m-%d}）"


# Most urgent first: what has not started, then what is under way, then what is done.
STATUS_ORDER = {TaskStatus.PENDING: 0, TaskStatus.UNDERWAY: 1, TaskStatus.DONE: 2}


def tasks_of(
    *,
    actor: Any,
    year: int,
    district: Any = None,
    status: str = "",
    responsible: str = "",
) -> list[DigitalTask]:
    """The year's tasks in scope, most urgent first (待改造, 改造中, 已完成; then district and name), with
    their enterprise, district, responsible user and projects, in three queries. `responsible` matches a
    platform user's username or full name, or the name typed in."""
    tasks = tasks_visible(actor).filter(year=year)
    if district is not None:
        tasks = tasks.filter(enterprise__district__path__startswith=district.path)
    if status:
        tasks = tasks.filter(status=status)
    if responsible:
        tasks = tasks.filter(
            Q(responsible__username=responsible)
            | Q(responsible__full_name=responsible)
            | Q(responsible_name=responsible)
        )
    found = list(
        tasks.select_related("enterprise__district", "responsible").prefetch_related(
            Prefetch("projects", queryset=Project.objects.order_by("code"))
        )
    )
    found.sort(
        key=lambda t: (
            STATUS_ORDER.get(t.status, 9),
            t.enterprise.district.sort_order,
            t.enterprise.district.path,
            t.enterprise.name,
        )
    )
    return found


@dataclass
class Responsible:
    name: str
    phone: str
    username: str
    tasks: int = 0
    done: int = 0


@dataclass
class ThreeLists:
    year: int
    tasks: list[DigitalTask]
    projects: list[tuple[DigitalTask, Project, str]] = field(default_factory=list)
    people: list[Responsible] = field(default_factory=list)


def three_lists(*, actor: Any, year: int, today: dt.date, **filters: Any) -> ThreeLists:
    """企业清单 (the tasks), 项目清单 (each task's projects with their investment and state on `today`) and
    责任人清单 (each person with how many tasks and how many done), from one read of the tasks."""
    tasks = tasks_of(actor=actor, year=year, **filters)
    projects = [(task, p, project_state(p, today)) for task in tasks for p in task.projects.all()]
    people: dict[tuple, Responsible] = {}
    for task in tasks:
        user = task.responsible
        key = (
            ("user", user.pk) if user is not None else ("name", task.responsible_name, task.responsible_phone)
        )
        person = people.get(key)
        if person is None:
            phone = task.responsible_phone or (user.phone if user is not None else "")
            person = people[key] = Responsible(
                task.responsible_label or "未指定", phone, user.get_username() if user is not None else ""
            )
        person.tasks += 1
        person.done += task.status == TaskStatus.DONE
    ordered = sorted(people.values(), key=lambda p: (-(p.tasks - p.done), p.name))
    return ThreeLists(year, tasks, projects, ordered)


def lists_report(lists: ThreeLists) -> dict[str, Any]:
    """The three lists as the command and the API give them."""
    return {
        "year": lists.year,
        "enterprises": [task_row(task) for task in lists.tasks],
        "projects": [
            {
                "code": p.code,
                "name": p.name,
                "uscc": task.enterprise.uscc,
                "enterprise": task.enterprise.name,
                "total_wan": None if p.total_wan is None else str(p.total_wan),
                "state": state,
            }
            for task, p, state in lists.projects
        ],
        "responsible": [
            {"name": p.name, "phone": p.phone, "username": p.username, "tasks": p.tasks, "done": p.done}
            for p in lists.people
        ],
    }


def task_row(task: DigitalTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "year": task.year,
        "uscc": task.enterprise.uscc,
        "enterprise": task.enterprise.name,
        "district": task.enterprise.district.name,
        "target_level": task.target_level,
        "status": task.status,
        "status_label": task.get_status_display(),
        "responsible": task.responsible_label,
        "responsible_username": task.responsible.get_username() if task.responsible_id else "",
        "responsible_phone": task.responsible_phone,
        "projects": [p.code for p in task.projects.all()],
        "note": task.note,
    }


# Factory titles ---------------------------------------------------------------------------------------


def held_in(year: int) -> Q:
    return Q(year_granted__lte=year) & (Q(year_lost__isnull=True) | Q(year_lost__gt=year))


@dataclass
class FactoryTitles:
    year: int
    by_kind: dict[str, list[Honour]]
    national_basic_or_above: int  # enterprises holding any national tier (the plan's 国家基础级以上)
    excellent_or_above: int  # enterprises holding 卓越级 or 领航级


def factory_titles(*, actor: Any, year: int) -> FactoryTitles:
    """Holders of the smart-factory tiers and 省级数字化车间/智能工厂/未来工厂 held in `year`, newest grant
    first, and the two counts the plan sets targets for (each enterprise once, at its highest tier)."""
    honours = (
        scoped_or_system(Honour.objects.all(), actor)
        .filter(held_in(year), kind__in=FACTORY_KINDS)
        .select_related("enterprise__district")
        .order_by("-year_granted", "-granted_on", "enterprise__name")
    )
    by_kind: dict[str, list[Honour]] = {kind: [] for kind in FACTORY_KINDS}
    for honour in honours:
        by_kind[honour.kind].append(honour)
    national = {h.enterprise_id for kind in NATIONAL_TIERS for h in by_kind[kind]}
    excellent = {h.enterprise_id for kind in EXCELLENT_OR_ABOVE for h in by_kind[kind]}
    return FactoryTitles(year, by_kind, len(national), len(excellent))


# One enterprise ---------------------------------------------------------------------------------------


def enterprise_digital(*, actor: Any, enterprise: Enterprise, today: dt.date) -> dict[str, Any]:
    """An enterprise's digital section: its level history (newest first) and level today, its tasks with
    their projects, and its factory titles with their dates. Empty for an actor who may not see it."""
    levels = list(
        scoped_or_system(DigitalLevel.objects.filter(enterprise=enterprise), actor).order_by("-assessed_on")
    )
    tasks = list(
        scoped_or_system(DigitalTask.objects.filter(enterprise=enterprise), actor)
        .select_related("responsible")
        .prefetch_related(Prefetch("projects", queryset=Project.objects.order_by("code")))
        .order_by("-year")
    )
    titles = list(
        scoped_or_system(
            Honour.objects.filter(enterprise=enterprise, kind__in=FACTORY_KINDS), actor
        ).order_by("-year_granted")
    )
    current = level_as_of(((lv.assessed_on, lv.level) for lv in levels), today)
    return {
        "levels": levels,
        "current": current,
        "tasks": [(task, [(p, project_state(p, today)) for p in task.projects.all()]) for task in tasks],
        "titles": titles,
    }


# The plan's counts of smart factories, by the indicator codes the plan data gives them.
PLAN_FACTORY_INDICATORS = {
    "smart_factories": "national_basic_or_above",
    "excellent_factories": "excellent_or_above",
}


def plan_factory_targets(*, actor: Any, year: int) -> list[dict[str, Any]]:
    """The plan's smart-factory targets (the plan in force in `year`, else the latest plan that has them):
    each indicator's name, its last yearly target and that year, and which count it is compared with."""
    from kuochan.targets.selectors import plan_get

    for plan in (plan_get(actor=actor, year=year), plan_get(actor=actor)):
        if plan is None:
            continue
        found = [
            {"name": indicator.name, "year": int(last), "target": Decimal(indicator.yearly[last]), "count": PLAN_FACTORY_INDICATORS[indicator.code]}
            for indicator in plan.indicators.filter(code__in=PLAN_FACTORY_INDICATORS).order_by("sort_order")
            if indicator.yearly and (last := max(indicator.yearly, key=int))
        ]  # fmt: skip
        if found:
            return found
    return []
