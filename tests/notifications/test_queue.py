"""Queueing a notice: once per key, recipient and channel; on the channels settings name; e-mail through
Django's mail settings; skipped, with the reason, where a channel cannot reach the user."""

import logging

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django_tasks_db.models import DBTaskResult

from kuochan.notifications.checks import notification_settings
from kuochan.notifications.models import Notification, Status
from kuochan.notifications.services import notification_queue
from tests.notifications.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def overdue(user, key="ticket_overdue:5:2026-07-01"):
    return notification_queue(
        recipient=user, kind="ticket_overdue", subject="工单 GD-0005 已超期", body="请尽快办理。", key=key,
        link="/outreach/tickets/5/",
    )  # fmt: skip


def test_queueing_the_same_key_again_creates_nothing_and_enqueues_nothing(users, settings):
    settings.KUOCHAN_NOTIFY_CHANNELS = ["console"]
    first = overdue(users["wuxing"])
    assert [(n.channel, n.status) for n in first] == [("console", Status.PENDING)]
    assert overdue(users["wuxing"]) == []
    assert DBTaskResult.objects.count() == 1
    assert overdue(users["wuxing"], key="ticket_overdue:5:2026-07-02") != []
    assert len(overdue(users["nanxun"])) == 1  # another recipient, the same key
    assert Notification.objects.count() == 3


def test_notices_go_out_on_every_configured_channel(users, settings, caplog):
    settings.KUOCHAN_NOTIFY_CHANNELS = ["console", "email"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KUOCHAN_SITE_URL = "https://kc.example.gov.cn/"
    settings.DEFAULT_FROM_EMAIL = "扩产通 <noreply@kc.example.gov.cn>"
    user = users["wuxing"]
    user.email = "wuxing@example.gov.cn"
    user.save()
    caplog.set_level(logging.INFO, logger="kuochan.notifications")
    assert sorted(n.channel for n in overdue(user)) == ["console", "email"]
    run_worker()
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    [message] = mail.outbox
    assert message.to == ["wuxing@example.gov.cn"] and message.subject == "工单 GD-0005 已超期"
    assert message.from_email == "扩产通 <noreply@kc.example.gov.cn>"
    assert message.body == "请尽快办理。\nhttps://kc.example.gov.cn/outreach/tickets/5/"
    logged = [
        r.getMessage()
        for r in caplog.records
        if r.name == "kuochan.notifications" and r.levelno == logging.INFO
    ]
    assert any(
        "工单 GD-0005 已超期" in m and "https://kc.example.gov.cn/outreach/tickets/5/" in m for m in logged
    )
    sent = Notification.objects.get(channel="email")
    assert sent.attempts == 1 and sent.sent_at is not None and sent.next_attempt_at is None


def test_a_user_without_email_is_skipped_on_the_email_channel(users, settings):
    settings.KUOCHAN_NOTIFY_CHANNELS = ["console", "email"]
    created = {n.channel: n for n in overdue(users["wuxing"])}
    assert created["email"].status == Status.SKIPPED and created["email"].last_error == "用户未填写邮箱"
    assert created["console"].status == Status.PENDING
    assert DBTaskResult.objects.count() == 1  # nothing to deliver for the skipped one
    run_worker()
    assert mail.outbox == []


def test_an_email_address_removed_before_delivery_skips_the_notice(users, settings):
    settings.KUOCHAN_NOTIFY_CHANNELS = ["email"]
    user = users["wuxing"]
    user.email = "wuxing@example.gov.cn"
    user.save()
    [notice] = overdue(user)
    user.email = ""
    user.save()
    run_worker()
    notice.refresh_from_db()
    assert (notice.status, notice.last_error, notice.attempts) == (Status.SKIPPED, "用户未填写邮箱", 0)
    assert mail.outbox == []


def test_the_webhook_channel_without_a_robot_address_is_skipped_with_the_reason(users, settings):
    settings.KUOCHAN_NOTIFY_CHANNELS = ["webhook"]
    settings.KUOCHAN_WEBHOOK_URL = ""
    [notice] = overdue(users["wuxing"])
    assert notice.status == Status.SKIPPED and "未配置群机器人地址" in notice.last_error


def test_an_unknown_channel_is_refused_at_startup_and_when_queueing(users, settings):
    settings.KUOCHAN_NOTIFY_CHANNELS = ["console", "sms"]
    assert [e.id for e in notification_settings()] == ["notifications.E001"]
    with pytest.raises(ImproperlyConfigured, match="sms"):
        overdue(users["wuxing"])
    assert not Notification.objects.exists()
