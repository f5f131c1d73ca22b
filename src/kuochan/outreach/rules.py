"""Pure rules of 服务企业: the issue ticket's way (受理 → 会商研判 → 分类协调 → 办理中 → 办结 → 回访评价) and who may
take each step, its timers and lights, escalation to the city, follow-up task lights, and the duplicate-visit
warning. Plain data in, verdicts with Chinese reasons out; no queries here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Ticket states, in the order of the closed loop.
ACCEPTED, CONSULTING, COORDINATING, HANDLING, RESOLVED, CLOSED = (
    "accepted", "consulting", "coordinating", "handling", "resolved", "closed",
)  # fmt: skip
STATUS_LABELS = {
    ACCEPTED: "受理",
    CONSULTING: "会商研判",
    COORDINATING: "分类协调",
    HANDLING: "办理中",
    RESOLVED: "办结（待回访）",
    CLOSED: "回访评价（已结案）",
}
OPEN_STATUSES = (ACCEPTED, CONSULTING, COORDINATING, HANDLING)

CATEGORY_LABELS = {
    "land": "用地",
    "energy": "用能",
    "finance": "融资",
    "talent": "人才",
    "approval": "审批",
    "market": "市场",
    "policy": "政策",
    "other": "其他",
}
SATISFACTION_LABELS = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}

# Who acts on a ticket: the enterprise that raised it, staff whose scope holds it, and the handler it is
# assigned to (a staff member who works the case with the department).
ENTERPRISE, STAFF, HANDLER = "enterprise", "staff", "handler"
WHO_LABELS = {ENTERPRISE: "提出诉求的企业", STAFF: "属地服务人员", HANDLER: "承办人"}


@dataclass(frozen=True)
class Transition:
    label: str
    target: str
    # who may act, by the status the ticket is in
    who: Mapping[str, frozenset[str]]
    needs_note: str = ""  # what the note must say, when one is required


def _anyone(*roles: str) -> frozenset[str]:
    return frozenset(roles)


TRANSITIONS: dict[str, Transition] = {
    "consult": Transition("会商研判", CONSULTING, {ACCEPTED: _anyone(STAFF)}, "研判意见"),
    "assign": Transition("分类协调（交办部门）", COORDINATING, {CONSULTING: _anyone(STAFF)}),
    "start": Transition("开始办理", HANDLING, {COORDINATING: _anyone(HANDLER, STAFF)}),
    "send_back": Transition("退回重新研判", CONSULTING, {COORDINATING: _anyone(HANDLER, STAFF)}, "退回原因"),
    "resolve": Transition("办结", RESOLVED, {HANDLING: _anyone(HANDLER, STAFF)}, "办理结果"),
    "review": Transition("回访评价并结案", CLOSED, {RESOLVED: _anyone(ENTERPRISE, STAFF)}),
    "reopen": Transition(
        "回访不满意，重新办理", HANDLING, {RESOLVED: _anyone(ENTERPRISE, STAFF)}, "不满意的原因"
    ),
}
STEP_LABELS = {"create": "提出诉求", "comment": "留言", "escalate": "逾期升级至市级"} | {
    name: t.label for name, t in TRANSITIONS.items()
}


def allowed_actions(status: str, roles: set[str]) -> list[str]:
    """The transitions someone holding `roles` may take on a ticket in `status`."""
    return [name for name, t in TRANSITIONS.items() if t.who.get(status, frozenset()) & roles]


def transition_refusal(action: str, status: str, roles: set[str]) -> str | None:
    """Why the step is refused, in Chinese, or None when it is allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return f"没有“{action}”这一操作。"
    who = transition.who.get(status)
    label = STATUS_LABELS.get(status, status)
    if who is None:
        return f"诉求当前为“{label}”，不能{transition.label}。"
    if not who & roles:
        names = "或".join(WHO_LABELS[w] for w in (ENTERPRISE, STAFF, HANDLER) if w in who)
        return f"诉求当前为“{label}”，只有{names}可以{transition.label}。"
    return None


