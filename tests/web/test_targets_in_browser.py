"""In headless Chromium: a city official opens the plan's target table, the progress board with its chart, the
plan check and the forecast's fan chart."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.orgs.models import OrgUnit
from kuochan.targets.models import Actual, Indicator
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_the_target_table_and_the_check(live_server, page, users, screenshot):
    sign_in(page, live_server, "city")
    page.get_by_role("link", name="目标进度").click()
    table = page.get_by_test_id("plan-table")
    assert table.locator("tbody tr").count() == 11
    assert table.locator("tbody tr").nth(2).locator("td").nth(5).inner_text() == "年均增幅11%以上"
    screenshot(page, "targets-plan")
    page.get_by_role("link", name="计划检查").click()
    assert page.get_by_test_id("findings").locator("[data-severity=error]").count() == 1
    screenshot(page, "targets-check")
    Actual.objects.create(
        indicator=Indicator.objects.get(code="renovation_investment"), org_unit=OrgUnit.objects.get(code="330500"),
        month=dt.date(2026, 6, 1), value=Decimal("222"),
    )  # fmt: skip
    page.get_by_role("link", name="进度", exact=True).click()
    page.get_by_label("截至月份").fill("2026-06")
    page.get_by_role("button", name="查看").click()
    assert page.get_by_test_id("progress-table").locator("tbody tr").count() == 21
    page.wait_for_selector('#progress-chart[data-ready="true"]')
    screenshot(page, "targets-progress")
    page.get_by_role("link", name="预测").click()
    page.wait_for_selector('#fan-investment[data-ready="true"]')
    assert page.locator("#fan-investment canvas").count() >= 1
    assert "蒙特卡洛" in page.get_by_test_id("method").inner_text()
    screenshot(page, "targets-forecast")
