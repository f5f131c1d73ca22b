"""Scope at province scale: the plan's district targets are changed by city-level staff whose subtree holds
the plan, never by another city's staff nor by city-role staff placed in a district."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied

from kuochan.accounts.models import Role
from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit
from kuochan.targets import services
from kuochan.targets.models import Actual, DistrictTarget, Indicator
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def investment(two_cities):
    """Huzhou's plan indicator with its seven units' 2025 baselines."""
    indicator = Indicator.objects.get(code="renovation_investment")
    units = ("330502", "330503", "330521", "330522", "330523", "330500-NTH", "330500-CHQ")
    for code in units:
        Actual.objects.create(
            indicator=indicator,
            org_unit=OrgUnit.objects.get(code=code),
            month=dt.date(2025, 12, 1),
            value=D(70),
        )
    return indicator


def test_another_citys_staff_cannot_change_the_plans_district_targets(two_cities, investment, login):
    b_staff, wuxing = two_cities["b_staff"], OrgUnit.objects.get(code="330502")
    with pytest.raises(PermissionDenied):
        services.decomposition_by_share(actor=b_staff, source=Source.API, indicator=investment)
    with pytest.raises(PermissionDenied):
        services.district_target_set(
            actor=b_staff, source=Source.API, indicator=investment, unit=wuxing, year=2026, value="1"
        )
    with pytest.raises(PermissionDenied):
        services.district_targets_save(
            actor=b_staff, source=Source.API, indicator=investment, typed={(wuxing, 2026): "1"}
        )
    client = login(b_staff)  # another city's plan is not among theirs: not shown, not changed
    asked = {"plan": investment.plan.code, "indicator": investment.code}
    page = client.get("/targets/decomposition/", asked).content.decode()
    assert 'data-testid="split"' not in page
    assert investment.plan.name not in page
    client.post("/targets/decomposition/", {**asked, "action": "split"}, follow=True)
    assert not DistrictTarget.objects.exists()
    services.decomposition_by_share(actor=two_cities["a_staff"], source=Source.WEB, indicator=investment)
    assert DistrictTarget.objects.count() == 35


def test_a_target_goes_only_to_a_unit_of_the_plan(two_cities, investment):
    province = make_user("province", Role.CITY_STAFF, OrgUnit.objects.get(code="330000"))
    with pytest.raises(Exception, match="不在规划"):
        services.district_target_set(
            actor=province, source=Source.API, indicator=investment, unit=two_cities["b_district"], year=2026,
            value="1",
        )  # fmt: skip
    assert not DistrictTarget.objects.exists()


def test_city_role_staff_placed_in_a_district_cannot_decompose(huzhou, investment_alone):
    misplaced = make_user("misplaced", Role.CITY_STAFF, huzhou["330503"])
    with pytest.raises(PermissionDenied):
        services.decomposition_by_share(actor=misplaced, source=Source.API, indicator=investment_alone)


@pytest.fixture
def investment_alone(huzhou):
    return Indicator.objects.get(code="renovation_investment")
