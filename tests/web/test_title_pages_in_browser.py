"""In headless Chromium: city staff open a title's criterion, raise its threshold in the rule builder, see the
reading and today's counts follow, and save; the title keeps the changed rule."""

import pytest
from playwright.sync_api import expect

from kuochan.cultivation.models import Title
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_staff_raise_a_threshold_with_the_rule_builder_and_save(
    live_server, page, registered, users, screenshot
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/cultivation/titles/high_tech/")
    page.locator('[data-criterion="tech_staff"]').get_by_role("link", name="修改").click()
    reading, counts = page.get_by_test_id("rule-reading"), page.get_by_test_id("rule-counts")
    expect(counts).to_contain_text("待核实（数据缺失） 3")  # no enterprise has staff figures yet
    page.get_by_label("上年科技人员占职工总数比重的取值（%）").fill("12.5")
    expect(reading).to_have_text("上年科技人员占职工总数比重不小于 12.5%（含本数）")
    expect(counts).to_contain_text("符合 0")
    screenshot(page, "title-criterion-builder")
    page.get_by_test_id("save-criterion").click()
    page.wait_for_url(f"{live_server.url}/cultivation/titles/high_tech/")
    expect(page.locator('[data-criterion="tech_staff"]')).to_contain_text("不小于 12.5%（含本数）")
    saved = next(c for c in Title.objects.get(code="high_tech").criteria if c["code"] == "tech_staff")
    # the builder keeps a rule as its root group
    assert saved["rule"] == {"all": [{"field": "enterprise.tech_staff_share_pct", "op": ">=", "value": 12.5}]}
    assert not errors
