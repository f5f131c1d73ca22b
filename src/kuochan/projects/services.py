"""Writes of the project pipeline outside imports: audited single-project edits, monthly progress from the
web, and the light rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.core.pgsql import serialize
from kuochan.core.scope import path_in_scope
from kuochan.orgs.services import LoadResult
from kuochan.projects.models import LightRuleSet, Milestone, Progress, Project, YearPlan
from kuochan.projects.rules import (
    MILESTONE_LABELS,
    normalise_project_code,
    planned_order_problems,
    platform_code,
    project_code_problem,
)
from kuochan.registry.models import Enterprise

PROJECT_FIELDS = (
    "code", "name", "enterprise", "district", "town", "project_type", "nature", "is_renovation", "chain",
    "total_wan", "equipment_wan", "is_provincial_major", "is_ipo_funded", "approval_track",
    "capacity_output_wan", "capacity_tax_wan", "land_mu", "zero_new_land", "energy_tce", "status",
)  # fmt: skip
MILESTONE_FIELDS = tuple(
    f"{name}_{kind}" for name in Milestone.values for kind in ("planned", "actual", "evidence")
)


def can_edit_project(actor: Any, district_path: str) -> bool:
    return actor is not None and actor.can_edit and path_in_scope(district_path, actor)


def can_report_progress(actor: Any, project: Project) -> bool:
    """Staff in scope, or the project's own enterprise (enterprises report their progress themselves)."""
    if actor is None:
        return False
    if actor.is_enterprise_user:
        return actor.is_active and actor.enterprise_id == project.enterprise_id
    return can_edit_project(actor, project.district.path)


def platform_serial_taken(year: int) -> int:
    """The highest serial of the year's platform codes so far (0 if none). Whoever then hands out codes
    holds the year's turn until they commit, so two projects created at the same moment never get the same
    code (the form and the importer alike)."""
    serialize(f"platform-code-{year}")
    prefix = platform_code(year, 0)[:-6]
    last = Project.objects.filter(code__startswith=prefix).aggregate(last=Max("code"))["last"]
    return int(last[-6:]) if last else 0


def next_platform_code(year: int) -> str:
    """The next free platform code of the year (KC-2026-000001 …)."""
    return platform_code(year, platform_serial_taken(year) + 1)


def _clean_project(actor: Any, values: dict[str, Any], instance: Project | None) -> dict[str, Any]:
    """The import's rules for one project edited by hand; Chinese messages by field."""
    errors: dict[str, str] = {}
    code = normalise_project_code(values.get("code") or "")
    if not code:
        code = next_platform_code(timezone.localdate().year)
    elif problem := project_code_problem(code):
        errors["code"] = problem
    elif Project.objects.filter(code=code).exclude(pk=instance.pk if instance else None).exists():
        errors["code"] = f"项目代码 {code} 已被其他项目使用。"
    enterprise: Enterprise | None = values.get("enterprise")
    district, town = values.get("district"), values.get("town")
    if enterprise is None:
        errors["enterprise"] = "请选择项目所属企业。"
    if district is None and enterprise is not None:
        district = enterprise.district
    if district is None or not path_in_scope(district.path, actor):
        errors["district"] = "请选择您数据范围内的区县。"
    elif town is not None and town.parent_id != district.pk:
        errors["town"] = f"“{town.name}”不属于{district.name}。"
    total, equipment = values.get("total_wan"), values.get("equipment_wan")
    if total is not None and equipment is not None and equipment > total:
        errors["equipment_wan"] = f"设备投资 {equipment} 万元超过总投资 {total} 万元。"
    if errors:
        raise ValidationError(errors)
    return {**values, "code": code, "district": district}


@transaction.atomic
def project_create(*, actor: Any, source: Source, **values: Any) -> Project:
    if actor is None or not actor.can_edit:
        raise PermissionDenied("您无权新增项目。")
    cleaned = _clean_project(actor, {name: values.get(name) for name in PROJECT_FIELDS}, None)
    project = Project(**{name: value for name, value in cleaned.items() if value is not None})
    project.full_clean(exclude=["enterprise", "district", "town", "chain"])
    project.save()
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=project, after=snapshot(project))
    return project


def stale_refusal(project: Project, version: int | None) -> str | None:
    """Why a save made on `version` of the project is refused, when someone else saved it since: the second
    of two officials editing the same project is told, never silently overwrites the first."""
    if version is None or version == project.version:
        return None
    last = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Project), object_id=project.pk
        )
        .order_by("-id")
        .first()
    )
    who = f"{last.actor_name}于 {timezone.localtime(last.at):%Y-%m-%d %H:%M} " if last else "他人"
    return f"您打开此页后，该项目已被{who}修改，您的修改未保存。请刷新页面，在最新内容上重新修改。"


