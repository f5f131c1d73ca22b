"""The demo's 政策直达: city staff complete some 【待明确】 conditions as they would, set budgets, and
applications stand at each step of their way, so every page has something to show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.policies.models import Application, Policy
from kuochan.policies.services import (
    application_act,
    application_create,
    attachment_add,
    budget_set,
    policy_update,
)
from kuochan.projects.models import Project
from kuochan.registry.models import IndustryTag, TagKind

# A tiny but real PDF: what an enterprise would upload as a scanned document.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # fmt: skip


def _completed(rule: dict, replacement: dict) -> dict:
    """The rule with its first placeholder replaced, as city staff complete a policy."""
    items = list(rule["all"])
    first = next(i for i, item in enumerate(items) if "placeholder" in item)
    items[first] = replacement
    return {"all": items}


def _apply(
    actor: User, policy: Policy, project: Project, amount: Decimal, steps: list[tuple[User, str, dt.date]]
) -> None:
    application = application_create(
        actor=actor, source=Source.CLI, policy=policy, enterprise=project.enterprise,
        project=project if policy.subject == "project" else None, requested_wan=amount,
        description=f"{project.name}：申请{policy.title}支持。",
    )  # fmt: skip
    for document in policy.documents:
        attachment_add(
            actor=actor, source=Source.CLI, application=application, document=document, name=f"{document}.pdf",
            content=DEMO_PDF,
        )  # fmt: skip
    for who, action, day in steps:
        opinion = "材料齐全，同意推荐。" if action.startswith("pass") else ""
        application_act(
            actor=who, source=Source.CLI, application=application, action=action, opinion=opinion, today=day
        )


def demo_policies(today: dt.date) -> dict[str, int]:
    """Once: a second run leaves the policies and applications as they are."""
    if Application.objects.exists():
        return {"existing": Application.objects.count()}
    names = ("admin", "city", "wuxing", "nanxun", "qiye")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    # the city's administrator applies on enterprises' behalf (代为申报), so that the district and city
    # staff, who may not review what they applied for themselves, can review
    admin, city, wuxing, nanxun, qiye = (users[name] for name in names)
    policies = {p.code: p for p in Policy.objects.all()}
    chains = list(IndustryTag.objects.filter(kind=TagKind.CHAIN).values_list("name", flat=True))
    completions = {
        "resource-pool": {"field": "project.total_wan", "op": ">=", "value": 30000},
        "special-funds": {"field": "project.is_provincial_major", "op": "is", "value": True},
        "listed-reinvestment": {"field": "project.chain", "op": "in", "value": chains},
    }
    for code, condition in completions.items():
        policy_update(
            actor=city,
            source=Source.CLI,
            policy=policies[code],
            rule=_completed(policies[code].rule, condition),
        )
    for code, amount in (("open-competition", 3000), ("innovation-platform", 5000)):
        budget_set(
            actor=city, source=Source.CLI, policy=policies[code], year=today.year, amount_wan=Decimal(amount)
        )
    own = list(Project.objects.filter(enterprise=qiye.enterprise).order_by("code")[:1])
    wuxing_projects = list(
        Project.objects.filter(district=wuxing.org_unit)
        .exclude(enterprise=qiye.enterprise)
        .order_by("code")[:2]
    )
    nanxun_projects = list(Project.objects.filter(district=nanxun.org_unit).order_by("code")[:2])
    earlier = today - dt.timedelta(days=20)
    competition, platform = policies["open-competition"], policies["innovation-platform"]
    paid = [
        (admin, "submit", earlier),
        (wuxing, "pass_district", earlier),
        (city, "pass_city", earlier),
        (city, "pay", today),
    ]
    plans = [
        (qiye, competition, own, 200, [(qiye, "submit", today)]),
        (admin, competition, wuxing_projects[:1], 300, [(admin, "submit", today), (wuxing, "pass_district", today)]),
        (admin, platform, wuxing_projects[1:], 800, paid),
        (admin, competition, nanxun_projects[:1], 260, [(admin, "submit", today), (nanxun, "pass_district", today), (city, "pass_city", today)]),
        (admin, platform, nanxun_projects[1:], 500, [(admin, "submit", today)]),
    ]  # fmt: skip
    for actor, policy, project, amount, steps in plans:
        if project:  # a small demo may have no such project
            _apply(actor, policy, project[0], Decimal(amount), steps)
    return {"applications": Application.objects.count()}
