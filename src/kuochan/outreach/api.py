"""The 服务企业 API: tickets with their lights and timelines (raise, take a step, comment), visits, and
matchmaking events with their totals — the same scope, permissions and validation as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.core.api import Amount, Day, Id, Input, business_only, chosen, user_named
from kuochan.core.money import CENT
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.orgs.selectors import org_units
from kuochan.outreach import selectors, services
from kuochan.outreach.models import Event, FollowUp, Outcome, Participant, Ticket, Visit
from kuochan.outreach.rules import TicketVerdict
from kuochan.projects.rules import LIGHT_LABELS
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code

router = Router(tags=["服务企业"])


class TicketStepOut(Schema):
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
    steps: list[TicketStepOut]


class TicketIn(Input):
    uscc: str = Field("", max_length=40)
    category: str = Field(max_length=16)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=20000)
    visit_id: Id | None = None


class TicketActionIn(Input):
    action: str = Field(max_length=16)
    note: str = Field("", max_length=20000)
    department: str = Field("", max_length=64, description="承办部门代码")
    handler: str = Field("", max_length=150, description="承办人用户名")
    due_date: Day | None = None
    satisfaction: str = Field("", max_length=16)


class CommentIn(Input):
    text: str = Field(max_length=20000)


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


class FollowUpIn(Input):
    text: str = Field(max_length=200)
    owner: str = Field("", max_length=150, description="责任人用户名；不填为本人")
    due_date: Day


class VisitIn(Input):
    uscc: str = Field(max_length=40)
    date: Day
    purpose: str = Field(max_length=200)
    findings: str = Field("", max_length=20000)
    visitors: list[str] = Field([], max_length=50, description="走访人员的用户名")
    departments: list[str] = Field([], max_length=50, description="同去部门的代码")
    companions: str = Field("", max_length=200)
    tasks: list[FollowUpIn] = Field([], max_length=20, description="跟进事项")
    confirmed: bool = False


class VisitPatch(Input):
    date: Day = None
    purpose: str = Field(None, max_length=200)
    findings: str = Field(None, max_length=20000)


class FollowUpOut(Schema):
    id: int
    visit_id: int
    enterprise: str
    text: str
    owner: str
    due_date: dt.date
    done_on: dt.date | None
    done_note: str
    light: str
    light_label: str
    reason: str


class VisitDetailOut(VisitOut):
    companions: str
    tasks: list[FollowUpOut]
    tickets: list[str]


class DoneIn(Input):
    note: str = Field("", max_length=200)
    done_on: Day | None = None


class DepartmentOut(Schema):
    code: str
    name: str
    unit: str
    categories: list[str]


class TotalsRowOut(Schema):
    unit: str
    events: int
    enterprises: int
    orders_wan: Decimal
    financing_wan: Decimal


class TotalsOut(Schema):
    start: dt.date
    end: dt.date
    districts: list[TotalsRowOut]
    total: TotalsRowOut


class EventOut(Schema):
    id: int
    date: dt.date
    title: str
    kind: str
    unit: str
    organiser: str
    enterprises: int
    orders_wan: Decimal
    financing_wan: Decimal


class ParticipantOut(Schema):
    role: str
    name: str
    enterprise_id: int | None


class OutcomeOut(Schema):
    id: int
    kind: str
    uscc: str
    enterprise: str
    counterpart: str
    amount_wan: Decimal
    note: str


class EventDetailOut(Schema):
    id: int
    date: dt.date
    title: str
    kind: str
    kind_label: str
    unit: str
    organiser: str
    place: str
    note: str
    participants: list[ParticipantOut]
    outcomes: list[OutcomeOut]


class EventIn(Input):
    kind: Event.Kind
    title: str = Field(max_length=200)
    date: Day
    organiser: str = Field(max_length=200)
    place: str = Field("", max_length=200)
    note: str = Field("", max_length=20000)
    unit: Id | None = Field(None, description="举办层级的组织单位 id；不填为本单位")


class EventPatch(Input):
    kind: Event.Kind = None
    title: str = Field(None, max_length=200)
    date: Day = None
    organiser: str = Field(None, max_length=200)
    place: str = Field(None, max_length=200)
    note: str = Field(None, max_length=20000)


class ParticipantsIn(Input):
    role: Participant.Role
    names: list[str] = Field(max_length=500, description="名称或统一社会信用代码，一行一个")


class OutcomeIn(Input):
    kind: Outcome.Kind
    uscc: str = Field(max_length=40)
    amount_wan: Amount
    counterpart: str = Field("", max_length=200)
    note: str = Field("", max_length=200)


def _ticket_out(t: Ticket, verdict: TicketVerdict | None) -> dict[str, Any]:
    return {
        "id": t.pk, "number": t.number, "uscc": t.enterprise.uscc, "enterprise": t.enterprise.name,
        "district": t.district.name, "source": t.source, "category": t.category, "title": t.title,
        "description": t.description, "status": t.status, "status_label": t.get_status_display(),
        "department": t.department.name if t.department else None, "handler": t.handler.username if t.handler else None,
        "due_date": t.due_date, "light": verdict.light if verdict else None,
        "reasons": list(verdict.reasons) if verdict else [], "escalated": t.escalated_at is not None,
        "satisfaction": t.satisfaction, "resolution": t.resolution,
        "steps": [{**{k: getattr(s, k) for k in TicketStepOut.model_fields}} for s in t.steps.all()],
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
def ticket_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _tickets_out([selectors.ticket_get(actor=request.auth, pk=pk)])[0]


@router.post(
    "/tickets/{pk}/actions",
    response=TicketOut,
    summary="办理：会商研判、分类协调、开始办理、退回重新研判、办结、回访评价、重新办理",
)
def ticket_action(request: HttpRequest, pk: Id, data: TicketActionIn) -> dict[str, Any]:
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
def ticket_comment(request: HttpRequest, pk: Id, data: CommentIn) -> Status:
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
    request: HttpRequest, start: Day | None = None, end: Day | None = None
) -> list[dict[str, Any]]:
    found = selectors.visits(actor=request.auth)
    if start:
        found = found.filter(date__gte=start)
    if end:
        found = found.filter(date__lte=end)
    return [_visit_out(v) for v in found]


def _task(task: FollowUpIn, actor: Any) -> services.TaskInput:
    return services.TaskInput(task.text, user_named(task.owner, actor, "tasks"), task.due_date)


def _followups(found: list[FollowUp]) -> list[dict[str, Any]]:
    rows = selectors.with_task_lights(found, as_of=timezone.localdate(), rules=selectors.current_rules())
    return [
        {"id": t.pk, "visit_id": t.visit_id, "enterprise": t.visit.enterprise.name, "text": t.text,
         "owner": t.owner.get_username(), "due_date": t.due_date, "done_on": t.done_on, "done_note": t.done_note,
         "light": light, "light_label": LIGHT_LABELS[light], "reason": reason}
        for t, light, reason in rows
    ]  # fmt: skip


def _visit_detail(visit: Visit) -> dict[str, Any]:
    tasks = list(visit.tasks.select_related("owner", "visit__enterprise"))
    return {
        **_visit_out(visit), "companions": visit.companions, "tasks": _followups(tasks),
        "tickets": [t.number for t in visit.tickets.all()],
    }  # fmt: skip


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
        companions=data.companions, tasks=[_task(task, actor) for task in data.tasks], confirmed=data.confirmed,
    )  # fmt: skip
    return Status(201, _visit_out(visit))


@router.get("/visits/{pk}", response=VisitDetailOut, summary="一次走访：跟进事项及亮灯、由此登记的诉求")
def visit_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _visit_detail(selectors.visit_get(actor=request.auth, pk=pk))


@router.patch("/visits/{pk}", response=VisitDetailOut, summary="修改走访：补记了解情况，或更正日期、目的")
def visit_update(request: HttpRequest, pk: Id, data: VisitPatch) -> dict[str, Any]:
    visit = selectors.visit_get(actor=request.auth, pk=pk)
    values = {"date": visit.date, "purpose": visit.purpose, "findings": visit.findings}
    services.visit_update(
        actor=request.auth, source=Source.API, visit=visit, **{**values, **data.dict(exclude_unset=True)}
    )
    return _visit_detail(selectors.visit_get(actor=request.auth, pk=pk))


@router.post("/visits/{pk}/tasks", response={201: FollowUpOut}, summary="为走访添加跟进事项")
def followup_add(request: HttpRequest, pk: Id, data: FollowUpIn) -> Status:
    visit = selectors.visit_get(actor=request.auth, pk=pk)
    made = services.followup_add(
        actor=request.auth, source=Source.API, visit=visit, task=_task(data, request.auth)
    )
    return Status(201, _followups([made])[0])


@router.get(
    "/tasks",
    response=list[FollowUpOut],
    summary="走访跟进事项及亮灯（mine=true 只看我的，open=false 含已完成）",
)
@paginate
def followup_list(request: HttpRequest, mine: bool = False, open: bool = True) -> list[dict[str, Any]]:
    found = selectors.followups(actor=request.auth)
    if mine:
        found = found.filter(owner=request.auth)
    if open:
        found = found.filter(done_on__isnull=True)
    return _followups(list(found.order_by("done_on", "due_date", "id")[:2000]))


@router.post("/tasks/{pk}/done", response=FollowUpOut, summary="完成跟进事项（责任人或属地工作人员）")
def followup_done(request: HttpRequest, pk: Id, data: DoneIn) -> dict[str, Any]:
    followup = get_scoped_or_404(selectors.followups(actor=request.auth), request.auth, pk=pk)
    done = services.followup_done(
        actor=request.auth, source=Source.API, followup=followup, note=data.note, done_on=data.done_on
    )
    return _followups([done])[0]


@router.get("/departments", response=list[DepartmentOut], summary="诉求承办部门及其负责的诉求类别")
def department_list(request: HttpRequest) -> list[dict[str, Any]]:
    business_only(request.auth)
    return [
        {"code": d.code, "name": d.name, "unit": d.unit.name, "categories": list(d.categories)}
        for d in selectors.departments()
    ]


def _events(request: HttpRequest) -> Any:
    if request.auth.is_enterprise_user:
        raise Http404
    return selectors.events(actor=request.auth)


def _event_detail(event: Event, actor: User) -> dict[str, Any]:
    """An event with its participants and outcomes; a participant's link to an enterprise outside the actor's
    scope is not shown."""
    participants = list(event.participants.all())
    linked = scoped(Enterprise.objects.filter(pk__in={p.enterprise_id for p in participants}), actor)
    visible = set(linked.values_list("pk", flat=True))
    return {
        **{name: getattr(event, name) for name in ("id", "date", "title", "kind", "organiser", "place", "note")},
        "kind_label": event.get_kind_display(), "unit": event.unit.name,
        "participants": [
            {"role": p.role, "name": p.name, "enterprise_id": p.enterprise_id if p.enterprise_id in visible else None}
            for p in participants
        ],
        "outcomes": [
            {"id": o.pk, "kind": o.kind, "uscc": o.enterprise.uscc, "enterprise": o.enterprise.name,
             "counterpart": o.counterpart, "amount_wan": o.amount_wan, "note": o.note}
            for o in event.outcomes.select_related("enterprise")
        ],
    }  # fmt: skip


@router.get(
    "/events/totals", response=TotalsOut, summary="供需对接汇总：活动场次、参与企业、订单与融资（按区县）"
)
def event_totals(request: HttpRequest, start: Day, end: Day) -> dict[str, Any]:
    rows, total = selectors.event_totals(actor=request.auth, start=start, end=end)

    def out(t: selectors.EventTotals) -> dict[str, Any]:
        return {"unit": t.unit, "events": t.events, "enterprises": t.enterprises,
                "orders_wan": t.orders_wan.quantize(CENT), "financing_wan": t.financing_wan.quantize(CENT)}  # fmt: skip

    return {"start": start, "end": end, "districts": [out(r) for r in rows], "total": out(total)}


@router.get("/events", response=list[EventOut], summary="供需对接活动及成果（数据范围内）")
def event_list(
    request: HttpRequest, start: Day | None = None, end: Day | None = None
) -> list[dict[str, Any]]:
    found = _events(request)
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


@router.post(
    "/events", response={201: EventDetailOut}, summary="登记供需对接活动（本单位或数据范围内的单位）"
)
def event_create(request: HttpRequest, data: EventIn) -> Status:
    actor = request.auth
    unit = chosen(org_units(actor=actor), data.unit, "unit", "请选择您数据范围内的单位。") or actor.org_unit
    if unit is None:
        raise ValidationError({"unit": "您的账号尚未关联单位。"})
    event = services.event_save(actor=actor, source=Source.API, unit=unit, **data.dict(exclude={"unit"}))
    return Status(201, _event_detail(event, request.auth))


@router.get("/events/{pk}", response=EventDetailOut, summary="一场活动：参加单位和对接成果")
def event_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    _events(request)
    return _event_detail(selectors.event_get(actor=request.auth, pk=pk), request.auth)


@router.patch("/events/{pk}", response=EventDetailOut, summary="修改活动（只改请求中给出的字段）")
def event_update(request: HttpRequest, pk: Id, data: EventPatch) -> dict[str, Any]:
    _events(request)
    event = selectors.event_get(actor=request.auth, pk=pk)
    current = {name: getattr(event, name) for name in services.EVENT_FIELDS}
    event = services.event_save(
        actor=request.auth, source=Source.API, unit=event.unit, event=event,
        **{**current, **data.dict(exclude_unset=True)},
    )  # fmt: skip
    return _event_detail(event, request.auth)


@router.post(
    "/events/{pk}/participants", response=EventDetailOut, summary="添加参加单位（名称或统一社会信用代码）"
)
def participants_add(request: HttpRequest, pk: Id, data: ParticipantsIn) -> dict[str, Any]:
    _events(request)
    event = selectors.event_get(actor=request.auth, pk=pk)
    services.participants_add(
        actor=request.auth, source=Source.API, event=event, role=data.role, names=data.names
    )
    return _event_detail(event, request.auth)


@router.post(
    "/events/{pk}/outcomes", response={201: EventDetailOut}, summary="添加对接成果：签约订单或融资（万元）"
)
def outcome_add(request: HttpRequest, pk: Id, data: OutcomeIn) -> Status:
    _events(request)
    event = selectors.event_get(actor=request.auth, pk=pk)
    services.outcome_add(
        actor=request.auth, source=Source.API, event=event, kind=data.kind,
        enterprise=_enterprise(request.auth, data.uscc), amount_wan=data.amount_wan,
        counterpart=data.counterpart, note=data.note,
    )  # fmt: skip
    return Status(201, _event_detail(event, request.auth))
