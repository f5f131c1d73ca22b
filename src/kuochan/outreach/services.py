"""Writes of 服务企业: visits and their follow-up tasks, tickets along their closed loop with comments, the daily
sweep that escalates overdue tickets and sends reminders, matchmaking events with participants and outcomes,
and the timers. Every write is one audited transaction; a refused one changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kuochan.accounts.services import user_or_none
from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.core.files import DOCUMENTS, plain_name, upload_problem
from kuochan.core.money import money_problem
from kuochan.core.scope import OUT_OF_SCOPE, ensure_in_scope, path_in_scope, scoped
from kuochan.notifications.models import Notification
from kuochan.notifications.services import notification_queue
from kuochan.orgs.models import OrgKind, OrgUnit
from kuochan.orgs.services import LoadResult
from kuochan.outreach import selectors
from kuochan.outreach.models import (
    Department,
    Event,
    FollowUp,
    Outcome,
    Participant,
    ServiceRuleSet,
    Ticket,
    TicketAttachment,
    TicketStep,
    Visit,
)
from kuochan.outreach.rules import (
    CATEGORY_LABELS,
    CLOSED,
    ENTERPRISE,
    HANDLER,
    OPEN_STATUSES,
    SATISFACTION_LABELS,
    STAFF,
    TRANSITIONS,
    duplicate_visits,
    handling_due,
    task_light,
    ticket_lights,
    transition_refusal,
    triage_due,
)
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code

RULE_FIELDS = (
    "triage_days",
    "deadline_days",
    "due_soon_days",
    "escalate_after_days",
    "visit_window_days",
    "basis",
)
TICKET_FIELDS = (
    "status",
    "department",
    "handler",
    "due_date",
    "escalated_at",
    "satisfaction",
    "resolution",
    "reopened",
)


def _staff_in_scope(actor: Any, district: OrgUnit) -> bool:
    return actor is not None and actor.can_edit and path_in_scope(district.path, actor)


def _require_staff(actor: Any, district: OrgUnit, message: str) -> None:
    if not _staff_in_scope(actor, district):
        raise PermissionDenied(message)


# Timers and departments ----------------------------------------------------------------------------


def _rule_problems(values: dict[str, Any]) -> dict[str, str]:
    errors = {}
    for name, low, high in (
        ("triage_days", 1, 60), ("due_soon_days", 0, 30), ("escalate_after_days", 0, 90), ("visit_window_days", 0, 365),
    ):  # fmt: skip
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = (
                f"{ServiceRuleSet._meta.get_field(name).verbose_name}应为 {low} 到 {high} 的整数，收到“{value}”。"
            )
    days = values.get("deadline_days")
    if (
        not isinstance(days, dict)
        or set(days) != set(CATEGORY_LABELS)
        or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 365 for v in days.values())
    ):
        names = "、".join(CATEGORY_LABELS.values())
        errors["deadline_days"] = f"各类诉求（{names}）的办理时限都应为 1 到 365 天的整数。"
    return errors


def service_rules_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """The shipped timers and departments, loaded once: what city admins have changed is left as it is."""
    result = LoadResult()
    with transaction.atomic():
        if ServiceRuleSet.objects.filter(name="default").exists():
            result.unchanged += 1
        else:
            values = {name: data[name] for name in RULE_FIELDS}
            if problems := _rule_problems(values):
                raise ValidationError(list(problems.values()))
            rules = ServiceRuleSet.objects.create(name="default", **values)
            audit_record(actor=None, source=source, action=Action.CREATE, obj=rules, after=snapshot(rules))
            result.created += 1
        # the city's departments (市经信局…): a department without a unit of its own belongs to the data set's
        # city, not to the province above it
        top = (
            OrgUnit.objects.filter(kind=OrgKind.CITY).order_by("path").first()
            or OrgUnit.objects.order_by("depth", "id").first()
        )
        existing = set(Department.objects.values_list("code", flat=True))
        for order, item in enumerate(data.get("departments", []), start=1):
            if item["code"] in existing:
                result.unchanged += 1
                continue
            unit = OrgUnit.objects.get(code=item["unit"]) if item.get("unit") else top
            department = Department.objects.create(
                code=item["code"], name=item["name"], unit=unit, categories=item.get("categories", []),
                sort_order=order,
            )  # fmt: skip
            audit_record(
                actor=None, source=source, action=Action.CREATE, obj=department, after=snapshot(department)
            )
            result.created += 1
    return result


@transaction.atomic
def service_rules_update(*, actor: Any, source: Source, **values: Any) -> ServiceRuleSet:
    """City admins change the timers; tickets already assigned keep the deadline they were given."""
    if actor is None or not actor.is_city_admin:
        raise PermissionDenied("只有市级管理员可以修改服务时限规则。")
    rules = ServiceRuleSet.objects.select_for_update().get(name="default")
    before = snapshot(rules)
    merged = {name: getattr(rules, name) for name in RULE_FIELDS} | values
    if problems := _rule_problems(merged):
        raise ValidationError(problems)
    for name in RULE_FIELDS:
        setattr(rules, name, merged[name])
    rules.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=rules, before=before, after=snapshot(rules)
    )
    return rules


# Visits ---------------------------------------------------------------------------------------------


class DuplicateVisit(ValidationError):
    """Other visits to the enterprise fall in the warning window; saving needs the user's confirmation."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(warnings, code="duplicate")
        self.warnings = warnings


