"""The cockpit page: one screen of the programme as it stood at a month's end, each figure a link to the list
behind it; `?screen=1` is the wall-display layout."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from kuochan.accounts.models import EDITOR_ROLES, User
from kuochan.audit.models import Source
from kuochan.cockpit import jobs, selectors, services
from kuochan.cockpit.models import CycleRun, Measure, SupervisedTask
from kuochan.cockpit.selectors import Cockpit, cockpit_data, default_month, monthly_reports
from kuochan.cockpit.services import Decision
from kuochan.core.forms import FilterForm, IdField, MonthField, chosen, filter_values, refusal
from kuochan.core.scope import scoped
from kuochan.jobs.services import job_start
from kuochan.orgs.models import OrgUnit
from kuochan.projects.rules import LIGHT_LABELS, URGENCY
from kuochan.web.exports import xlsx_response
from kuochan.web.selectors import home_map


class CockpitFilter(FilterForm):
    month = MonthField(label="月份", required=False)
    screen = forms.ChoiceField(label="大屏", choices=[("", "否"), ("1", "是")], required=False)


class MonthForm(forms.Form):
    month = MonthField(label="月份", error_messages={"required": "请选择月份。"})


class SupervisionFilter(FilterForm):
    as_of = forms.DateField(label="截至日期", required=False)
    light = forms.ChoiceField(label="亮灯", choices=[("", "全部灯色"), *LIGHT_LABELS.items()], required=False)
    export = forms.ChoiceField(label="导出", choices=[("", ""), ("xlsx", "Excel")], required=False)


def _form_errors(form: forms.Form) -> str:
    """Every problem of a form as one Chinese message, each after its field's label."""
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        found.append(f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    return "；".join(found)


def _chart_data(data: Cockpit, map_unit: Any) -> dict[str, Any]:
    """What the charts draw, with the link each part drills into."""
    as_of = data.as_of.isoformat()
    projects = reverse("projects:list")
    indicators = [
        row["name"] for row in data.headline if any(row["name"] in r.completion for r in data.regions)
    ]
    return {
        "map_url": f"/maps/{map_unit.pk}.geojson" if map_unit else None,
        "map_key": map_unit.code if map_unit else None,
        "indicators": indicators,
        "regions": [
            {
                "name": r.unit.map_name, "unit": r.unit.name, "red": r.red, "yellow": r.yellow, "projects": r.projects,
                "completion": r.completion, "url": f"{projects}?district={r.unit.pk}&as_of={as_of}",
            }
            for r in data.regions if r.unit.map_name
        ],
        "lights": [
            {"name": LIGHT_LABELS[key], "key": key, "value": count, "url": f"{projects}?light={key}&as_of={as_of}"}
            for key, count in data.lights.items()
        ],
        "stalls": [
            {"name": label, "value": count, "url": f"{projects}?stall={label}&as_of={as_of}"}
            for label, count in data.stalls
        ],
        "large": [
            {"name": label, "value": count, "total": float(total),
             "url": f"{projects}?large=1&as_of={as_of}" + (f"&stage={key}" if key != "planned" else "")}
            for key, label, count, total in data.large
        ],
        "investment": data.investment,
    }  # fmt: skip


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    """驾驶舱: the plan's headline indicators against time pace, the map, the district ranking, lights, 破五未,
    the 亿元以上 pipeline, investment against last year, tickets, matchmaking and policy money."""
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看驾驶舱。")
    _, values = filter_values(request, CockpitFilter)
    chosen = values["month"]
    year, month = (chosen.year, chosen.month) if chosen else default_month()
    data = cockpit_data(actor=request.user, year=year, month=month)
    map_unit = home_map(actor=request.user)
    return render(
        request,
        "cockpit/screen.html" if values["screen"] == "1" else "cockpit/cockpit.html",
        {
            "c": data,
            "charts": _chart_data(data, map_unit),
            "map_unit": map_unit,
            "month_value": data.label,
            "as_of": data.as_of.isoformat(),
            "light_labels": LIGHT_LABELS,
        },
    )


class ReportActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("generate", "生成"), ("publish", "发布")], required=False)
    report = IdField(label="月度通报")


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """The monthly reports the user may read, newest first: city staff generate the city-wide one and publish
    it to the districts; district staff generate their district's own cut. Generation runs in the worker."""
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看月度通报。")
    action = ReportActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not action.is_valid():
        messages.error(request, "没有该月度通报。" if "report" in action.errors else _form_errors(action))
        return redirect("cockpit:reports")
    if action.is_bound and action.cleaned_data["action"] == "publish":
        chosen_pk = action.cleaned_data["report"]
        report = monthly_reports(actor=request.user).filter(pk=chosen_pk).first() if chosen_pk else None
        try:
            if report is None:
                raise ValidationError("没有该月度通报。")
            services.report_publish(actor=request.user, source=Source.WEB, report=report)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已发布 {report.label} 月度通报，各区县现可查看和下载。")
        return redirect("cockpit:reports")
    if request.method == "POST":
        form = MonthForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect("cockpit:reports")
        chosen = form.cleaned_data["month"]
        try:
            if (plan := selectors.plan_get(actor=request.user, year=chosen.year)) is not None:
                selectors.report_unit(request.user, plan)  # refused now, not after a wait in the queue
        except PermissionDenied as exc:
            messages.error(request, refusal(exc))
            return redirect("cockpit:reports")
        job = job_start(
            actor=request.user, handler=jobs.report_generate_job, title=f"生成 {chosen:%Y-%m} 月度通报",
            params={"year": chosen.year, "month": chosen.month},
        )  # fmt: skip
        return redirect(job.get_absolute_url())
    year, month = default_month()
    return render(
        request,
        "cockpit/reports.html",
        {"reports": monthly_reports(actor=request.user)[:120], "default": f"{year}-{month:02d}"},
    )


