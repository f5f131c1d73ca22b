"""The 驾驶舱 API: the cockpit's figures and the monthly reports with the same scope as the page; supervision
(督办) of the plan's measures and the meetings' decisions; and the monthly cycle, its settings and runs (a run
asked for here goes to the worker: the call answers with the job to follow)."""

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.cockpit import selectors, services
from kuochan.cockpit.jobs import cycle_run_job
from kuochan.cockpit.models import CycleRun, Measure, Meeting, MonthlyReport, SupervisedTask, TaskReport
from kuochan.core.api import Day, Id, Input, Month, chosen, month_of, staff_only, user_named
from kuochan.core.money import CENT
from kuochan.core.scope import scoped
from kuochan.imports.parsing import CellError, to_month
from kuochan.jobs.api import JobOut, job_accepted
from kuochan.orgs.models import OrgUnit
from kuochan.projects.rules import LIGHT_LABELS
from kuochan.targets.api import IndicatorFiguresOut

router = Router(tags=["驾驶舱"])

TASKS_REFUSAL = "企业用户无权查看督办事项。"


class MonthlyReportOut(Schema):
    id: int
    unit: str
    month: str
    as_of: dt.date
    generated_at: dt.datetime
    published_at: dt.datetime | None
    figures: dict[str, Any]
    xlsx: str
    docx: str


class RankingOut(Schema):
    unit: str
    rank: int | None
    score: Decimal | None


class LargeOut(Schema):
    stage: str
    label: str
    projects: int
    total_yi: Decimal


class InvestmentOut(Schema):
    months: list[str]
    this_year: list[float]
    last_year: list[float]


class RegionOut(Schema):
    unit: str
    projects: int
    red: int
    yellow: int


class TicketFiguresOut(Schema):
    raised: int
    open: int
    overdue: int
    escalated: int
    closed: int
    satisfied: int


class EventFiguresOut(Schema):
    events: int
    enterprises: int
    orders_wan: Decimal
    financing_wan: Decimal


class PolicyFiguresOut(Schema):
    applications: int
    approved_wan: Decimal
    paid_wan: Decimal


class CockpitOut(Schema):
    month: str
    as_of: dt.date
    unit: str | None
    indicators: list[IndicatorFiguresOut]
    ranking: list[RankingOut]
    lights: dict[str, int]
    stalls: dict[str, int]
    large: list[LargeOut]
    investment: InvestmentOut
    regions: list[RegionOut]
    tickets: TicketFiguresOut
    events: EventFiguresOut
    policies: PolicyFiguresOut


class MeasureOut(Schema):
    id: int
    code: str
    kind: Measure.Kind
    number: str
    title: str
    text: str
    lead: str
    co_responsible: list[str]


class TaskReportOut(Schema):
    month: str
    text: str
    percent: int
    reported_by: str | None
    reported_on: dt.date

    @staticmethod
    def resolve_month(report: TaskReport) -> str:
        return f"{report.month:%Y-%m}"

    @staticmethod
    def resolve_reported_by(report: TaskReport) -> str | None:
        return report.reported_by.get_username() if report.reported_by else None


class TaskOut(Schema):
    id: int
    title: str
    department: str
    unit: str
    shared: bool
    owner: str
    measure_id: int | None
    meeting_id: int | None
    starts_on: dt.date
    deadline: dt.date
    report_day: int
    done_on: dt.date | None
    light: str
    light_label: str
    reasons: list[str]
    last_report: TaskReportOut | None


class TaskDetailOut(TaskOut):
    reports: list[TaskReportOut]


class SupervisedTaskIn(Input):
    title: str = Field(max_length=200)
    department: str = Field(max_length=64, description="责任单位")
    owner: str = Field("", max_length=150, description="联络人的用户名；不填为本人")
    deadline: Day
    measure: Id | None = Field(None, description="所属举措 id")
    unit: Id | None = Field(None, description="所属单位 id（其工作人员可见）；不填为联络人所在单位")
    report_day: int = Field(5, ge=0, le=31, description="每月报送进展的截止日（1–28）")
    shared: bool = Field(False, description="各区县共享：各区县工作人员都能看到")