# Timers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRules:
    """The timers, as the city set them (see reference data service_rules.json for the defaults' basis)."""

    triage_days: int  # from 受理 to 交办: the ticket must be assigned within this many days
    deadline_days: Mapping[str, int]  # days to handle, by category, counted from assignment
    due_soon_days: int  # yellow this many days before a deadline
    escalate_after_days: int  # overdue this many days: escalated to the city
    visit_window_days: int  # another visit to the same enterprise within this many days is a duplicate


def handling_due(category: str, assigned_on: dt.date, rules: ServiceRules) -> dt.date:
    """The deadline of a ticket assigned on `assigned_on`, by its category."""
    return assigned_on + dt.timedelta(days=rules.deadline_days[category])


def triage_due(accepted_on: dt.date, rules: ServiceRules) -> dt.date:
    return accepted_on + dt.timedelta(days=rules.triage_days)


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What was known of one ticket on the as-of date: its status then and the deadline it ran against."""

    status: str
    due_date: dt.date | None
    due_what: str  # "交办" before assignment, "办结" after


@dataclass(frozen=True, slots=True)
class TicketVerdict:
    light: str  # red / yellow / green / none
    days_overdue: int
    escalate: bool
    reasons: tuple[str, ...]


def ticket_lights(rows: Sequence[TicketFacts], *, as_of: dt.date, rules: ServiceRules) -> list[TicketVerdict]:
    """Red once past the deadline, yellow within `due_soon_days` of it, green otherwise; an open ticket
    overdue `escalate_after_days` or more goes to the city. A resolved or closed ticket has no light."""
    verdicts = []
    for row in rows:
        if row.status not in OPEN_STATUSES or row.due_date is None:
            reason = "已办结，待回访评价" if row.status == RESOLVED else "已结案"
            verdicts.append(TicketVerdict("none", 0, False, (reason,)))
            continue
        days_left = (row.due_date - as_of).days
        if days_left < 0:
            late = -days_left
            reasons = [f"{row.due_what}期限 {row.due_date}，已逾期 {late} 天"]
            escalate = late >= rules.escalate_after_days
            if escalate:
                reasons.append(f"逾期达 {rules.escalate_after_days} 天，升级至市级督办")
            verdicts.append(TicketVerdict("red", late, escalate, tuple(reasons)))
        elif days_left <= rules.due_soon_days:
            when = "今天到期" if days_left == 0 else f"还有 {days_left} 天到期"
            verdicts.append(
                TicketVerdict("yellow", 0, False, (f"{row.due_what}期限 {row.due_date}，{when}",))
            )
        else:
            verdicts.append(TicketVerdict("green", 0, False, (f"{row.due_what}期限 {row.due_date}，未到期",)))
    return verdicts


def task_light(
    due_date: dt.date, done_on: dt.date | None, *, as_of: dt.date, rules: ServiceRules
) -> tuple[str, str]:
    """A visit's follow-up task: (light, reason) as of a date."""
    if done_on is not None and done_on <= as_of:
        return "none", f"已于 {done_on} 完成"
    days_left = (due_date - as_of).days
    if days_left < 0:
        return "red", f"期限 {due_date}，已逾期 {-days_left} 天"
    if days_left <= rules.due_soon_days:
        return "yellow", f"期限 {due_date}，{'今天到期' if days_left == 0 else f'还有 {days_left} 天到期'}"
    return "green", f"期限 {due_date}，未到期"


# Visits ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OtherVisit:
    visit_id: int
    date: dt.date
    who: str  # visitors and their units, in words
    purpose: str


def duplicate_visits(date: dt.date, others: Sequence[OtherVisit], *, window_days: int) -> list[str]:
    """Warnings for other visits to the same enterprise within `window_days` before or after `date`
    (a planned visit counts as much as a past one): several agencies calling on the same firm is what
    enterprises complain of."""
    warnings = []
    for other in sorted(others, key=lambda o: o.date):
        gap = abs((other.date - date).days)
        if gap <= window_days:
            when = "同一天" if gap == 0 else f"相隔 {gap} 天"
            warnings.append(
                f"{other.who}已登记 {other.date} 走访该企业（{other.purpose}），与本次{when}，"
                f"在 {window_days} 天重复走访提醒期内，请先与其沟通。"
            )
    return warnings