@login_required
def report_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权下载月度通报。")
    if kind not in ("xlsx", "docx"):
        raise Http404
    report = get_object_or_404(monthly_reports(actor=request.user), pk=pk)
    stored = report.workbook if kind == "xlsx" else report.document
    return FileResponse(stored.open("rb"), as_attachment=True, filename=report.file_name(kind))


# Supervision (督办) and the monthly cycle ---------------------------------------------------------------

TASK_HEADERS = [
    "举措",
    "督办事项",
    "责任单位",
    "所属单位",
    "联络人",
    "开始日期",
    "完成期限",
    "亮灯",
    "原因",
    "最近进展",
    "完成进度（%）",
]


def _staff(request: HttpRequest) -> None:
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看督办事项。")


def _staff_users(actor: User) -> QuerySet[User]:
    """The working staff in the actor's scope: who may be a task's contact person."""
    return (
        scoped(User.objects.filter(is_active=True, role__in=EDITOR_ROLES), actor)
        .select_related("org_unit")
        .order_by("org_unit__path", "username")
    )


class DecisionFields:
    """A decision's fields (a task's, or one line of a meeting's minutes), named with `prefix`."""

    @staticmethod
    def add(form: forms.Form, prefix: str, actor: User, required: bool) -> None:
        form.fields[f"{prefix}title"] = forms.CharField(label="督办事项", max_length=200, required=required)
        form.fields[f"{prefix}department"] = forms.CharField(label="责任单位", max_length=64, required=False)
        form.fields[f"{prefix}owner"] = forms.ModelChoiceField(
            label="联络人", queryset=_staff_users(actor), required=False,
            error_messages={"invalid_choice": "请从列表中选择联络人。"},
        )  # fmt: skip
        form.fields[f"{prefix}deadline"] = forms.DateField(label="完成期限", required=False)

    @staticmethod
    def decision(form: forms.Form, prefix: str, actor: User, unit: OrgUnit | None = None) -> Decision | None:
        data = form.cleaned_data
        title = data.get(f"{prefix}title", "").strip()
        if not title:
            return None
        deadline = data.get(f"{prefix}deadline")
        if deadline is None:
            raise ValidationError(f"“{title}”的完成期限应为日期，如 2026-12-31。")
        return Decision(
            title, data.get(f"{prefix}department", ""), data.get(f"{prefix}owner") or actor, deadline, unit
        )


