from django.db import models
from django.utils.translation import gettext_lazy as _

from kuochan.orgs.models import OrgUnit
from kuochan.statistics.models import StatIndicator

AMOUNT = {"max_digits": 16, "decimal_places": 4, "null": True, "blank": True}


class IndicatorKind(models.TextChoices):
    PERIOD_TOTAL = "period_total", _("期间累计（分年目标合计）")
    YEARLY_VALUE = "yearly_value", _("年度值")
    MIN_AVG_GROWTH = "min_avg_growth", _("年均增幅不低于")
    RATIO_AT_LEAST = "ratio_at_least", _("比重保持在…以上")
    RATIO_NEAR = "ratio_near", _("比重稳定在…左右")
    YEARLY_AVG_COUNT = "yearly_avg_count", _("年均个数")
    LEVEL_BY_YEAR = "level_by_year", _("到年度达到")


class ActualSource(models.TextChoices):
    PROJECTS = "projects", _("项目库推算")
    REGISTRY = "registry", _("企业库推算")
    STATISTICS = "statistics", _("统计部门数据")


class Plan(models.Model):
    """A plan's targets as data: the table and every numeric target the text states (`Statement`), side by
    side, never reconciled silently (the plan check lists where they differ)."""

    SCOPE_PATH = "org_unit__path"  # the plan's unit: its staff, or above, may change its targets
    SCOPE_ENTERPRISE = None

    code = models.SlugField(_("编号"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("制定单位"), on_delete=models.PROTECT)
    period_start = models.PositiveSmallIntegerField(_("起始年"))
    period_end = models.PositiveSmallIntegerField(_("截止年"))
    baseline_year = models.PositiveSmallIntegerField(_("基期年"))
    period_label = models.CharField(_("规划期名称"), max_length=32, blank=True)
    previous_period_label = models.CharField(_("上一规划期名称"), max_length=32, blank=True)
    source = models.TextField(_("来源文件"), blank=True)
    table_title = models.CharField(_("目标表标题"), max_length=200, blank=True)
    table_columns = models.JSONField(_("目标表表头"), default=list)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("规划")
        verbose_name_plural = _("规划")
        ordering = ["-period_start", "code"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return (self.org_unit.path, None)

    @property
    def years(self) -> list[int]:
        return list(range(self.period_start, self.period_end + 1))

    @property
    def period_text(self) -> str:
        if self.period_start == self.period_end:
            return f"{self.period_start} 年"
        return f"{self.period_start}—{self.period_end} 年"


class Indicator(models.Model):
    SCOPE_PATH = "plan__org_unit__path"
    SCOPE_ENTERPRISE = None

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("代码"), max_length=64)
    name = models.CharField(_("指标"), max_length=100)
    unit = models.CharField(_("单位"), max_length=16)
    kind = models.CharField(_("类型"), max_length=32, choices=IndicatorKind.choices)
    table_row = models.PositiveSmallIntegerField(_("目标表序号"), null=True, blank=True)
    baseline = models.DecimalField(_("基期值"), **AMOUNT)
    previous_period = models.DecimalField(_("上一规划期累计"), **AMOUNT)
    yearly = models.JSONField(_("分年目标"), default=dict)  # {"2026": "555", …} as exact text
    period_target = models.DecimalField(_("规划期目标"), **AMOUNT)
    threshold = models.DecimalField(_("底线值"), **AMOUNT)  # growth %, ratio %, or count a year
    band = models.DecimalField(_("允许偏离（百分点）"), **AMOUNT)
    relates_to = models.SlugField(_("所涉指标"), max_length=64, blank=True)  # a growth target's amounts
    lead = models.CharField(_("牵头单位"), max_length=100, blank=True)
    actual_source = models.CharField(_("实际值来源"), max_length=16, choices=ActualSource.choices)
    derivation = models.CharField(_("推算口径"), max_length=100, blank=True)
    statistic = models.ForeignKey(
        StatIndicator,
        verbose_name=_("取自统计指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("实际值取统计部门月报的该指标：增速类取累计增速，其余取累计值"),
    )
    table_cells = models.JSONField(_("目标表原文"), default=list)  # the cells after 单位, as written
    note = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["plan", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_once")]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return (self.plan.org_unit.path, None)


class Statement(models.Model):
    """One numeric target the plan's text states, with the sentence it comes from."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="statements"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="statements"
    )
    section = models.CharField(_("所在章节"), max_length=100)
    sentence = models.TextField(_("原文"))
    claim = models.CharField(_("表述"), max_length=32)  # level, period_total, doubling, min_avg_growth, …
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("正文目标")
        verbose_name_plural = _("正文目标")
        ordering = ["plan", "sort_order"]

    def __str__(self) -> str:
        return self.sentence[:50]

    def audit_scope(self) -> tuple[str, None]:
        return (self.plan.org_unit.path, None)


class Actual(models.Model):
    """An official year-to-date figure of an indicator for a unit and month (统计数据), entered or imported:
    it overrides what the platform derives from projects or the registry."""

    SCOPE_PATH = "org_unit__path"
    SCOPE_ENTERPRISE = None

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="actuals"
    )
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT)
    month = models.DateField(_("月份"))  # the first day of the month
    value = models.DecimalField(_("本年累计值"), max_digits=16, decimal_places=4)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("指标实际值")
        verbose_name_plural = _("指标实际值")
        ordering = ["indicator", "org_unit", "month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "month"], name="actual_once_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.org_unit} {self.month:%Y-%m}"

    def audit_scope(self) -> tuple[str, None]:
        return (self.org_unit.path, None)


class DistrictTarget(models.Model):
    """A reporting unit's share of a city target for one year: split by baseline share, or set by hand."""

    SCOPE_PATH = "org_unit__path"
    SCOPE_ENTERPRISE = None

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="district_targets"
    )
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4)
    by_share = models.BooleanField(_("按基期占比分解"), default=True)

    class Meta:
        verbose_name = _("区县目标")
        verbose_name_plural = _("区县目标")
        ordering = ["indicator", "org_unit", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "year"], name="district_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.org_unit} {self.year}"

    def audit_scope(self) -> tuple[str, None]:
        return (self.org_unit.path, None)


class PlanVersion(models.Model):
    """The whole plan as it stood after one change, in the plan file's own shape (`services.plan_content`):
    a past month is read against the version in force at its end, so editing a target never rewrites
    what an earlier month's report said."""

    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    saved_at = models.DateTimeField(_("生效时间"))
    saved_by = models.CharField(_("修订人"), max_length=150, blank=True)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    content = models.JSONField(_("内容"))

    class Meta:
        verbose_name = _("规划版本")
        verbose_name_plural = _("规划版本")
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_once")]

    def __str__(self) -> str:
        return f"{self.plan} 第 {self.number} 版"

    def audit_scope(self) -> tuple[str, None]:
        return (self.plan.org_unit.path, None)