@dataclass(frozen=True)
class TaskInput:
    text: str
    owner: Any
    due_date: dt.date


def _task_problems(tasks: Sequence[TaskInput], district: OrgUnit, visit_date: dt.date) -> list[str]:
    problems = []
    for n, task in enumerate(tasks, start=1):
        if not task.text.strip():
            problems.append(f"第 {n} 项跟进事项：请写明事项内容。")
        owner = task.owner
        if owner is None or not owner.can_edit or not path_in_scope(district.path, owner):
            problems.append(
                f"第 {n} 项跟进事项：责任人应为能看到该企业的在岗工作人员，收到“{owner or '空'}”。"
            )
        if task.due_date < visit_date:
            problems.append(f"第 {n} 项跟进事项：完成期限 {task.due_date} 早于走访日期 {visit_date}。")
    return problems


def _visit_problems(date: dt.date, purpose: str, today: dt.date) -> dict[str, str]:
    errors = {}
    if not purpose.strip():
        errors["purpose"] = "请写明走访目的。"
    if date > today + dt.timedelta(days=366):
        errors["date"] = f"走访日期 {date} 超过一年以后，请核对。"
    return errors


@transaction.atomic
def visit_create(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    date: dt.date,
    purpose: str,
    findings: str = "",
    visitors: Sequence[Any] = (),
    departments: Sequence[Department] = (),
    companions: str = "",
    tasks: Sequence[TaskInput] = (),
    confirmed: bool = False,
) -> Visit:
    """A visit made or planned. Another visit to the same enterprise within the window raises DuplicateVisit
    with the warnings, unless the user has seen them and confirmed."""
    enterprise = Enterprise.objects.select_related("district").get(pk=enterprise.pk)
    _require_staff(actor, enterprise.district, "只能登记您数据范围内企业的走访。")
    errors = _visit_problems(date, purpose, timezone.localdate())
    if problems := _task_problems(tasks, enterprise.district, date):
        errors["tasks"] = "；".join(problems)
    if errors:
        raise ValidationError(errors)
    rules = selectors.current_rules()
    # a visit registered at the same moment for the same enterprise waits here, then sees this one
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).exists()
    warnings = duplicate_visits(date, selectors.other_visits(enterprise), window_days=rules.visit_window_days)
    if warnings and not confirmed:
        raise DuplicateVisit(warnings)
    visit = Visit.objects.create(
        enterprise=enterprise, district=enterprise.district, date=date, purpose=purpose.strip(),
        findings=findings.strip(), companions=companions.strip(), created_by=user_or_none(actor),
    )  # fmt: skip
    visit.visitors.set(list(visitors) or ([actor] if user_or_none(actor) else []))
    visit.departments.set(departments)
    for task in tasks:
        FollowUp.objects.create(visit=visit, text=task.text.strip(), owner=task.owner, due_date=task.due_date)
    after = snapshot(visit) | {
        "visitors": [str(u) for u in visit.visitors.all()], "departments": [d.name for d in departments],
        "tasks": [f"{t.text}（{t.owner}，{t.due_date}）" for t in tasks], "duplicate_warnings": warnings,
    }  # fmt: skip
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=visit, after=after)
    return visit


