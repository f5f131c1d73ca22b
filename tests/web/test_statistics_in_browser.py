"""In headless Chromium: a city official opens 工业经济月报 under 目标进度 and its growth chart draws with the
province's line; on a phone, district staff read the month's tables as cards that fit the screen."""

import pytest

from kuochan.audit.models import Source
from kuochan.imports.engine import run_import
from tests.statistics.conftest import bureau_rows
from tests.web.test_accessibility_in_browser import BLOCKING, axe_check
from tests.web.test_phone_in_browser import MEASURE, PHONE
from tests.web.test_registry_in_browser import sign_in
from tests.xlsx import write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def statistics(users, tmp_path):
    rows, merges = bureau_rows()
    for r1, c1, *_ in merges:
        rows[r1][c1] = None
    path = write_xlsx(tmp_path / "bureau.xlsx", rows, merges=merges)
    result = run_import("statistics", path, actor=None, source=Source.CLI)
    assert result.applied, result.errors


def test_the_monthly_statistics_and_their_trend(live_server, browser, statistics, screenshot):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()  # the site's CSP bypassed only so that the test may inject axe
    sign_in(page, live_server, "city")
    page.get_by_role("link", name="目标进度").click()
    page.get_by_role("link", name="工业经济月报").click()
    page.wait_for_selector('#growth-trend[data-ready="true"]')
    assert page.locator("#growth-trend canvas").count() >= 1
    revenue = page.get_by_test_id("table-above-scale-revenue")
    assert revenue.locator("tbody tr").count() == 9
    assert "4,321.5" in revenue.inner_text()
    screenshot(page, "statistics-monthly")
    violations = [v for v in axe_check(page) if v["impact"] in BLOCKING]
    context.close()
    assert not violations, violations


def test_the_monthly_statistics_on_a_phone(live_server, browser, statistics, screenshot):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    phone = context.new_page()
    sign_in(phone, live_server, "wuxing")
    phone.goto(f"{live_server.url}/statistics/")
    phone.wait_for_selector('#growth-trend[data-ready="true"]')
    found = phone.evaluate(MEASURE)
    screenshot(phone, "phone-statistics-monthly")
    context.close()
    assert found["width"] <= found["viewport"]
    assert not found["small"], found["small"]
    assert found["tables"] and not found["rowsNotCards"]
