"""The demo's 服务企业: two months of visits (and a few planned ones) with follow-up tasks, issue tickets at every
stage of the loop — some overdue and escalated — and the year's matchmaking events with their outcomes, so
every page has something to show. Reproducible from the seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import F

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit
from kuochan.outreach.models import Department, Event, Ticket, TicketStep
from kuochan.outreach.rules import CATEGORY_LABELS
from kuochan.outreach.services import (
    TaskInput,
    event_save,
    outcome_add,
    outreach_sweep,
    participants_add,
    ticket_act,
    ticket_create,
    visit_create,
)
from kuochan.registry.models import Enterprise

PURPOSES = ("了解扩产意愿", "项目推进调研", "政策宣讲", "要素需求摸排", "服务季走访", "上规培育辅导")
ISSUES = {
    "land": ("新增用地指标", "厂房扩建用地审批"),
    "energy": ("新增用能指标", "双回路供电接入"),
    "finance": ("技改贷款授信", "设备融资租赁"),
    "talent": ("技术工人招聘", "人才公寓申请"),
    "approval": ("环评审批加快", "施工许可并联办理"),
    "market": ("拓展海外订单", "进入链主企业供应链"),
    "policy": ("技改补助申报", "首台套认定"),
    "other": ("周边道路施工影响物流", "员工子女入学"),
}
# how far each demo ticket has come, and how many days ago it was raised
STAGES = (
    ("accepted", 1), ("accepted", 6), ("consulting", 2), ("coordinating", 5), ("handling", 8), ("handling", 30),
    ("handling", 40), ("resolved", 12), ("closed", 25), ("closed", 45),
)  # fmt: skip
EVENTS = (
    ("chain", "新能源汽车及关键零部件产业链供需对接会", "市经信局"),
    ("equipment", "大规模设备更新对接会", "市经信局"),
    ("finance", "银企融资对接会", "市经信局、市人行"),
    ("talent", "博士企业行", "市人力社保局"),
    ("market", "“千企出海”产销对接会", "市商务局"),
    ("chain", "智能物流装备产业链“一月一链”对接", "吴兴区经信局"),
    ("finance", "专精特新企业投融资路演", "南浔区经信局"),
)
SUPPLIERS = ("浙江某精密部件有限公司", "江苏某智能装备有限公司", "上海某新材料科技有限公司")
BANKS = ("湖州银行", "工商银行湖州分行", "农业银行湖州分行", "浙江农商联合银行湖州办事处")


def _shift_back(ticket: Ticket, days: int) -> None:
    """The demo's tickets are made today; moving a whole timeline back gives them a plausible past."""
    delta = dt.timedelta(days=days)
    TicketStep.objects.filter(ticket=ticket).update(at=F("at") - delta, due_date=F("due_date") - delta)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=F("created_at") - delta, due_date=F("due_date") - delta
    )


def _ticket(
    rng: random.Random, enterprise: Enterprise, staff: User, owner: User | None, stage: str
) -> Ticket:
    category = rng.choice(list(CATEGORY_LABELS))
    raiser = owner if owner is not None else staff
    ticket = ticket_create(
        actor=raiser, source=Source.CLI, enterprise=enterprise, category=category,
        title=rng.choice(ISSUES[category]), description=f"{enterprise.name}反映：{rng.choice(ISSUES[category])}，请协调解决。",
    )  # fmt: skip
    steps = ["consult", "assign", "start", "resolve", "review"]
    target = {"accepted": 0, "consulting": 1, "coordinating": 2, "handling": 3, "resolved": 4, "closed": 5}[
        stage
    ]
    departments = [d for d in Department.objects.all() if category in d.categories] or list(
        Department.objects.all()
    )
    for action in steps[:target]:
        values = {
            "consult": {"note": "会商研判：属实，分类交办"},
            "assign": {"department": rng.choice(departments)},
            "resolve": {"note": "已协调解决，企业确认"},
            "review": {"satisfaction": rng.choice(["satisfied", "satisfied", "basically"])},
        }.get(action, {})
        actor = raiser if action == "review" and owner is not None else staff
        ticket = ticket_act(actor=actor, source=Source.CLI, ticket=ticket, action=action, **values)
    return ticket


