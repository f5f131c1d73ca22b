"""Reads of 服务企业, each within the actor's data scope: visits and the calendar, follow-up tasks, tickets
with their lights as of a date (rebuilt from the timeline, so a past day gives that day's answer), the
queue of each role, and matchmaking totals."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kuochan.accounts.models import CITY_ROLES, User
from kuochan.core.scope import CITY_LEVEL_KINDS, get_scoped_or_404, scoped, scoped_or_system
from kuochan.orgs.models import OrgUnit
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
    ACCEPTED,
    CONSULTING,
    COORDINATING,
    HANDLING,
    OPEN_STATUSES,
    RESOLVED,
    OtherVisit,
    ServiceRules,
    TicketFacts,
    TicketVerdict,
    task_light,
    ticket_lights,
)
from kuochan.registry.models import Enterprise


def current_rules() -> ServiceRules:
    row = ServiceRuleSet.objects.get(name="default")
    return ServiceRules(
        triage_days=row.triage_days,
        deadline_days=row.deadline_days,
        due_soon_days=row.due_soon_days,
        escalate_after_days=row.escalate_after_days,
        visit_window_days=row.visit_window_days,
    )


def departments() -> QuerySet[Department]:
    return Department.objects.select_related("unit")


# Visits ---------------------------------------------------------------------------------------------


def visits(*, actor: User) -> QuerySet[Visit]:
    return scoped(
        Visit.objects.select_related("enterprise", "district", "created_by"), actor
    ).prefetch_related("visitors", "departments")


def visit_get(*, actor: User, pk: int) -> Visit:
    return get_scoped_or_404(visits(actor=actor), actor, pk=pk)


def visitors_in_words(visit: Visit) -> str:
    """Who called on the enterprise: the staff with their units, the departments, and anyone else."""
    people = [f"{u.org_unit.name} {u}" if u.org_unit_id else str(u) for u in visit.visitors.all()]
    people += [d.name for d in visit.departments.all()]
    if visit.companions:
        people.append(visit.companions)
    return "、".join(people) or str(visit.created_by or "")


def other_visits(enterprise: Enterprise, *, exclude: int | None = None) -> list[OtherVisit]:
    """Every visit to the enterprise, whoever made it: the duplicate warning must see other agencies' visits
    too. Only what the rule needs, in words."""
    found = (
        Visit.objects.filter(enterprise=enterprise)
        .exclude(pk=exclude)
        .select_related("created_by")
        .prefetch_related("visitors__org_unit", "departments")
    )
    return [OtherVisit(v.pk, v.date, visitors_in_words(v), v.purpose) for v in found]


def visit_calendar(
    *, actor: User, month: dt.date, district: OrgUnit | None = None
) -> list[list[dict[str, Any]]]:
    """The month as weeks of days (Monday first), each day with the visits made or planned in scope."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    found = visits(actor=actor).filter(date__range=(first, last))
    if district is not None:
        found = found.filter(district__path__startswith=district.path)
    by_day: dict[dt.date, list[Visit]] = defaultdict(list)
    for visit in found.order_by("date", "id"):
        by_day[visit.date].append(visit)
    today = timezone.localdate()
    return [
        [
            {
                "date": day,
                "in_month": day.month == first.month,
                "today": day == today,
                "visits": by_day.get(day, []),
            }
            for day in week
        ]
        for week in calendar.Calendar().monthdatescalendar(first.year, first.month)
    ]


def followups(*, actor: User) -> QuerySet[FollowUp]:
    return scoped(FollowUp.objects.select_related("visit__enterprise", "owner"), actor)


