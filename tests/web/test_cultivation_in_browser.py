"""The 培育库 page in headless Chromium: city staff fill a library by rule and filter it at a desktop's width;
district staff work it on a phone (390 px): the page fits, every tap target is 44 px high, rows read as cards,
and an entry's owner and support are set from the phone."""

import pytest

from kuochan.cultivation.models import Entry
from tests.cultivation.conftest import MUYE_GAP, THIS_YEAR, fill, srdi  # noqa: F401
from tests.web.test_phone_in_browser import MEASURE, phone  # noqa: F401
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_staff_fill_and_filter_the_library_at_a_desktop(live_server, page, srdi, screenshot):  # noqa: F811
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/cultivation/srdi_sme/?year={THIS_YEAR}")
    page.get_by_role("button", name="按条件遴选入库").click()
    page.wait_for_load_state("load")
    assert "按条件遴选入库 2 家企业" in page.get_by_role("alert").inner_text()
    table = page.get_by_test_id("library-table")
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert "湖州织里童装有限公司" in rows.nth(0).inner_text() and "可申报" in rows.nth(0).inner_text()
    assert MUYE_GAP in rows.nth(1).inner_text()
    page.get_by_label("是否已符合条件").select_option("0")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("load")
    assert table.locator("tbody tr").count() == 1 and "南浔木业有限公司" in table.inner_text()
    screenshot(page, "cultivation-library-desktop")


def test_district_staff_work_the_library_on_a_phone(live_server, phone, srdi, users, screenshot):  # noqa: F811
    fill(users["city_staff"], srdi["title"])
    sign_in(phone, live_server, "nanxun")
    phone.goto(f"{live_server.url}/cultivation/srdi_sme/?year={THIS_YEAR}")
    found = phone.evaluate(MEASURE)
    screenshot(phone, "phone-cultivation-library")
    assert found["width"] <= found["viewport"], found
    assert found["small"] == [], found["small"]
    assert found["rowsNotCards"] == 0 and found["cellsLabelled"] > 0
    table = phone.get_by_test_id("library-table")
    assert "湖州织里童装有限公司" not in table.inner_text()  # another district's
    table.get_by_role("link", name="南浔木业有限公司").click()
    phone.wait_for_load_state("load")
    phone.get_by_label("责任人").select_option(label="nanxun（南浔区）")
    phone.get_by_label("计划支持（可用政策、走访安排）").fill("研发费用补助；本月走访")
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_load_state("load")
    assert "已保存" in phone.get_by_role("alert").inner_text()
    entry = Entry.objects.get(enterprise=srdi["muye"])
    assert entry.responsible == users["nanxun"] and entry.planned_support == "研发费用补助；本月走访"
    found = phone.evaluate(MEASURE)
    screenshot(phone, "phone-cultivation-entry")
    assert found["width"] <= found["viewport"] and found["small"] == [], found