def demo_outreach(today: dt.date, seed: int = 2026) -> dict[str, int]:
    """Once: a second run leaves what is there."""
    if Ticket.objects.exists() or Event.objects.exists():
        return {"existing": Ticket.objects.count()}
    rng = random.Random(seed)
    staff = {u.username: u for u in User.objects.filter(username__in=["city", "wuxing", "nanxun"])}
    owner = User.objects.filter(username="qiye", enterprise__isnull=False).first()
    by_district = {
        name: list(Enterprise.objects.filter(district__code=code).order_by("pk")[:200])
        for name, code in (("wuxing", "330502"), ("nanxun", "330503"))
    }
    visits = tickets = 0
    for name, enterprises in by_district.items():
        if not enterprises:
            continue
        for n in range(20):
            enterprise = enterprises[(n * 7) % len(enterprises)]
            day = today - dt.timedelta(days=rng.randint(-14, 60))
            tasks = [TaskInput("落实企业反映的要素需求", staff[name], day + dt.timedelta(days=rng.randint(5, 30)))] if n % 3 == 0 else []  # fmt: skip
            visit_create(
                actor=staff[name], source=Source.CLI, enterprise=enterprise, date=day, purpose=rng.choice(PURPOSES),
                findings="" if day > today else "企业生产经营正常，有扩产意向，需协调要素保障。",
                visitors=[staff[name], staff["city"]] if n % 5 == 0 else [staff[name]], tasks=tasks, confirmed=True,
            )  # fmt: skip
            visits += 1
        for n, (stage, days_ago) in enumerate(STAGES):
            enterprise = enterprises[(n * 11 + 3) % len(enterprises)]
            ticket = _ticket(rng, enterprise, staff[name], None, stage)
            _shift_back(ticket, days_ago)
            tickets += 1
    if owner is not None:
        for stage, days_ago in (("resolved", 10), ("handling", 3)):
            _shift_back(_ticket(rng, owner.enterprise, staff["wuxing"], owner, stage), days_ago)
            tickets += 1
    events = _demo_events(rng, today, staff)
    outreach_sweep(today=today)
    return {"visits": visits, "tickets": tickets, "events": events}


def _demo_events(rng: random.Random, today: dt.date, staff: dict[str, User]) -> int:
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["330500", "330502", "330503"])}
    pool = list(Enterprise.objects.select_related("district").order_by("pk")[:300])
    if not pool:
        return 0
    made = 0
    for n, (kind, title, organiser) in enumerate(EVENTS * 2):
        unit, actor = (
            (units["330502"], staff["wuxing"]) if "吴兴" in organiser
            else (units["330503"], staff["nanxun"]) if "南浔" in organiser
            else (units["330500"], staff["city"])
        )  # fmt: skip
        day = today - dt.timedelta(days=15 + n * 23)
        event = event_save(
            actor=actor, source=Source.CLI, unit=unit, kind=kind, title=title if n < len(EVENTS) else f"{title}（第二场）",
            date=day, organiser=organiser, place="湖州",
        )  # fmt: skip
        local = [e for e in pool if e.district.path.startswith(unit.path)]  # the organiser's own enterprises
        attendees = rng.sample(local, min(len(local), rng.randint(15, 40)))
        participants_add(
            actor=actor, source=Source.CLI, event=event, role="enterprise", names=[e.uscc for e in attendees]
        )
        participants_add(
            actor=actor, source=Source.CLI, event=event, role="supplier", names=rng.sample(SUPPLIERS, 2)
        )
        participants_add(actor=actor, source=Source.CLI, event=event, role="bank", names=rng.sample(BANKS, 2))
        for enterprise in attendees[: rng.randint(3, 8)]:
            kind_of = "financing" if kind == "finance" else "order"
            amount = Decimal(rng.randrange(100, 8000, 50))
            counterpart = rng.choice(BANKS if kind_of == "financing" else SUPPLIERS)
            outcome_add(
                actor=actor, source=Source.CLI, event=event, kind=kind_of, enterprise=enterprise, amount_wan=amount,
                counterpart=counterpart,
            )  # fmt: skip
        made += 1
    return made