@transaction.atomic
def visit_update(
    *, actor: Any, source: Source, visit: Visit, date: dt.date, purpose: str, findings: str
) -> Visit:
    """The findings once a planned visit has been made, or a corrected date or purpose."""
    visit = Visit.objects.select_for_update().select_related("district").get(pk=visit.pk)
    _require_staff(actor, visit.district, "只能修改您数据范围内的走访记录。")
    if errors := _visit_problems(date, purpose, timezone.localdate()):
        raise ValidationError(errors)
    before = snapshot(visit)
    visit.date, visit.purpose, visit.findings = date, purpose.strip(), findings.strip()
    visit.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=visit, before=before, after=snapshot(visit)
    )
    return visit


@transaction.atomic
def followup_add(*, actor: Any, source: Source, visit: Visit, task: TaskInput) -> FollowUp:
    visit = Visit.objects.select_related("district").get(pk=visit.pk)
    _require_staff(actor, visit.district, "只能为您数据范围内的走访添加跟进事项。")
    if problems := _task_problems([task], visit.district, visit.date):
        raise ValidationError([p.removeprefix("第 1 项跟进事项：") for p in problems])
    followup = FollowUp.objects.create(
        visit=visit, text=task.text.strip(), owner=task.owner, due_date=task.due_date
    )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=followup, after=snapshot(followup))
    return followup


@transaction.atomic
def followup_done(
    *, actor: Any, source: Source, followup: FollowUp, note: str, done_on: dt.date | None = None
) -> FollowUp:
    """The owner (or staff over the visit) marks a follow-up task done."""
    followup = FollowUp.objects.select_for_update().select_related("visit__district").get(pk=followup.pk)
    ensure_in_scope(actor, followup)
    if not (user_or_none(actor) and actor.pk == followup.owner_id and actor.can_edit) and not _staff_in_scope(
        actor, followup.visit.district
    ):
        raise PermissionDenied("只有责任人或属地工作人员可以完成跟进事项。")
    if followup.done_on is not None:
        raise ValidationError(f"该事项已于 {followup.done_on} 完成。")
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError(f"完成日期 {done_on} 晚于今天。")
    before = snapshot(followup)
    followup.done_on, followup.done_note = done_on, note.strip()
    followup.save()
    audit_record(
        actor=actor,
        source=source,
        action=Action.UPDATE,
        obj=followup,
        before=before,
        after=snapshot(followup),
    )
    return followup


# Tickets --------------------------------------------------------------------------------------------


def roles_on(actor: Any, ticket: Ticket) -> set[str]:
    """What the actor is to this ticket: the enterprise that raised it, staff whose scope holds it, its handler."""
    if actor is None or not actor.is_active:
        return set()
    if actor.is_enterprise_user:
        return {ENTERPRISE} if actor.enterprise_id == ticket.enterprise_id else set()
    roles = set()
    if _staff_in_scope(actor, ticket.district):
        roles.add(STAFF)
    if ticket.handler_id == actor.pk and actor.can_edit:
        roles.add(HANDLER)
    return roles


def _step(ticket: Ticket, actor: Any, action: str, before: str, note: str = "") -> TicketStep:
    return TicketStep.objects.create(
        ticket=ticket, action=action, from_status=before, to_status=ticket.status, due_date=ticket.due_date,
        actor=user_or_none(actor), actor_name=str(actor) if actor is not None else "系统", at=timezone.now(), note=note,
    )  # fmt: skip


