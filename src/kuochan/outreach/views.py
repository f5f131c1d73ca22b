"""Pages of 服务企业: the ticket queue and list with lights, a ticket's timeline and its next steps, the visit
log, the shared calendar, follow-up tasks, matchmaking events with their totals, and the timers. Every list
exports what it shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kuochan.accounts.models import EDITOR_ROLES, User
from kuochan.audit.models import Source
from kuochan.core.forms import date_or_none, refusal
from kuochan.core.money import money_from_text
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.outreach import selectors, services
from kuochan.outreach.models import Event, Outcome, Participant, ServiceRuleSet
from kuochan.outreach.rules import (
    CATEGORY_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    allowed_actions,
)
from kuochan.projects.rules import LIGHT_LABELS
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code
from kuochan.web.exports import xlsx_response

TICKET_HEADERS = [
    "诉求编号", "企业名称", "统一社会信用代码", "所属区县", "类别", "诉求事项", "来源", "状态", "承办部门", "承办人",
    "期限", "亮灯", "亮灯原因", "升级至市级", "满意度", "提出时间",
]  # fmt: skip


def _required_date(value: str | None, label: str) -> dt.date:
    day = date_or_none(value)
    if day is None:
        raise ValidationError({label: f"{label}应为日期，如 2026-06-01，收到“{value or ''}”。"})
    return day


def _enterprise(request: HttpRequest, value: str) -> Enterprise:
    """An enterprise in the actor's scope, by USCC or exact name."""
    value = value.strip()
    found = scoped(Enterprise.objects.select_related("district"), request.user)
    enterprise = found.filter(Q(uscc=normalise_code(value)) | Q(name=value)).first() if value else None
    if enterprise is None:
        raise ValidationError(f"您的数据范围内没有名称或统一社会信用代码为“{value}”的企业。")
    return enterprise


def _staff_choices(actor: User) -> list[User]:
    """Staff the actor may name as visitors, owners or handlers: active editors in the actor's scope."""
    if actor.org_path is None:
        return []
    return list(
        User.objects.filter(is_active=True, role__in=EDITOR_ROLES, org_unit__path__startswith=actor.org_path)
        .select_related("org_unit")
        .order_by("org_unit__path", "username")
    )


def _user(value: str | None) -> User | None:
    return (
        User.objects.select_related("org_unit").filter(pk=value).first() if (value or "").isdigit() else None
    )


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


def _districts(actor: User) -> list[OrgUnit]:
    return list(scoped(OrgUnit.objects.filter(kind__in=REPORTING_KINDS), actor).order_by("sort_order", "id"))


