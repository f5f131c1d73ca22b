"""The 通知 API: the notices the user may see (city staff every notice, everyone else their own), and a city
admin's retry of a failed one; as the notices page."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Id
from kuochan.notifications import selectors, services
from kuochan.notifications.models import Channel, Notification, Status

router = Router(tags=["通知"])


class NotificationOut(Schema):
    id: int
    recipient: str
    channel: Channel
    kind: str
    kind_label: str
    subject: str
    body: str
    link: str
    status: Status
    status_label: str
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_recipient(notification: Notification) -> str:
        return notification.recipient.get_username()

    @staticmethod
    def resolve_status_label(notification: Notification) -> str:
        return notification.get_status_display()


@router.get(
    "", response=list[NotificationOut], summary="通知（市级工作人员看全部，其他人看自己的），最新在前"
)
@paginate
def notification_list(
    request: HttpRequest,
    status: Status | Literal[""] = "",
    channel: Channel | Literal[""] = "",
    kind: str = Query("", max_length=64),
) -> Any:
    found = selectors.notifications_visible(actor=request.auth)
    if status:
        found = found.filter(status=status)
    if channel:
        found = found.filter(channel=channel)
    if kind:
        found = found.filter(kind=kind)
    return found


@router.post("/{pk}/retry", response=NotificationOut, summary="重新发送一条发送失败的通知（市级管理员）")
def notification_retry(request: HttpRequest, pk: Id) -> Notification:
    notification = selectors.notifications_visible(actor=request.auth).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return services.notification_retry(actor=request.auth, notification=notification, source=Source.API)
