"""In headless Chromium at 1366×768: the longest lists of the audit trail and the notices show 50 rows with
their total, read in words, and stay within six screens."""

import pytest

from kuochan.audit.models import Source
from kuochan.notifications.models import Notification
from kuochan.orgs.services import org_unit_update
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = 768
MOST = 6 * SCREEN


def test_the_audit_trail_and_the_notices_fit_in_six_screens(live_server, page, huzhou, users, screenshot):
    wuxing = users["wuxing"]
    wuxing.full_name = "王晓明"
    wuxing.save()
    towns = [unit for code, unit in huzhou.items() if code.startswith("330502-T")]
    for round_ in range(8):
        for town in towns:
            org_unit_update(
                actor=wuxing, source=Source.WEB, unit=town, note=f"第 {round_ + 1} 次走访后补充的产业说明"
            )
    Notification.objects.bulk_create(
        Notification(
            recipient=wuxing, channel="console", kind="cycle_red_task", key=f"task:{i}",
            subject=f"督办事项红灯：协调重点项目用能指标（第 {i} 项）",
            body="您负责的督办事项亮红灯：2026年11月进展未报送；已逾期 5 天。请尽快报送进展。",
        )
        for i in range(120)
    )  # fmt: skip

    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/audit/?actor=王晓明")
    table = page.get_by_test_id("audit-table")
    assert table.locator("tbody tr").count() == 50
    assert f"共 {8 * len(towns)} 条" in page.get_by_test_id("pagination").inner_text()
    assert "王晓明" in table.inner_text() and "备注：" in table.inner_text()
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "audit-list-1366")
    assert height <= MOST, f"审计记录页高 {height}px，超过六屏"

    page.goto(f"{live_server.url}/notifications/")
    table = page.get_by_test_id("notification-table")
    assert table.locator("tbody tr").count() == 50
    assert "共 120 条" in page.get_by_test_id("pagination").inner_text()
    assert "督办事项红灯" in table.inner_text() and "cycle_red_task" not in table.inner_text()
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "notification-list-1366")
    assert height <= MOST, f"通知页高 {height}px，超过六屏"
