"""The channels a notice goes out on: the log (for the demo), e-mail through Django's mail settings, and a
group-chat robot in DingTalk's style. Settings are read at each send, so a change needs no restart of the
code that imports this module."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from kuochan.notifications.models import Channel, Notification

logger = logging.getLogger("kuochan.notifications")

WEBHOOK_TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    """A send that failed; its message is what the notice's 最近错误 shows."""


def configured_channels() -> list[str]:
    """The channels of KUOCHAN_NOTIFY_CHANNELS, refused loudly when one is unknown."""
    names = list(getattr(settings, "KUOCHAN_NOTIFY_CHANNELS", [Channel.CONSOLE]))
    if unknown := [name for name in names if name not in Channel.values]:
        raise ImproperlyConfigured(
            f"KUOCHAN_NOTIFY_CHANNELS 中有未知的通知渠道：{'、'.join(unknown)}；可用：{'、'.join(Channel.values)}。"
        )
    return names


def skip_reason(channel: str, recipient: Any) -> str:
    """Why this notice cannot go out on this channel at all (no retry would help), or ""."""
    if not recipient.is_active:
        return "用户已停用"
    if channel == Channel.EMAIL and not recipient.email:
        return "用户未填写邮箱"
    if channel == Channel.WEBHOOK and not getattr(settings, "KUOCHAN_WEBHOOK_URL", ""):
        return "未配置群机器人地址，请系统管理员在服务器设置中填写"
    return ""


def absolute_link(link: str) -> str:
    """A site-relative link ("/outreach/tickets/5/") as the address users open, on KUOCHAN_SITE_URL."""
    if not link or "://" in link:
        return link
    site = getattr(settings, "KUOCHAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{site}/{link.lstrip('/')}"


def message_text(notification: Notification) -> str:
    """Subject, body and link, one to a line; empty parts left out."""
    parts = (notification.subject, notification.body, absolute_link(notification.link))
    return "\n".join(part for part in parts if part)


def send(notification: Notification) -> None:
    """Send on the notice's channel; raises (DeliveryError or the transport's own error) on failure."""
    senders = {Channel.CONSOLE: send_console, Channel.EMAIL: send_email, Channel.WEBHOOK: send_webhook}
    if notification.channel not in senders:
        raise DeliveryError(f"未知的通知渠道“{notification.channel}”")
    senders[notification.channel](notification)


def send_console(notification: Notification) -> None:
    logger.info("通知 %s：%s", notification.recipient.get_username(), message_text(notification))


def send_email(notification: Notification) -> None:
    body = "\n".join(part for part in (notification.body, absolute_link(notification.link)) if part)
    send_mail(
        notification.subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [notification.recipient.email],
        fail_silently=False,
    )


def webhook_payload(notification: Notification) -> dict[str, Any]:
    """A DingTalk text message, @-mentioning the recipient by mobile number when we know it."""
    phone = notification.recipient.phone
    return {
        "msgtype": "text",
        "text": {"content": message_text(notification)},
        "at": {"atMobiles": [phone] if phone else [], "isAtAll": False},
    }


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: sign = base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")), URL-quoted, appended
    with the timestamp (in milliseconds) to the robot's address."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def send_webhook(notification: Notification) -> None:
    """POST the message as JSON. A non-2xx answer, a network error, or a reply with a non-zero "errcode"
    (DingTalk answers HTTP 200 with {"errcode": 310000, …} when it refuses) is a failure."""
    url = getattr(settings, "KUOCHAN_WEBHOOK_URL", "")
    if secret := getattr(settings, "KUOCHAN_WEBHOOK_SECRET", ""):
        url = signed_url(url, secret, round(time.time() * 1000))
    request = urllib.request.Request(
        url,
        data=json.dumps(webhook_payload(notification), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            reply = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode(errors="replace").strip()
        raise DeliveryError(f"群机器人返回 HTTP {exc.code}{'：' + detail if detail else ''}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"无法连接群机器人：{reason}") from exc
    try:
        answer = json.loads(reply)
    except ValueError:
        return  # a robot that answers 2xx without JSON accepted the message
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(f"群机器人拒收（errcode {answer['errcode']}）：{answer.get('errmsg', '')}")