class TaskForm(forms.Form):
    measure = forms.ModelChoiceField(label="所属举措", queryset=Measure.objects.all(), required=False)
    unit = forms.ModelChoiceField(label="所属单位", queryset=OrgUnit.objects.none(), required=False)
    report_day = forms.IntegerField(label="每月报送日", min_value=1, max_value=28, initial=5, required=False)
    shared = forms.BooleanField(label="各区县共享", required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        DecisionFields.add(self, "", actor, required=True)
        self.fields["unit"].queryset = scoped(OrgUnit.objects.all(), actor)


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """督办: the plan's measures with their tasks and lights, meetings' decisions too, as far as the user may
    see them (their unit's subtree, and what city staff shared)."""
    _staff(request)
    _, values = filter_values(request, SupervisionFilter)
    as_of = values["as_of"] or timezone.localdate()
    light = values["light"]
    every = selectors.supervision_board(actor=request.user, as_of=as_of)
    rows = [r for r in every if r.light == light] if light else every
    rows = sorted(rows, key=lambda r: (URGENCY.index(r.light), r.task.deadline))  # red, overdue first
    if values["export"] == "xlsx":
        return xlsx_response(
            "督办事项",
            TASK_HEADERS,
            ([str(r.task.measure or r.task.meeting or ""), r.task.title, r.task.department, r.task.unit.name,
              str(r.task.owner), r.task.starts_on, r.task.deadline, LIGHT_LABELS[r.light], "；".join(r.reasons),
              r.last.text if r.last else "", r.last.percent if r.last else None] for r in rows),
        )  # fmt: skip
    by_measure: dict[int | None, list[selectors.TaskRow]] = {}
    for row in rows:
        by_measure.setdefault(row.task.measure_id, []).append(row)
    return render(
        request,
        "cockpit/supervision.html",
        {
            "measures": [(m, by_measure.get(m.pk, [])) for m in selectors.measures()],
            "others": by_measure.get(None, []),
            "as_of": as_of,
            "light": light,
            "lights": LIGHT_LABELS,
            "counts": Counter(r.light for r in every),
        },
    )


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = TaskForm(request.POST if request.method == "POST" else None, actor=request.user)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(_form_errors(form))
            data = form.cleaned_data
            decision = DecisionFields.decision(form, "", request.user, data["unit"])
            if decision is None:
                raise ValidationError("请写明督办事项。")
            task = services.task_create(
                actor=request.user, source=Source.WEB, decision=decision, measure=data["measure"],
                report_day=data["report_day"] or 5, shared=data["shared"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已交办“{task.title}”。")
            return redirect("cockpit:task", pk=task.pk)
    measures = list(selectors.measures())
    return render(
        request,
        "cockpit/task_new.html",
        {
            "measures": measures,
            "users": _staff_users(request.user),
            "units": form.fields["unit"].queryset.order_by("path"),
            "values": request.POST,
            "chosen": chosen(request.GET, "measure", [str(m.pk) for m in measures]),
        },
    )


class TaskActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("report", "报送"), ("done", "办结")], required=False)


class TaskReportForm(forms.Form):
    month = MonthField(label="报告月份", error_messages={"required": "请选择报告月份。"})
    text = forms.CharField(label="进展情况", max_length=5000, required=False)
    percent = forms.IntegerField(
        label="完成进度（%）", min_value=0, max_value=100, error_messages={"required": "请填写完成进度。"}
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    task = get_object_or_404(
        selectors.supervised_tasks(actor=request.user).select_related("measure", "meeting", "owner", "unit"),
        pk=pk,
    )
    if request.method == "POST":
        action = TaskActionForm(request.POST)
        try:
            if action.is_valid() and action.cleaned_data["action"] == "done":
                services.task_done(actor=request.user, source=Source.WEB, task=task)
                messages.success(request, "已办结。")
            else:
                form = TaskReportForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_form_errors(form))
                month = form.cleaned_data["month"]
                services.task_report(
                    actor=request.user, source=Source.WEB, task=task, month=month, text=form.cleaned_data["text"],
                    percent=form.cleaned_data["percent"],
                )  # fmt: skip
                messages.success(request, f"已报送 {month:%Y-%m} 进展。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect("cockpit:task", pk=task.pk)
    [row] = selectors.supervision_board(
        actor=request.user, as_of=timezone.localdate(), tasks=SupervisedTask.objects.filter(pk=task.pk)
    ) or [None]
    return render(
        request,
        "cockpit/task.html",
        {"t": task, "row": row, "reports": task.reports.select_related("reported_by").order_by("-month"),
         "month": f"{timezone.localdate().replace(day=1) - dt.timedelta(days=1):%Y-%m}"},
    )  # fmt: skip


DECISION_ROWS = range(1, 6)


class MeetingForm(forms.Form):
    date = forms.DateField(label="会议日期", required=False)
    title = forms.CharField(label="会议名称", max_length=200, required=False)
    notes = forms.CharField(label="会议纪要", max_length=20000, required=False)
    shared = forms.BooleanField(label="各区县共享", required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in DECISION_ROWS:
            DecisionFields.add(self, f"d{n}_", actor, required=False)


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    """工作例会 and their decisions, each a supervised task, as far as the user may see them."""
    _staff(request)
    if request.method == "POST":
        form = MeetingForm(request.POST, actor=request.user)
        try:
            if not form.is_valid():
                raise ValidationError(_form_errors(form))
            data = form.cleaned_data
            decisions = [
                d for n in DECISION_ROWS if (d := DecisionFields.decision(form, f"d{n}_", request.user))
            ]
            meeting = services.meeting_record(
                actor=request.user, source=Source.WEB, date=data["date"] or timezone.localdate(), title=data["title"],
                notes=data["notes"], decisions=decisions, shared=data["shared"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已登记“{meeting.title}”及 {len(decisions)} 项议定事项。")
            return redirect("cockpit:meetings")
    return render(
        request,
        "cockpit/meetings.html",
        {"meetings": selectors.meetings(actor=request.user)[:50], "users": _staff_users(request.user),
         "rows": DECISION_ROWS, "today": timezone.localdate().isoformat(), "values": request.POST},
    )  # fmt: skip


class CycleActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("settings", "保存"), ("run", "立即运行")], required=False)


class CycleSettingsForm(forms.Form):
    day = forms.IntegerField(label="每月运行日", min_value=1, max_value=28)
    enabled = forms.BooleanField(label="启用", required=False)


@login_required
def cycle(request: HttpRequest) -> HttpResponse:
    """The monthly cycle: its day, its runs step by step; city admins change the day or run a month now (in
    the worker)."""
    _staff(request)
    if request.method == "POST":
        action = CycleActionForm(request.POST)
        try:
            if action.is_valid() and action.cleaned_data["action"] == "run":
                if not request.user.is_city_admin:
                    raise PermissionDenied("只有市级管理员可以立即运行月度流程。")
                form = MonthForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_form_errors(form))
                chosen = form.cleaned_data["month"]
                job = job_start(
                    actor=request.user, handler=jobs.cycle_run_job, title=f"运行 {chosen:%Y-%m} 月度流程",
                    params={"year": chosen.year, "month": chosen.month},
                )  # fmt: skip
                return redirect(job.get_absolute_url())
            form = CycleSettingsForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_form_errors(form))
            services.cycle_settings_update(
                actor=request.user, source=Source.WEB, day=form.cleaned_data["day"],
                enabled=form.cleaned_data["enabled"],
            )  # fmt: skip
            messages.success(request, "已保存月度流程设置。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect("cockpit:cycle")
    year, month = default_month()
    return render(
        request,
        "cockpit/cycle.html",
        {"settings": services.cycle_settings(), "runs": CycleRun.objects.select_related("report")[:24],
         "default": f"{year}-{month:02d}"},
    )  # fmt: skip
