"""数字化改造 pages: the coverage overview, the year's three lists (a district clerk updates a task's status
on a phone), the forms that add levels and tasks, and the exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.audit.models import Source
from kuochan.core.forms import add_service_errors, filter_values, form_refusal, list_query, page_of, refusal
from kuochan.core.scope import get_scoped_or_404
from kuochan.digital import selectors, services
from kuochan.digital.forms import LevelForm, OverviewFilter, PrefillQuery, StatusForm, TaskFilter, TaskForm
from kuochan.digital.models import DigitalLevel, DigitalTask, Level, TaskStatus
from kuochan.outreach.forms import districts, scoped_enterprise
from kuochan.registry.models import HonourKind
from kuochan.web.exports import xlsx_response

STAFF_ONLY = "企业用户无权查看数字化改造工作台账。"
COVERAGE_HEADERS = [
    "分组",
    "规上企业（家）",
    "1.0 覆盖（家）",
    "1.0 覆盖率（%）",
    "2.0 覆盖（家）",
    "2.0 覆盖率（%）",
]
TASK_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "区县",
    "年度",
    "目标水平",
    "状态",
    "责任人",
    "联系电话",
    "改造项目",
    "备注",
]
PROJECT_HEADERS = ["项目代码", "项目名称", "企业名称", "总投资（万元）", "进展"]
PEOPLE_HEADERS = ["责任人", "联系电话", "任务（项）", "已完成（项）"]


def _staff(request: HttpRequest) -> None:
    if request.user.is_enterprise_user or not request.user.sees_business_data:
        raise PermissionDenied(STAFF_ONLY)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Coverage of above-scale enterprises by district and by industry, the year's 2.0 progress, and the
    smart-factory tiers against the plan."""
    _staff(request)
    actor = request.user
    _, values = filter_values(request, OverviewFilter)
    as_of: dt.date = values["as_of"] or timezone.localdate()
    by_district = selectors.coverage_of(actor=actor, as_of=as_of)
    by_industry = selectors.coverage_of(actor=actor, as_of=as_of, by=selectors.BY_INDUSTRY)
    if values["export"]:
        chosen = by_district if values["export"] == selectors.BY_DISTRICT else by_industry
        label = "区县" if chosen is by_district else "行业"
        return xlsx_response(
            f"数字化改造覆盖率（按{label}，截至{as_of:%Y-%m-%d}）",
            COVERAGE_HEADERS,
            (
                [row.group, row.above_scale, row.reached["1.0"], _number(row.share("1.0")), row.reached["2.0"],
                 _number(row.share("2.0"))]
                for row in [*chosen.rows, chosen.total]
            ),
        )  # fmt: skip
    year_start = selectors.coverage_of(actor=actor, as_of=dt.date(as_of.year - 1, 12, 31)).total
    year_tasks = selectors.tasks_of(actor=actor, year=as_of.year)
    to_two = [task for task in year_tasks if task.target_level == Level.V2]
    titles = selectors.factory_titles(actor=actor, year=as_of.year)
    counts = {
        "national_basic_or_above": titles.national_basic_or_above,
        "excellent_or_above": titles.excellent_or_above,
    }
    targets = [
        {**target, "held": counts[target["count"]]}
        for target in selectors.plan_factory_targets(actor=actor, year=as_of.year)
    ]
    return render(
        request,
        "digital/overview.html",
        {
            "as_of": as_of,
            "by_district": by_district,
            "by_industry": by_industry,
            "year_start": year_start,
            "to_two": len(to_two),
            "to_two_done": sum(task.status == TaskStatus.DONE for task in to_two),
            "tasks_total": len(year_tasks),
            "titles": [(HonourKind(kind).label, holders) for kind, holders in titles.by_kind.items()],
            "targets": targets,
            "query": list_query(request),
        },
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """三张清单 of a year: tasks most urgent first with a status switch on each row, the projects and the
    responsible persons; each list exports as shown."""
    _staff(request)
    actor = request.user
    _, values = filter_values(request, TaskFilter, actor=actor)
    today = timezone.localdate()
    year = values["year"] or today.year
    lists = selectors.three_lists(
        actor=actor, year=year, today=today, district=values["district"], status=values["status"],
        responsible=values["responsible"].strip(),
    )  # fmt: skip
    if values["export"] == "xlsx":
        return _lists_export(lists)
    page = page_of(request, lists.tasks)
    on_page = {task.pk for task in page}
    return render(
        request,
        "digital/tasks.html",
        {
            "year": year,
            "page": page,
            "projects": [entry for entry in lists.projects if entry[0].pk in on_page],
            "people": lists.people,
            "filters": request.GET,
            "districts": districts(actor),
            "statuses": TaskStatus.choices,
            "query": list_query(request),
            "may_edit": actor.can_edit,
        },
    )


def _lists_export(lists: selectors.ThreeLists) -> HttpResponse:
    """The three lists as one sheet, each list under its own heading row, as the bureau files them."""
    rows: list[list[object]] = []
    for task in lists.tasks:
        rows.append(
            [task.enterprise.uscc, task.enterprise.name, task.enterprise.district.name, task.year, task.target_level,
             task.get_status_display(), task.responsible_label, task.responsible_phone,
             "、".join(p.code for p in task.projects.all()), task.note]
        )  # fmt: skip
    rows += [[], ["项目清单"], PROJECT_HEADERS]
    rows += [
        [p.code, p.name, task.enterprise.name, _number(p.total_wan), state]
        for task, p, state in lists.projects
    ]
    rows += [[], ["责任人清单"], PEOPLE_HEADERS]
    rows += [[person.name, person.phone, person.tasks, person.done] for person in lists.people]
    return xlsx_response(f"{lists.year}年数字化改造三张清单", TASK_HEADERS, rows)


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk's one-tap status change from the list; back to the list with its filters."""
    task = get_scoped_or_404(DigitalTask.objects.select_related("enterprise__district"), request.user, pk=pk)
    form = StatusForm(request.POST)
    back = form.cleaned_data.get("next", "") if form.is_valid() else ""
    target = back if back.startswith(reverse("digital:tasks")) else reverse("digital:tasks")
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect(target)
    try:
        services.task_status_set(
            actor=request.user, source=Source.WEB, task=task, status=form.cleaned_data["status"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"{task.enterprise.name}：已改为“{task.get_status_display()}”。")
    return redirect(target)


def _ensure_editor(request: HttpRequest) -> None:
    _staff(request)
    if not request.user.can_edit:
        raise PermissionDenied(services.STAFF_ONLY)


def _task_form_page(request: HttpRequest, task: DigitalTask | None) -> HttpResponse:
    actor = request.user
    if task is not None:
        initial = {
            "enterprise": task.enterprise.uscc, "year": task.year, "target_level": task.target_level,
            "responsible": task.responsible_id, "responsible_name": task.responsible_name,
            "responsible_phone": task.responsible_phone, "status": task.status, "note": task.note,
            "projects": [p.pk for p in task.projects.all()],
        }  # fmt: skip
        enterprise = task.enterprise
    else:
        wanted = filter_values(request, PrefillQuery)[1]["enterprise"]
        try:
            enterprise = scoped_enterprise(actor, wanted) if wanted else None
        except ValidationError:
            enterprise = None
        initial = {"enterprise": enterprise.uscc if enterprise else "", "year": timezone.localdate().year}
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        actor=actor,
        enterprise=enterprise,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.task_save(
                actor=actor, source=Source.WEB, enterprise=data["enterprise"], year=data["year"],
                target_level=data["target_level"], responsible=data["responsible"],
                responsible_name=data["responsible_name"], responsible_phone=data["responsible_phone"],
                status=data["status"], note=data["note"], projects=data["projects"], task=task,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, refusal(exc))
        else:
            messages.success(request, f"已保存{saved}。")
            return redirect(f"{reverse('digital:tasks')}?year={saved.year}")
    if request.method == "POST" and form.errors:
        messages.error(request, form_refusal(form))
    return render(
        request,
        "digital/task_form.html",
        {"form": form, "task": task, "title": "修改数字化改造任务" if task else "加入数字化改造清单",
         "cancel_url": reverse("digital:tasks")},
    )  # fmt: skip


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    _ensure_editor(request)
    return _task_form_page(request, None)


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_editor(request)
    task = get_scoped_or_404(DigitalTask.objects.select_related("enterprise__district"), request.user, pk=pk)
    return _task_form_page(request, task)


@login_required
@require_POST
def task_remove(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped_or_404(DigitalTask.objects.select_related("enterprise__district"), request.user, pk=pk)
    try:
        services.task_remove(actor=request.user, source=Source.WEB, task=task)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc))
        return redirect("digital:task-edit", pk=pk)
    messages.success(request, f"已将{task.enterprise.name}移出{task.year}年清单。")
    return redirect(f"{reverse('digital:tasks')}?year={task.year}")


@login_required
def level_new(request: HttpRequest) -> HttpResponse:
    """登记数字化改造水平 for an enterprise (its profile links here with the USCC filled in)."""
    _ensure_editor(request)
    actor = request.user
    wanted = filter_values(request, PrefillQuery)[1]["enterprise"]
    form = LevelForm(
        request.POST if request.method == "POST" else None,
        initial={"enterprise": wanted, "assessed_on": timezone.localdate()},
        actor=actor,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            level = services.level_set(
                actor=actor, source=Source.WEB, enterprise=data["enterprise"], level=data["level"],
                assessed_on=data["assessed_on"], level_source=data["source"], note=data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, refusal(exc))
        else:
            messages.success(request, f"已登记{level}。")
            return redirect(level.enterprise.get_absolute_url())
    if request.method == "POST" and form.errors:
        messages.error(request, form_refusal(form))
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": "登记数字化改造水平", "cancel_url": reverse("digital:overview")},
    )


@login_required
@require_POST
def level_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a level recorded in error, from the enterprise's profile."""
    level = get_scoped_or_404(
        DigitalLevel.objects.select_related("enterprise__district"), request.user, pk=pk
    )
    try:
        services.level_remove(actor=request.user, source=Source.WEB, level=level)
    except PermissionDenied as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"已删除{level}。")
    return redirect(level.enterprise.get_absolute_url())
