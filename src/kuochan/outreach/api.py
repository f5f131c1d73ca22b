"""The 服务企业 API: tickets with their lights and timelines (raise, take a step, comment), visits, and
matchmaking events with their totals — the same scope, permissions and validation as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.core.money import CENT
from kuochan.core.scope import scoped
from kuochan.outreach import selectors, services
from kuochan.outreach.models import Ticket, Visit
from kuochan.outreach.rules import TicketVerdict
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code

router = Router(tags=["服务企业"])


class StepOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    due_date: dt.date
    actor_name: str
    at: dt.datetime
    note: str


class TicketOut(Schema):
    id: int
    number: str
    uscc: str
    enterprise: str
    district: str
    source: str
    category: str
    title: str
    description: str
    status: str
    status_label: str
    department: str | None
    handler: str | None
    due_date: dt.date
    light: str | None
    reasons: list[str]
    escalated: bool
    satisfaction: str
    resolution: str
    steps: list[StepOut]


class TicketIn(Schema):
    uscc: str = ""
    category: str
    title: str
    description: str = ""
    visit_id: int | None = None


class TicketActionIn(Schema):
    action: str
    note: str = ""
    department: str = ""  # the department's code
    handler: str = ""  # the handler's username
    due_date: dt.date | None = None
    satisfaction: str = ""


class CommentIn(Schema):
    text: str


class VisitOut(Schema):
    id: int
    uscc: str
    enterprise: str
    district: str
    date: dt.date
    purpose: str
    findings: str
    visitors: list[str]
    departments: list[str]


class VisitIn(Schema):
    uscc: str
    date: dt.date
    purpose: str
    findings: str = ""
    visitors: list[str] = []  # usernames
    departments: list[str] = []  # codes
    companions: str = ""
    confirmed: bool = False


def _ticket_out(t: Ticket, verdict: TicketVerdict | None) -> dict[str, Any]:
    return {
        "id": t.pk, "number": t.number, "uscc": t.enterprise.uscc, "enterprise": t.enterprise.name,
        "district": t.district.name, "source": t.source, "category": t.category, "title": t.title,
        "description": t.description, "status": t.status, "status_label": t.get_status_display(),
        "department": t.department.name if t.department else None, "handler": t.handler.username if t.handler else None,
        "due_date": t.due_date, "light": verdict.light if verdict else None,
        "reasons": list(verdict.reasons) if verdict else [], "escalated": t.escalated_at is not None,
        "satisfaction": t.satisfaction, "resolution": t.resolution,
        "steps": [{**{k: getattr(s, k) for k in StepOut.model_fields}} for s in t.steps.all()],
    }  # fmt: skip


def _tickets_out(found: list[Ticket]) -> list[dict[str, Any]]:
    rows = selectors.with_lights(found, as_of=timezone.localdate(), rules=selectors.current_rules())
    return [_ticket_out(t, v) for t, v in rows]


def _enterprise(actor: User, uscc: str) -> Enterprise:
    enterprise = (
        scoped(Enterprise.objects.select_related("district"), actor).filter(uscc=normalise_code(uscc)).first()
    )
    if enterprise is None:
        raise Http404(f"数据范围内没有企业“{uscc}”。")
    return enterprise


@router.get("/tickets", response=list[TicketOut], summary="诉求（数据范围内；queue=true 为待我处理）")
def ticket_list(
    request: HttpRequest, status: str = "", category: str = "", queue: bool = False
) -> list[dict[str, Any]]:
    found = selectors.ticket_queue(actor=request.auth)[0] if queue else selectors.tickets(actor=request.auth)
    if status:
        found = found.filter(status=status)
    if category:
        found = found.filter(category=category)
    return _tickets_out(list(found.prefetch_related("steps")))


@router.post("/tickets", response={201: TicketOut}, summary="提出诉求（企业本身）或登记诉求（工作人员）")
def ticket_create(request: HttpRequest, data: TicketIn) -> Status:
    actor = request.auth
    visit = None
    if data.visit_id is not None:
        visit = scoped(Visit.objects.all(), actor).filter(pk=data.visit_id).first()
        if visit is None:
            raise Http404(f"数据范围内没有走访 {data.visit_id}。")
    if actor.is_enterprise_user:
        enterprise = Enterprise.objects.filter(pk=actor.enterprise_id).first()
        if enterprise is None:
            raise Http404("企业账号尚未关联企业。")
    else:
        enterprise = visit.enterprise if visit and not data.uscc else _enterprise(actor, data.uscc)
    ticket = services.ticket_create(
        actor=actor, source=Source.API, enterprise=enterprise, category=data.category, title=data.title,
        description=data.description, visit=visit,
    )  # fmt: skip
    return Status(201, _tickets_out([ticket])[0])


@router.get("/tickets/{pk}", response=TicketOut, summary="一件诉求及其办理记录")
def ticket_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _tickets_out([selectors.ticket_get(actor=request.auth, pk=pk)])[0]


@router.post(
    "/tickets/{pk}/actions",
    response=TicketOut,
    summary="办理：会商研判、分类协调、开始办理、退回重新研判、办结、回访评价、重新办理",
)
def ticket_action(request: HttpRequest, pk: int, data: TicketActionIn) -> dict[str, Any]:
    ticket = selectors.ticket_get(actor=request.auth, pk=pk)
    department = selectors.departments().filter(code=data.department).first() if data.department else None
    if data.department and department is None:
        raise Http404(f"没有承办部门“{data.department}”。")
    handler = User.objects.filter(username=data.handler).first() if data.handler else None
    if data.handler and handler is None:
        raise Http404(f"没有用户“{data.handler}”。")
    ticket = services.ticket_act(
        actor=request.auth, source=Source.API, ticket=ticket, action=data.action, note=data.note,
        department=department, handler=handler, due_date=data.due_date, satisfaction=data.satisfaction,
    )  # fmt: skip
    return _tickets_out([ticket])[0]


@router.post("/tickets/{pk}/comments", response={201: TicketOut}, summary="留言")
def ticket_comment(request: HttpRequest, pk: int, data: CommentIn) -> Status:
    ticket = selectors.ticket_get(actor=request.auth, pk=pk)
    services.ticket_comment(actor=request.auth, source=Source.API, ticket=ticket, text=data.text)
    return Status(201, _tickets_out([ticket])[0])


def _visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk, "uscc": v.enterprise.uscc, "enterprise": v.enterprise.name, "district": v.district.name,
        "date": v.date, "purpose": v.purpose, "findings": v.findings,
        "visitors": [u.username for u in v.visitors.all()], "departments": [d.code for d in v.departments.all()],
    }  # fmt: skip


@router.get("/visits", response=list[VisitOut], summary="走访记录（数据范围内）")
def visit_list(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    found = selectors.visits(actor=request.auth)
    if start:
        found = found.filter(date__gte=start)
    if end:
        found = found.filter(date__lte=end)
    return [_visit_out(v) for v in found]


@router.post(
    "/visits",
    response={201: VisitOut},
    summary="登记走访；30 天内已有走访时返回 422 及提醒，确认后以 confirmed=true 再提交",
)
def visit_create(request: HttpRequest, data: VisitIn) -> Status:
    actor = request.auth
    visitors = list(User.objects.filter(username__in=data.visitors))
    if unknown := set(data.visitors) - {u.username for u in visitors}:
        raise Http404(f"没有用户：{'、'.join(sorted(unknown))}。")
    departments = list(selectors.departments().filter(code__in=data.departments))
    visit = services.visit_create(
        actor=actor, source=Source.API, enterprise=_enterprise(actor, data.uscc), date=data.date,
        purpose=data.purpose, findings=data.findings, visitors=visitors, departments=departments,
        companions=data.companions, confirmed=data.confirmed,
    )  # fmt: skip
    return Status(201, _visit_out(visit))


@router.get("/events/totals", summary="供需对接汇总：活动场次、参与企业、订单与融资（按区县）")
def event_totals(request: HttpRequest, start: dt.date, end: dt.date) -> dict[str, Any]:
    rows, total = selectors.event_totals(actor=request.auth, start=start, end=end)

    def out(t: selectors.EventTotals) -> dict[str, Any]:
        return {"unit": t.unit, "events": t.events, "enterprises": t.enterprises,
                "orders_wan": t.orders_wan.quantize(CENT), "financing_wan": t.financing_wan.quantize(CENT)}  # fmt: skip

    return {"start": start, "end": end, "districts": [out(r) for r in rows], "total": out(total)}


@router.get("/events", summary="供需对接活动及成果（数据范围内）")
def event_list(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    found = selectors.events(actor=request.auth)
    if start:
        found = found.filter(date__gte=start)
    if end:
        found = found.filter(date__lte=end)
    return [
        {"id": e.pk, "date": e.date, "title": e.title, "kind": e.kind, "unit": e.unit.name, "organiser": e.organiser,
         "enterprises": e.enterprises, "orders_wan": (e.orders_wan or Decimal(0)).quantize(CENT),
         "financing_wan": (e.financing_wan or Decimal(0)).quantize(CENT)}
        for e in found
    ]  # fmt: skip
