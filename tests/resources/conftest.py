from decimal import Decimal

import pytest

from kuochan.audit.models import Source
from kuochan.projects import services as project_services
from kuochan.resources import services

D = Decimal
YEAR = 2026


@pytest.fixture
def city_pool(huzhou, users):
    return services.pool_open(
        actor=users["city_staff"], source=Source.WEB, org_unit=huzhou["330500"], element="energy", year=YEAR,
        amount=D(1000), note="2026年度市级用能蓄水池",
    )  # fmt: skip


@pytest.fixture
def wuxing_pool(huzhou, users):
    return services.pool_open(
        actor=users["city_staff"], source=Source.WEB, org_unit=huzhou["330502"], element="energy", year=YEAR,
        amount=D(100),
    )  # fmt: skip


@pytest.fixture
def asked(pipeline, users, city_pool):
    """红 (童装, 吴兴) asks 600 (at least 400) and 绿 (木业, 南浔) asks 500 (all or nothing); both expect tax
    and output at capacity, 木业 more per unit."""
    actor = users["city_admin"]
    for label, tax, output in (("red", 600, 6000), ("green", 800, 9000)):
        project_services.project_update(
            actor=actor, source=Source.WEB, project=pipeline[label], capacity_tax_wan=D(tax),
            capacity_output_wan=D(output),
        )  # fmt: skip
    red = services.request_create(
        actor=users["wuxing"], source=Source.WEB, project=pipeline["red"], pool=city_pool, amount=D(600),
        minimum=D(400), justification="新增智能吊挂线用能",
    )  # fmt: skip
    green = services.request_create(
        actor=users["nanxun"], source=Source.WEB, project=pipeline["green"], pool=city_pool, amount=D(500),
        minimum=D(500), justification="新建厂房用能",
    )  # fmt: skip
    return red, green
