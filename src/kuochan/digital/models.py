"""数字化改造: each enterprise's assessed level over time, and the year's three lists (三张清单) — the
enterprises to transform, their projects and the person responsible for each."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuochan.registry.models import EnterpriseOwned


class Level(models.TextChoices):
    """Levels in ascending order; a later level (3.0) is appended with a higher number."""

    V1 = "1.0", _("数字化改造1.0")
    V2 = "2.0", _("数字化改造2.0")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待改造")
    UNDERWAY = "underway", _("改造中")
    DONE = "done", _("已完成")


class DigitalLevel(EnterpriseOwned):
    """One assessment of an enterprise's 数字化改造 level. Its level on a date is the latest assessment on or
    before that date."""

    level = models.CharField(_("数字化改造水平"), max_length=8, choices=Level.choices)
    assessed_on = models.DateField(_("评定日期"))
    source = models.CharField(
        _("来源"), max_length=100, blank=True, help_text=_("如 省数字化改造评估、区县核定")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("数字化改造水平")
        verbose_name_plural = _("数字化改造水平")
        ordering = ["enterprise", "-assessed_on"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "assessed_on"], name="digital_level_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.get_level_display()}（{self.assessed_on:%Y-%m-%d}）"


class DigitalTask(EnterpriseOwned):
    """An enterprise on a year's 企业清单, with its projects (项目清单) and the person responsible
    (责任人清单): a platform user of the district, and/or a name and phone for someone outside it."""

    year = models.PositiveSmallIntegerField(_("年度"))
    target_level = models.CharField(_("目标水平"), max_length=8, choices=Level.choices)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人（平台用户）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digital_tasks",
    )
    responsible_name = models.CharField(_("责任人"), max_length=64, blank=True)
    responsible_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("改造项目"), blank=True, related_name="digital_tasks"
    )

    class Meta:
        verbose_name = _("数字化改造任务")
        verbose_name_plural = _("数字化改造任务")
        ordering = ["year", "enterprise"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="digital_task_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year}年数字化改造"

    @property
    def responsible_label(self) -> str:
        """Who answers for the task, as the list shows it: the user's name, else the name typed in."""
        if self.responsible_id is not None:
            return self.responsible.full_name or self.responsible.get_username()
        return self.responsible_name
