"""Delivering one notice in the background worker (`kuochan db_worker`), with retries that back off.

A try goes in three steps. Claim: lock the row, check it is pending and due, count the attempt and push
`next_attempt_at` out by SENDING_LEASE, commit. Send, holding no lock, so a slow robot or mail server
blocks nobody. Record: sent, or the error and the next try (re-enqueued to run then), or failed for good
once KUOCHAN_NOTIFY_MAX_ATTEMPTS tries have failed. Another worker that picks up the same notice meanwhile
(a duplicate task, a resend) finds it not due and leaves it alone, so a notice is never sent twice at
once. Only a worker that dies between send and record can leave one to be sent again, after the lease."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from kuochan.notifications.channels import send, skip_reason
from kuochan.notifications.models import Notification, Status

logger = logging.getLogger("kuochan.notifications")

# Longer than any one send may take (the robot's and the mail server's timeouts are 10 s each).
SENDING_LEASE = dt.timedelta(minutes=5)
MAX_ERROR_CHARS = 2000


def max_attempts() -> int:
    return max(1, int(getattr(settings, "KUOCHAN_NOTIFY_MAX_ATTEMPTS", 5)))


def retry_delay(attempts: int) -> dt.timedelta:
    """KUOCHAN_NOTIFY_RETRY_SECONDS after the first failed try, doubled after each further one."""
    base = int(getattr(settings, "KUOCHAN_NOTIFY_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def enqueue_delivery(notification_id: int, run_after: dt.datetime | None = None) -> None:
    """Put a delivery on the worker's queue once the current transaction commits. A lost enqueue leaves
    the notice pending, and `notifications_resend_due` finds it again."""
    queued = deliver.using(run_after=run_after) if run_after is not None else deliver
    transaction.on_commit(lambda: queued.enqueue(notification_id), robust=True)


@task()
def deliver(notification_id: int) -> str:
    """Try to send one notice; returns its status afterwards ("not_due" when it was left alone)."""
    notification = _claim(notification_id)
    if notification is None or notification.status != Status.PENDING:
        return notification.status if notification is not None else "not_due"
    try:
        send(notification)
    except Exception as exc:
        return _record_failure(notification, str(exc) or type(exc).__name__)
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None
    )
    return Status.SENT


def _claim(notification_id: int) -> Notification | None:
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status != Status.PENDING:
            return None
        if notification.next_attempt_at is not None and notification.next_attempt_at > now:
            return None  # another worker is sending it, or its next try is not due yet
        if reason := skip_reason(notification.channel, notification.recipient):
            notification.status = Status.SKIPPED
            notification.last_error = reason
            notification.next_attempt_at = None
            notification.save(update_fields=["status", "last_error", "next_attempt_at"])
            logger.info("通知 #%s 已跳过：%s", notification.pk, reason)
            return notification
        notification.attempts += 1
        notification.next_attempt_at = now + SENDING_LEASE
        notification.save(update_fields=["attempts", "next_attempt_at"])
    return notification


def _record_failure(notification: Notification, error: str) -> str:
    now = timezone.now()
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        notification.last_error = error[:MAX_ERROR_CHARS]
        logger.warning(
            "通知 #%s（%s，发给 %s）第 %d 次发送失败：%s",
            notification.pk, notification.get_channel_display(), notification.recipient.get_username(),
            notification.attempts, error,
        )  # fmt: skip
        if notification.attempts >= max_attempts():
            notification.status, notification.next_attempt_at = Status.FAILED, None
            logger.error(
                "通知 #%s「%s」（%s，发给 %s）已尝试 %d 次仍失败，不再重试：%s",
                notification.pk, notification.subject, notification.get_channel_display(),
                notification.recipient.get_username(), notification.attempts, error,
            )  # fmt: skip
        else:
            notification.next_attempt_at = now + retry_delay(notification.attempts)
            enqueue_delivery(notification.pk, notification.next_attempt_at)
        notification.save(update_fields=["last_error", "status", "next_attempt_at"])
    return notification.status
