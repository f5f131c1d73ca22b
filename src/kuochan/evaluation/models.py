from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kuochan.evaluation.rules import (
    CARBON_LEVELS,
    CLASS_LABELS,
    ENTERPRISE_TYPES,
    GROUP_LABELS,
    INDICATORS,
    Context,
    Result,
    Scheme,
    indicator_points,
    result_reasons,
    scheme_from_definition,
)
from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise, EnterpriseOwned


class EvaluationScheme(models.Model):
    """One version of a year's evaluation scheme: per-mu indicators, weights, benchmarks and cut-offs, the
    carbon code's settings, the 清三低 thresholds and the treatment matrix (`rules.scheme_from_definition`).

    Versions are never edited: a change is a new version, and results keep the version they used, so a
    past year can be reproduced after the scheme changed.
    """

    year = models.PositiveSmallIntegerField(_("评价年度"))
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("适用城市"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("为空表示平台默认方案，尚未制定本市方案的城市沿用"),
    )
    version = models.PositiveIntegerField(_("版本"))
    definition = models.JSONField(_("方案内容"))
    source = models.TextField(_("依据"), blank=True)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("评价方案")
        verbose_name_plural = _("评价方案")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "version"], name="scheme_version_once"),
            models.UniqueConstraint(
                fields=["year", "version"],
                condition=models.Q(org_unit__isnull=True),
                name="default_scheme_version_once",
            ),
        ]

    def __str__(self) -> str:
        owner = f"{self.org_unit} " if self.org_unit_id else ""
        return f"{owner}{self.year} 年评价方案（第 {self.version} 版）"

    def audit_scope(self) -> tuple[str, None]:
        return (self.org_unit.path if self.org_unit_id else "", None)


class CarbonBenchmark(models.Model):
    """The province's published average carbon efficiency (tCO₂ per 万元 of value added) of an industry
    (大类 or 门类) for a year; K is measured against it before any local average."""

    year = models.PositiveSmallIntegerField(_("年度"))
    industry = models.CharField(_("行业代码"), max_length=4)
    average_l = models.DecimalField(_("行业平均碳效值（吨CO₂/万元）"), max_digits=16, decimal_places=4)
    source = models.CharField(_("发布来源"), max_length=200)
    # Set on rows an import created: the batch (who, when, which file) is their creation record.
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("省级行业碳效基准")
        verbose_name_plural = _("省级行业碳效基准")
        ordering = ["-year", "industry"]
        constraints = [
            models.UniqueConstraint(fields=["year", "industry"], name="carbon_benchmark_once"),
            models.CheckConstraint(condition=models.Q(average_l__gt=0), name="carbon_benchmark_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年行业 {self.industry} 碳效基准"

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)  # the province's data: city admins see its trail


class OffsetKind(models.TextChoices):
    SINK = "sink", _("碳汇")
    GREEN_POWER = "green_power", _("绿电")
    GREEN_CERTIFICATE = "green_certificate", _("绿证")
    STORAGE = "storage", _("碳封存")


OFFSET_UNITS: dict[str, str] = {
    OffsetKind.SINK: "吨CO₂",
    OffsetKind.GREEN_POWER: "万千瓦时",
    OffsetKind.GREEN_CERTIFICATE: "万千瓦时",
    OffsetKind.STORAGE: "吨CO₂",
}


class CarbonOffset(EnterpriseOwned):
    """What an enterprise offset in a year, with its source: 碳汇 and 碳封存 in tonnes of CO₂, 绿电 and 绿证 in
    万千瓦时 (turned into tonnes by the scheme's power factor). Deducted in L and counted in the
    carbon-neutral rate (碳中和率)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("抵消方式"), max_length=20, choices=OffsetKind.choices)
    amount = models.DecimalField(_("数量"), max_digits=16, decimal_places=2)
    source = models.CharField(_("来源凭证"), max_length=200)

    class Meta:
        verbose_name = _("碳抵消")
        verbose_name_plural = _("碳抵消")
        ordering = ["enterprise", "-year", "kind"]
        indexes = [models.Index(fields=["year", "enterprise"], name="carbon_offset_by_year")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="carbon_offset_positive")
        ]

    def __str__(self) -> str:
        return f"{self.year} 年{self.get_kind_display()} {self.amount} {self.unit}"

    @property
    def unit(self) -> str:
        return OFFSET_UNITS[self.kind]


class Exemption(EnterpriseOwned):
    """An enterprise staff have exempted from a year's per-mu evaluation (不参评, class T), with why."""

    SCOPE_ENTERPRISE = None

    year = models.PositiveSmallIntegerField(_("评价年度"))
    reason = models.CharField(_("不参评原因"), max_length=200)

    class Meta:
        verbose_name = _("不参评企业")
        verbose_name_plural = _("不参评企业")
        ordering = ["-year", "enterprise"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="exemption_once_per_year")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} 年不参评"


