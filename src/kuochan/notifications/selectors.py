"""Reads of 通知: city staff see every notice, everyone else their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from kuochan.notifications.models import Notification, Status, kind_label


def notifications_visible(*, actor: Any) -> QuerySet[Notification]:
    found = Notification.objects.select_related("recipient")
    return found if actor.is_city_staff else found.filter(recipient=actor)


def notification_kinds(notifications: QuerySet[Notification]) -> list[tuple[str, str]]:
    """(kind, Chinese label) of the kinds among these notices, for the filter's choices."""
    kinds = notifications.order_by("kind").values_list("kind", flat=True).distinct()
    return [(kind, kind_label(kind)) for kind in kinds]


def notification_counts() -> dict[str, int]:
    """How many notices are in each status, every status named."""
    counted = dict(Notification.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counted.get(status, 0) for status in Status.values}
