"""Writes of the cockpit app: generating and storing a month's report."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kuochan.accounts.models import Role, User
from kuochan.accounts.services import require_city_staff, user_or_none
from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, fields_update, snapshot
from kuochan.cockpit.documents import document as report_document
from kuochan.cockpit.documents import workbook
from kuochan.cockpit.models import (
    CycleRun,
    CycleSettings,
    Measure,
    Meeting,
    MonthlyReport,
    SupervisedTask,
    TaskReport,
)
from kuochan.cockpit.selectors import (
    ReportData,
    month_end,
    report_data,
    report_figures,
    supervision_board,
)
from kuochan.core.scope import ensure_in_scope
from kuochan.jobs.registry import Progress
from kuochan.notifications.services import notification_queue
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.services import LoadResult
from kuochan.projects.rules import LIGHT_LABELS, light_summary
from kuochan.projects.selectors import project_board
from kuochan.targets.models import Plan


def report_generate(
    *, actor: Any, source: Source, year: int, month: int, progress: Progress | None = None
) -> MonthlyReport:
    """The month's report from data as of its end: the workbook and the 通报, stored with the figures they
    were written from. For the actor's scope: city staff (or the system: the monthly cycle, the command
    line) get the city-wide report, district staff their district's cut, read from the same selectors."""
    started = time.perf_counter()
    say = progress or _silent
    say(0, 2, "读取本月数据")
    data = report_data(year=year, month=month, actor=actor)
    say(1, 2, "写 Excel 报表和 Word 通报")
    report = _report_save(actor, source, data, started)
    say(2, 2, "完成")
    return report


def _silent(done: int, total: int, step: str) -> None:
    """Progress nobody watches (the command line, the scheduled cycle)."""


@transaction.atomic
def report_publish(*, actor: Any, source: Source, report: MonthlyReport) -> MonthlyReport:
    """City staff publish a city-wide report: from then on the districts under the city read it too. The
    one deliberate step by which other districts' projects and figures reach a district."""
    require_city_staff(actor, "只有市级工作人员可以发布月度通报。")
    ensure_in_scope(actor, report)
    report = MonthlyReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if report.unit_id != actor.org_unit_id:
        raise ValidationError("只能发布本级生成的全市月度通报；区县版本只供本区县使用。")
    if report.published_at is not None:
        raise ValidationError(f"该通报已于 {timezone.localtime(report.published_at):%Y-%m-%d %H:%M} 发布。")
    fields_update(report, actor=actor, source=source, published_at=timezone.now(), published_by=actor)
    return report


