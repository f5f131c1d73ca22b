import datetime as dt

import pytest
import time_machine

from kuochan.audit.models import Source
from kuochan.outreach.models import Department
from kuochan.outreach.services import ticket_create
from kuochan.registry.models import Enterprise


def at(day: str):
    """Frozen time at 10:00 Beijing time on `day` (the clock keeps still while the test runs)."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


@pytest.fixture
def zhili(registered):
    """湖州织里童装有限公司, 吴兴区."""
    return Enterprise.objects.get(uscc=registered[0])


@pytest.fixture
def bank(huzhou):
    return Department.objects.get(code="rmyh")


@pytest.fixture
def raised(enterprise_user, zhili):
    """A financing ticket the enterprise raised on 2026-06-01 (triage due 2026-06-04)."""
    with at("2026-06-01"):
        return ticket_create(
            actor=enterprise_user, source=Source.WEB, enterprise=zhili, category="finance",
            title="技改贷款授信不足", description="设备更新需流动资金 800 万元",
        )  # fmt: skip