def open_tasks_first(found: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """Tasks not done first, the earliest deadline (so the overdue) at the top; done ones after, the most
    recently done first."""
    return found.order_by(F("done_on").desc(nulls_first=True), "due_date", "id")


def with_task_lights(
    tasks: list[FollowUp], *, as_of: dt.date, rules: ServiceRules
) -> list[tuple[FollowUp, str, str]]:
    return [(t, *task_light(t.due_date, t.done_on, as_of=as_of, rules=rules)) for t in tasks]


# Tickets --------------------------------------------------------------------------------------------


def tickets(*, actor: User | None) -> QuerySet[Ticket]:
    """Tickets in the actor's scope (None: the system, every ticket)."""
    return scoped_or_system(
        Ticket.objects.select_related("enterprise", "district", "department", "handler", "visit"), actor
    )


def most_urgent_first(found: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Open tickets first, the earliest deadline (so the overdue) at the top; then those resolved and
    awaiting the enterprise's evaluation; closed ones last, the newest first."""
    stage = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)),
        When(status=RESOLVED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    deadline = Case(When(status__in=OPEN_STATUSES, then=F("due_date")), default=None)
    return found.order_by(stage, deadline.asc(nulls_last=True), "-id")


def ticket_get(*, actor: User, pk: int) -> Ticket:
    return get_scoped_or_404(tickets(actor=actor), actor, pk=pk)


def ticket_attachment_get(*, actor: User, pk: int) -> TicketAttachment:
    """A ticket's file, for whoever may see the ticket."""
    return get_scoped_or_404(TicketAttachment.objects.select_related("ticket"), actor, pk=pk)


def ticket_queue(*, actor: User) -> tuple[QuerySet[Ticket], str]:
    """待我处理: what waits for this actor's part in the loop."""
    found = tickets(actor=actor)
    if actor.is_enterprise_user:
        return found.filter(status=RESOLVED), "待本企业回访评价的诉求"
    mine = Q(handler=actor, status__in=(COORDINATING, HANDLING))
    staff_steps = (ACCEPTED, CONSULTING, RESOLVED)
    if actor.is_city_staff:
        escalated = Q(escalated_at__isnull=False, status__in=OPEN_STATUSES)
        own_unit = Q(district_id=actor.org_unit_id, status__in=staff_steps)
        return found.filter(mine | escalated | own_unit), "升级至市级、市本级待研判和交由我承办的诉求"
    return found.filter(mine | Q(status__in=staff_steps)), "待研判交办、待回访和交由我承办的诉求"


def _day_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def ticket_facts(ticket_ids: list[int] | QuerySet, as_of: dt.date) -> dict[int, TicketFacts]:
    """Each ticket's status and deadline as they stood at the end of `as_of`, from its timeline (one query).
    Tickets raised after that day are absent."""
    facts: dict[int, TicketFacts] = {}
    steps = (
        TicketStep.objects.filter(ticket_id__in=ticket_ids, at__lt=_day_end(as_of))
        .exclude(action="comment")
        .order_by("ticket_id", "at", "id")
        .values_list("ticket_id", "to_status", "due_date")
    )
    for ticket_id, status, due_date in steps.iterator(chunk_size=5000):
        facts[ticket_id] = TicketFacts(
            status, due_date, "交办" if status in (ACCEPTED, CONSULTING) else "办结"
        )
    return facts


def lights_of(
    tickets: list[int] | QuerySet, *, as_of: dt.date, rules: ServiceRules
) -> dict[int, TicketVerdict]:
    """The light of each ticket (ids, or a queryset of them) as of a date; tickets raised after it are absent."""
    facts = ticket_facts(tickets, as_of)
    return dict(zip(facts, ticket_lights(list(facts.values()), as_of=as_of, rules=rules), strict=True))


def with_lights(
    found: list[Ticket], *, as_of: dt.date, rules: ServiceRules
) -> list[tuple[Ticket, TicketVerdict | None]]:
    """Tickets with their light as of a date (None for one raised after it)."""
    verdicts = lights_of([t.pk for t in found], as_of=as_of, rules=rules)
    return [(t, verdicts.get(t.pk)) for t in found]


@dataclass(frozen=True, slots=True)
class TicketFigures:
    raised: int  # by the as-of date, in the year
    open: int
    overdue: int
    escalated: int  # overdue long enough to go to the city
    closed: int  # closed in the year
    satisfied: int  # of those closed, 满意 or 基本满意


def ticket_figures(*, actor: User | None, as_of: dt.date, rules: ServiceRules) -> TicketFigures:
    """The year's ticket figures as they stood at the end of `as_of` (the cockpit and the monthly report)."""
    found = tickets(actor=actor)
    year_start = timezone.make_aware(dt.datetime(as_of.year, 1, 1))
    facts = ticket_facts(found.values("pk"), as_of)
    verdicts = ticket_lights(list(facts.values()), as_of=as_of, rules=rules)
    closed = found.filter(closed_at__gte=year_start, closed_at__lt=_day_end(as_of))
    return TicketFigures(
        raised=found.filter(created_at__gte=year_start, created_at__lt=_day_end(as_of)).count(),
        open=sum(1 for f in facts.values() if f.status in OPEN_STATUSES),
        overdue=sum(1 for v in verdicts if v.light == "red"),
        escalated=sum(1 for v in verdicts if v.escalate),
        closed=closed.count(),
        satisfied=closed.filter(satisfaction__in=("satisfied", "basically")).count(),
    )


@dataclass(frozen=True, slots=True)
class Overdue:
    ticket: Ticket
    status: str  # as of the date
    due_date: dt.date
    verdict: TicketVerdict


def overdue(*, actor: User | None, as_of: dt.date, rules: ServiceRules) -> list[Overdue]:
    """Tickets past their deadline at the end of `as_of`, worst first."""
    found = Ticket.objects.select_related("enterprise", "district", "department", "handler")
    if actor is not None:
        found = scoped(found, actor)
    facts = ticket_facts(found.filter(created_at__lt=_day_end(as_of)).values("pk"), as_of)
    late = {pk: f for pk, f in facts.items() if f.status in OPEN_STATUSES and f.due_date < as_of}
    verdicts = dict(zip(late, ticket_lights(list(late.values()), as_of=as_of, rules=rules), strict=True))
    rows = [
        Overdue(t, late[t.pk].status, late[t.pk].due_date, verdicts[t.pk])
        for t in found.filter(pk__in=list(late)).iterator(chunk_size=2000)
    ]
    return sorted(rows, key=lambda r: (-r.verdict.days_overdue, r.ticket.number))


def city_staff() -> list[User]:
    """The active city-level staff: escalations go to those whose scope holds the ticket."""
    return list(
        User.objects.filter(role__in=CITY_ROLES, is_active=True, org_unit__isnull=False).select_related(
            "org_unit"
        )
    )


def enterprise_outreach(enterprise: Enterprise, actor: User) -> dict[str, Any]:
    """For the enterprise profile: its visits (staff only) and tickets, newest first."""
    return {
        "visits": list(visits(actor=actor).filter(enterprise=enterprise)[:20]),
        "tickets": list(tickets(actor=actor).filter(enterprise=enterprise)[:20]),
    }


# Matchmaking ----------------------------------------------------------------------------------------


def _per_event(queryset: QuerySet, value: Any) -> Subquery:
    """One figure per event from a related table, as a subquery: joining participants and outcomes in the same
    query would multiply every sum by the number of participants."""
    return Subquery(queryset.filter(event=OuterRef("pk")).values("event").annotate(v=value).values("v"))


def events(*, actor: User | None) -> QuerySet[Event]:
    """Events in scope with their enterprises taking part and the orders and financing agreed (万元)."""
    outcomes = Outcome.objects.order_by()
    return (
        scoped_or_system(Event.objects.select_related("unit"), actor)
        .annotate(
            enterprises=Coalesce(
                _per_event(
                    Participant.objects.filter(role=Participant.Role.ENTERPRISE).order_by(), Count("pk")
                ),
                0,
            ),
            orders_wan=_per_event(outcomes.filter(kind=Outcome.Kind.ORDER), Sum("amount_wan")),
            financing_wan=_per_event(outcomes.filter(kind=Outcome.Kind.FINANCING), Sum("amount_wan")),
        )
        .order_by("-date", "-id")
    )


def event_get(*, actor: User, pk: int) -> Event:
    return get_scoped_or_404(Event.objects.select_related("unit"), actor, pk=pk)


@dataclass
class EventTotals:
    unit: str
    events: int = 0
    enterprises: int = 0  # distinct enterprises taking part
    orders_wan: Decimal = Decimal(0)
    financing_wan: Decimal = Decimal(0)

    @property
    def orders_yi(self) -> Decimal:
        return (self.orders_wan / 10000).quantize(Decimal("0.01"))

    @property
    def financing_yi(self) -> Decimal:
        return (self.financing_wan / 10000).quantize(Decimal("0.01"))


def _reporting_unit(path: str, units: dict[int, OrgUnit], top: OrgUnit | None) -> str:
    """The district (or zone) within `top` a unit belongs to; else the city (or province) it was held at
    (市本级); else `top` itself. No `top` is the system, seeing every district of every city."""
    chain = [units[int(i)] for i in path.strip(".").split(".") if int(i) in units]
    for unit in chain:
        if unit.is_reporting_unit and (top is None or unit.path.startswith(top.path)):
            return unit.name
    for unit in reversed(chain):
        if unit.kind in CITY_LEVEL_KINDS and (top is None or unit.path.startswith(top.path)):
            return f"{unit.name}本级"
    return f"{(top or chain[-1]).name}本级"


def event_totals(
    *, actor: User | None, start: dt.date, end: dt.date
) -> tuple[list[EventTotals], EventTotals]:
    """Per district and in all, for events dated in [start, end]: how many, how many enterprises took part
    (each counted once however many events it attended: an enterprise from the registry by its id, any other
    by its name), and the orders and financing agreed — the figures of the bureau's yearly summary."""
    found = scoped_or_system(Event.objects.all(), actor).filter(date__range=(start, end))
    units = {u.pk: u for u in OrgUnit.objects.all()}
    top = units.get(actor.org_unit_id) if actor is not None and actor.org_unit_id else None
    rows: dict[str, EventTotals] = {}
    seen: dict[str, set[Any]] = defaultdict(set)
    event_unit = {
        e_id: _reporting_unit(path, units, top) for e_id, path in found.values_list("pk", "unit__path")
    }
    for name in event_unit.values():
        rows.setdefault(name, EventTotals(name)).events += 1
    parts = Participant.objects.filter(event__in=found, role=Participant.Role.ENTERPRISE)
    for e_id, enterprise_id, name in parts.values_list("event_id", "enterprise_id", "name"):
        seen[event_unit[e_id]].add(enterprise_id or name)
    amounts = (
        Outcome.objects.filter(event__in=found).values("event_id", "kind").annotate(total=Sum("amount_wan"))
    )
    for row in amounts:
        totals = rows[event_unit[row["event_id"]]]
        if row["kind"] == Outcome.Kind.ORDER:
            totals.orders_wan += row["total"]
        else:
            totals.financing_wan += row["total"]
    everyone: set[Any] = set()
    for name, totals in rows.items():
        totals.enterprises = len(seen[name])
        everyone |= seen[name]
    ordered = sorted(rows.values(), key=lambda r: (r.unit.endswith("本级") is False, r.unit))
    all_of = EventTotals(
        "合计",
        events=sum(r.events for r in ordered),
        enterprises=len(everyone),
        orders_wan=sum((r.orders_wan for r in ordered), Decimal(0)),
        financing_wan=sum((r.financing_wan for r in ordered), Decimal(0)),
    )
    return ordered, all_of


def open_escalated(*, actor: User) -> QuerySet[Ticket]:
    """Tickets in scope escalated to the city and not yet resolved."""
    return tickets(actor=actor).filter(escalated_at__isnull=False, status__in=OPEN_STATUSES)


def followups_due(*, actor: User, as_of: dt.date, rules: ServiceRules) -> QuerySet[FollowUp]:
    """Open follow-up tasks in scope that are overdue on as_of or due within `due_soon_days` (red or yellow
    by `task_light`)."""
    return followups(actor=actor).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=as_of),
        due_date__lte=as_of + dt.timedelta(days=rules.due_soon_days),
    )