# Tickets --------------------------------------------------------------------------------------------


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    """Tickets in scope with their lights as of a date; 待我处理 is the queue of the actor's part."""
    params = request.GET
    as_of = date_or_none(params.get("as_of")) or timezone.localdate()
    queue_label = ""
    if params.get("queue") == "1":
        found, queue_label = selectors.ticket_queue(actor=request.user)
    else:
        found = selectors.tickets(actor=request.user)
    if params.get("status") in STATUS_LABELS:
        found = found.filter(status=params["status"])
    if params.get("category") in CATEGORY_LABELS:
        found = found.filter(category=params["category"])
    if (params.get("district") or "").isdigit():
        district = OrgUnit.objects.filter(pk=params["district"]).first()
        found = found.filter(district__path__startswith=district.path) if district else found.none()
    if params.get("escalated") == "1":
        found = found.filter(escalated_at__isnull=False)
    rules = selectors.current_rules()
    light = params.get("light", "")
    if light in LIGHT_LABELS:
        # the light is computed, not stored: the ids of that colour, newest first, then only a page is loaded
        verdicts = selectors.lights_of(found.values("pk"), as_of=as_of, rules=rules)
        chosen = sorted((pk for pk, v in verdicts.items() if v.light == light), reverse=True)
    else:
        chosen = None
    if params.get("export") == "xlsx":
        return xlsx_response(
            "诉求清单",
            TICKET_HEADERS,
            (
                [t.number, t.enterprise.name, t.enterprise.uscc, t.district.name, t.get_category_display(), t.title,
                 t.get_source_display(), t.get_status_display(), t.department.name if t.department else "",
                 str(t.handler or ""), t.due_date, LIGHT_LABELS[v.light] if v else "", "；".join(v.reasons) if v else "",
                 "是" if t.escalated_at else "", t.get_satisfaction_display(),
                 timezone.localtime(t.created_at).strftime("%Y-%m-%d %H:%M")]
                for t, v in selectors.with_lights(list(found), as_of=as_of, rules=rules)
                if chosen is None or (v and v.light == light)
            ),
        )  # fmt: skip
    page = Paginator(found if chosen is None else chosen, 50).get_page(params.get("page"))
    on_page = list(page) if chosen is None else sorted(found.filter(pk__in=list(page)), key=lambda t: -t.pk)
    shown = selectors.with_lights(on_page, as_of=as_of, rules=rules)
    return render(
        request,
        "outreach/tickets.html",
        {
            "page": page,
            "rows": shown,
            "filters": params,
            "as_of": as_of,
            "statuses": STATUS_LABELS,
            "categories": CATEGORY_LABELS,
            "lights": LIGHT_LABELS,
            "districts": _districts(request.user),
            "queue": params.get("queue") == "1",
            "queue_label": queue_label,
            "query": _query(request),
        },
    )


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    """诉求登记: an enterprise for itself; staff for an enterprise in scope, perhaps from a visit."""
    user = request.user
    visit = None
    if (
        request.GET.get("visit") or request.POST.get("visit") or ""
    ).isdigit() and not user.is_enterprise_user:
        visit = selectors.visit_get(actor=user, pk=int(request.GET.get("visit") or request.POST["visit"]))
    if not user.is_enterprise_user and not user.can_edit:
        raise PermissionDenied("只读账号不能登记诉求。")
    if request.method == "POST":
        post = request.POST
        try:
            if user.is_enterprise_user:
                if not user.enterprise_id:
                    raise ValidationError("企业账号尚未关联企业，请联系管理员。")
                enterprise = user.enterprise
            else:
                enterprise = visit.enterprise if visit else _enterprise(request, post.get("enterprise", ""))
            ticket = services.ticket_create(
                actor=user, source=Source.WEB, enterprise=enterprise, category=post.get("category", ""),
                title=post.get("title", ""), description=post.get("description", ""), visit=visit,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已受理诉求 {ticket.number}，请在 {ticket.due_date} 前会商交办。")
            return redirect(ticket.get_absolute_url())
    return render(
        request,
        "outreach/ticket_new.html",
        {
            "visit": visit,
            "categories": CATEGORY_LABELS,
            "values": request.POST,
            "enterprise": request.GET.get("enterprise", ""),
        },
    )


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket: what was raised, its light, the timeline, comments, and the steps the actor may take."""
    ticket = selectors.ticket_get(actor=request.user, pk=pk)
    if request.method == "POST":
        post = request.POST
        action = post.get("action", "")
        try:
            if action == "comment":
                services.ticket_comment(
                    actor=request.user, source=Source.WEB, ticket=ticket, text=post.get("text", "")
                )
                messages.success(request, "已留言。")
            else:
                picked = post.get("department", "")
                department = selectors.departments().filter(pk=picked).first() if picked.isdigit() else None
                if post.get("due_date") and date_or_none(post["due_date"]) is None:
                    raise ValidationError(
                        {"due_date": f"办理期限应为日期，如 2026-06-30，收到“{post['due_date']}”。"}
                    )
                services.ticket_act(
                    actor=request.user, source=Source.WEB, ticket=ticket, action=action, note=post.get("note", ""),
                    department=department, handler=_user(post.get("handler")),
                    due_date=date_or_none(post.get("due_date")),
                    satisfaction=post.get("satisfaction", ""),
                )  # fmt: skip
                messages.success(request, f"已{TRANSITIONS[action].label}。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect(ticket.get_absolute_url())
    rules = selectors.current_rules()
    [(_, verdict)] = selectors.with_lights([ticket], as_of=timezone.localdate(), rules=rules)
    roles = services.roles_on(request.user, ticket)
    actions = [(name, TRANSITIONS[name]) for name in allowed_actions(ticket.status, roles)]
    departments = list(selectors.departments())
    return render(
        request,
        "outreach/ticket.html",
        {
            "t": ticket,
            "verdict": verdict,
            "steps": ticket.steps.all(),
            "actions": actions,
            "can_comment": bool(roles),
            "departments": departments,
            "suggested": [d for d in departments if ticket.category in d.categories],
            "handlers": _staff_choices(request.user) if "assign" in dict(actions) else [],
            "default_due": ticket.due_date if ticket.status != "consulting" else None,
            "satisfaction": SATISFACTION_LABELS,
            "deadline_days": rules.deadline_days[ticket.category],
        },
    )


# Visits ---------------------------------------------------------------------------------------------

VISIT_HEADERS = [
    "走访日期",
    "企业名称",
    "统一社会信用代码",
    "所属区县",
    "走访人员",
    "走访目的",
    "了解情况",
    "跟进事项",
    "登记人",
]


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    found = selectors.visits(actor=request.user).prefetch_related("tasks", "visitors__org_unit")
    start, end = date_or_none(params.get("start")), date_or_none(params.get("end"))
    if start:
        found = found.filter(date__gte=start)
    if end:
        found = found.filter(date__lte=end)
    if (params.get("district") or "").isdigit():
        district = OrgUnit.objects.filter(pk=params["district"]).first()
        found = found.filter(district__path__startswith=district.path) if district else found.none()
    if params.get("q"):
        found = found.filter(
            Q(enterprise__name__contains=params["q"]) | Q(enterprise__uscc=normalise_code(params["q"]))
        )
    if params.get("export") == "xlsx":
        return xlsx_response(
            "走访记录",
            VISIT_HEADERS,
            (
                [v.date, v.enterprise.name, v.enterprise.uscc, v.district.name, selectors.visitors_in_words(v), v.purpose,
                 v.findings, "；".join(f"{t.text}（{t.owner}，{t.due_date}）" for t in v.tasks.all()), str(v.created_by or "")]
                for v in found
            ),
        )  # fmt: skip
    return render(
        request,
        "outreach/visits.html",
        {
            "page": Paginator(found, 50).get_page(params.get("page")),
            "filters": params,
            "districts": _districts(request.user),
            "query": _query(request),
            "today": timezone.localdate(),
        },
    )


def _tasks_from(post: Any, actor: User) -> list[services.TaskInput]:
    tasks = []
    for n in range(1, 4):
        text = post.get(f"task{n}_text", "").strip()
        if not text:
            continue
        due = _required_date(post.get(f"task{n}_due"), f"第 {n} 项跟进事项的完成期限")
        tasks.append(services.TaskInput(text, _user(post.get(f"task{n}_owner")) or actor, due))
    return tasks


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """走访登记 (or a planned visit). Another visit to the same enterprise within the window is shown as a
    warning; the user saves anyway only by confirming."""
    user = request.user
    if not user.can_edit:
        raise PermissionDenied("只读账号不能登记走访。")
    warnings: list[str] = []
    departments = list(selectors.departments())
    if request.method == "POST":
        post = request.POST
        try:
            visit = services.visit_create(
                actor=user, source=Source.WEB, enterprise=_enterprise(request, post.get("enterprise", "")),
                date=_required_date(post.get("date"), "走访日期"), purpose=post.get("purpose", ""),
                findings=post.get("findings", ""), visitors=[u for u in map(_user, post.getlist("visitors")) if u],
                departments=[d for d in departments if str(d.pk) in post.getlist("departments")],
                companions=post.get("companions", ""), tasks=_tasks_from(post, user),
                confirmed=post.get("confirmed") == "1",
            )  # fmt: skip
        except services.DuplicateVisit as exc:
            warnings = exc.warnings
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已登记 {visit.date} 对{visit.enterprise.name}的走访。")
            return redirect(visit.get_absolute_url())
    values = request.POST if request.method == "POST" else {"enterprise": request.GET.get("enterprise", "")}
    return render(
        request,
        "outreach/visit_new.html",
        {
            "values": values,
            "chosen_visitors": request.POST.getlist("visitors")
            if request.method == "POST"
            else [str(user.pk)],
            "chosen_departments": request.POST.getlist("departments"),
            "staff": _staff_choices(user),
            "departments": departments,
            "warnings": warnings,
            "task_rows": range(1, 4),
            "initial_date": values.get("date") or timezone.localdate().isoformat(),
        },
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(actor=request.user, pk=pk)
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("action") == "task":
                task = _tasks_from(post, request.user)
                if not task:
                    raise ValidationError("请写明跟进事项。")
                services.followup_add(actor=request.user, source=Source.WEB, visit=visit, task=task[0])
                messages.success(request, "已添加跟进事项。")
            elif post.get("action") == "done":
                followup = visit.tasks.filter(pk=post.get("task") or 0).first()
                if followup is None:
                    raise Http404
                services.followup_done(
                    actor=request.user, source=Source.WEB, followup=followup, note=post.get("note", "")
                )
                messages.success(request, f"已完成“{followup.text}”。")
            else:
                services.visit_update(
                    actor=request.user, source=Source.WEB, visit=visit, date=_required_date(post.get("date"), "走访日期"),
                    purpose=post.get("purpose", ""), findings=post.get("findings", ""),
                )  # fmt: skip
                messages.success(request, "已保存走访记录。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect(visit.get_absolute_url())
    rules = selectors.current_rules()
    today = timezone.localdate()
    return render(
        request,
        "outreach/visit.html",
        {
            "v": visit,
            "who": selectors.visitors_in_words(visit),
            "tasks": selectors.with_task_lights(
                list(visit.tasks.select_related("owner")), as_of=today, rules=rules
            ),
            "tickets": visit.tickets.all(),
            "others": selectors.other_visits(visit.enterprise, exclude=visit.pk),
            "can_edit": request.user.can_edit,
            "staff": _staff_choices(request.user),
            "lights": LIGHT_LABELS,
        },
    )


@login_required
def visit_calendar(request: HttpRequest) -> HttpResponse:
    """The shared calendar: every visit made or planned in scope, by day, per district."""
    month = date_or_none(f"{request.GET.get('month', '')}-01") or timezone.localdate().replace(day=1)
    district = None
    if (request.GET.get("district") or "").isdigit():
        district = get_scoped_or_404(OrgUnit.objects.all(), request.user, pk=int(request.GET["district"]))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "outreach/calendar.html",
        {
            "weeks": selectors.visit_calendar(actor=request.user, month=month, district=district),
            "month": month,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
            "district": district,
            "districts": _districts(request.user),
        },
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Follow-up tasks in scope (or only mine), open first, with lights."""
    found = selectors.followups(actor=request.user)
    if request.GET.get("mine") == "1":
        found = found.filter(owner=request.user)
    if request.GET.get("open") != "0":
        found = found.filter(done_on__isnull=True)
    rules = selectors.current_rules()
    today = timezone.localdate()
    rows = selectors.with_task_lights(
        list(found.order_by("done_on", "due_date", "id")[:2000]), as_of=today, rules=rules
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "走访跟进事项",
            ["企业名称", "走访日期", "事项", "责任人", "完成期限", "亮灯", "说明", "完成日期", "完成情况"],
            ([t.visit.enterprise.name, t.visit.date, t.text, str(t.owner), t.due_date, LIGHT_LABELS[light], reason,
              t.done_on, t.done_note] for t, light, reason in rows),
        )  # fmt: skip
    return render(
        request, "outreach/tasks.html", {"rows": rows, "filters": request.GET, "query": _query(request)}
    )


# Matchmaking ----------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = date_or_none(request.GET.get("start")) or today.replace(month=1, day=1)
    end = date_or_none(request.GET.get("end")) or today.replace(month=12, day=31)
    return start, end


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Events of a period with their outcomes, and the totals by district as the yearly summary gives them."""
    if request.user.is_enterprise_user:
        raise Http404
    start, end = _period(request)
    found = selectors.events(actor=request.user).filter(date__range=(start, end))
    if request.GET.get("kind") in Event.Kind.values:
        found = found.filter(kind=request.GET["kind"])
    totals, total = selectors.event_totals(actor=request.user, start=start, end=end)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"供需对接{start}至{end}",
            ["日期", "活动名称", "类型", "举办层级", "主办单位", "参加企业（家）", "签约订单（万元）", "融资（万元）"],
            ([e.date, e.title, e.get_kind_display(), e.unit.name, e.organiser, e.enterprises, e.orders_wan or 0,
              e.financing_wan or 0] for e in found),
        )  # fmt: skip
    if request.GET.get("export") == "totals":
        return xlsx_response(
            f"供需对接汇总{start}至{end}",
            ["区县", "活动（场）", "参加企业（家）", "签约订单（亿元）", "融资（亿元）"],
            ([t.unit, t.events, t.enterprises, t.orders_yi, t.financing_yi] for t in [*totals, total]),
        )
    return render(
        request,
        "outreach/events.html",
        {
            "page": Paginator(found, 50).get_page(request.GET.get("page")),
            "totals": totals,
            "total": total,
            "start": start,
            "end": end,
            "kinds": Event.Kind.choices,
            "filters": request.GET,
            "query": _query(request),
        },
    )


def _event_values(post: Any) -> dict[str, Any]:
    return {
        "kind": post.get("kind", ""), "title": post.get("title", ""), "date": date_or_none(post.get("date")),
        "organiser": post.get("organiser", ""), "place": post.get("place", ""), "note": post.get("note", ""),
    }  # fmt: skip


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.can_edit or user.org_unit_id is None:
        raise PermissionDenied("只读账号不能登记供需对接活动。")
    units = scoped(OrgUnit.objects.filter(depth__lte=user.org_unit.depth + 1), user).order_by("path")
    if request.method == "POST":
        unit = units.filter(pk=request.POST.get("unit") or 0).first() or user.org_unit
        try:
            event = services.event_save(
                actor=user, source=Source.WEB, unit=unit, **_event_values(request.POST)
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, "已登记活动，请添加参加单位和对接成果。")
            return redirect(event.get_absolute_url())
    return render(
        request,
        "outreach/event_new.html",
        {"kinds": Event.Kind.choices, "units": units, "values": request.POST, "today": timezone.localdate()},
    )


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(actor=request.user, pk=pk)
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("action") == "participants":
                added = services.participants_add(
                    actor=request.user, source=Source.WEB, event=event, role=post.get("role", ""),
                    names=post.get("names", "").splitlines(),
                )  # fmt: skip
                messages.success(request, f"已添加 {added} 个参加单位。")
            elif post.get("action") == "outcome":
                services.outcome_add(
                    actor=request.user, source=Source.WEB, event=event, kind=post.get("kind", ""),
                    enterprise=_enterprise(request, post.get("enterprise", "")), amount_wan=money_from_text(post.get("amount_wan")),
                    counterpart=post.get("counterpart", ""), note=post.get("note", ""),
                )  # fmt: skip
                messages.success(request, "已添加对接成果。")
            else:
                services.event_save(
                    actor=request.user, source=Source.WEB, unit=event.unit, event=event, **_event_values(post)
                )
                messages.success(request, "已保存。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect(event.get_absolute_url())
    outcomes = list(event.outcomes.select_related("enterprise"))
    return render(
        request,
        "outreach/event.html",
        {
            "e": event,
            "participants": event.participants.select_related("enterprise"),
            "outcomes": outcomes,
            "orders": sum((o.amount_wan for o in outcomes if o.kind == Outcome.Kind.ORDER), Decimal(0)),
            "financing": sum(
                (o.amount_wan for o in outcomes if o.kind == Outcome.Kind.FINANCING), Decimal(0)
            ),
            "roles": Participant.Role.choices,
            "outcome_kinds": Outcome.Kind.choices,
            "kinds": Event.Kind.choices,
            "can_edit": request.user.can_edit,
        },
    )


# Timers ---------------------------------------------------------------------------------------------


def _int(value: str | None) -> int | str | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else value


@login_required
def service_rules(request: HttpRequest) -> HttpResponse:
    """The timers and departments; city admins edit the timers."""
    if request.method == "POST":
        post = request.POST
        try:
            services.service_rules_update(
                actor=request.user, source=Source.WEB,
                **{name: _int(post.get(name)) for name in ("triage_days", "due_soon_days", "escalate_after_days", "visit_window_days")},
                deadline_days={key: _int(post.get(f"deadline_{key}")) for key in CATEGORY_LABELS},
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, "已保存服务时限规则；已交办的诉求仍按原期限办理。")
        return redirect("outreach:rules")
    rules = selectors.current_rules()
    return render(
        request,
        "outreach/rules.html",
        {
            "rules": rules,
            "basis": ServiceRuleSet.objects.get(name="default").basis,
            "deadlines": [(key, label, rules.deadline_days[key]) for key, label in CATEGORY_LABELS.items()],
            "departments": selectors.departments(),
            "categories": CATEGORY_LABELS,
            "editable": request.user.is_city_admin,
        },
    )
