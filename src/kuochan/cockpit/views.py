"""The cockpit page: one screen of the programme as it stood at a month's end, each figure a link to the list
behind it; `?screen=1` is the wall-display layout."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from kuochan.accounts.models import EDITOR_ROLES, User
from kuochan.audit.models import Source
from kuochan.cockpit import selectors, services
from kuochan.cockpit.models import CycleRun, Measure, Meeting, MonthlyReport, SupervisedTask
from kuochan.cockpit.selectors import Cockpit, cockpit_data, default_month
from kuochan.core.forms import date_or_none, refusal
from kuochan.imports.parsing import CellError, to_month
from kuochan.projects.rules import LIGHT_LABELS
from kuochan.web.exports import xlsx_response
from kuochan.web.selectors import home_map


def _month(request: HttpRequest) -> tuple[int, int]:
    try:
        chosen = to_month(request.GET.get("month", ""))
    except CellError:
        chosen = None
    return (chosen.year, chosen.month) if chosen else default_month()


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
    year, month = _month(request)
    data = cockpit_data(actor=request.user, year=year, month=month)
    map_unit = home_map(actor=request.user)
    screen = request.GET.get("screen") == "1"
    return render(
        request,
        "cockpit/screen.html" if screen else "cockpit/cockpit.html",
        {
            "c": data,
            "charts": _chart_data(data, map_unit),
            "map_unit": map_unit,
            "month_value": data.label,
            "as_of": data.as_of.isoformat(),
            "light_labels": LIGHT_LABELS,
        },
    )


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Stored monthly reports, newest first; city staff generate a month's."""
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看月度通报。")
    if request.method == "POST":
        try:
            chosen = to_month(request.POST.get("month", ""))
            if chosen is None:
                raise ValidationError("请选择月份。")
            report = services.report_generate(
                actor=request.user, source=Source.WEB, year=chosen.year, month=chosen.month
            )
        except CellError as exc:
            messages.error(request, f"月份应为 YYYY-MM：{exc}")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已生成 {report.label} 月度通报（用时 {report.seconds} 秒）。")
        return redirect("cockpit:reports")
    year, month = default_month()
    return render(
        request,
        "cockpit/reports.html",
        {
            "reports": MonthlyReport.objects.select_related("generated_by")[:120],
            "default": f"{year}-{month:02d}",
        },
    )


@login_required
def report_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权下载月度通报。")
    report = get_object_or_404(MonthlyReport, pk=pk)
    if kind not in ("xlsx", "docx"):
        raise Http404
    stored = report.workbook if kind == "xlsx" else report.document
    return FileResponse(stored.open("rb"), as_attachment=True, filename=report.file_name(kind))


# Supervision (督办) and the monthly cycle ---------------------------------------------------------------