def _report_save(actor: Any, source: Source, data: ReportData, started: float) -> MonthlyReport:
    """Write the month's workbook and 通报 from its data and store them with their figures."""
    figures = report_figures(data)
    xlsx, docx = workbook(data), report_document(data, figures)
    with transaction.atomic():
        report = MonthlyReport(
            unit=data.unit, month=data.as_of.replace(day=1), as_of=data.as_of, figures=figures,
            generated_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        report.workbook.save(report.file_name("xlsx"), ContentFile(xlsx), save=False)
        report.document.save(report.file_name("docx"), ContentFile(docx), save=False)
        report.seconds = round(time.perf_counter() - started, 3)
        report.save()
        audit_record(
            actor=actor, source=source, action=Action.CREATE, obj=report,
            after={
                "unit": data.unit_name, "month": data.label, "as_of": data.as_of.isoformat(),
                "lights": figures["lights"],
            },
        )  # fmt: skip
    return report


# Supervision (督办) -------------------------------------------------------------------------------------


def measures_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """A plan's measures and key tasks (the plan named by its code), loaded once each (city staff may have
    corrected them since)."""
    result = LoadResult()
    existing = set(Measure.objects.values_list("code", flat=True))
    plan = Plan.objects.filter(code=data.get("plan", "")).first()
    with transaction.atomic():
        for order, item in enumerate(data["measures"], start=1):
            if item["code"] in existing:
                result.unchanged += 1
                continue
            measure = Measure.objects.create(
                code=item["code"], plan=plan, kind=item["kind"], number=item["number"], title=item["title"], text=item["text"],
                lead=item.get("lead", ""), co_responsible=item.get("co_responsible", []), sort_order=order,
            )  # fmt: skip
            audit_record(
                actor=None, source=source, action=Action.CREATE, obj=measure, after=snapshot(measure)
            )
            result.created += 1
    return result


@dataclass(frozen=True)
class Decision:
    """A task as a form or a meeting's minutes state it. `unit`: the unit it belongs to (its staff see it);
    by default the contact person's."""

    title: str
    department: str
    owner: Any
    deadline: dt.date
    unit: OrgUnit | None = None


def _task_unit(actor: Any, decision: Decision) -> OrgUnit | None:
    """The unit the task belongs to, checked: in the actor's scope, and one its contact person sees."""
    owner = decision.owner
    if owner is not None and owner.pk != getattr(actor, "pk", None):
        ensure_in_scope(actor, owner, message=f"联络人“{owner}”不在您的数据范围内。")
    unit = decision.unit or (owner.org_unit if owner is not None else None)
    if unit is None:
        return None
    ensure_in_scope(actor, unit)
    if owner is not None and not unit.path.startswith(owner.org_path or "\0"):
        raise ValidationError(
            f"联络人“{owner}”看不到“{unit.name}”的事项：所属单位应为联络人所在单位或其下属单位。"
        )
    return unit


def _task_problems(decision: Decision, starts_on: dt.date, report_day: int) -> list[str]:
    problems = []
    if not decision.title.strip():
        problems.append("请写明督办事项。")
    if not decision.department.strip():
        problems.append("请写明责任单位。")
    owner = decision.owner
    if owner is None or not owner.can_edit:
        problems.append(f"联络人应为在岗工作人员，收到“{owner or '空'}”。")
    if decision.deadline < starts_on:
        problems.append(f"完成期限 {decision.deadline} 早于开始日期 {starts_on}。")
    if not 1 <= report_day <= 28:
        problems.append(f"每月报送截止日应为 1 到 28 日，收到“{report_day}”。")
    return problems


def _task_create(
    actor: Any, source: Source, decision: Decision, starts_on: dt.date, report_day: int, **link: Any
) -> SupervisedTask:
    task = SupervisedTask.objects.create(
        title=decision.title.strip(), department=decision.department.strip(), owner=decision.owner,
        unit=_task_unit(actor, decision),
        starts_on=starts_on, deadline=decision.deadline, report_day=report_day, created_by=user_or_none(actor), **link,
    )  # fmt: skip
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=task, after=snapshot(task))
    return task


@transaction.atomic
def task_create(
    *, actor: Any, source: Source, decision: Decision, measure: Measure | None = None, report_day: int = 5,
    starts_on: dt.date | None = None, shared: bool = False,
) -> SupervisedTask:  # fmt: skip
    """City staff break a measure into a task with a deadline and a person who reports on it monthly;
    `shared`: every district's staff see it, not only its unit's."""
    require_city_staff(actor, "只有市级工作人员可以交办督办事项。")
    starts_on = starts_on or timezone.localdate()
    if problems := _task_problems(decision, starts_on, report_day):
        raise ValidationError(problems)
    return _task_create(actor, source, decision, starts_on, report_day, measure=measure, shared=shared)


@transaction.atomic
def meeting_record(
    *,
    actor: Any,
    source: Source,
    date: dt.date,
    title: str,
    notes: str,
    decisions: list[Decision],
    report_day: int = 5,
    shared: bool = False,
) -> Meeting:
    """A work meeting of the actor's unit and its decisions (例会议定事项), each a supervised task from the
    meeting's date (of its contact person's unit). All or nothing: a decision with a problem keeps the whole
    meeting out, every problem named by its line. `shared`: every district's staff see the meeting and its
    decisions."""
    require_city_staff(actor, "只有市级工作人员可以登记工作例会。")
    problems = [] if title.strip() else ["请写明会议名称。"]
    if not decisions:
        problems.append("请至少写一项议定事项。")
    for n, decision in enumerate(decisions, start=1):
        problems += [f"第 {n} 项议定事项：{p}" for p in _task_problems(decision, date, report_day)]
    if problems:
        raise ValidationError(problems)
    meeting = Meeting.objects.create(
        unit=actor.org_unit, shared=shared, date=date, title=title.strip(), notes=notes.strip(),
        created_by=user_or_none(actor),
    )  # fmt: skip
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=meeting, after=snapshot(meeting))
    for decision in decisions:
        _task_create(actor, source, decision, date, report_day, meeting=meeting, shared=shared)
    return meeting


