"""In headless Chromium: city staff open 规划管理, edit the 2025 work plan's target for the new-energy vehicle
chain, save it with a note, and read the success message and the new version; the list and the editor fit a
phone's width."""

import pytest
from playwright.sync_api import expect

from kuochan.targets.models import Indicator
from tests.web.test_phone_in_browser import PHONE
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAIN = "新能源汽车及关键零部件产业链规上营业收入"


def test_city_staff_change_a_target_of_the_2025_work_plan(live_server, page, users, screenshot):
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/targets/plans/")
    row = page.get_by_test_id("plans").locator('tr[data-plan="huzhou-2025"]')
    expect(row).to_contain_text("施行中")
    row.get_by_role("link", name="编辑").click()
    page.wait_for_url(f"{live_server.url}/targets/plans/huzhou-2025/edit/")

    chain = page.get_by_test_id("indicator-row").filter(has=page.locator("legend", has_text=CHAIN))
    target = chain.get_by_label("2025 年目标")
    expect(target).to_have_value("1000")
    target.fill("1100")
    page.get_by_label("修订说明").fill("按市政府常务会议意见调高")
    with page.expect_navigation():  # the save posts the whole plan, then the editor opens again
        page.get_by_test_id("save-plan").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "已保存“市经信局2025年工作计划”，此前各月仍按原版本计算。"
    )
    expect(chain.get_by_label("2025 年目标")).to_have_value("1100")
    expect(page.get_by_test_id("versions").locator("tbody tr").first).to_contain_text(
        "按市政府常务会议意见调高"
    )
    assert Indicator.objects.get(plan__code="huzhou-2025", code="nev_chain_revenue").yearly == {
        "2025": "1100"
    }
    screenshot(page, "plan-editor")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "plan-editor-phone")
    page.goto(f"{live_server.url}/targets/plans/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.get_by_test_id("plans").locator('tr[data-plan="huzhou-2025"]')).to_contain_text("第 2 版")
    screenshot(page, "plans-phone")