@transaction.atomic
def ticket_create(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    category: str,
    title: str,
    description: str = "",
    visit: Visit | None = None,
    project: Project | None = None,
) -> Ticket:
    """受理: an enterprise raises its own issue, or staff register one (from a visit, or as told). It must be
    triaged and assigned within the city's triage time. It may name the enterprise's project it holds up."""
    enterprise = Enterprise.objects.select_related("district").get(pk=enterprise.pk)
    is_own = actor is not None and actor.is_enterprise_user and actor.enterprise_id == enterprise.pk
    if not is_own:
        _require_staff(actor, enterprise.district, "只能为本企业（或您数据范围内的企业）提出诉求。")
        if visit is not None:
            ensure_in_scope(actor, Visit.objects.select_related("district").get(pk=visit.pk))
    errors = {}
    if category not in CATEGORY_LABELS:
        errors["category"] = f"诉求类别应为{'、'.join(CATEGORY_LABELS.values())}之一，收到“{category}”。"
    if not title.strip():
        errors["title"] = "请写明诉求事项。"
    if visit is not None and (is_own or visit.enterprise_id != enterprise.pk):
        errors["visit"] = "关联的走访应为该企业的走访。"
    if project is not None and project.enterprise_id != enterprise.pk:
        errors["project"] = "关联的项目应为该企业的项目。"
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    ticket = Ticket(
        number=f"new-{uuid.uuid4().hex[:16]}", enterprise=enterprise, district=enterprise.district,
        source=Ticket.Source.ENTERPRISE if is_own else Ticket.Source.VISIT if visit else Ticket.Source.STAFF,
        visit=visit, project=project, category=category, title=title.strip(), description=description.strip(),
        due_date=triage_due(today, selectors.current_rules()), created_by=user_or_none(actor),
    )  # fmt: skip
    ticket.save()
    ticket.number = f"SQ-{today.year}-{ticket.pk:06d}"  # from the id: two tickets at once never share one
    ticket.save(update_fields=["number"])
    _step(ticket, actor, "create", "", ticket.get_source_display())
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=ticket, after=snapshot(ticket))
    return ticket


def _assignment(
    ticket: Ticket,
    actor: Any,
    department: Department | None,
    handler: Any,
    due_date: dt.date | None,
    today: dt.date,
) -> None:
    errors = {}
    if department is None:
        errors["department"] = "分类协调须选定承办部门。"
    handler = handler or actor
    if not handler.can_edit or not path_in_scope(ticket.district.path, handler):
        errors["handler"] = f"承办人应为能看到该企业的在岗工作人员，收到“{handler}”。"
    due_date = due_date or handling_due(ticket.category, today, selectors.current_rules())
    if due_date < today:
        errors["due_date"] = f"办理期限 {due_date} 早于今天。"
    if errors:
        raise ValidationError(errors)
    ticket.department, ticket.handler, ticket.due_date = department, handler, due_date


