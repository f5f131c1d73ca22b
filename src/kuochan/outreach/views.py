"""Pages of 服务企业: the ticket queue and list with lights, a ticket's timeline and its next steps, the visit
log, the shared calendar, follow-up tasks, matchmaking events with their totals, and the timers. Every list
exports what it shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.forms import chosen, filter_values, form_refusal, page_of, refusal
from kuochan.core.scope import scoped
from kuochan.orgs.models import OrgUnit
from kuochan.outreach import forms, selectors, services
from kuochan.outreach.models import Event, Outcome, Participant, ServiceRuleSet
from kuochan.outreach.rules import (
    CATEGORY_LABELS,
    OPEN_STATUSES,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    allowed_actions,
)
from kuochan.projects.rules import LIGHT_LABELS
from kuochan.registry.rules import normalise_code
from kuochan.web.exports import xlsx_response

TICKET_HEADERS = [
    "诉求编号", "企业名称", "统一社会信用代码", "所属区县", "类别", "诉求事项", "来源", "状态", "承办部门", "承办人",
    "期限", "亮灯", "亮灯原因", "升级至市级", "满意度", "提出时间",
]  # fmt: skip


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()


# Tickets --------------------------------------------------------------------------------------------


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    """Tickets in scope with their lights as of a date; 待我处理 is the queue of the actor's part."""
    _, params = filter_values(request, forms.TicketFilter, actor=request.user)
    as_of = params["as_of"] or timezone.localdate()
    queue_label = ""
    if params["queue"]:
        found, queue_label = selectors.ticket_queue(actor=request.user)
    else:
        found = selectors.tickets(actor=request.user)
    if params["status"]:
        found = found.filter(status=params["status"])
    if params["category"]:
        found = found.filter(category=params["category"])
    if params["district"]:
        found = found.filter(district__path__startswith=params["district"].path)
    if params["escalated"]:
        found = found.filter(escalated_at__isnull=False)
    if params["open"]:
        found = found.filter(status__in=OPEN_STATUSES)
    rules = selectors.current_rules()
    found = selectors.most_urgent_first(found)
    light = params["light"]
    if light:
        # the light is computed, not stored: the ids of that colour, most urgent first, then only a page is
        # loaded
        verdicts = selectors.lights_of(found.values("pk"), as_of=as_of, rules=rules)
        of_colour = {pk for pk, v in verdicts.items() if v.light == light}
        chosen = [pk for pk in found.values_list("pk", flat=True) if pk in of_colour]
    else:
        chosen = None
    if params["export"] == "xlsx":
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
    page = page_of(request, found if chosen is None else chosen)
    on_page = (
        list(page)
        if chosen is None
        else sorted(found.filter(pk__in=list(page)), key=lambda t: chosen.index(t.pk))
    )
    shown = selectors.with_lights(on_page, as_of=as_of, rules=rules)
    return render(
        request,
        "outreach/tickets.html",
        {
            "page": page,
            "rows": shown,
            "filters": request.GET,
            "as_of": as_of,
            "statuses": STATUS_LABELS,
            "categories": CATEGORY_LABELS,
            "lights": LIGHT_LABELS,
            "districts": forms.districts(request.user),
            "queue": bool(params["queue"]),
            "queue_label": queue_label,
            "query": _query(request),
        },
    )


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    """诉求登记: an enterprise for itself; staff for an enterprise in scope, perhaps from a visit."""
    user = request.user
    if not user.is_enterprise_user and not user.can_edit:
        raise PermissionDenied("只读账号不能登记诉求。")
    _, prefill = filter_values(request, forms.PrefillQuery)
    form = forms.TicketForm(request.POST if request.method == "POST" else None)
    visit_id = (form.cleaned_data.get("visit") if form.is_valid() else None) or prefill["visit"]
    visit = selectors.visit_get(actor=user, pk=visit_id) if visit_id and not user.is_enterprise_user else None
    if request.method == "POST" and not form.is_valid():
        messages.error(request, form_refusal(form))
    elif request.method == "POST":
        data = form.cleaned_data
        try:
            if user.is_enterprise_user:
                if not user.enterprise_id:
                    raise ValidationError("企业账号尚未关联企业，请联系管理员。")
                enterprise = user.enterprise
            else:
                enterprise = visit.enterprise if visit else forms.scoped_enterprise(user, data["enterprise"])
            ticket = services.ticket_create(
                actor=user, source=Source.WEB, enterprise=enterprise, category=data["category"],
                title=data["title"], description=data["description"], visit=visit,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            if user.is_enterprise_user:
                messages.success(
                    request, f"您的诉求 {ticket.number} 已提交，我们将于 {ticket.due_date} 前办理答复。"
                )
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
            "enterprise": prefill["enterprise"],
        },
    )


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket: what was raised, its light, the timeline, comments, and the steps the actor may take."""
    ticket = selectors.ticket_get(actor=request.user, pk=pk)
    if request.method == "POST":
        form = forms.TicketStepForm(request.POST, actor=request.user)
        if not form.is_valid():
            messages.error(request, form_refusal(form))
            return redirect(ticket.get_absolute_url())
        data = form.cleaned_data
        action = data["action"]
        try:
            if action == "comment":
                services.ticket_comment(
                    actor=request.user, source=Source.WEB, ticket=ticket, text=data["text"]
                )
                messages.success(request, "已留言。")
            else:
                services.ticket_act(
                    actor=request.user, source=Source.WEB, ticket=ticket, action=action, note=data["note"],
                    department=data["department"], handler=data["handler"], due_date=data["due_date"],
                    satisfaction=data["satisfaction"],
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
            "handlers": forms.staff_choices(request.user) if "assign" in dict(actions) else [],
            "default_due": ticket.due_date if ticket.status != "consulting" else None,
            "satisfaction": SATISFACTION_LABELS,
            "deadline_days": rules.deadline_days[ticket.category],
        },
    )


@login_required
def ticket_attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.ticket_attachment_get(actor=request.user, pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


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
    _, params = filter_values(request, forms.VisitFilter, actor=request.user)
    found = selectors.visits(actor=request.user).prefetch_related("tasks", "visitors__org_unit")
    if params["start"]:
        found = found.filter(date__gte=params["start"])
    if params["end"]:
        found = found.filter(date__lte=params["end"])
    if params["district"]:
        found = found.filter(district__path__startswith=params["district"].path)
    if params["q"]:
        found = found.filter(
            Q(enterprise__name__contains=params["q"]) | Q(enterprise__uscc=normalise_code(params["q"]))
        )
    if params["export"] == "xlsx":
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
            "page": page_of(request, found),
            "filters": request.GET,
            "districts": forms.districts(request.user),
            "query": _query(request),
            "today": timezone.localdate(),
        },
    )


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """走访登记 (or a planned visit). Another visit to the same enterprise within the window is shown as a
    warning; the user saves anyway only by confirming."""
    user = request.user
    if not user.can_edit:
        raise PermissionDenied("只读账号不能登记走访。")
    warnings: list[str] = []
    departments = list(selectors.departments())
    form = forms.VisitForm(request.POST if request.method == "POST" else None, actor=user)
    if request.method == "POST" and not form.is_valid():
        messages.error(request, form_refusal(form))
    elif request.method == "POST":
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                actor=user, source=Source.WEB, enterprise=forms.scoped_enterprise(user, data["enterprise"]),
                date=data["date"], purpose=data["purpose"], findings=data["findings"],
                visitors=list(data["visitors"]), departments=list(data["departments"]),
                companions=data["companions"], tasks=form.tasks(), confirmed=data["confirmed"],
            )  # fmt: skip
        except services.DuplicateVisit as exc:
            warnings = exc.warnings
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已登记 {visit.date} 对{visit.enterprise.name}的走访。")
            return redirect(visit.get_absolute_url())
    values = request.POST if request.method == "POST" else filter_values(request, forms.PrefillQuery)[1]
    return render(
        request,
        "outreach/visit_new.html",
        {
            "values": values,
            "chosen_visitors": request.POST.getlist("visitors")
            if request.method == "POST"
            else [str(user.pk)],
            "chosen_departments": request.POST.getlist("departments"),
            "staff": forms.staff_choices(user),
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
        form = forms.VisitStepForm(request.POST, actor=request.user)
        if not form.is_valid():
            messages.error(request, form_refusal(form))
            return redirect(visit.get_absolute_url())
        data = form.cleaned_data
        try:
            if data["action"] == "task":
                services.followup_add(
                    actor=request.user, source=Source.WEB, visit=visit, task=form.tasks()[0]
                )
                messages.success(request, "已添加跟进事项。")
            elif data["action"] == "done":
                followup = visit.tasks.filter(pk=data["task"]).first()
                if followup is None:
                    raise Http404
                services.followup_done(
                    actor=request.user, source=Source.WEB, followup=followup, note=data["note"]
                )
                messages.success(request, f"已完成“{followup.text}”。")
            else:
                services.visit_update(
                    actor=request.user, source=Source.WEB, visit=visit, date=data["date"], purpose=data["purpose"],
                    findings=data["findings"],
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
            "staff": forms.staff_choices(request.user),
            "lights": LIGHT_LABELS,
        },
    )


@login_required
def visit_calendar(request: HttpRequest) -> HttpResponse:
    """The shared calendar: every visit made or planned in scope, by day, per district."""
    _, params = filter_values(request, forms.CalendarFilter, actor=request.user)
    month = params["month"] or timezone.localdate().replace(day=1)
    district = params["district"]
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
            "districts": forms.districts(request.user),
        },
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    """Follow-up tasks in scope (or only mine), open first, with lights."""
    _, params = filter_values(request, forms.TaskFilter)
    found = selectors.followups(actor=request.user)
    if params["mine"]:
        found = found.filter(owner=request.user)
    if params["open"]:
        found = found.filter(done_on__isnull=True)
    rules = selectors.current_rules()
    today = params["as_of"] or timezone.localdate()
    if params["due"]:
        found = found.filter(pk__in=selectors.followups_due(actor=request.user, as_of=today, rules=rules))
    found = selectors.open_tasks_first(found)
    if params["export"] == "xlsx":
        rows = selectors.with_task_lights(list(found), as_of=today, rules=rules)
        return xlsx_response(
            "走访跟进事项",
            ["企业名称", "走访日期", "事项", "责任人", "完成期限", "亮灯", "说明", "完成日期", "完成情况"],
            ([t.visit.enterprise.name, t.visit.date, t.text, str(t.owner), t.due_date, LIGHT_LABELS[light], reason,
              t.done_on, t.done_note] for t, light, reason in rows),
        )  # fmt: skip
    page = page_of(request, found)
    return render(
        request,
        "outreach/tasks.html",
        {
            "page": page,
            "rows": selectors.with_task_lights(list(page), as_of=today, rules=rules),
            "filters": request.GET,
            "query": _query(request),
        },
    )


# Matchmaking ----------------------------------------------------------------------------------------


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Events of a period with their outcomes, and the totals by district as the yearly summary gives them."""
    if request.user.is_enterprise_user:
        raise Http404
    _, params = filter_values(request, forms.EventFilter)
    today = timezone.localdate()
    start = params["start"] or today.replace(month=1, day=1)
    end = params["end"] or today.replace(month=12, day=31)
    found = selectors.events(actor=request.user).filter(date__range=(start, end))
    if params["kind"]:
        found = found.filter(kind=params["kind"])
    totals, total = selectors.event_totals(actor=request.user, start=start, end=end)
    if params["export"] == "xlsx":
        return xlsx_response(
            f"供需对接{start}至{end}",
            ["日期", "活动名称", "类型", "举办层级", "主办单位", "参加企业（家）", "签约订单（万元）", "融资（万元）"],
            ([e.date, e.title, e.get_kind_display(), e.unit.name, e.organiser, e.enterprises, e.orders_wan or 0,
              e.financing_wan or 0] for e in found),
        )  # fmt: skip
    if params["export"] == "totals":
        return xlsx_response(
            f"供需对接汇总{start}至{end}",
            ["区县", "活动（场）", "参加企业（家）", "签约订单（亿元）", "融资（亿元）"],
            ([t.unit, t.events, t.enterprises, t.orders_yi, t.financing_yi] for t in [*totals, total]),
        )
    return render(
        request,
        "outreach/events.html",
        {
            "page": page_of(request, found),
            "totals": totals,
            "total": total,
            "start": start,
            "end": end,
            "kinds": Event.Kind.choices,
            "filters": request.GET,
            "query": _query(request),
        },
    )


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.can_edit or user.org_unit_id is None:
        raise PermissionDenied("只读账号不能登记供需对接活动。")
    units = scoped(OrgUnit.objects.filter(depth__lte=user.org_unit.depth + 1), user).order_by("path")
    form = forms.EventForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and not form.is_valid():
        messages.error(request, form_refusal(form))
    elif request.method == "POST":
        unit = form.cleaned_data["unit"] or user.org_unit
        try:
            event = services.event_save(actor=user, source=Source.WEB, unit=unit, **form.event_values())
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
        action = chosen(request.POST, "action", ["participants", "outcome"])  # else: the event itself
        form = {"participants": forms.ParticipantsForm, "outcome": forms.OutcomeForm}.get(
            action, forms.EventForm
        )(request.POST)
        if not form.is_valid():
            messages.error(request, form_refusal(form))
            return redirect(event.get_absolute_url())
        data = form.cleaned_data
        try:
            if action == "participants":
                added = services.participants_add(
                    actor=request.user, source=Source.WEB, event=event, role=data["role"],
                    names=data["names"].splitlines(),
                )  # fmt: skip
                messages.success(request, f"已添加 {added} 个参加单位。")
            elif action == "outcome":
                services.outcome_add(
                    actor=request.user, source=Source.WEB, event=event, kind=data["kind"],
                    enterprise=forms.scoped_enterprise(request.user, data["enterprise"]),
                    amount_wan=data["amount_wan"], counterpart=data["counterpart"], note=data["note"],
                )  # fmt: skip
                messages.success(request, "已添加对接成果。")
            else:
                services.event_save(
                    actor=request.user, source=Source.WEB, unit=event.unit, event=event, **form.event_values()
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


@login_required
def service_rules(request: HttpRequest) -> HttpResponse:
    """The timers and departments; city admins edit the timers."""
    if request.method == "POST":
        form = forms.ServiceRulesForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            services.service_rules_update(actor=request.user, source=Source.WEB, **form.rule_values())
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
