"""Writes of 通知: queueing a notice on every configured channel (idempotent per key), re-enqueueing the ones
whose delivery was lost, and a city admin's retry of a failed one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kuochan.accounts.models import User
from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.notifications.channels import configured_channels, skip_reason
from kuochan.notifications.models import Notification, Status
from kuochan.notifications.tasks import enqueue_delivery

# A pending notice this far past its time (or this old, never tried) has lost its queued delivery.
RESEND_GRACE = dt.timedelta(minutes=5)
RETRY_FIELDS = ("status", "attempts", "next_attempt_at")


@transaction.atomic
def notification_queue(
    *, recipient: User, kind: str, subject: str, body: str, key: str, link: str = ""
) -> list[Notification]:
    """Queues one notice to `recipient` on every configured channel, once per (key, channel, recipient):
    calling it again with the same key creates nothing new (so a daily sweep can call it every day).
    Delivery is enqueued to the worker on transaction commit. Returns the notifications created now.

    A channel that cannot reach the recipient at all (no e-mail address, no robot configured) gets a
    notice marked 已跳过 with the reason, so the page shows why nobody was told."""
    created = []
    for channel in configured_channels():
        reason = skip_reason(channel, recipient)
        notification, is_new = Notification.objects.get_or_create(
            key=key, channel=channel, recipient=recipient,
            defaults={
                "kind": kind, "subject": subject[:200], "body": body, "link": link,
                "status": Status.SKIPPED if reason else Status.PENDING, "last_error": reason,
            },
        )  # fmt: skip
        if not is_new:
            continue
        created.append(notification)
        if notification.status == Status.PENDING:
            enqueue_delivery(notification.pk)
    return created


def notifications_resend_due(now: dt.datetime | None = None) -> int:
    """Re-enqueues the pending notices whose delivery seems lost: the next try is more than RESEND_GRACE
    overdue, or the notice was never tried and is older than that (the process died between commit and
    enqueue, or the worker died mid-send and its lease ran out). Run it every few minutes (cron:
    `kuochan notifications --resend`). A notice enqueued twice is still sent once. Returns how many."""
    now = now or timezone.now()
    cutoff = now - RESEND_GRACE
    due = Notification.objects.filter(status=Status.PENDING).filter(
        Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff)
    )
    ids = list(due.values_list("pk", flat=True))
    with transaction.atomic():
        for notification_id in ids:
            enqueue_delivery(notification_id)
    return len(ids)


@transaction.atomic
def notification_retry(
    *, actor: Any, notification: Notification, source: Source = Source.WEB
) -> Notification:
    """A city admin sends a failed notice again: its tries start from zero and it goes back on the queue."""
    if actor is None or not actor.is_city_admin:
        raise PermissionDenied("只有市级管理员可以重试发送失败的通知。")
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status != Status.FAILED:
        raise ValidationError(
            f"通知 #{notification.pk} 的状态是“{notification.get_status_display()}”，只能重试发送失败的通知。"
        )
    before = snapshot(notification, RETRY_FIELDS)
    notification.status = Status.PENDING
    notification.attempts = 0
    notification.next_attempt_at = timezone.now()
    notification.save(update_fields=list(RETRY_FIELDS))
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=notification, before=before,
        after=snapshot(notification, RETRY_FIELDS),
    )  # fmt: skip
    enqueue_delivery(notification.pk)
    return notification
