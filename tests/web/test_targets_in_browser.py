"""In headless Chromium: a district official opens the plan's target table and the plan check."""

import pytest

from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_the_target_table_and_the_check(live_server, page, users, screenshot):
    sign_in(page, live_server, "wuxing")
    page.get_by_role("link", name="目标进度").click()
    table = page.get_by_test_id("plan-table")
    assert table.locator("tbody tr").count() == 11
    assert table.locator("tbody tr").nth(2).locator("td").nth(5).inner_text() == "年均增幅11%以上"
    screenshot(page, "targets-plan")
    page.get_by_role("link", name="计划检查").click()
    assert page.get_by_test_id("findings").locator("[data-severity=error]").count() == 1
    screenshot(page, "targets-check")
    page.get_by_role("link", name="预测").click()
    page.wait_for_selector('#fan-investment[data-ready="true"]')
    assert page.locator("#fan-investment canvas").count() >= 1
    assert "蒙特卡洛" in page.get_by_test_id("method").inner_text()
    screenshot(page, "targets-forecast")