def _may_report(actor: Any, task: SupervisedTask) -> bool:
    return actor is not None and actor.can_edit and (actor.pk == task.owner_id or actor.is_city_staff)


@transaction.atomic
def task_report(
    *, actor: Any, source: Source, task: SupervisedTask, month: dt.date, text: str, percent: int
) -> TaskReport:
    """The month's progress on a task, by its contact person (or city staff); a month reported again is
    corrected, not duplicated."""
    ensure_in_scope(actor, task)
    task = SupervisedTask.objects.select_for_update().get(pk=task.pk)
    if not _may_report(actor, task):
        raise PermissionDenied("只有联络人或市级工作人员可以报送进展。")
    today = timezone.localdate()
    month = month.replace(day=1)
    problems = []
    if month < task.starts_on.replace(day=1) or month > today.replace(day=1):
        problems.append(f"报告月份应在 {task.starts_on:%Y-%m} 至 {today:%Y-%m} 之间，收到 {month:%Y-%m}。")
    if not text.strip():
        problems.append("请写明进展情况。")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        problems.append(f"完成进度应为 0 到 100 的整数，收到“{percent}”。")
    if problems:
        raise ValidationError(problems)
    report = TaskReport.objects.filter(task=task, month=month).first()
    before = snapshot(report) if report else {}
    report = report or TaskReport(task=task, month=month)
    report.text, report.percent, report.reported_by, report.reported_on = (
        text.strip(),
        percent,
        user_or_none(actor),
        today,
    )
    report.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE if before else Action.CREATE, obj=report, before=before,
        after=snapshot(report),
    )  # fmt: skip
    return report


@transaction.atomic
def task_done(*, actor: Any, source: Source, task: SupervisedTask) -> SupervisedTask:
    ensure_in_scope(actor, task)
    task = SupervisedTask.objects.select_for_update().get(pk=task.pk)
    if not _may_report(actor, task):
        raise PermissionDenied("只有联络人或市级工作人员可以办结督办事项。")
    if task.done_on is not None:
        raise ValidationError(f"该事项已于 {task.done_on} 办结。")
    fields_update(task, actor=actor, source=source, done_on=timezone.localdate())
    return task


# The monthly cycle -------------------------------------------------------------------------------------

logger = logging.getLogger("kuochan.cycle")


def cycle_settings() -> CycleSettings:
    return CycleSettings.objects.get_or_create(name="default")[0]


@transaction.atomic
def cycle_settings_update(*, actor: Any, source: Source, day: int, enabled: bool) -> CycleSettings:
    if actor is None or not actor.is_city_admin:
        raise PermissionDenied("只有市级管理员可以设置月度流程。")
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise ValidationError(f"每月运行日应为 1 到 28 日，收到“{day}”。")
    found = CycleSettings.objects.select_for_update().get(pk=cycle_settings().pk)
    fields_update(found, actor=actor, source=source, day=day, enabled=enabled)
    return found


