"""The notices page: district users see their own, city staff everyone's; filters; export; a city admin's
重试 on a failed notice. And `kuochan notifications` for scripts."""

import io
import json

import pytest
from django.core.management import call_command

from kuochan.notifications.models import Notification, Status
from tests.xlsx import exported_rows


def notice(user, subject, status=Status.SENT, kind="ticket_overdue", **values):
    return Notification.objects.create(
        recipient=user, channel="console", kind=kind, subject=subject, key=f"{kind}:{subject}", status=status,
        link="/outreach/tickets/5/", **values,
    )  # fmt: skip


@pytest.fixture
def notices(users):
    return {
        "wuxing": notice(users["wuxing"], "吴兴工单已超期"),
        "nanxun": notice(users["nanxun"], "南浔回访已逾期", kind="followup_overdue"),
        "failed": notice(users["nanxun"], "南浔工单已升级", Status.FAILED, "ticket_escalated", attempts=5,
                         last_error="群机器人返回 HTTP 500"),
    }  # fmt: skip


def test_a_district_user_sees_only_their_own_notices(notices, users, login):
    client = login(users["wuxing"])
    page = client.get("/notifications/").content.decode()
    assert "吴兴工单已超期" in page and "工单已超期" in page
    assert "南浔" not in page and "/retry/" not in page
    rows = exported_rows(client.get("/notifications/", {"export": "xlsx"}))
    assert rows[0][:3] == ["编号", "创建时间", "接收人"]
    assert [r[6] for r in rows[1:]] == ["吴兴工单已超期"]
    assert rows[1][8] == "http://127.0.0.1:8000/outreach/tickets/5/"


def test_city_staff_see_every_notice_and_filter_them(notices, users, login):
    client = login(users["city_staff"])
    page = client.get("/notifications/").content.decode()
    assert all(n.subject in page for n in notices.values())
    assert "回访已逾期" in page  # the kind's Chinese label in the filter and the table
    assert "/retry/" not in page  # only city admins retry
    page = client.get("/notifications/", {"status": "failed"}).content.decode()
    assert "南浔工单已升级" in page and "吴兴工单已超期" not in page and "群机器人返回 HTTP 500" in page
    rows = exported_rows(client.get("/notifications/", {"kind": "followup_overdue", "export": "xlsx"}))
    assert [(r[6], r[9]) for r in rows[1:]] == [("南浔回访已逾期", "已发送")]


def test_a_city_admin_retries_a_failed_notice_from_the_page(notices, users, login):
    failed = notices["failed"]
    client = login(users["city_admin"])
    page = client.get("/notifications/", {"status": "failed"}).content.decode()
    assert f'action="/notifications/{failed.pk}/retry/"' in page
    response = client.post(f"/notifications/{failed.pk}/retry/", {"query": "status=failed"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?status=failed"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)
    page = client.post(f"/notifications/{notices['wuxing'].pk}/retry/", follow=True).content.decode()
    assert "只能重试发送失败的通知" in page


def test_others_cannot_retry(notices, users, login):
    failed = notices["failed"]
    assert login(users["wuxing"]).post(f"/notifications/{failed.pk}/retry/").status_code == 404
    page = login(users["nanxun"]).post(f"/notifications/{failed.pk}/retry/", follow=True).content.decode()
    assert "只有市级管理员可以重试" in page
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_the_command_counts_by_status_and_lists_the_failed(notices):
    out = io.StringIO()
    call_command("notifications", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["counts"] == {"pending": 0, "sent": 2, "failed": 1, "skipped": 0}
    assert [(f["id"], f["recipient"], f["last_error"]) for f in report["failed"]] == [
        (notices["failed"].pk, "nanxun", "群机器人返回 HTTP 500")
    ]
    out = io.StringIO()
    call_command("notifications", "--resend", stdout=out)
    text = out.getvalue()
    assert "已重新排队 0 条待发送通知" in text and "发送失败 1" in text and "南浔工单已升级" in text


def test_a_cycle_notice_reads_as_a_chinese_sentence_with_no_code_on_the_page(users, login):
    from kuochan.notifications.models import KIND_LABELS

    notice(
        users["wuxing"], "督办事项红灯：协调用能指标", kind="cycle_red_task", body="您负责的督办事项亮红灯。"
    )
    notice(users["wuxing"], "一条旧的通知", kind="something_new")
    page = login(users["wuxing"]).get("/notifications/").content.decode()
    assert KIND_LABELS["cycle_red_task"] in page and "其他通知" in page
    assert "cycle_red_task" not in page.replace('value="cycle_red_task"', "")  # only as the filter's value
    assert "something_new" not in page.replace('value="something_new"', "")