class TaskReportIn(Input):
    month: Month
    text: str = Field(max_length=5000)
    percent: int = Field(ge=-1, le=1000, description="完成进度（0–100）")


class DecisionIn(Input):
    title: str = Field(max_length=200)
    department: str = Field(max_length=64)
    owner: str = Field("", max_length=150)
    deadline: Day


class MeetingIn(Input):
    date: Day | None = None
    title: str = Field(max_length=200)
    notes: str = Field("", max_length=20000)
    decisions: list[DecisionIn] = Field(max_length=50)
    shared: bool = Field(False, description="各区县共享：各区县工作人员都能看到例会及其议定事项")


class MeetingOut(Schema):
    id: int
    unit: str
    shared: bool
    date: dt.date
    title: str
    notes: str
    tasks: list[TaskOut]

    @staticmethod
    def resolve_unit(meeting: Meeting) -> str:
        return meeting.unit.name

    @staticmethod
    def resolve_tasks(meeting: Meeting, context: dict[str, Any]) -> list[dict[str, Any]]:
        actor = context["request"].auth
        return _task_rows(actor, meeting.tasks.all(), max(timezone.localdate(), meeting.date))


class CycleSettingsOut(Schema):
    day: int
    enabled: bool


class CycleSettingsIn(Input):
    day: int = Field(ge=0, le=31, description="每月运行日（1–28）")
    enabled: bool


class CycleStepOut(Schema):
    step: str
    result: str
    seconds: float


class CycleRunOut(Schema):
    id: int
    month: str
    trigger: str
    status: CycleRun.Status
    status_label: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    seconds: float | None
    steps: list[CycleStepOut]
    error: str
    report_id: int | None

    @staticmethod
    def resolve_month(run: CycleRun) -> str:
        return f"{run.month:%Y-%m}"

    @staticmethod
    def resolve_status_label(run: CycleRun) -> str:
        return run.get_status_display()


class CycleRunIn(Input):
    month: Month


def _staff(request: HttpRequest) -> None:
    staff_only(request.auth, "企业用户无权查看驾驶舱。")


def _decision(data: DecisionIn | SupervisedTaskIn, actor: Any, unit: Any = None) -> services.Decision:
    return services.Decision(
        data.title, data.department, user_named(data.owner, actor, "owner"), data.deadline, unit
    )


