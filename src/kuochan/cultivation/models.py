"""Titles the bureau grows enterprises into (培育): each with its ladder, issuing level, the registry honour it
corresponds to, and its published criteria kept as data in the policy rule language."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TitleLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class Title(models.Model):
    """A title and its criteria. `criteria` is a list of {code, text, rule, source, inclusive, verified}:
    `rule` is a rule of the policy language (`cultivation.rules.criterion_rule` reads it), a placeholder
    ({"placeholder": …}) where the published text gives no figure or the registry lacks the data."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("称号"), max_length=100)
    ladder = models.CharField(_("梯度"), max_length=32, blank=True)
    rank_in_ladder = models.PositiveSmallIntegerField(_("梯度层级"), null=True, blank=True)
    level = models.CharField(_("认定层级"), max_length=16, choices=TitleLevel.choices)
    honour_kind = models.CharField(_("对应荣誉"), max_length=32, blank=True)
    criteria = models.JSONField(_("认定条件"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("培育称号")
        verbose_name_plural = _("培育称号")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)  # the library is shared: city admins see its trail


class EntryStatus(models.TextChoices):
    """Where an enterprise stands in a title's library for a year, in the order it moves."""

    ENTERED = "entered", _("入库")
    APPLIED = "applied", _("申报")
    RECOMMENDED = "recommended", _("推荐")
    GRANTED = "granted", _("认定")
    REJECTED = "rejected", _("未通过")
    REMOVED = "removed", _("出库")


# The moves an entry may make. 申报 goes back to 入库 when the city returns a nomination; a removed
# enterprise may be entered again; 认定 is final (a title lost later is the honour's `year_lost`).
NEXT_STATUSES: dict[str, frozenset[str]] = {
    EntryStatus.ENTERED: frozenset({EntryStatus.APPLIED, EntryStatus.REMOVED}),
    EntryStatus.APPLIED: frozenset(
        {EntryStatus.RECOMMENDED, EntryStatus.ENTERED, EntryStatus.REJECTED, EntryStatus.REMOVED}
    ),
    EntryStatus.RECOMMENDED: frozenset({EntryStatus.GRANTED, EntryStatus.REJECTED}),
    EntryStatus.GRANTED: frozenset(),
    EntryStatus.REJECTED: frozenset({EntryStatus.REMOVED}),
    EntryStatus.REMOVED: frozenset({EntryStatus.ENTERED}),
}


class EntrySource(models.TextChoices):
    RULE = "rule", _("按条件遴选")
    NOMINATION = "nomination", _("区县推荐")
    IMPORT = "import", _("导入")
    EVALUATION = "evaluation", _("分类施策清单")


class Round(models.Model):
    """A title's yearly application round run by a city (申报工作): districts nominate by the nomination
    deadline, the city reviews by the review deadline, and the official result list closes it."""

    SCOPE_PATH = "city__path"  # who runs it; who may read it is `selectors.rounds`
    SCOPE_ENTERPRISE = None

    title = models.ForeignKey(Title, verbose_name=_("称号"), on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("年度"))
    city = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="title_rounds"
    )
    opens_on = models.DateField(_("启动日期"))
    nomination_deadline = models.DateField(_("区县推荐截止"))
    review_deadline = models.DateField(_("市级审核截止"))
    notice = models.CharField(_("申报通知"), max_length=200, blank=True)
    result_document_number = models.CharField(_("认定文号"), max_length=64, blank=True)
    result_published_on = models.DateField(_("结果公布日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ["-year", "title__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["title", "year", "city"], name="round_once_per_title_year"),
            models.CheckConstraint(
                condition=models.Q(nomination_deadline__gte=models.F("opens_on"))
                & models.Q(review_deadline__gte=models.F("nomination_deadline")),
                name="round_deadlines_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.title.name}申报"

    def audit_scope(self) -> tuple[str, None]:
        return (self.city.path, None)


class Entry(models.Model):
    """One enterprise in a title's library (培育库) for a year: how it came in, who in its district answers
    for it, the support planned, its status, and its gaps to the criteria when it came in (`gaps`, the
    assessment's missing criteria as text; the pages recompute them as of today)."""

    SCOPE_PATH = "enterprise__district__path"
    SCOPE_ENTERPRISE = "enterprise_id"

    title = models.ForeignKey(Title, verbose_name=_("称号"), on_delete=models.PROTECT, related_name="entries")
    year = models.PositiveSmallIntegerField(_("年度"))
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="title_entries"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.ENTERED
    )
    source = models.CharField(_("入库方式"), max_length=16, choices=EntrySource.choices)
    entered_on = models.DateField(_("入库日期"))
    status_on = models.DateField(_("状态日期"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="title_entries",
    )
    planned_support = models.TextField(_("计划支持"), blank=True)
    gaps = models.JSONField(_("入库时差距"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("培育库企业")
        verbose_name_plural = _("培育库企业")
        ordering = ["title__sort_order", "-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["title", "year", "enterprise"], name="entry_once_per_title_year")
        ]
        indexes = [models.Index(fields=["year", "title", "status"], name="entry_year_title_status")]

    def __str__(self) -> str:
        return f"{self.enterprise}（{self.year}年{self.title.name}培育库）"

    def audit_scope(self) -> tuple[str, int]:
        return (self.enterprise.district.path, self.enterprise_id)

    def can_move_to(self, status: str) -> bool:
        return status in NEXT_STATUSES[self.status]
