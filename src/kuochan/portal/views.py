"""The enterprise portal: the enterprise contact's own pages — 我的待办, 我的项目, 我的诉求, 政策, 我的申报,
我的评价 — each showing only the user's own enterprise, through the modules' selectors and services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.files import upload_content
from kuochan.core.forms import filter_values, form_refusal, page_of, refusal
from kuochan.cultivation.selectors import enterprise_ladders
from kuochan.outreach import selectors as outreach_selectors
from kuochan.outreach import services as outreach_services
from kuochan.outreach.rules import CATEGORY_LABELS, RESOLVED, SATISFACTION_LABELS, STATUS_LABELS
from kuochan.policies.rules import ELIGIBLE, NOT_ELIGIBLE, PENDING, UNKNOWN
from kuochan.portal import forms, selectors
from kuochan.projects import selectors as project_selectors


def enterprise_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The portal is the enterprise contact's; staff have the modules. An enterprise account not yet linked
    to its enterprise sees why its pages are empty."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_enterprise_user:
            raise PermissionDenied("企业服务页面仅供企业用户使用。")
        if not request.user.enterprise_id:
            return render(request, "portal/unlinked.html")
        return view(request, *args, **kwargs)

    return wrapped


@enterprise_only
def home(request: HttpRequest) -> HttpResponse:
    """我的待办: what the enterprise must do now, most urgent first."""
    today = timezone.localdate()
    return render(
        request,
        "portal/home.html",
        {
            "items": selectors.todo(user=request.user, today=today),
            "outlook": selectors.outlook(user=request.user),
            "today": today,
        },
    )


@enterprise_only
def projects(request: HttpRequest) -> HttpResponse:
    """我的项目: each with this month's report, and the way to report it."""
    today = timezone.localdate()
    rows = selectors.project_rows(user=request.user, today=today)
    return render(
        request,
        "portal/projects.html",
        {
            "page": page_of(request, rows),
            "month": selectors.report_month(today),
            "due": selectors.report_due(today),
            "late": today > selectors.report_due(today),
            "query": "",
        },
    )


@enterprise_only
def tickets(request: HttpRequest) -> HttpResponse:
    """我的诉求: awaiting the enterprise's evaluation first, then open, then closed."""
    _, params = filter_values(request, forms.TicketFilter)
    found = selectors.tickets(user=request.user)
    if params["status"]:
        found = found.filter(status=params["status"])
    rows = sorted(found, key=lambda t: (t.status != RESOLVED, t.status == "closed", -t.pk))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/tickets.html",
        {
            "page": page_of(request, rows),
            "statuses": STATUS_LABELS,
            "status": params["status"],
            "query": query.urlencode(),
        },
    )


def _attach(request: HttpRequest, ticket: Any, files: list) -> None:
    for upload in files:
        outreach_services.ticket_attachment_add(
            actor=request.user, source=Source.WEB, ticket=ticket, name=upload.name,
            content=upload_content(upload, outreach_services.MAX_ATTACHMENT_BYTES),
        )  # fmt: skip


@enterprise_only
def ticket_new(request: HttpRequest) -> HttpResponse:
    """提出诉求: with the project it holds up and files, all or nothing."""
    own_projects = list(project_selectors.projects(actor=request.user).order_by("code"))
    form = forms.TicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            data = form.cleaned_data
            project = next((p for p in own_projects if p.pk == data["project"]), None)
            if data["project"] and project is None:
                raise ValidationError("请选择本企业的项目。")
            with transaction.atomic():
                ticket = outreach_services.ticket_create(
                    actor=request.user, source=Source.WEB, enterprise=request.user.enterprise,
                    category=data["category"], title=data["title"], description=data["description"],
                    project=project,
                )  # fmt: skip
                _attach(request, ticket, data["files"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(
                request,
                f"您的诉求已受理，编号 {ticket.number}。属地服务人员将于 {ticket.due_date} 前研判并交有关部门办理。",
            )
            return redirect("portal:ticket", pk=ticket.pk)
    return render(
        request,
        "portal/ticket_new.html",
        {"projects": own_projects, "categories": CATEGORY_LABELS, "values": request.POST},
    )


@enterprise_only
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the enterprise's tickets: where it stands, the way so far, and its evaluation when resolved."""
    ticket = outreach_selectors.ticket_get(actor=request.user, pk=pk)
    if request.method == "POST":
        form = forms.TicketReplyForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            data = form.cleaned_data
            with transaction.atomic():
                if data["action"] == "comment":
                    if data["note"].strip() or not data["files"]:
                        outreach_services.ticket_comment(
                            actor=request.user, source=Source.WEB, ticket=ticket, text=data["note"]
                        )
                    _attach(request, ticket, data["files"])
                    done = "已留言。"
                else:
                    outreach_services.ticket_act(
                        actor=request.user, source=Source.WEB, ticket=ticket, action=data["action"],
                        note=data["note"], satisfaction=data["satisfaction"],
                    )  # fmt: skip
                    done = "感谢您的评价，诉求已结案。" if data["action"] == "review" else "已请求重新办理。"
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, done)
        return redirect("portal:ticket", pk=ticket.pk)
    return render(
        request,
        "portal/ticket.html",
        {
            "t": ticket,
            "steps": ticket.steps.all(),
            "attachments": ticket.attachments.all(),
            "satisfaction": SATISFACTION_LABELS,
            "evaluate": ticket.status == RESOLVED,
        },
    )


@enterprise_only
def policies(request: HttpRequest) -> HttpResponse:
    """政策: what the enterprise qualifies for, in plain words, and what would settle the rest."""
    chances = selectors.policy_chances(user=request.user, as_of=timezone.localdate())
    return render(
        request,
        "portal/policies.html",
        {
            "eligible": [c for c in chances if c.status == ELIGIBLE],
            "unknown": [c for c in chances if c.status == UNKNOWN],
            "not_eligible": [c for c in chances if c.status == NOT_ELIGIBLE],
            "placeholder_text": PENDING,
        },
    )


@enterprise_only
def applications(request: HttpRequest) -> HttpResponse:
    """我的申报: each application and its stage in words."""
    found = selectors.applications(user=request.user)
    page = page_of(request, found)
    return render(
        request,
        "portal/applications.html",
        {"page": page, "rows": [(a, selectors.stage_words(a)) for a in page], "query": ""},
    )


@enterprise_only
def evaluation(request: HttpRequest) -> HttpResponse:
    """我的评价: the latest class and carbon grade, what would raise them, and the years before; and the
    enterprise's place on the titles' ladders with what its next step lacks."""
    enterprise = selectors.own_enterprise(request.user)
    return render(
        request,
        "portal/evaluation.html",
        {
            "outlook": selectors.outlook(user=request.user),
            "history": selectors.evaluations(user=request.user),
            "ladders": enterprise_ladders(enterprise, timezone.localdate()) if enterprise else [],
        },
    )