class KeyEnterprise(EnterpriseOwned):
    """An enterprise the city chose to track (重点企业); others join the set by the scheme's rule."""

    SCOPE_ENTERPRISE = None

    reason = models.CharField(_("列入原因"), max_length=200)
    added_on = models.DateField(_("列入日期"), auto_now_add=True)

    class Meta:
        verbose_name = _("重点企业")
        verbose_name_plural = _("重点企业")
        ordering = ["enterprise"]
        constraints = [models.UniqueConstraint(fields=["enterprise"], name="key_enterprise_once")]

    def __str__(self) -> str:
        return str(self.enterprise)


class EvaluationRun(models.Model):
    """The last evaluation of a year over one subtree (`org_unit`, a city or above; none for the whole
    database, run by the system): the scheme version used and what the rules derived for it
    (`rules.Context`: benchmarks, average points, group sizes and cut-off ranks, industry carbon
    averages), so every stored result can be explained and reproduced. A run replaces the results of its
    subtree's enterprises only, and the runs inside its subtree."""

    year = models.PositiveSmallIntegerField(_("评价年度"))
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("计算范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("为空表示全库（命令行计算）"),
    )
    scheme = models.ForeignKey(EvaluationScheme, verbose_name=_("评价方案"), on_delete=models.PROTECT)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("计算人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    context = models.JSONField(_("全年计算依据"), default=dict)
    enterprises = models.PositiveIntegerField(_("企业数"))

    class Meta:
        verbose_name = _("评价计算")
        verbose_name_plural = _("评价计算")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], name="evaluation_run_once_per_scope"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(org_unit__isnull=True), name="evaluation_run_once_for_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年评价" if self.org_unit_id is None else f"{self.org_unit} {self.year} 年评价"

    def audit_scope(self) -> tuple[str, None]:
        return (self.org_unit.path if self.org_unit_id else "", None)

    @cached_property
    def parsed(self) -> tuple[Scheme, Context]:
        return scheme_from_definition(self.scheme.definition), Context.from_json(self.context)


