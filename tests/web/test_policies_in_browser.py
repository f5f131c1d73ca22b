"""In headless Chromium: an enterprise user finds a policy it qualifies for, applies, uploads the required
file and submits; the district user finds it in their queue and passes it to the city."""

import pytest

from kuochan.policies.models import Application, Status
from tests.conftest import PDF
from tests.web.test_menus_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_enterprise_applies_and_the_district_reviews(
    live_server, page, grant, equipped, enterprise_user, users, tmp_path, screenshot
):
    sign_in(page, live_server, "qiye")
    page.get_by_role("navigation", name="功能模块").get_by_role("link", name="政策").click()
    grant_row = page.get_by_test_id("eligible").locator('[data-policy="equipment-grant"]')
    assert "您已符合：规上企业；技改项目" in grant_row.inner_text()
    assert "童装智能工厂技改项目" in grant_row.inner_text()
    grant_row.get_by_role("link", name="申报").click()
    page.get_by_label("申报说明").fill("新增智能吊挂线 12 条")
    page.get_by_test_id("create").click()
    assert "请上传材料后提交" in page.get_by_role("alert").inner_text()
    invoice = tmp_path / "设备发票清单.pdf"
    invoice.write_bytes(PDF)
    page.get_by_label("文件").set_input_files(str(invoice))
    page.get_by_test_id("upload").click()
    assert "设备发票清单.pdf" in page.get_by_test_id("attachments").inner_text()
    page.get_by_test_id("action-submit").click()
    assert page.get_by_test_id("status").inner_text() == "待区县初审"
    assert "80.00 万元" in page.get_by_test_id("amount").inner_text()
    screenshot(page, "policy-application-submitted")

    page.context.clear_cookies()
    sign_in(page, live_server, "wuxing")
    page.goto(f"{live_server.url}/policies/applications/?queue=1")
    page.get_by_test_id("application-table").get_by_role("link", name="ZC-").click()
    assert "符合：规上企业；技改项目" in page.get_by_test_id("eligibility").inner_text()
    page.get_by_label("审核金额（万元，调整须写明理由）").fill("70")
    page.get_by_test_id("action-pass_district").click()
    assert "调整金额须写明理由" in page.get_by_role("alert").inner_text()
    page.get_by_label("审核金额（万元，调整须写明理由）").fill("70")
    page.get_by_label("意见").fill("两台设备为二手设备，不在补助范围")
    page.get_by_test_id("action-pass_district").click()
    assert page.get_by_test_id("status").inner_text() == "待市级复审"
    assert "两台设备为二手设备" in page.get_by_test_id("steps").inner_text()
    screenshot(page, "policy-application-reviewed")
    application = Application.objects.get()
    assert (application.status, application.amount_wan) == (Status.CITY_REVIEW, 70)