TASK_HEADERS = [
    "举措",
    "督办事项",
    "责任单位",
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


def _decision(post: Any, prefix: str, user: Any) -> services.Decision | None:
    title = post.get(f"{prefix}title", "").strip()
    if not title:
        return None
    deadline = date_or_none(post.get(f"{prefix}deadline"))
    if deadline is None:
        raise ValidationError(
            f"“{title}”的完成期限应为日期，如 2026-12-31，收到“{post.get(f'{prefix}deadline', '')}”。"
        )
    owner = (
        User.objects.filter(pk=post.get(f"{prefix}owner") or 0).first()
        if (post.get(f"{prefix}owner") or "").isdigit()
        else None
    )
    return services.Decision(title, post.get(f"{prefix}department", ""), owner or user, deadline)


def _staff_users() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=EDITOR_ROLES)
        .select_related("org_unit")
        .order_by("org_unit__path", "username")
    )


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """督办: the plan's measures with their tasks and lights, meetings' decisions too."""
    _staff(request)
    as_of = date_or_none(request.GET.get("as_of")) or timezone.localdate()
    rows = selectors.supervision_board(as_of=as_of)
    light = request.GET.get("light", "")
    if light in LIGHT_LABELS:
        rows = [r for r in rows if r.light == light]
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "督办事项",
            TASK_HEADERS,
            ([str(r.task.measure or r.task.meeting or ""), r.task.title, r.task.department, str(r.task.owner), r.task.starts_on,
              r.task.deadline, LIGHT_LABELS[r.light], "；".join(r.reasons), r.last.text if r.last else "",
              r.last.percent if r.last else None] for r in rows),
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
            "counts": Counter(r.light for r in selectors.supervision_board(as_of=as_of)),
        },
    )


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    _staff(request)
    if request.method == "POST":
        try:
            decision = _decision(request.POST, "", request.user)
            if decision is None:
                raise ValidationError("请写明督办事项。")
            measure = (
                Measure.objects.filter(pk=request.POST.get("measure") or 0).first()
                if (request.POST.get("measure") or "").isdigit()
                else None
            )
            task = services.task_create(
                actor=request.user, source=Source.WEB, decision=decision, measure=measure,
                report_day=int(request.POST.get("report_day") or 5) if (request.POST.get("report_day") or "5").isdigit() else 0,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已交办“{task.title}”。")
            return redirect("cockpit:task", pk=task.pk)
    return render(
        request,
        "cockpit/task_new.html",
        {
            "measures": selectors.measures(),
            "users": _staff_users(),
            "values": request.POST,
            "chosen": request.GET.get("measure", ""),
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    task = get_object_or_404(SupervisedTask.objects.select_related("measure", "meeting", "owner"), pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "done":
                services.task_done(actor=request.user, source=Source.WEB, task=task)
                messages.success(request, "已办结。")
            else:
                month = to_month(request.POST.get("month", ""))
                if month is None:
                    raise ValidationError("请选择报告月份。")
                percent = request.POST.get("percent", "")
                services.task_report(
                    actor=request.user, source=Source.WEB, task=task, month=month, text=request.POST.get("text", ""),
                    percent=int(percent) if percent.isdigit() else -1,
                )  # fmt: skip
                messages.success(request, f"已报送 {month:%Y-%m} 进展。")
        except CellError as exc:
            messages.error(request, f"报告月份应为 YYYY-MM：{exc}")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect("cockpit:task", pk=task.pk)
    [row] = selectors.supervision_board(
        as_of=timezone.localdate(), tasks=SupervisedTask.objects.filter(pk=task.pk)
    ) or [None]
    return render(
        request,
        "cockpit/task.html",
        {"t": task, "row": row, "reports": task.reports.select_related("reported_by").order_by("-month"),
         "month": f"{timezone.localdate().replace(day=1) - dt.timedelta(days=1):%Y-%m}"},
    )  # fmt: skip


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    """工作例会 and their decisions, each a supervised task."""
    _staff(request)
    if request.method == "POST":
        try:
            decisions = [d for n in range(1, 6) if (d := _decision(request.POST, f"d{n}_", request.user))]
            meeting = services.meeting_record(
                actor=request.user, source=Source.WEB, date=date_or_none(request.POST.get("date")) or timezone.localdate(),
                title=request.POST.get("title", ""), notes=request.POST.get("notes", ""), decisions=decisions,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已登记“{meeting.title}”及 {len(decisions)} 项议定事项。")
            return redirect("cockpit:meetings")
    return render(
        request,
        "cockpit/meetings.html",
        {"meetings": Meeting.objects.prefetch_related("tasks__owner")[:50], "users": _staff_users(), "rows": range(1, 6),
         "today": timezone.localdate().isoformat(), "values": request.POST},
    )  # fmt: skip


@login_required
def cycle(request: HttpRequest) -> HttpResponse:
    """The monthly cycle: its day, its runs step by step; city admins change the day or run a month now."""
    _staff(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "run":
                if not request.user.is_city_admin:
                    raise PermissionDenied("只有市级管理员可以立即运行月度流程。")
                chosen = to_month(request.POST.get("month", ""))
                if chosen is None:
                    raise ValidationError("请选择月份。")
                run = services.cycle_run(year=chosen.year, month=chosen.month, trigger="web")
                (messages.success if run.status == "succeeded" else messages.error)(
                    request,
                    f"{run.month:%Y-%m} 月度流程{run.get_status_display()}（{run.seconds} 秒）{run.error}",
                )
            else:
                day = request.POST.get("day", "")
                services.cycle_settings_update(
                    actor=request.user, source=Source.WEB, day=int(day) if day.isdigit() else 0,
                    enabled=request.POST.get("enabled") == "1",
                )  # fmt: skip
                messages.success(request, "已保存月度流程设置。")
        except CellError as exc:
            messages.error(request, f"月份应为 YYYY-MM：{exc}")
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
