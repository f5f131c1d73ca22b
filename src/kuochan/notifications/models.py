"""Notices to users (通知): one row per recipient, channel and key, delivered by the background worker with
retries, and kept with its outcome so nothing is lost silently."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Chinese names of the kinds callers use. A caller with a new kind may add it here
# (`KIND_LABELS["my_kind"] = "…"`); an unknown kind shows as 其他通知, never as its code.
KIND_LABELS: dict[str, str] = {
    "ticket_due_soon": "工单即将到期",
    "ticket_overdue": "工单已超期",
    "ticket_escalated": "工单已升级",
    "followup_due_soon": "回访即将到期",
    "followup_overdue": "回访已逾期",
    "cycle_red_projects": "月度红灯项目",
    "cycle_red_task": "督办事项红灯",
}
OTHER_KIND = "其他通知"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, OTHER_KIND)


class Channel(models.TextChoices):
    CONSOLE = "console", _("控制台日志")
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("已跳过")


class Notification(models.Model):
    """One notice to one user on one channel. `key` names what it is about (say "ticket_overdue:5:2026-07-01"),
    so queueing the same notice again adds nothing. `attempts` counts the tries begun; while a worker is
    sending, `next_attempt_at` is pushed out so no other worker takes the notice at the same time."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=64)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    key = models.CharField(_("去重键"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["status"], name="notification_status")]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "recipient"], name="notification_once_per_key")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}（{self.get_channel_display()}）"

    def audit_scope(self) -> tuple[str, None]:
        return self.recipient.audit_scope()

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)