def _notify_red(data: ReportData) -> int:
    """District staff hear of their red projects, contacts of their red supervised tasks; once per month.
    The red projects are the report's, read once for the whole cycle."""
    year, month, as_of = data.year, data.month, data.as_of
    red: dict[str, list[str]] = defaultdict(list)
    for facts, verdict in data.flagged:
        if verdict.light.value == "red":
            red[facts.district].append(f"{facts.code} {facts.name}")
    paths = dict(OrgUnit.objects.filter(name__in=list(red)).values_list("name", "path"))
    sent = 0
    staff = User.objects.filter(
        role=Role.DISTRICT_STAFF, is_active=True, org_unit__isnull=False
    ).select_related("org_unit")
    for user in staff:
        mine = [
            p
            for name, projects in red.items()
            if paths.get(name, "").startswith(user.org_unit.path)
            for p in projects
        ]
        if mine:
            shown = "；".join(mine[:10]) + ("……" if len(mine) > 10 else "")
            sent += len(notification_queue(
                recipient=user, kind="cycle_red_projects", subject=f"{year}年{month}月红灯项目 {len(mine)} 个",
                body=f"截至{as_of.year}年{as_of.month}月{as_of.day}日，您辖区内有 {len(mine)} 个项目亮红灯：{shown}。"
                "请督促项目单位尽快推进。",
                key=f"cycle:{year}-{month:02d}:red:{user.pk}",
                link=f"/projects/?light=red&as_of={as_of}",
            ))  # fmt: skip
    for row in supervision_board(actor=None, as_of=as_of):
        if row.light == "red":
            sent += len(notification_queue(
                recipient=row.task.owner, kind="cycle_red_task", subject=f"督办事项红灯：{row.task.title}",
                body=f"您负责的督办事项“{row.task.title}”亮红灯：{'；'.join(row.reasons)}。请尽快报送进展。", key=f"cycle:{year}-{month:02d}:task:{row.task.pk}",
                link="/cockpit/supervision/",
            ))  # fmt: skip
    return sent


CYCLE_STEPS = 3


def cycle_run(*, year: int, month: int, trigger: str, progress: Progress | None = None) -> CycleRun:
    """The monthly cycle for a month: recompute the lights and the targets as of its end, generate and store
    its report, and tell the people responsible for red items. Every step is recorded with its time; a
    failure is recorded and logged, and the run is marked failed (the next day's tick tries again)."""
    as_of = month_end(year, month)
    run = CycleRun.objects.create(month=dt.date(year, month, 1), trigger=trigger, started_at=timezone.now())
    say = progress or _silent

    def step(name: str, work: Any) -> Any:
        say(len(run.steps), CYCLE_STEPS, name)
        started = time.perf_counter()
        result, said = work()
        run.steps = [
            *run.steps,
            {"step": name, "result": said, "seconds": round(time.perf_counter() - started, 3)},
        ]
        run.save(update_fields=["steps"])
        return result

    try:
        board = step("复算项目亮灯", lambda: (b := project_board(actor=None, as_of=as_of), "截至 {}：{}".format(
            as_of, "、".join(f"{LIGHT_LABELS[k]} {v}" for k, v in light_summary(b.verdicts).items())
        )))  # fmt: skip

        def generate() -> tuple[tuple[ReportData, MonthlyReport], str]:
            started = time.perf_counter()
            data = report_data(year=year, month=month, board=board)  # the same board: projects read once
            report = _report_save(None, Source.SYSTEM, data, started)
            return (data, report), f"已生成{data.year}年{data.month}月通报"

        data, run.report = step("生成月度通报", generate)
        step("红灯提醒", lambda: (None, f"新发提醒 {_notify_red(data)} 条"))
        run.status = CycleRun.Status.SUCCEEDED
    except Exception as exc:  # recorded and logged, never lost: the run shows it and the next tick retries
        logger.exception("%s年%s月月度流程失败", year, month)
        run.status, run.error = CycleRun.Status.FAILED, f"{type(exc).__name__}: {exc}"
    run.finished_at = timezone.now()
    run.save()
    return run


def cycle_due(today: dt.date) -> tuple[int, int] | None:
    """The month the cycle should run for today, if any: from the configured day on, the month before, until
    a run for it has succeeded (a worker that was down on the day catches up)."""
    settings = cycle_settings()
    if not settings.enabled or today.day < settings.day:
        return None
    last = today.replace(day=1) - dt.timedelta(days=1)
    done = CycleRun.objects.filter(
        month=last.replace(day=1), status__in=[CycleRun.Status.SUCCEEDED, CycleRun.Status.RUNNING]
    )
    return None if done.exists() else (last.year, last.month)
