"""The resources services check every pool, request, listing and need they are handed against the actor's
scope: city staff of one city cannot move another city's quota, whoever calls the service."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit
from kuochan.resources import services
from kuochan.resources.models import Advance, Movement, MovementKind, Pool
from tests.resources.conftest import YEAR


def _unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
    unit = OrgUnit.objects.create(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=f"new:{code}",
        depth=parent.depth + 1 if parent else 0,
    )
    unit.path = f"{parent.path if parent else ''}{unit.pk}."
    unit.save(update_fields=["path"])
    return unit


@pytest.fixture
def jiaxing_pools(huzhou):
    """Another city's energy pools (嘉兴市 and 秀洲区), each holding 100."""
    city = _unit("330400", "嘉兴市", "city", None)
    district = _unit("330411", "秀洲区", "district", city)
    pools = []
    for unit in (city, district):
        pool = Pool.objects.create(org_unit=unit, element="energy", year=YEAR)
        Movement.objects.create(pool=pool, kind=MovementKind.OPENING, delta=Decimal(100), reason="期初额度")
        pools.append(pool)
    return pools


def test_city_staff_cannot_transfer_quota_into_another_city(city_pool, jiaxing_pools, users):
    with pytest.raises(PermissionDenied, match="不在您的数据范围内"):
        services.pool_transfer(
            actor=users["city_staff"], source=Source.WEB, from_pool=city_pool, to_pool=jiaxing_pools[0],
            amount=Decimal(10), reason="调剂",
        )  # fmt: skip
    assert not Movement.objects.filter(kind=MovementKind.TRANSFER_IN).exists()


def test_city_staff_cannot_grant_an_advance_between_another_city_s_pools(jiaxing_pools, users):
    lender, borrower = jiaxing_pools
    with pytest.raises(PermissionDenied, match="不在您的数据范围内"):
        services.advance_create(
            actor=users["city_staff"], source=Source.WEB, lender=lender, borrower=borrower, amount=Decimal(10),
            schedule=[(dt.date(YEAR, 12, 31), Decimal(10))], reason="要素预支",
        )  # fmt: skip
    assert not Advance.objects.exists()