def _check_version(project: Project, version: int | None) -> None:
    if refusal := stale_refusal(project, version):
        raise ValidationError(refusal, code="stale")
    project.version += 1  # under the row lock: the next save on the old version is refused


@transaction.atomic
def project_update(
    *, actor: Any, source: Source, project: Project, version: int | None = None, **values: Any
) -> Project:
    """Changes to a project's basics. `version` is the one the user's form was opened on (None: no check)."""
    project = Project.objects.select_for_update().select_related("district").get(pk=project.pk)
    if not can_edit_project(actor, project.district.path):
        raise PermissionDenied("您无权修改该项目。")
    _check_version(project, version)
    before = snapshot(project)
    cleaned = _clean_project(
        actor, {name: values.get(name, getattr(project, name)) for name in PROJECT_FIELDS}, project
    )
    for name, value in cleaned.items():
        setattr(project, name, value)
    project.full_clean(exclude=["enterprise", "district", "town", "chain"])
    project.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=project, before=before, after=snapshot(project)
    )
    return project


@transaction.atomic
def milestones_update(
    *, actor: Any, source: Source, project: Project, version: int | None = None, **values: Any
) -> Project:
    """Planned and actual dates with their evidence notes. Planned dates must keep the milestone order;
    actual dates are taken as reported (the data-quality page lists what looks wrong)."""
    project = Project.objects.select_for_update().select_related("district").get(pk=project.pk)
    if not can_edit_project(actor, project.district.path):
        raise PermissionDenied("您无权修改该项目。")
    _check_version(project, version)
    before = snapshot(project)
    for name in MILESTONE_FIELDS:
        if name in values:
            value = values[name]
            setattr(project, name, (value or "").strip()[:200] if name.endswith("_evidence") else value)
    planned = {name: getattr(project, f"{name}_planned") for name in Milestone.values}
    problems = planned_order_problems(planned)
    if problems:
        raise ValidationError({f"{name}_planned": message for name, message in problems})
    project.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=project, before=before, after=snapshot(project)
    )
    return project


def _year_plan_set(*, actor: Any, source: Source, project: Project, year: int, planned_wan: Decimal) -> None:
    plan = YearPlan.objects.filter(project=project, year=year).first()
    if plan is None:
        plan = YearPlan.objects.create(project=project, year=year, planned_wan=planned_wan)
        audit_record(actor=actor, source=source, action=Action.CREATE, obj=plan, after=snapshot(plan))
    elif plan.planned_wan != planned_wan:
        before = snapshot(plan)
        plan.planned_wan = planned_wan
        plan.save(update_fields=["planned_wan"])
        audit_record(
            actor=actor, source=source, action=Action.UPDATE, obj=plan, before=before, after=snapshot(plan)
        )


@transaction.atomic
def progress_record(
    *,
    actor: Any,
    source: Source,
    project: Project,
    month: dt.date,
    ytd_wan: Decimal,
    year_plan_wan: Decimal | None = None,
    progress_note: str = "",
    problems: str = "",
    coordination: str = "",
) -> tuple[Progress, list[str]]:
    """Record (or correct) one month's progress; with a year plan, it becomes the year's plan.

    Returns the progress and warnings: a year-to-date figure lower than an earlier month's of the same year
    is accepted (a correction may be right) but said.
    """
    # Locked: two officials sending the month's first report at once take turns (create, then correct).
    project = Project.objects.select_for_update(of=("self",)).select_related("district").get(pk=project.pk)
    if not can_report_progress(actor, project):
        raise PermissionDenied("您无权填报该项目的进展。")
    month = month.replace(day=1)
    errors = {}
    if month > timezone.localdate():
        errors["month"] = f"年月 {month:%Y-%m} 尚未到来。"
    if ytd_wan is None or ytd_wan < 0:
        errors["ytd_wan"] = "本年累计完成投资应为不小于 0 的金额（万元）。"
    if year_plan_wan is not None and year_plan_wan < 0:
        errors["year_plan_wan"] = "本年计划投资应为不小于 0 的金额（万元）。"
    if errors:
        raise ValidationError(errors)
    warnings = [
        f"本年累计完成投资 {ytd_wan} 万元低于 {earlier.month.month} 月已报的 {earlier.ytd_wan} 万元"
        for earlier in project.progress.filter(
            month__gte=month.replace(month=1), month__lt=month, ytd_wan__gt=ytd_wan
        )
    ]
    values = {
        "ytd_wan": ytd_wan,
        "year_plan_wan": year_plan_wan,
        "progress_note": progress_note.strip(),
        "problems": problems.strip(),
        "coordination": coordination.strip(),
    }
    progress = Progress.objects.filter(project=project, month=month).first()
    if progress is None:
        progress = Progress.objects.create(project=project, month=month, **values)
        audit_record(actor=actor, source=source, action=Action.CREATE, obj=progress, after=snapshot(progress))
    else:
        before = snapshot(progress)
        for name, value in values.items():
            setattr(progress, name, value)
        progress.save()
        audit_record(
            actor=actor,
            source=source,
            action=Action.UPDATE,
            obj=progress,
            before=before,
            after=snapshot(progress),
        )
    if year_plan_wan is not None:
        _year_plan_set(
            actor=actor, source=source, project=project, year=month.year, planned_wan=year_plan_wan
        )
    return progress, warnings


