"""Expansion projects: what each one is, its milestones planned and actual, its yearly planned
investment and its monthly progress; and the light rules as data."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuochan.projects.rules import MILESTONE_LABELS
from kuochan.registry.models import MONEY

YI_WAN = 10_000  # 亿元以上: total investment of at least 10,000万元


class Milestone(models.TextChoices):
    """The milestones of a project, in the order a project reaches them. 上规 is the enterprise's own
    milestone (the registry's above-scale date) and is shown beside them, not stored on the project."""

    SIGNED = "signed", _("签约")
    REGISTERED = "registered", _("备案")
    STARTED = "started", _("开工")
    IN_STATS = "in_stats", _("入库")
    COMPLETED = "completed", _("竣工")
    PRODUCING = "producing", _("投产")
    AT_CAPACITY = "at_capacity", _("达产")


class ProjectType(models.TextChoices):
    RENOVATION = "renovation", _("技术改造")
    EXTENSION = "extension", _("扩建")
    NEW = "new", _("新建")
    MERGER = "merger", _("兼并重组")
    IPO_FUNDED = "ipo_funded", _("募投")


class ConstructionNature(models.TextChoices):
    NEW = "new", _("新建")
    EXTENSION = "extension", _("扩建")
    RENOVATION = "renovation", _("改建和技术改造")
    RELOCATION = "relocation", _("迁建")
    PURCHASE = "purchase", _("单纯购置")


class ApprovalTrack(models.TextChoices):
    SIMPLE = "simple", _("简易")
    GENERAL = "general", _("一般")
    MAJOR = "major", _("重大并联")


class ProjectStatus(models.TextChoices):
    RESERVE = "reserve", _("储备")
    ACTIVE = "active", _("推进中")
    TERMINATED = "terminated", _("终止")


def _planned(label: str) -> models.DateField:
    return models.DateField(_(f"计划{label}日期"), null=True, blank=True)


def _actual(label: str) -> models.DateField:
    return models.DateField(_(f"实际{label}日期"), null=True, blank=True)


def _evidence(label: str) -> models.CharField:
    return models.CharField(_(f"{label}佐证"), max_length=200, blank=True)


class Project(models.Model):
    """One investment project of one enterprise. Milestone dates are columns (`<milestone>_planned`,
    `<milestone>_actual`, `<milestone>_evidence`): the rules read all projects' dates in one query."""

    SCOPE_PATH = "district__path"
    SCOPE_ENTERPRISE = "enterprise_id"
    DETAIL_URL_NAME = "projects:detail"

    code = models.CharField(_("项目代码"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="projects"
    )
    district = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="projects"
    )
    town = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属乡镇（园区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="town_projects",
    )
    project_type = models.CharField(_("项目类型"), max_length=16, choices=ProjectType.choices, blank=True)
    nature = models.CharField(_("建设性质"), max_length=16, choices=ConstructionNature.choices, blank=True)
    is_renovation = models.BooleanField(_("是否技改"), default=False)
    chain = models.ForeignKey(
        "registry.IndustryTag",
        verbose_name=_("所属产业链"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    total_wan = models.DecimalField(_("总投资（万元）"), **MONEY)
    equipment_wan = models.DecimalField(_("设备投资（万元）"), **MONEY)
    is_provincial_major = models.BooleanField(_("省重大项目"), default=False)
    is_ipo_funded = models.BooleanField(_("募投项目"), default=False)
    approval_track = models.CharField(_("审批通道"), max_length=16, choices=ApprovalTrack.choices, blank=True)
    capacity_output_wan = models.DecimalField(_("达产产值（万元）"), **MONEY)
    capacity_tax_wan = models.DecimalField(_("达产税收（万元）"), **MONEY)
    land_mu = models.DecimalField(_("用地需求（亩）"), **MONEY)
    zero_new_land = models.BooleanField(_("零新增用地"), default=False)
    energy_tce = models.DecimalField(_("用能需求（吨标准煤）"), **MONEY)
    status = models.CharField(
        _("项目状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )

    signed_planned = _planned("签约")
    signed_actual = models.DateField(_("签约日期"), null=True, blank=True)
    signed_evidence = _evidence("签约")
    registered_planned = _planned("备案")
    registered_actual = _actual("备案")
    registered_evidence = _evidence("备案")
    started_planned = _planned("开工")
    started_actual = _actual("开工")
    started_evidence = _evidence("开工")
    in_stats_planned = _planned("入库")
    in_stats_actual = models.DateField(_("入库日期"), null=True, blank=True)
    in_stats_evidence = _evidence("入库")
    completed_planned = _planned("竣工")
    completed_actual = _actual("竣工")
    completed_evidence = _evidence("竣工")
    producing_planned = _planned("投产")
    producing_actual = _actual("投产")
    producing_evidence = _evidence("投产")
    at_capacity_planned = _planned("达产")
    at_capacity_actual = _actual("达产")
    at_capacity_evidence = _evidence("达产")

    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)
    # Raised by every edit: a form saved over a version someone else has changed since is refused.
    version = models.PositiveIntegerField(_("版本"), default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["code"]
        indexes = [models.Index(fields=["district", "code"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, int]:
        return (self.district.path, self.enterprise_id)

    @property
    def is_100m(self) -> bool:
        """亿元以上."""
        return self.total_wan is not None and self.total_wan >= YI_WAN

    @property
    def is_300m(self) -> bool:
        """3亿元以上."""
        return self.total_wan is not None and self.total_wan >= 3 * YI_WAN

    def milestone_dates(self) -> list[tuple[str, str, object, object, str]]:
        """(milestone, label, planned, actual, evidence) in order."""
        return [
            (
                value,
                label,
                getattr(self, f"{value}_planned"),
                getattr(self, f"{value}_actual"),
                getattr(self, f"{value}_evidence"),
            )
            for value, label in Milestone.choices
        ]


class ProjectOwned(models.Model):
    SCOPE_PATH = "project__district__path"
    SCOPE_ENTERPRISE = "project__enterprise_id"

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, db_index=False)
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def audit_scope(self) -> tuple[str, int]:
        return (self.project.district.path, self.project.enterprise_id)


class YearPlan(ProjectOwned):
    """The investment a project plans for one year (本年计划投资)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    planned_wan = models.DecimalField(_("本年计划投资（万元）"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("年度计划投资")
        verbose_name_plural = _("年度计划投资")
        ordering = ["project", "year"]
        default_related_name = "year_plans"
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="year_plan_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年计划投资"


class Progress(ProjectOwned):
    """What a project reported for one month. `month` is the month's first day."""

    month = models.DateField(_("年月"))
    ytd_wan = models.DecimalField(_("本年累计完成投资（万元）"), max_digits=16, decimal_places=2)
    year_plan_wan = models.DecimalField(_("本年计划投资（万元）"), **MONEY)
    progress_note = models.TextField(_("进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    coordination = models.TextField(_("需协调事项"), blank=True)

    class Meta:
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")
        ordering = ["project", "month"]
        default_related_name = "progress"
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="progress_once_a_month")]
        indexes = [models.Index(fields=["month"], name="progress_month")]

    def __str__(self) -> str:
        return f"{self.project} {self.month.year}年{self.month.month}月进展"


class LightRuleSet(models.Model):
    """The thresholds of the light, stall and list rules, and the milestone order: data, with a source.

    One row is in force (`name="default"`); city admins edit it, and every edit is in the audit trail.
    """

    name = models.CharField(_("名称"), max_length=32, unique=True, default="default")
    milestone_order = models.JSONField(
        _("节点顺序"), help_text=_("进度规则依次检查的节点，如 签约→备案→开工→竣工→投产→达产")
    )
    stall_labels = models.JSONField(_("破五未类别"), help_text=_("节点 → 该节点逾期时的类别名"))
    # Each threshold has its 含本数: inclusive fires at value ≥ threshold, not inclusive at value > threshold
    # (以上 includes its bound, 民法典 第1259条; 超过 does not). Defaults as the sources word them (DESIGN.md).
    schedule_yellow_days = models.PositiveIntegerField(_("节点逾期黄灯（天）"), default=1)
    schedule_yellow_inclusive = models.BooleanField(_("节点逾期黄灯含本数"), default=True)
    schedule_red_days = models.PositiveIntegerField(_("节点逾期红灯（天）"), default=90)
    schedule_red_inclusive = models.BooleanField(_("节点逾期红灯含本数"), default=True)
    pace_yellow_points = models.DecimalField(
        _("投资进度落后黄灯（百分点）"), max_digits=5, decimal_places=2, default=10
    )
    pace_yellow_inclusive = models.BooleanField(_("投资进度落后黄灯含本数"), default=True)
    pace_red_points = models.DecimalField(
        _("投资进度落后红灯（百分点）"), max_digits=5, decimal_places=2, default=30
    )
    pace_red_inclusive = models.BooleanField(_("投资进度落后红灯含本数"), default=False)
    in_stats_min_total_wan = models.DecimalField(
        _("入库规则起点（总投资，万元）"), max_digits=16, decimal_places=2, default=500
    )
    in_stats_yellow_after_days = models.PositiveIntegerField(_("开工后未入库黄灯（天）"), default=30)
    in_stats_yellow_inclusive = models.BooleanField(_("开工后未入库黄灯含本数"), default=False)
    in_stats_red_after_days = models.PositiveIntegerField(_("开工后未入库红灯（天）"), default=60)
    in_stats_red_inclusive = models.BooleanField(_("开工后未入库红灯含本数"), default=False)
    above_scale_revenue_wan = models.DecimalField(
        _("规上标准（主营业务收入，万元）"), max_digits=16, decimal_places=2, default=2000
    )
    basis = models.TextField(_("依据"), blank=True)

    class Meta:
        verbose_name = _("亮灯规则")
        verbose_name_plural = _("亮灯规则")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @staticmethod
    def audit_shown(name: str, value: object) -> str | None:
        """The trail shows the milestone order and the stall categories by the milestones' Chinese names."""
        if name == "milestone_order" and isinstance(value, list):
            return "→".join(MILESTONE_LABELS.get(str(step), str(step)) for step in value)
        if name == "stall_labels" and isinstance(value, dict):
            return "，".join(f"{MILESTONE_LABELS.get(str(k), k)}逾期：{v}" for k, v in value.items())
        return None

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)  # city-wide data: city admins see its trail
