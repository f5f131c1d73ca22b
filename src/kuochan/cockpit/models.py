"""Stored monthly reports (月度通报): each generation's two files and the figures they were written from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlyReport(models.Model):
    """One generation of a month's report for one unit's scope (`unit`: the city, or a district's own cut).
    A month may be generated again (late data, a corrected import); every generation is kept, the newest
    first. A city-wide report reaches the districts only once city staff publish it."""

    SCOPE_PATH = "unit__path"
    SCOPE_ENTERPRISE = None

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"))  # its first day
    as_of = models.DateField(_("数据截至"))
    figures = models.JSONField(_("数据"))
    workbook = models.FileField(_("Excel 报表"), upload_to="reports/%Y/")
    document = models.FileField(_("Word 通报"), upload_to="reports/%Y/")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    generated_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 月度通报"

    def audit_scope(self) -> tuple[str, None]:
        return (self.unit.path, None)

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    def file_name(self, kind: str) -> str:
        """The name users see for the .xlsx or .docx, whatever name storage gave the file."""
        return f"{self.figures.get('unit', '')}增资扩产月度通报-{self.label}.{kind}"


class Measure(models.Model):
    """One of a plan's 攻坚举措, 重点任务 or 攻坚行动, with its lead and co-responsible units, as the plan states
    them."""

    class Kind(models.TextChoices):
        TASK = "task", _("重点任务")
        MEASURE = "measure", _("攻坚举措")
        ACTION = "action", _("攻坚行动")

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    plan = models.ForeignKey(
        "targets.Plan",
        verbose_name=_("所属规划"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measures",
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("序号"), max_length=8)
    title = models.CharField(_("名称"), max_length=100)
    text = models.TextField(_("原文"))
    lead = models.CharField(_("牵头单位"), max_length=64, blank=True)
    co_responsible = models.JSONField(_("配合单位"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("举措")
        verbose_name_plural = _("举措")

    def __str__(self) -> str:
        return f"{self.number}{self.title}"

    def audit_scope(self) -> tuple[str, None]:
        return (self.plan.org_unit.path if self.plan_id else "", None)


class Meeting(models.Model):
    """A regular work meeting (工作例会) of a unit; its decisions (例会议定事项) become supervised tasks. Staff
    of the unit's subtree see it, and everyone's staff once city staff mark it shared."""

    SCOPE_PATH = "unit__path"
    SCOPE_ENTERPRISE = None

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    shared = models.BooleanField(_("各区县共享"), default=False, help_text=_("勾选后各区县都能看到"))
    date = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=200)
    notes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("工作例会")
        verbose_name_plural = _("工作例会")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    def audit_scope(self) -> tuple[str, None]:
        return (self.unit.path, None)


class SupervisedTask(models.Model):
    """A task under supervision (督办事项): part of a measure, or a meeting's decision, with the department
    that leads it, the person who reports on it, a deadline, and monthly progress reports due by `report_day`
    of the next month. It belongs to its responsible unit (`unit`): staff of that unit's subtree see it, and
    everyone's staff once city staff mark it shared."""

    SCOPE_PATH = "unit__path"
    SCOPE_ENTERPRISE = None

    measure = models.ForeignKey(
        Measure,
        verbose_name=_("所属举措"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("例会"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("督办事项"), max_length=200)
    department = models.CharField(_("责任单位"), max_length=64)
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+",
        help_text=_("事项归属的单位，其工作人员可见；默认为联络人所在单位"),
    )  # fmt: skip
    shared = models.BooleanField(_("各区县共享"), default=False, help_text=_("勾选后各区县都能看到"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络人"),
        on_delete=models.PROTECT,
        related_name="supervised_tasks",
    )
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成期限"))
    report_day = models.PositiveSmallIntegerField(_("每月报送进展截止日"), default=5)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[str, None]:
        return (self.unit.path, None)


class TaskReport(models.Model):
    """A month's progress report on a supervised task."""

    task = models.ForeignKey(
        SupervisedTask, verbose_name=_("督办事项"), on_delete=models.CASCADE, related_name="reports"
    )
    month = models.DateField(_("报告月份"))  # its first day
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_on = models.DateField(_("报送日期"))

    class Meta:
        ordering = ["task", "month"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        constraints = [models.UniqueConstraint(fields=["task", "month"], name="task_report_once_a_month")]

    def __str__(self) -> str:
        return f"{self.task} {self.month:%Y-%m}"

    def audit_scope(self) -> tuple[str, None]:
        return self.task.audit_scope()


class CycleSettings(models.Model):
    """When the monthly cycle runs: on `day` of each month, for the month before."""

    name = models.CharField(max_length=16, unique=True, default="default")
    day = models.PositiveSmallIntegerField(_("每月运行日"), default=3)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("月度流程设置")
        verbose_name_plural = _("月度流程设置")

    def __str__(self) -> str:
        return f"每月 {self.day} 日"

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)


TRIGGER_LABELS = {
    "schedule": "每月定时运行", "command": "运维人员运行", "cli": "运维人员运行", "web": "在页面上运行",
    "api": "通过接口运行", "system": "系统运行",
}  # fmt: skip


class CycleRun(models.Model):
    """One run of the monthly cycle: what it did, step by step, how long each took, and any failure."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失败")

    month = models.DateField(_("月份"))
    trigger = models.CharField(_("触发方式"), max_length=16)  # schedule / command / web
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    steps = models.JSONField(_("步骤"), default=list)
    error = models.TextField(_("错误"), blank=True)
    report = models.ForeignKey(
        MonthlyReport,
        verbose_name=_("月度通报"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("月度流程记录")
        verbose_name_plural = _("月度流程记录")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 月度流程"

    @property
    def trigger_label(self) -> str:
        """How the run started, in words (the stored value is a code)."""
        return TRIGGER_LABELS.get(self.trigger, "其他")

    @property
    def seconds(self) -> float | None:
        return (
            None
            if self.finished_at is None
            else round((self.finished_at - self.started_at).total_seconds(), 3)
        )
