"""The to-do home (待办): what each role must do on a date, as counts that link to the lists showing exactly
those rows, most urgent first. Every count comes from the modules' own selectors, in the actor's scope; a
few queries per item, never one per row.

District staff see their district's items, city staff and the city administrator the same city-wide with
the city's own (escalated tickets, city review, overdue advances, imports with refused rows, the monthly
cycle); a leader the key figures against last month; the three administrators only their own queues."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from kuochan.accounts.models import Role, SecurityEvent
from kuochan.accounts.selectors import locked_users, managed_users, security_events
from kuochan.cockpit import selectors as cockpit
from kuochan.cockpit.models import CycleRun
from kuochan.cockpit.services import cycle_settings
from kuochan.core.figures import money_with_unit, month_text, number_text
from kuochan.core.scope import scoped
from kuochan.imports.models import BatchStatus, ImportBatch
from kuochan.outreach import selectors as outreach
from kuochan.policies.models import Status
from kuochan.policies.selectors import applications
from kuochan.projects import selectors as projects
from kuochan.resources.models import RequestStatus
from kuochan.resources.selectors import overdue_advances, requests

# How urgent an item is: the list opens with what is already late.
LATE, SOON, ROUTINE = 0, 1, 2
URGENCY_LABELS = {LATE: "已逾期", SOON: "即将到期", ROUTINE: "待处理"}


@dataclass(frozen=True)
class Item:
    """One thing to do: how many rows, what they are, and the list that shows exactly them."""

    label: str
    count: int
    url: str
    urgency: int = ROUTINE

    @property
    def urgency_label(self) -> str:
        return URGENCY_LABELS[self.urgency]


@dataclass(frozen=True)
class Figure:
    """A key figure for a leader: its value now, and how it moved since the month before."""

    label: str
    value: str
    change: str
    url: str
    worse: bool = False  # the change is bad news (more red lights)


@dataclass
class Todo:
    as_of: dt.date
    items: list[Item] = field(default_factory=list)
    status: list[tuple[str, str, bool]] = field(default_factory=list)  # (text, link, needs attention)
    figures: list[Figure] = field(default_factory=list)
    red_districts: list[tuple[str, int, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # the pages of the role's work
    period: str = ""  # the month a leader's figures are for
    next_up: list[str] = field(default_factory=list)  # what comes next, when nothing is due

    @property
    def empty(self) -> bool:
        return not self.items and not self.figures


def _url(name: str, **query: Any) -> str:
    shown = {key: value for key, value in query.items() if value not in (None, "")}
    return reverse(name) + (f"?{urlencode(shown)}" if shown else "")


def _item(label: str, count: int, url: str, urgency: int = ROUTINE) -> list[Item]:
    return [Item(label, count, url, urgency)] if count else []


def report_month(as_of: dt.date) -> dt.date:
    """The month whose progress is reported during as_of's month: the month before."""
    return (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def day_text(day: dt.date) -> str:
    """A day as officials write it: 2026年12月6日."""
    return f"{month_text(day)}{day.day}日"


def week_end(as_of: dt.date) -> dt.date:
    """The Sunday of as_of's week."""
    return as_of + dt.timedelta(days=6 - as_of.weekday())


def todo_for(*, actor: Any, as_of: dt.date | None = None) -> Todo:
    """The actor's to-do on as_of (today by default). Enterprise users get none here (their portal has its
    own); an account without a role neither."""
    as_of = as_of or timezone.localdate()
    todo = Todo(as_of)
    if actor.role in (Role.DISTRICT_STAFF, Role.CITY_STAFF, Role.CITY_ADMIN):
        todo.items = staff_items(actor=actor, as_of=as_of)
        if actor.is_city_staff:
            todo.items += city_items(actor=actor, as_of=as_of)
            todo.status = cycle_status(as_of)
        if not todo.items:
            todo.next_up = staff_next_up(actor=actor, as_of=as_of)
    elif actor.role == Role.LEADER:
        leader_view(todo, actor=actor)
    elif actor.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        todo.items = account_items(actor=actor, as_of=as_of)
        todo.links = [("账号管理", _url("accounts:users"))]
        if actor.role == Role.SECURITY_ADMIN:
            todo.links.append(("安全策略", _url("accounts:policy")))
        if not todo.items:
            todo.next_up = ["新账号创建后须由安全管理员分配角色；账号被锁定时会出现在这里。"]
    elif actor.role == Role.AUDITOR:
        todo.items = auditor_items(actor=actor, as_of=as_of)
        todo.links = [("登录和安全日志", _url("accounts:security-log")), ("审计记录", _url("audit:list"))]
        if not todo.items:
            todo.next_up = ["近 7 天没有登录失败、锁定或越权访问记录；新的安全事件会出现在这里。"]
    todo.items.sort(key=lambda item: item.urgency)
    return todo


# District and city staff ----------------------------------------------------------------------------


def staff_items(*, actor: Any, as_of: dt.date) -> list[Item]:
    """The items of district staff, in the actor's scope (city-wide for city staff)."""
    rules = outreach.current_rules()
    day = as_of.isoformat()
    ticket_lights = Counter(
        verdict.light
        for verdict in outreach.lights_of(
            outreach.tickets(actor=actor).values("pk"), as_of=as_of, rules=rules
        ).values()
    )
    supervision = Counter(row.light for row in cockpit.supervision_board(actor=actor, as_of=as_of))
    month = report_month(as_of)
    sunday = week_end(as_of)
    return [
        *_item("件诉求已超期", ticket_lights["red"], _url("outreach:tickets", light="red", as_of=day), LATE),
        *_item(
            "个项目本月新亮红灯",
            len(projects.newly_red(actor=actor, as_of=as_of)),
            _url("projects:list", new_red="1", as_of=day),
            LATE,
        ),
        *_item(
            "项督办事项亮红灯", supervision["red"], _url("cockpit:supervision", light="red", as_of=day), LATE
        ),
        *_item(
            f"件诉求 {rules.due_soon_days} 天内到期",
            ticket_lights["yellow"],
            _url("outreach:tickets", light="yellow", as_of=day),
            SOON,
        ),
        *_item(
            "项走访跟进事项已逾期或即将到期",
            outreach.followups_due(actor=actor, as_of=as_of, rules=rules).count(),
            _url("outreach:tasks", due="1", as_of=day),
            SOON,
        ),
        *_item(
            f"个项目未填报{month_text(month)}进展",
            len(projects.projects_to_report(actor=actor, month=month, unreported=True)),
            _url("projects:progress-month", month=month.strftime("%Y-%m"), unreported="1"),
            SOON,
        ),
        *_item(
            "项督办事项须报送进展或临近期限",
            supervision["yellow"],
            _url("cockpit:supervision", light="yellow", as_of=day),
            SOON,
        ),
        *_item(
            "件政策申报待区县初审",
            0
            if actor.is_city_staff
            else applications(actor=actor).filter(status=Status.DISTRICT_REVIEW).count(),
            _url("policies:applications", status=Status.DISTRICT_REVIEW),
        ),
        *_item(
            "件要素申请待分配",
            requests(actor=actor).filter(status=RequestStatus.PENDING).count(),
            _url("resources:requests", status=RequestStatus.PENDING),
        ),
        *_item(
            "次本周计划走访",
            outreach.visits(actor=actor).filter(date__range=(as_of, sunday)).count(),
            _url("outreach:visits", start=day, end=sunday.isoformat()),
        ),
    ]


def city_items(*, actor: Any, as_of: dt.date) -> list[Item]:
    """What only the city does: escalations, the city review, advances overdue, imports with refused rows."""
    since = as_of.replace(day=1)
    with_errors = (
        scoped(ImportBatch.objects.all(), actor)
        .filter(
            status=BatchStatus.APPLIED,
            skipped__gt=0,
            created_at__date__gte=since,
        )
        .count()
    )
    return [
        *_item(
            "件诉求升级至市级督办",
            outreach.open_escalated(actor=actor).count(),
            _url("outreach:tickets", escalated="1", open="1"),
            LATE,
        ),
        *_item(
            "笔要素预支逾期未还",
            len(overdue_advances(actor=actor, as_of=as_of)),
            _url("resources:advances", overdue="1"),
            LATE,
        ),
        *_item(
            "件政策申报待市级复审",
            applications(actor=actor).filter(status=Status.CITY_REVIEW).count(),
            _url("policies:applications", status=Status.CITY_REVIEW),
            SOON,
        ),
        *_item(
            "个本月导入批次有跳过的错误行",
            with_errors,
            _url("imports:list", skipped="1", since=since.isoformat()),
        ),
    ]


def cycle_status(as_of: dt.date) -> list[tuple[str, str, bool]]:
    """The monthly cycle's state for the month whose figures are due: run, failed, or still to come."""
    settings = cycle_settings()
    month = report_month(as_of)
    run = CycleRun.objects.filter(month=month).order_by("-started_at", "-id").first()
    link = reverse("cockpit:cycle")
    label = month_text(month)
    if run is not None and run.status == CycleRun.Status.SUCCEEDED:
        return [
            (
                f"{label}月度流程已于 {day_text(timezone.localtime(run.started_at).date())}运行完成",
                link,
                False,
            )
        ]
    if run is not None and run.status == CycleRun.Status.FAILED:
        return [(f"{label}月度流程运行失败，请查看原因后重新运行", link, True)]
    if run is not None:
        return [(f"{label}月度流程正在运行", link, False)]
    if not settings.enabled:
        return [(f"月度流程已停用，{label}尚未运行", link, True)]
    if as_of.day > settings.day:
        return [(f"{label}月度流程应于每月 {settings.day} 日运行，尚未运行", link, True)]
    return [(f"{label}月度流程将于 {day_text(as_of.replace(day=settings.day))}运行", link, False)]


def staff_next_up(*, actor: Any, as_of: dt.date) -> list[str]:
    """When nothing is due: the next planned visit, the next follow-up deadline, the next monthly report."""
    found = []
    visit = outreach.visits(actor=actor).filter(date__gt=week_end(as_of)).order_by("date").first()
    if visit is not None:
        found.append(f"下一次计划走访：{day_text(visit.date)}，{visit.enterprise.name}")
    task = (
        outreach.followups(actor=actor)
        .filter(done_on__isnull=True, due_date__gt=as_of)
        .order_by("due_date")
        .first()
    )
    if task is not None:
        found.append(f"下一项跟进事项期限：{day_text(task.due_date)}（{task.text[:30]}）")
    found.append(f"下月初填报{month_text(as_of.replace(day=1))}项目进展。")
    return found


# Leaders ------------------------------------------------------------------------------------------


def _change(now: float | int | Decimal, before: float | int | Decimal | None, text: Any) -> str:
    if before is None:
        return "上月无可比数据"
    delta = Decimal(str(now)) - Decimal(str(before))
    if delta == 0:
        return "与上月持平"
    return f"比上月{'增加' if delta > 0 else '减少'} {text(abs(delta))}"


def figures_day(data: cockpit.Cockpit) -> str:
    """The day a cockpit's figures stand on, for the links to the lists that show them."""
    return data.as_of.isoformat()


def leader_view(todo: Todo, *, actor: Any) -> None:
    """Key figures of the last complete month against the month before, the districts with the most red
    lights, and the way into the cockpit. The figures are the cockpit's own (cached with it)."""
    year, month = cockpit.default_month(todo.as_of)
    before_year, before_month = (year, month - 1) if month > 1 else (year - 1, 12)
    now = cockpit.cockpit_data(actor=actor, year=year, month=month)
    then = cockpit.cockpit_data(actor=actor, year=before_year, month=before_month)
    shown = f"{year}-{month:02d}"
    todo.period = month_text(dt.date(year, month, 1))
    count = lambda value: f"{number_text(value)} 个"  # noqa: E731
    invested = now.investment["this_year"][-1] if now.investment["this_year"] else 0
    invested_before = (
        then.investment["this_year"][-1] if before_year == year and then.investment["this_year"] else None
    )
    as_wan = lambda yi: money_with_unit(Decimal(str(yi)) * 10_000)  # noqa: E731
    todo.figures = [
        Figure(
            "在库项目",
            count(sum(now.lights.values())),
            _change(sum(now.lights.values()), sum(then.lights.values()), count),
            _url("projects:list", as_of=figures_day(now)),
        ),
        Figure(
            "红灯项目",
            count(now.lights["red"]),
            _change(now.lights["red"], then.lights["red"], count),
            _url("projects:list", light="red", as_of=figures_day(now)),
            worse=now.lights["red"] > then.lights["red"],
        ),
        Figure(
            f"技改投资完成（{year}年累计）",
            as_wan(invested),
            _change(invested, invested_before, as_wan),
            _url("cockpit:cockpit", month=shown),
        ),
        Figure(
            "超期诉求",
            f"{number_text(now.tickets.overdue)} 件",
            _change(now.tickets.overdue, then.tickets.overdue, lambda v: f"{number_text(v)} 件"),
            _url("outreach:tickets", light="red", as_of=figures_day(now)),
            worse=now.tickets.overdue > then.tickets.overdue,
        ),
    ]
    ranked = sorted((r for r in now.regions if r.red), key=lambda r: (-r.red, r.unit.sort_order))[:5]
    todo.red_districts = [
        (
            r.unit.display_name,
            r.red,
            _url("projects:list", light="red", district=r.unit.pk, as_of=figures_day(now)),
        )
        for r in ranked
    ]
    todo.links = [
        (f"驾驶舱（{month_text(dt.date(year, month, 1))}）", _url("cockpit:cockpit", month=shown)),
        ("督办事项", _url("cockpit:supervision")),
        ("月度通报", _url("cockpit:reports")),
        ("项目亮灯", _url("projects:board")),
    ]


# The three administrators ---------------------------------------------------------------------------


def account_items(*, actor: Any, as_of: dt.date) -> list[Item]:
    """The system and security administrators' queues: accounts awaiting a role, accounts locked now."""
    pending = managed_users(actor=actor).filter(role=Role.PENDING).count()
    at = timezone.now() if as_of == timezone.localdate() else _day_end(as_of)
    return [
        *_item(
            "个账号待分配角色" if actor.role == Role.SECURITY_ADMIN else "个新账号等待安全管理员分配角色",
            pending,
            _url("accounts:users", role=Role.PENDING),
            SOON if actor.role == Role.SECURITY_ADMIN else ROUTINE,
        ),
        *_item(
            "个账号因连续登录失败被锁定",
            locked_users(actor=actor, at=at).count(),
            _url("accounts:users", locked="1"),
            LATE,
        ),
    ]


AUDITED_EVENTS = (
    (SecurityEvent.Kind.LOCKED, "次登录被锁定", LATE),
    (SecurityEvent.Kind.DENIED, "次越权访问被拒绝", SOON),
    (SecurityEvent.Kind.FAILED, "次登录失败", ROUTINE),
)


def auditor_items(*, actor: Any, as_of: dt.date) -> list[Item]:
    """The auditor's queue: the last seven days' lockouts, refused accesses and failed sign-ins."""
    start = as_of - dt.timedelta(days=6)
    counts = dict(
        security_events(actor=actor)
        .filter(at__date__gte=start, at__date__lte=as_of)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("id"))
    )
    return [
        item
        for kind, label, urgency in AUDITED_EVENTS
        for item in _item(
            f"{label}（近 7 天）",
            counts.get(kind, 0),
            _url("accounts:security-log", kind=kind, date_from=start.isoformat(), date_to=as_of.isoformat()),
            urgency,
        )
    ]


def _day_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))
