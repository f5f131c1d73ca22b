from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuochan.audit.models import Source


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """One long piece of work a user started from a page (an import, an evaluation run, a report), run by
    the background worker. The page polls its progress and, when it is done, sends the user to `result_url`;
    an API client polls /api/v1/jobs/<id> and reads `result`, what the handler stored for it (ids and counts).
    Only the user who started it sees it."""

    handler = models.CharField(_("处理程序"), max_length=200)
    title = models.CharField(_("任务"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(_("已完成步数"), default=0)
    total = models.PositiveIntegerField(_("总步数"), default=0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    result_url = models.CharField(_("结果页面"), max_length=500, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        indexes = [models.Index(fields=["actor", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("jobs:job", args=[self.pk])

    @property
    def source(self) -> Source:
        """Where the work was asked for, for the audit trail: the API says so in the params, a page does not."""
        return Source(self.params.get("source", Source.WEB))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        """How far along, 0–100, for the progress bar (a finished job is full whatever its steps said)."""
        if self.finished:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