# Each threshold and the field saying whether it includes its bound (含本数).
BOUND_FIELDS = {
    "schedule_yellow_days": "schedule_yellow_inclusive", "schedule_red_days": "schedule_red_inclusive",
    "pace_yellow_points": "pace_yellow_inclusive", "pace_red_points": "pace_red_inclusive",
    "in_stats_yellow_after_days": "in_stats_yellow_inclusive", "in_stats_red_after_days": "in_stats_red_inclusive",
}  # fmt: skip
RULE_FIELDS = (
    "schedule_yellow_days", "schedule_yellow_inclusive", "schedule_red_days", "schedule_red_inclusive",
    "pace_yellow_points", "pace_yellow_inclusive", "pace_red_points", "pace_red_inclusive",
    "in_stats_min_total_wan", "in_stats_yellow_after_days", "in_stats_yellow_inclusive",
    "in_stats_red_after_days", "in_stats_red_inclusive", "above_scale_revenue_wan", "basis",
)  # fmt: skip


def _clean_rules(values: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    order = list(values.get("milestone_order") or [])
    unknown = [name for name in order if name not in MILESTONE_LABELS]
    if unknown or len(set(order)) != len(order) or len(order) < 2:
        errors["milestone_order"] = (
            f"节点顺序应为不重复的节点（{'、'.join(MILESTONE_LABELS.values())}）中的至少两个。"
        )
    # A stall category names an overdue milestone the rules check; one left out of the order has none.
    stalls = {name: label for name, label in dict(values.get("stall_labels") or {}).items() if name in order}
    for low, high, label in (
        ("schedule_yellow_days", "schedule_red_days", "节点逾期"),
        ("pace_yellow_points", "pace_red_points", "投资进度落后"),
        ("in_stats_yellow_after_days", "in_stats_red_after_days", "开工后未入库"),
    ):
        if values.get(low) is None or values.get(high) is None or values[low] > values[high]:
            errors[high] = f"{label}的红灯阈值应不小于黄灯阈值。"
    for name in BOUND_FIELDS.values():
        if name in values and not isinstance(values[name], bool):
            errors[name] = f"“含本数”应为是或否，收到“{values[name]}”。"
    if errors:
        raise ValidationError(errors)
    return {**values, "milestone_order": order, "stall_labels": stalls}


@transaction.atomic
def light_rules_update(*, actor: Any, source: Source, **values: Any) -> LightRuleSet:
    if actor is None or not actor.is_city_admin:
        raise PermissionDenied("只有市级管理员可以修改亮灯规则。")
    rules = LightRuleSet.objects.select_for_update().get(name="default")
    before = snapshot(rules)
    current = {name: getattr(rules, name) for name in (*RULE_FIELDS, "milestone_order", "stall_labels")}
    cleaned = _clean_rules({**current, **values})
    for name, value in cleaned.items():
        setattr(rules, name, value)
    rules.save()
    rules.refresh_from_db()  # as stored: a threshold sent as "10" is the 10.00 it was, not a change
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=rules, before=before, after=snapshot(rules)
    )
    return rules


@transaction.atomic
def light_rules_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """The shipped defaults, loaded once: a rule set city admins have edited is left as it is."""
    result = LoadResult()
    if LightRuleSet.objects.filter(name="default").exists():
        result.unchanged = 1
        return result
    cleaned = _clean_rules(data)
    rules = LightRuleSet.objects.create(name="default", **cleaned)
    audit_record(actor=None, source=source, action=Action.CREATE, obj=rules, after=snapshot(rules))
    result.created = 1
    return result


@transaction.atomic
def progress_record_month(
    *, actor: Any, source: Source, month: dt.date, entries: list[dict[str, Any]]
) -> list[str]:
    """A month's progress for many projects at once (the district's monthly grid): all or nothing.

    Each entry is `progress_record`'s arguments with its `project`. Refusals are collected for every
    project, named, before anything is kept; warnings come back with the project's name.
    """
    problems, warnings = [], []
    for entry in entries:
        project = entry["project"]
        try:
            _, said = progress_record(actor=actor, source=source, month=month, **entry)
        except ValidationError as exc:
            problems += [f"{project.name}：{message}" for message in exc.messages]
        except PermissionDenied as exc:
            problems.append(f"{project.name}：{exc}")
        else:
            warnings += [f"{project.name}：{message}" for message in said]
    if problems:
        transaction.set_rollback(True)
        raise ValidationError(problems)
    return warnings