def _task_rows(actor: Any, tasks: Any, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    return [
        _task_row(row)
        for row in selectors.supervision_board(actor=actor, as_of=as_of or timezone.localdate(), tasks=tasks)
    ]


def _task_row(row: selectors.TaskRow) -> dict[str, Any]:
    t = row.task
    return {
        "id": t.pk, "title": t.title, "department": t.department, "unit": t.unit.name, "shared": t.shared,
        "owner": t.owner.get_username(),
        "measure_id": t.measure_id, "meeting_id": t.meeting_id, "starts_on": t.starts_on, "deadline": t.deadline,
        "report_day": t.report_day, "done_on": t.done_on, "light": row.light, "light_label": LIGHT_LABELS[row.light],
        "reasons": list(row.reasons), "last_report": row.last,
    }  # fmt: skip


def _task_detail(actor: Any, task: SupervisedTask) -> dict[str, Any]:
    """The task with its light today, or on its first day for a task that starts later."""
    [row] = _task_rows(
        actor, SupervisedTask.objects.filter(pk=task.pk), max(timezone.localdate(), task.starts_on)
    )
    return {**row, "reports": list(task.reports.select_related("reported_by").order_by("-month"))}


def _report_out(r: MonthlyReport) -> dict[str, Any]:
    return {
        "id": r.pk, "unit": r.unit.name, "month": r.label, "as_of": r.as_of, "generated_at": r.generated_at,
        "published_at": r.published_at, "figures": r.figures, "xlsx": f"/cockpit/reports/{r.pk}/xlsx/",
        "docx": f"/cockpit/reports/{r.pk}/docx/",
    }  # fmt: skip


@router.get(
    "/reports/",
    response=list[MonthlyReportOut],
    summary="可查看的月度通报（最新在前）：本级及下级生成的，和已发布的上级全市通报；含其数据和下载地址",
)
def reports(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(request)
    return [_report_out(r) for r in selectors.monthly_reports(actor=request.auth)[:120]]


@router.post(
    "/reports/{pk}/publish",
    response=MonthlyReportOut,
    summary="发布全市月度通报，发布后各区县可查看和下载（市级工作人员）",
)
def report_publish(request: HttpRequest, pk: Id) -> dict[str, Any]:
    _staff(request)
    report = get_object_or_404(selectors.monthly_reports(actor=request.auth), pk=pk)
    return _report_out(services.report_publish(actor=request.auth, source=Source.API, report=report))


@router.get("/measures", response=list[MeasureOut], summary="规划的重点任务和攻坚举措及其牵头、配合单位")
def measure_list(request: HttpRequest) -> Any:
    _staff(request)
    return selectors.measures()


@router.get("/tasks", response=list[TaskOut], summary="督办事项及亮灯（截至 as_of，默认今天；可按亮灯筛选）")
@paginate
def task_list(
    request: HttpRequest,
    as_of: Day | None = None,
    light: Literal["red", "yellow", "green", "none", ""] = "",
) -> list[dict[str, Any]]:
    staff_only(request.auth, TASKS_REFUSAL)
    rows = _task_rows(request.auth, None, as_of)
    return [row for row in rows if not light or row["light"] == light]


@router.post("/tasks", response={201: TaskDetailOut}, summary="交办督办事项（市级工作人员）")
def task_create(request: HttpRequest, data: SupervisedTaskIn) -> Status:
    staff_only(request.auth, TASKS_REFUSAL)
    measure = chosen(Measure.objects.all(), data.measure, "measure", "没有该举措。")
    unit = chosen(scoped(OrgUnit.objects.all(), request.auth), data.unit, "unit", "没有该单位。")
    task = services.task_create(
        actor=request.auth, source=Source.API, decision=_decision(data, request.auth, unit), measure=measure,
        report_day=data.report_day, shared=data.shared,
    )  # fmt: skip
    return Status(201, _task_detail(request.auth, task))


@router.get("/tasks/{pk}", response=TaskDetailOut, summary="一项督办事项及其各月进展")
def task_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    staff_only(request.auth, TASKS_REFUSAL)
    return _task_detail(
        request.auth, get_object_or_404(selectors.supervised_tasks(actor=request.auth), pk=pk)
    )


@router.post(
    "/tasks/{pk}/reports",
    response={201: TaskDetailOut},
    summary="报送（或更正）某月进展（联络人或市级工作人员）",
)
def task_report(request: HttpRequest, pk: Id, data: TaskReportIn) -> Status:
    staff_only(request.auth, TASKS_REFUSAL)
    task = get_object_or_404(selectors.supervised_tasks(actor=request.auth), pk=pk)
    services.task_report(
        actor=request.auth, source=Source.API, task=task, month=month_of(data.month), text=data.text,
        percent=data.percent,
    )  # fmt: skip
    return Status(201, _task_detail(request.auth, task))


@router.post("/tasks/{pk}/done", response=TaskDetailOut, summary="办结督办事项（联络人或市级工作人员）")
def task_done(request: HttpRequest, pk: Id) -> dict[str, Any]:
    staff_only(request.auth, TASKS_REFUSAL)
    task = services.task_done(
        actor=request.auth, source=Source.API,
        task=get_object_or_404(selectors.supervised_tasks(actor=request.auth), pk=pk),
    )  # fmt: skip
    return _task_detail(request.auth, task)


@router.get("/meetings", response=list[MeetingOut], summary="工作例会及其议定事项（最新在前）")
@paginate
def meeting_list(request: HttpRequest) -> Any:
    staff_only(request.auth, TASKS_REFUSAL)
    return selectors.meetings(actor=request.auth).select_related("unit")


@router.post("/meetings", response={201: MeetingOut}, summary="登记工作例会及议定事项（每项成为督办事项）")
def meeting_create(request: HttpRequest, data: MeetingIn) -> Status:
    staff_only(request.auth, TASKS_REFUSAL)
    meeting = services.meeting_record(
        actor=request.auth, source=Source.API, date=data.date or timezone.localdate(), title=data.title,
        notes=data.notes, decisions=[_decision(d, request.auth) for d in data.decisions], shared=data.shared,
    )  # fmt: skip
    return Status(201, selectors.meetings(actor=request.auth).select_related("unit").get(pk=meeting.pk))


@router.get("/cycle/settings", response=CycleSettingsOut, summary="月度流程：每月运行日及是否启用")
def cycle_settings(request: HttpRequest) -> Any:
    _staff(request)
    return services.cycle_settings()


@router.put("/cycle/settings", response=CycleSettingsOut, summary="设置月度流程（市级管理员）")
def cycle_settings_update(request: HttpRequest, data: CycleSettingsIn) -> Any:
    _staff(request)
    return services.cycle_settings_update(
        actor=request.auth, source=Source.API, day=data.day, enabled=data.enabled
    )


@router.get("/cycle/runs", response=list[CycleRunOut], summary="月度流程运行记录（最新在前），含每一步及用时")
@paginate
def cycle_runs(request: HttpRequest) -> Any:
    _staff(request)
    return CycleRun.objects.all()


@router.get("/cycle/runs/{pk}", response=CycleRunOut, summary="一次月度流程运行")
def cycle_run_detail(request: HttpRequest, pk: Id) -> CycleRun:
    _staff(request)
    return get_object_or_404(CycleRun, pk=pk)


@router.post(
    "/cycle/runs",
    response={202: JobOut},
    summary="立即运行某月的月度流程：复算亮灯、生成通报、红灯提醒（市级管理员）",
    description="在后台进行：返回任务（202），以其 url 查询进度。完成后 result 给出运行记录 cycle_run、"
    "运行状态 status、月度通报 report 及运行记录地址 api_url。",
)
def cycle_run(request: HttpRequest, response: HttpResponse, data: CycleRunIn) -> Status:
    _staff(request)
    if not request.auth.is_city_admin:  # refused now, not after a wait in the queue
        raise PermissionDenied("只有市级管理员可以立即运行月度流程。")
    month = month_of(data.month)
    return job_accepted(
        request, response, handler=cycle_run_job, title=f"运行 {month:%Y-%m} 月度流程",
        params={"year": month.year, "month": month.month},
    )  # fmt: skip


@router.get(
    "/{month}", response=CockpitOut, summary="驾驶舱：某月末的全部数字（与页面相同），month 如 2026-10"
)
def cockpit(request: HttpRequest, month: str) -> dict[str, Any]:
    _staff(request)
    try:
        chosen_month = to_month(month)
    except CellError as exc:
        raise Http404(f"月份应为 YYYY-MM，收到“{month}”。") from exc
    if chosen_month is None:
        raise Http404("请给出月份，如 2026-10。")
    c = selectors.cockpit_data(actor=request.auth, year=chosen_month.year, month=chosen_month.month)
    return {
        "month": c.label,
        "as_of": c.as_of,
        "unit": c.unit.name if c.unit else None,
        "indicators": c.headline,
        "ranking": [{"unit": r.unit, "rank": r.rank, "score": r.score} for r in c.ranking],
        "lights": c.lights,
        "stalls": dict(c.stalls),
        "large": [
            {"stage": key, "label": label, "projects": n, "total_yi": total}
            for key, label, n, total in c.large
        ],
        "investment": c.investment,
        "regions": [
            {"unit": r.unit.name, "projects": r.projects, "red": r.red, "yellow": r.yellow} for r in c.regions
        ],
        "tickets": asdict(c.tickets),
        "events": {
            "events": c.events.events,
            "enterprises": c.events.enterprises,
            "orders_wan": c.events.orders_wan.quantize(CENT),
            "financing_wan": c.events.financing_wan.quantize(CENT),
        },
        "policies": c.policies,
    }