@transaction.atomic
def ticket_act(
    *,
    actor: Any,
    source: Source,
    ticket: Ticket,
    action: str,
    note: str = "",
    department: Department | None = None,
    handler: Any = None,
    due_date: dt.date | None = None,
    satisfaction: str = "",
) -> Ticket:
    """One step of the closed loop, refused unless the ticket's status and the actor's part allow it.
    分类协调 assigns a department, a handler and a deadline (by default the category's time); 退回 and
    重新办理 start a new deadline; 回访评价 records the enterprise's satisfaction."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("district", "enterprise", "handler")
        .get(pk=ticket.pk)
    )
    status = ticket.status
    if refusal := transition_refusal(action, status, roles_on(actor, ticket)):
        raise PermissionDenied(refusal)
    ensure_in_scope(actor, ticket)  # a handler is one by name: still only within their scope
    transition = TRANSITIONS[action]
    note = (note or "").strip()
    if transition.needs_note and not note:
        raise ValidationError({"note": f"{transition.label}须填写{transition.needs_note}。"})
    before = snapshot(ticket, TICKET_FIELDS)
    today = timezone.localdate()
    rules = selectors.current_rules()
    if action == "assign":
        _assignment(ticket, actor, department, handler, due_date, today)
        note = f"交{ticket.department}办理，承办人 {ticket.handler}" + (f"。{note}" if note else "")
    elif action == "send_back":
        ticket.department, ticket.handler, ticket.due_date = None, None, triage_due(today, rules)
    elif action == "resolve":
        ticket.resolution = note
    elif action in ("review", "reopen"):
        if action == "reopen":
            satisfaction = "unsatisfied"
        if satisfaction not in SATISFACTION_LABELS:
            raise ValidationError(
                {"satisfaction": f"请选择满意度：{'、'.join(SATISFACTION_LABELS.values())}。"}
            )
        ticket.satisfaction = satisfaction
        note = f"满意度：{SATISFACTION_LABELS[satisfaction]}" + (f"。{note}" if note else "")
        if action == "reopen":
            ticket.reopened += 1
            ticket.due_date = handling_due(ticket.category, today, rules)
            ticket.escalated_at = None
        else:
            ticket.closed_at = timezone.now()
    ticket.status = transition.target
    ticket.save()
    _step(ticket, actor, action, status, note)
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=ticket, before=before,
        after=snapshot(ticket, TICKET_FIELDS),
    )  # fmt: skip
    return ticket


@transaction.atomic
def ticket_comment(*, actor: Any, source: Source, ticket: Ticket, text: str) -> TicketStep:
    """A comment on the timeline, by the enterprise, staff in scope or the handler."""
    ticket = Ticket.objects.select_related("district").get(pk=ticket.pk)
    if not roles_on(actor, ticket):
        raise PermissionDenied("只有提出诉求的企业、属地工作人员和承办人可以留言。")
    ensure_in_scope(actor, ticket)  # a handler is one by name: still only within their scope
    if not text.strip():
        raise ValidationError({"text": "留言不能为空。"})
    if len(text) > 2000:
        raise ValidationError({"text": f"留言不超过 2000 字，收到 {len(text)} 字。"})
    step = _step(ticket, actor, "comment", ticket.status, text.strip())
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=ticket, after={"comment": text.strip()}
    )
    return step


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def ticket_attachment_add(
    *, actor: Any, source: Source, ticket: Ticket, name: str, content: bytes
) -> TicketAttachment:
    """A file for the ticket (a photo, a letter, a document), by the enterprise, staff in scope or the
    handler while it is open; checked by type, content and size, stored under a random name."""
    ticket = Ticket.objects.select_related("district").get(pk=ticket.pk)
    if not roles_on(actor, ticket):
        raise PermissionDenied("只有提出诉求的企业、属地工作人员和承办人可以上传附件。")
    ensure_in_scope(actor, ticket)
    if ticket.status == CLOSED:
        raise ValidationError("诉求已结案，不能再上传附件。")
    name = plain_name(name)
    if problem := upload_problem(name, content, DOCUMENTS, MAX_ATTACHMENT_BYTES):
        raise ValidationError(problem)
    attachment = TicketAttachment(
        ticket=ticket, name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user_or_none(actor),
    )  # fmt: skip
    attachment.file.save(
        f"{uuid.uuid4().hex}{PurePath(name).suffix.lower()}", ContentFile(content), save=False
    )
    try:
        attachment.save()
        audit_record(
            actor=actor, source=source, action=Action.CREATE, obj=attachment, after=snapshot(attachment)
        )
    except Exception:
        attachment.file.delete(save=False)  # no file left behind without its row
        raise
    return attachment


# The daily sweep ------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    escalated: list[str] = field(default_factory=list)  # ticket numbers
    notices: int = 0


@dataclass(frozen=True)
class Notice:
    recipient: Any
    kind: str
    subject: str
    body: str
    key: str
    link: str


def _queue_new(notices: list[Notice]) -> int:
    """Queues the notices not sent before: the keys already used are read in a few queries, so the daily
    sweep over a city's tickets costs no query per ticket once everyone has been told."""
    sent: set[tuple[str, int]] = set()
    keys = sorted({n.key for n in notices})
    for start in range(0, len(keys), 1000):
        chosen = Notification.objects.filter(key__in=keys[start : start + 1000])
        sent.update(chosen.values_list("key", "recipient_id"))
    made = 0
    for n in notices:
        if (n.key, n.recipient.pk) not in sent:
            made += len(
                notification_queue(
                    recipient=n.recipient, kind=n.kind, subject=n.subject, body=n.body, key=n.key, link=n.link
                )
            )
    return made