class EvaluationResult(EnterpriseOwned):
    """One enterprise's evaluation of one year, as computed with `scheme`: the figures only; the reasons
    are rendered from them with the run's context (`rules.result_reasons`), so a province's 300,000 rows
    are written in seconds."""

    # Derived rows, rewritten whole at each run: no database constraints to check 300,000 times at
    # commit, and the key is the enterprise and the year (the one index to maintain, no id sequence). The ORM
    # still deletes an enterprise's results with it and protects a scheme in use.
    pk = models.CompositePrimaryKey("enterprise_id", "year")
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="evaluationresults",
        db_index=False,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("评价年度"))
    run = models.ForeignKey(  # the run that computed the row, whose context explains it
        EvaluationRun,
        verbose_name=_("评价计算"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # a run goes only once its rows were replaced
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    scheme = models.ForeignKey(  # not indexed: only deleting a scheme looks results up by it
        EvaluationScheme,
        verbose_name=_("评价方案"),
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    group = models.CharField(_("评价类别"), max_length=8, blank=True)  # above / below / "" outside
    score = models.DecimalField(_("得分"), max_digits=12, decimal_places=2, null=True, blank=True)
    klass = models.CharField(_("分类"), max_length=1, blank=True)  # A–D, T, "" outside
    values = models.TextField(_("指标值"), blank=True)  # the group's indicators in the scheme's order
    rank_district = models.PositiveIntegerField(_("区县内排名"), null=True, blank=True)
    rank_city = models.PositiveIntegerField(_("全市排名"), null=True, blank=True)
    segment = models.CharField(_("分类范围"), max_length=64, blank=True)  # a county or custom group; "" city
    segment_rank = models.PositiveIntegerField(_("分类范围内排名"), null=True, blank=True)
    carbon_l = models.DecimalField(_("碳效值"), max_digits=16, decimal_places=4, null=True, blank=True)
    carbon_level = models.CharField(_("碳效水平"), max_length=8, blank=True)
    carbon_k = models.DecimalField(_("碳效K值"), max_digits=16, decimal_places=4, null=True, blank=True)
    carbon_grade = models.PositiveSmallIntegerField(_("碳效码等级"), null=True, blank=True)
    carbon_gap = models.PositiveSmallIntegerField(_("未赋码原因"), default=0)
    carbon_offset_t = models.DecimalField(
        _("碳抵消量（吨CO₂）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    carbon_neutral_rate = models.DecimalField(
        _("碳中和率（%）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    industry = models.CharField(_("碳效行业"), max_length=4, blank=True)
    tax_per_mu = models.DecimalField(
        _("亩均税收（万元/亩）"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    land_mu = models.DecimalField(_("用地面积（亩）"), max_digits=16, decimal_places=2, null=True, blank=True)
    low_efficiency = models.PositiveSmallIntegerField(_("清三低"), default=0)  # rules.LOW_* flags
    enterprise_type = models.CharField(_("企业类型"), max_length=16)
    willingness = models.CharField(_("扩产意愿"), max_length=16, blank=True)
    treatment = models.SmallIntegerField(_("施策规则序号"), null=True, blank=True)
    follows = models.PositiveIntegerField(_("跟随宗地主"), null=True, blank=True)  # the owner's enterprise id
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["enterprise", "-year"]
        # No index by class or grade: a year's list reads and counts all its rows anyway, and each index
        # costs a tenth of a province's run to maintain.

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} 年评价"

    def get_absolute_url(self) -> str:
        return reverse("registry:detail", args=[self.enterprise_id])

    @property
    def class_label(self) -> str:
        return CLASS_LABELS.get(self.klass, "未评价")

    @property
    def group_label(self) -> str:
        return GROUP_LABELS.get(self.group, "不在评价范围")

    @property
    def carbon_level_label(self) -> str:
        return CARBON_LEVELS.get(self.carbon_level, "")

    @property
    def enterprise_type_label(self) -> str:
        return ENTERPRISE_TYPES.get(self.enterprise_type, "")

    def as_result(self, previous: tuple[str, float | None] = ("", None)) -> Result:
        def number(value: Any) -> float | None:
            return None if value is None else float(value)

        stored = [float(v) for v in self.values.strip("[]").split(",") if v.strip()] if self.values else []
        return Result(
            self.enterprise_id, self.group, number(self.score), self.klass,
            tuple(None if v != v else v for v in stored), self.rank_district, self.rank_city,
            previous[0], previous[1], number(self.carbon_l), self.carbon_level,
            number(self.carbon_k), self.carbon_grade, self.carbon_gap, self.industry, number(self.tax_per_mu),
            number(self.land_mu), self.low_efficiency, self.enterprise_type, self.willingness, self.treatment,
            self.note, self.segment, self.segment_rank, number(self.carbon_offset_t),
            number(self.carbon_neutral_rate), self.follows,
        )  # fmt: skip

    def explain(
        self,
        run: EvaluationRun,
        previous: tuple[str, float | None] = ("", None),
        offsets: Sequence[tuple[str, float, str]] = (),
    ) -> None:
        """Attach what the pages show: `reasons`, `points` (name, unit, value, points, missing),
        `treatment_text`, `previous_class` and `neutral_mark`, from the figures, the run's scheme and
        context, last year's (class, score) and the year's offsets (kind, amount, source)."""
        scheme, context = run.parsed
        result = self.as_result(previous)
        self.previous_class = previous[0]
        self.reasons = result_reasons(result, scheme, context, offsets)
        self.neutral_mark = scheme.neutral_mark(result.neutral_rate)
        self.points = [
            (scheme.indicator(code).name, INDICATORS[code].unit, value, points, missing)
            for code, value, points, missing in indicator_points(result, scheme, context)
        ]
        rule = scheme.treatments[self.treatment] if self.treatment is not None else None
        self.treatment_text = rule.treatment if rule else ""
        self.low_reasons = [r.removeprefix("清三低：") for r in self.reasons if r.startswith("清三低：")]
