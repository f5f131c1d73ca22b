"""The statistics bureau's monthly industrial figures (工业经济月报): an editable library of indicators, and
each area's figures for a month (the city, its districts, and the province for comparison)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuochan.orgs.models import OrgUnit


class StatKind(models.TextChoices):
    """What the indicator's headline figure is: a growth rate, an amount, a count or a share."""

    GROWTH = "growth", _("增速（%）")
    AMOUNT = "amount", _("总量")
    COUNT = "count", _("个数")
    RATIO = "ratio", _("比重（%）")


class StatIndicator(models.Model):
    """One indicator the bureau's tables report. `unit` is the unit of its amounts (the month's value and
    the year to date); growth is always in percent. `aliases` are the other names tables head it with."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("指标"), max_length=100, unique=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    unit = models.CharField(_("单位"), max_length=16, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=StatKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)  # the library is shared: city admins see its trail


FIGURE = {"max_digits": 18, "decimal_places": 4, "null": True, "blank": True}


class StatFigure(models.Model):
    """An indicator's figures for an area and a month: the month's value, the year to date, the growth of
    the year to date over the same months of last year (percent), and the area's rank (among the province's
    cities for a city, among the city's districts for a district), as the bureau published them."""

    SCOPE_PATH = "area__path"
    SCOPE_ENTERPRISE = None

    indicator = models.ForeignKey(
        StatIndicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="figures"
    )
    area = models.ForeignKey(OrgUnit, verbose_name=_("地区"), on_delete=models.PROTECT)
    month = models.DateField(_("月份"))  # the first day of the month
    value = models.DecimalField(_("本月值"), **FIGURE)
    ytd = models.DecimalField(_("累计值"), **FIGURE)
    growth = models.DecimalField(_("累计增速（%）"), max_digits=10, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("位次"), null=True, blank=True)
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("统计数据")
        verbose_name_plural = _("统计数据")
        ordering = ["month", "indicator", "area"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "month"], name="stat_figure_once_per_month")
        ]
        indexes = [models.Index(fields=["month", "indicator"], name="stat_figure_month")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.area} {self.month:%Y-%m}"

    def audit_scope(self) -> tuple[str, None]:
        return (self.area.path, None)