def outreach_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Run daily by the worker (or `kuochan tickets sweep`): tickets overdue long enough go to the city, with
    a step on their timeline; handlers hear of tickets due soon or overdue, owners of follow-up tasks likewise,
    and city staff of each escalation. A notice goes out once per deadline, however often the sweep runs."""
    today = today or timezone.localdate()
    rules = selectors.current_rules()
    supervisors = selectors.city_staff()
    result = SweepResult()
    notices: list[Notice] = []
    with transaction.atomic():
        open_tickets = list(
            Ticket.objects.select_for_update(of=("self",))
            .filter(status__in=OPEN_STATUSES)
            .select_related("district", "enterprise", "handler", "created_by")
            .order_by("id")
        )
        facts = selectors.ticket_facts([t.pk for t in open_tickets], today)
        shown = [t for t in open_tickets if t.pk in facts]
        verdicts = ticket_lights([facts[t.pk] for t in shown], as_of=today, rules=rules)
        for ticket, verdict in zip(shown, verdicts, strict=True):
            link = ticket.get_absolute_url()
            who = ticket.handler or ticket.created_by
            what = f"诉求 {ticket.number}（{ticket.enterprise.name}：{ticket.title}）"
            if verdict.light in ("yellow", "red") and who is not None and not who.is_enterprise_user:
                kind = "ticket_overdue" if verdict.light == "red" else "ticket_due_soon"
                state = "已逾期" if verdict.light == "red" else "即将到期"
                subject = f"{state}：{what}"
                body = f"您经办的{what}{state}：{'；'.join(verdict.reasons)}。请尽快办理。"
                key = f"ticket:{ticket.pk}:{kind}:{ticket.due_date}"
                notices.append(Notice(who, kind, subject, body, key, link))
            if verdict.escalate and ticket.escalated_at is None:
                before = snapshot(ticket, TICKET_FIELDS)
                ticket.escalated_at = timezone.now()
                ticket.save(update_fields=["escalated_at"])
                _step(ticket, None, "escalate", ticket.status, "；".join(verdict.reasons))
                audit_record(
                    actor=None, source=Source.SYSTEM, action=Action.UPDATE, obj=ticket, before=before,
                    after=snapshot(ticket, TICKET_FIELDS),
                )  # fmt: skip
                result.escalated.append(ticket.number)
                for person in (u for u in supervisors if ticket.district.path.startswith(u.org_unit.path)):
                    key = f"ticket:{ticket.pk}:escalated:{ticket.due_date}"
                    subject = f"升级督办：{what}"
                    body = f"{what}已升级至市级督办：{'；'.join(verdict.reasons)}。"
                    notices.append(Notice(person, "ticket_escalated", subject, body, key, link))
        tasks = FollowUp.objects.filter(done_on__isnull=True).select_related("visit__enterprise", "owner")
        for task in tasks.filter(due_date__lte=today + dt.timedelta(days=rules.due_soon_days)):
            light, reason = task_light(task.due_date, None, as_of=today, rules=rules)
            kind = "followup_overdue" if light == "red" else "followup_due_soon"
            state = "已逾期" if light == "red" else "即将到期"
            what = f"走访跟进事项（{task.visit.enterprise.name}：{task.text}）"
            body = f"您负责的{what}{state}：{reason}。请尽快跟进。"
            key = f"followup:{task.pk}:{kind}:{task.due_date}"
            notices.append(
                Notice(task.owner, kind, f"{state}：{what}", body, key, task.visit.get_absolute_url())
            )
        result.notices = _queue_new(notices)
    return result


# Matchmaking ----------------------------------------------------------------------------------------

EVENT_FIELDS = ("kind", "title", "date", "organiser", "place", "note")


def _event_problems(values: dict[str, Any]) -> dict[str, str]:
    errors = {}
    if values.get("kind") not in Event.Kind.values:
        errors["kind"] = f"活动类型应为{'、'.join(Event.Kind.labels)}之一。"
    for name, label in (("title", "活动名称"), ("organiser", "主办单位")):
        if not str(values.get(name) or "").strip():
            errors[name] = f"请填写{label}。"
    if not isinstance(values.get("date"), dt.date):
        errors["date"] = "请填写活动日期。"
    return errors


@transaction.atomic
def event_save(
    *, actor: Any, source: Source, unit: OrgUnit, event: Event | None = None, **values: Any
) -> Event:
    """A matchmaking event of the actor's unit (or a unit in their scope), created or corrected."""
    if event is not None:
        event = Event.objects.select_for_update().select_related("unit").get(pk=event.pk)
        unit = event.unit
    _require_staff(actor, unit, "只能登记您数据范围内的供需对接活动。")
    if errors := _event_problems(values):
        raise ValidationError(errors)
    before = snapshot(event) if event else {}
    event = event or Event(unit=unit, created_by=user_or_none(actor))
    for name in EVENT_FIELDS:
        value = values.get(name, getattr(event, name))
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    event.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE if before else Action.CREATE, obj=event, before=before,
        after=snapshot(event),
    )  # fmt: skip
    return event


