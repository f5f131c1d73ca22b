"""The notices page: what was sent to whom, on which channel, and what failed and why; city admins retry a
failed notice from here. Exports what it shows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.audit.models import Source
from kuochan.core.forms import FilterForm, filter_values, page_of, refusal
from kuochan.notifications import selectors, services
from kuochan.notifications.channels import absolute_link
from kuochan.notifications.models import Channel, Notification, Status
from kuochan.web.exports import xlsx_response

EXPORT_HEADERS = [
    "编号", "创建时间", "接收人", "用户名", "渠道", "类型", "标题", "内容", "链接", "状态", "尝试次数", "最近错误",
    "下次尝试", "发送时间",
]  # fmt: skip


def _when(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _export_rows(notifications: Iterable[Notification]) -> Iterator[list[object]]:
    for n in notifications.iterator(chunk_size=2000):
        yield [
            n.pk, _when(n.created_at), str(n.recipient), n.recipient.get_username(), n.get_channel_display(),
            n.kind_label, n.subject, n.body, absolute_link(n.link), n.get_status_display(), n.attempts,
            n.last_error, _when(n.next_attempt_at), _when(n.sent_at),
        ]  # fmt: skip


class NotificationFilterForm(FilterForm):
    """The notices list's query string."""

    status = forms.ChoiceField(label="状态", choices=[("", "—"), *Status.choices], required=False)
    channel = forms.ChoiceField(label="渠道", choices=[("", "—"), *Channel.choices], required=False)
    kind = forms.CharField(label="类型", max_length=64, required=False)
    export = forms.ChoiceField(label="导出", choices=[("", "—"), ("xlsx", "Excel")], required=False)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """City staff see every notice, everyone else their own; filtered by status, channel and kind."""
    visible = selectors.notifications_visible(actor=request.user)
    found = visible
    filters = filter_values(request, NotificationFilterForm)[1]
    for name in ("status", "channel", "kind"):
        if filters[name]:
            found = found.filter(**{name: filters[name]})
    if filters["export"] == "xlsx":
        return xlsx_response("通知", EXPORT_HEADERS, _export_rows(found))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "notifications/list.html",
        {
            "page": page_of(request, found),
            "statuses": Status.choices,
            "channels": Channel.choices,
            "kinds": selectors.notification_kinds(visible),
            "filters": filters,
            "query": query.urlencode(),
            "everyone": request.user.is_city_staff,
            "can_retry": request.user.is_city_admin,
        },
    )


class RetryForm(forms.Form):
    query = forms.CharField(label="筛选条件", max_length=2000, required=False)  # the list's, to return to


@login_required
@require_POST
def notification_retry(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notifications_visible(actor=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    try:
        services.notification_retry(actor=request.user, notification=notification, source=Source.WEB)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"通知 #{notification.pk} 已重新排队发送。")
    form = RetryForm(request.POST)
    query = QueryDict(form.cleaned_data["query"] if form.is_valid() else "").urlencode()  # re-encoded
    return redirect(f"{reverse('notifications:list')}{'?' + query if query else ''}")
