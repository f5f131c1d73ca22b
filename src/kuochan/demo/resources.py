"""The demo's 要素保障: the city's energy, land and fund pools for the year, quotas passed down to two
districts, requests from the larger projects, part of the recommendation approved, and an advance with one
repayment overdue — so each page has something to show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit
from kuochan.projects.models import Project, ProjectStatus
from kuochan.resources.models import Pool
from kuochan.resources.selectors import balance, recommendation
from kuochan.resources.services import (
    advance_create,
    allocation_approve,
    pool_open,
    pool_transfer,
    request_create,
)

CITY_POOLS = (("energy", 60_000, "市级用能蓄水池（演示）"), ("land", 1_500, "市级用地蓄水池（演示）"), ("fund", 80_000, "市产业基金（演示）"))  # fmt: skip


def demo_resources(today: dt.date) -> dict[str, int]:
    """Once: a second run leaves the pools as they are."""
    if Pool.objects.exists():
        return {"existing": Pool.objects.count()}
    year = today.year
    city = User.objects.get(username="city")
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["330500", "330502", "330503"])}
    pools = {
        element: pool_open(actor=city, source=Source.CLI, org_unit=units["330500"], element=element, year=year,
                           amount=Decimal(amount), note=note)
        for element, amount, note in CITY_POOLS
    }  # fmt: skip
    districts = {}
    for code, share in (("330502", 8_000), ("330503", 6_000)):
        districts[code] = pool_open(
            actor=city,
            source=Source.CLI,
            org_unit=units[code],
            element="energy",
            year=year,
            amount=Decimal(2_000),
        )
        pool_transfer(
            actor=city, source=Source.CLI, from_pool=pools["energy"], to_pool=districts[code], amount=Decimal(share),
            reason="年度用能指标下达",
        )  # fmt: skip
    projects = (
        Project.objects.exclude(status=ProjectStatus.TERMINATED)
        .filter(energy_tce__gt=0, capacity_output_wan__gt=0)
        .select_related("district", "enterprise")
        .order_by("-total_wan", "code")[:40]
    )
    admin = User.objects.get(username="admin")
    for i, project in enumerate(projects):
        amount = project.energy_tce.quantize(Decimal(1))
        request_create(
            actor=admin, source=Source.CLI, project=project, pool=pools["energy"], amount=amount,
            minimum=(amount * Decimal("0.6")).quantize(Decimal(1)) if i % 3 else amount,
            justification=f"{project.name}新增用能需求",
        )  # fmt: skip
    found = recommendation(pools["energy"], today)
    best = sorted((g for g in found.allocation.grants if g.amount), key=lambda g: -(g.weight or 0))[:5]
    if best:  # a demo without projects has nothing to approve
        allocation_approve(
            actor=city, source=Source.CLI, pool=pools["energy"], approved={g.claim_id: g.amount for g in best}
        )
    part = (balance(pools["energy"]) / 6).quantize(Decimal(1))  # a third of the advance is 45 days overdue
    if part > 0:
        advance_create(
            actor=city, source=Source.CLI, lender=pools["energy"], borrower=districts["330503"], amount=part * 3,
            schedule=[(today - dt.timedelta(days=45), part), (today + dt.timedelta(days=90), part * 2)],
            reason="南浔区重大项目提前投产用能预支",
        )  # fmt: skip
    return {"pools": Pool.objects.count(), "requests": len(projects)}
