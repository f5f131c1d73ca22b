"""Delivery by the worker to a real (local) group-chat robot: retries that back off, DingTalk's signature,
failure after the last try, loudly, and a city admin's retry; a notice is sent once even when enqueued
twice or taken by a second worker mid-send; lost deliveries are found again."""

import base64
import datetime as dt
import hashlib
import hmac
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kuochan.audit.models import AuditEntry
from kuochan.notifications.models import Notification, Status
from kuochan.notifications.services import notification_queue, notification_retry, notifications_resend_due
from kuochan.notifications.tasks import deliver
from tests.notifications.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

HTTP_500 = (500, {"message": "server busy"})
REFUSED = (200, {"errcode": 310000, "errmsg": "sign not match"})


def escalate(user, key="ticket_escalated:7"):
    [notice] = notification_queue(
        recipient=user, kind="ticket_escalated", subject="工单 GD-0007 已升级至市级", body="企业反映用地指标问题。",
        key=key, link="/outreach/tickets/7/",
    )  # fmt: skip
    return notice


@pytest.fixture
def wuxing(users):
    user = users["wuxing"]
    user.phone = "13800000001"
    user.save()
    return user


def test_the_robot_gets_the_message_after_two_failures(robot, wuxing, caplog):
    robot.answers = [HTTP_500, REFUSED]
    notice = escalate(wuxing)
    run_worker()  # the retries are due at once, so one batch runs all three tries
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.SENT, 3)
    assert "310000" in notice.last_error and "sign not match" in notice.last_error
    assert len(robot.received) == 3
    path, payload = robot.received[-1]
    assert path == "/robot/send"
    assert payload == {
        "msgtype": "text",
        "text": {
            "content": "工单 GD-0007 已升级至市级\n企业反映用地指标问题。\nhttp://127.0.0.1:8000/outreach/tickets/7/"
        },
        "at": {"atMobiles": ["13800000001"], "isAtAll": False},
    }
    warnings = [
        r for r in caplog.records if r.name == "kuochan.notifications" and r.levelno == logging.WARNING
    ]
    assert len(warnings) == 2 and "HTTP 500" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_signed_robot_gets_timestamp_and_signature(robot, users, settings):
    settings.KUOCHAN_WEBHOOK_SECRET = "SEC0123456789abcdef"
    settings.KUOCHAN_WEBHOOK_URL = f"{robot.url}?access_token=abc"
    escalate(users["wuxing"])
    run_worker()
    path, payload = robot.received[0]
    query = parse_qs(urlsplit(path).query)
    assert query["access_token"] == ["abc"]
    [timestamp], [sign] = query["timestamp"], query["sign"]
    digest = hmac.new(b"SEC0123456789abcdef", f"{timestamp}\nSEC0123456789abcdef".encode(), hashlib.sha256)
    assert sign == base64.b64encode(digest.digest()).decode()
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000
    assert payload["at"] == {"atMobiles": [], "isAtAll": False}  # no phone number on file
    assert Notification.objects.get().status == Status.SENT


def test_retries_back_off_doubling_the_wait(robot, users, settings):
    settings.KUOCHAN_NOTIFY_RETRY_SECONDS = 60
    robot.answers = [HTTP_500, HTTP_500]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        notice = escalate(users["wuxing"])
        run_worker()
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == (Status.PENDING, 1)
        assert notice.next_attempt_at == start + dt.timedelta(seconds=60)
        waiting = DBTaskResult.objects.filter(status="READY").get()
        assert waiting.run_after == notice.next_attempt_at
        clock.shift(59)
        run_worker()  # not due yet
        assert len(robot.received) == 1
        clock.shift(1)
        run_worker()
        notice.refresh_from_db()
        assert notice.attempts == 2 and notice.next_attempt_at == start + dt.timedelta(seconds=60 + 120)
        clock.shift(120)
        run_worker()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, len(robot.received)) == (Status.SENT, 3, 3)


def test_after_the_last_try_the_notice_fails_loudly_and_a_city_admin_sends_it_again(
    robot, users, settings, caplog
):
    settings.KUOCHAN_NOTIFY_MAX_ATTEMPTS = 3
    robot.answers = [HTTP_500, REFUSED, HTTP_500]
    notice = escalate(users["wuxing"])
    run_worker()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.next_attempt_at) == (Status.FAILED, 3, None)
    assert "HTTP 500" in notice.last_error and "server busy" in notice.last_error
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.name == "kuochan.notifications"
    assert all(
        s in error.getMessage() for s in (f"#{notice.pk}", "工单 GD-0007 已升级至市级", "wuxing", "HTTP 500")
    )
    assert len([r for r in caplog.records if r.levelno == logging.WARNING and r.name == error.name]) == 3

    with pytest.raises(PermissionDenied, match="市级管理员"):
        notification_retry(actor=users["city_staff"], notification=notice)
    notification_retry(actor=users["city_admin"], notification=notice)
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.PENDING, 0)
    entry = AuditEntry.objects.get(object_id=str(notice.pk), content_type__model="notification")
    assert entry.actor == users["city_admin"] and entry.changes["status"] == ["failed", "pending"]
    assert entry.scope_path == users["wuxing"].org_unit.path
    run_worker()
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, len(robot.received)) == (Status.SENT, 1, 4)


def test_only_a_failed_notice_can_be_retried(robot, users):
    notice = escalate(users["wuxing"])
    with pytest.raises(ValidationError, match="只能重试发送失败的通知"):
        notification_retry(actor=users["city_admin"], notification=notice)


def test_a_notice_enqueued_twice_is_sent_once(robot, users):
    notice = escalate(users["wuxing"])
    deliver.enqueue(notice.pk)
    run_worker()
    assert len(robot.received) == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_a_second_worker_leaves_a_notice_alone_while_the_first_is_sending_it(robot, users):
    notice = escalate(users["wuxing"])
    outcomes = []

    def second_worker():  # runs in the robot's thread, on its own database connection
        robot.during = None
        try:
            outcomes.append(deliver.call(notice.pk))
        finally:
            connections.close_all()

    robot.during = second_worker
    run_worker()
    assert outcomes == ["not_due"]
    assert len(robot.received) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.SENT, 1)


def test_a_lost_delivery_is_enqueued_again_by_the_resend(robot, users):
    notice = escalate(users["wuxing"])
    DBTaskResult.objects.all().delete()  # the process died between commit and enqueue
    assert notifications_resend_due() == 0  # too young to count as lost
    assert notifications_resend_due(now=timezone.now() + dt.timedelta(minutes=6)) == 1
    run_worker()
    notice.refresh_from_db()
    assert notice.status == Status.SENT and len(robot.received) == 1
    assert notifications_resend_due(now=timezone.now() + dt.timedelta(days=1)) == 0