@transaction.atomic
def participants_add(*, actor: Any, source: Source, event: Event, role: str, names: Sequence[str]) -> int:
    """Participants by name or USCC, one per line as officials paste them; a name or code found in the
    registry links the enterprise. Returns how many were added (one already listed is not added twice).
    An enterprise outside the actor's scope is refused with nothing said about it but that."""
    event = Event.objects.select_related("unit").get(pk=event.pk)
    _require_staff(actor, event.unit, "只能修改您数据范围内的供需对接活动。")
    if role not in Participant.Role.values:
        raise ValidationError(f"参加身份应为{'、'.join(Participant.Role.labels)}之一。")
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if problems := [f"“{n[:20]}…”超过 200 字" for n in wanted if len(n) > 200]:
        raise ValidationError(problems)
    codes, lines = {normalise_code(n): n for n in wanted}, set(wanted)
    registry = list(Enterprise.objects.filter(Q(name__in=wanted) | Q(uscc__in=list(codes))))
    known = {
        **{e.name: e for e in registry if e.name in lines},
        **{codes[e.uscc]: e for e in registry if e.uscc in codes},
    }
    visible = set(
        scoped(Enterprise.objects.filter(pk__in=[e.pk for e in registry]), actor).values_list("pk", flat=True)
    )
    if outside := [name for name in wanted if name in known and known[name].pk not in visible]:
        raise ValidationError([f"“{name[:60]}”{OUT_OF_SCOPE}" for name in outside])
    listed = set(event.participants.filter(role=role).values_list("name", flat=True))
    added = []
    for name in wanted:
        enterprise = known.get(name)
        shown = enterprise.name if enterprise else name
        if shown in listed:
            continue
        listed.add(shown)
        added.append(Participant(event=event, role=role, enterprise=enterprise, name=shown))
    Participant.objects.bulk_create(added)
    if added:
        audit_record(
            actor=actor, source=source, action=Action.UPDATE, obj=event,
            after={"participants_added": [f"{p.get_role_display()}：{p.name}" for p in added]},
        )  # fmt: skip
    return len(added)


@transaction.atomic
def outcome_add(
    *,
    actor: Any,
    source: Source,
    event: Event,
    kind: str,
    enterprise: Enterprise,
    amount_wan: Decimal,
    counterpart: str = "",
    note: str = "",
) -> Outcome:
    """An order signed or financing agreed at the event, for one enterprise, in 万元."""
    event = Event.objects.select_related("unit").get(pk=event.pk)
    _require_staff(actor, event.unit, "只能修改您数据范围内的供需对接活动。")
    ensure_in_scope(actor, Enterprise.objects.select_related("district").get(pk=enterprise.pk))
    errors = {}
    if kind not in Outcome.Kind.values:
        errors["kind"] = f"成果类型应为{'、'.join(Outcome.Kind.labels)}之一。"
    if problem := money_problem(amount_wan, "金额"):
        errors["amount_wan"] = problem
    elif amount_wan is None or amount_wan <= 0:
        errors["amount_wan"] = f"金额应为大于 0 的数（万元），收到“{amount_wan}”。"
    if errors:
        raise ValidationError(errors)
    outcome = Outcome.objects.create(
        event=event, kind=kind, enterprise=enterprise, amount_wan=amount_wan, counterpart=counterpart.strip(),
        note=note.strip(),
    )  # fmt: skip
    if not event.participants.filter(enterprise=enterprise).exists():
        Participant.objects.get_or_create(
            event=event,
            role=Participant.Role.ENTERPRISE,
            name=enterprise.name,
            defaults={"enterprise": enterprise},
        )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=outcome, after=snapshot(outcome))
    return outcome
