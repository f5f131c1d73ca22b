"""要素保障: quota pools per unit, element and year, their ledger (every movement, never an edited balance),
projects' requests for elements, and advances a district draws on the city's pool with their schedule."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

AMOUNT = {"max_digits": 16, "decimal_places": 2}


class Element(models.TextChoices):
    ENERGY = "energy", _("用能")
    LAND = "land", _("用地")
    COD = "cod", _("排污：化学需氧量")
    AMMONIA = "ammonia", _("排污：氨氮")
    SO2 = "so2", _("排污：二氧化硫")
    NOX = "nox", _("排污：氮氧化物")
    FUND = "fund", _("基金")


UNITS = {
    Element.ENERGY: "吨标准煤",
    Element.LAND: "亩",
    Element.COD: "吨",
    Element.AMMONIA: "吨",
    Element.SO2: "吨",
    Element.NOX: "吨",
    Element.FUND: "万元",
}


class Pool(models.Model):
    """One unit's quota of one element for one year (the city's 蓄水池, or a district's). Its balance is the
    sum of its ledger, never a stored figure."""

    SCOPE_PATH = "org_unit__path"
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "resources:pool"

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="pools"
    )
    element = models.CharField(_("要素"), max_length=16, choices=Element.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["year", "org_unit__path", "element"]
        verbose_name = _("要素池")
        verbose_name_plural = _("要素池")
        constraints = [models.UniqueConstraint(fields=["org_unit", "element", "year"], name="pool_once")]

    def __str__(self) -> str:
        return f"{self.org_unit.name}{self.year}年{self.get_element_display()}池"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, None]:
        return (self.org_unit.path, None)

    @property
    def unit(self) -> str:
        return UNITS[self.element]


class MovementKind(models.TextChoices):
    OPENING = "opening", _("期初额度")
    TRANSFER_IN = "transfer_in", _("调入")
    TRANSFER_OUT = "transfer_out", _("调出")
    ALLOCATION = "allocation", _("分配给项目")
    RELEASE = "release", _("收回")
    ADVANCE_OUT = "advance_out", _("预支借出")
    ADVANCE_IN = "advance_in", _("预支借入")
    REPAY_OUT = "repay_out", _("偿还预支")
    REPAY_IN = "repay_in", _("收回预支")


class Movement(models.Model):
    """One line of a pool's ledger: a signed amount (credit positive, debit negative), why, who and when."""

    SCOPE_PATH = "pool__org_unit__path"
    SCOPE_ENTERPRISE = None

    pool = models.ForeignKey(
        Pool, verbose_name=_("要素池"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MovementKind.choices)
    delta = models.DecimalField(_("变动量"), **AMOUNT)
    counterpart = models.ForeignKey(
        Pool, verbose_name=_("对方要素池"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(
        "resources.Request", verbose_name=_("项目申请"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="movements",
    )  # fmt: skip
    advance = models.ForeignKey(
        "resources.Advance", verbose_name=_("预支"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="movements",
    )  # fmt: skip
    reason = models.CharField(_("事由"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(_("经办人"), max_length=150)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["pool", "id"]
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")

    def __str__(self) -> str:
        return f"{self.pool} {self.get_kind_display()} {self.delta}"

    def audit_scope(self) -> tuple[str, None]:
        return self.pool.audit_scope()


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待分配")
    ALLOCATED = "allocated", _("已分配")
    REJECTED = "rejected", _("未获分配")
    CANCELLED = "cancelled", _("已撤销")


class Request(models.Model):
    """A project's request for an amount of one element from a pool, with the least amount that would still
    let it go ahead (all or at least the minimum)."""

    SCOPE_PATH = "project__district__path"
    SCOPE_ENTERPRISE = "project__enterprise_id"
    DETAIL_URL_NAME = "resources:request"

    pool = models.ForeignKey(
        Pool, verbose_name=_("要素池"), on_delete=models.PROTECT, related_name="requests"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="resource_requests"
    )
    amount = models.DecimalField(_("申请量"), **AMOUNT)
    minimum = models.DecimalField(_("最低可行量"), **AMOUNT)
    justification = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    override_low_efficiency = models.BooleanField(
        _("市级同意清三低企业参与分配"),
        default=False,
        help_text=_("企业列入清三低时，仅在市级同意后参与分配"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("要素申请")
        verbose_name_plural = _("要素申请")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum__gt=0) & models.Q(minimum__lte=models.F("amount")),
                name="request_minimum_within_amount",
            ),
            models.UniqueConstraint(
                fields=["project", "pool"], condition=models.Q(status="pending"), name="request_pending_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} 申请{self.pool.get_element_display()} {self.amount}{self.pool.unit}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, int]:
        return (self.project.district.path, self.project.enterprise_id)


class Advance(models.Model):
    """A district pool's draw on the city pool (要素预支), repaid by its schedule."""

    SCOPE_PATH = "borrower__org_unit__path"
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "resources:advance"

    lender = models.ForeignKey(Pool, verbose_name=_("出借池"), on_delete=models.PROTECT, related_name="lent")
    borrower = models.ForeignKey(
        Pool, verbose_name=_("预支池"), on_delete=models.PROTECT, related_name="borrowed"
    )
    amount = models.DecimalField(_("预支量"), **AMOUNT)
    reason = models.CharField(_("事由"), max_length=200)
    created_at = models.DateTimeField(_("预支时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("要素预支")
        verbose_name_plural = _("要素预支")

    def __str__(self) -> str:
        return f"{self.borrower.org_unit.name}预支{self.lender} {self.amount}{self.lender.unit}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, None]:
        return self.borrower.audit_scope()


class Installment(models.Model):
    """One due date and amount of an advance's repayment schedule."""

    advance = models.ForeignKey(
        Advance, verbose_name=_("预支"), on_delete=models.CASCADE, related_name="installments"
    )
    due_on = models.DateField(_("应还日期"))
    amount = models.DecimalField(_("应还量"), **AMOUNT)

    class Meta:
        ordering = ["advance", "due_on"]
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")

    def __str__(self) -> str:
        return f"{self.due_on} 应还 {self.amount}"


class ListingStatus(models.TextChoices):
    AVAILABLE = "available", _("在租")
    LET = "let", _("已租")
    WITHDRAWN = "withdrawn", _("下架")


class Listing(models.Model):
    """A vacant factory space on the 厂房超市: where, how big and how strong, at what rent or price."""

    SCOPE_PATH = "area__path"
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "resources:listing"

    code = models.CharField(_("房源编号"), max_length=32, unique=True)
    area = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所在园区（乡镇）"), on_delete=models.PROTECT, related_name="listings"
    )
    address = models.CharField(_("地址"), max_length=200)
    floor_area_m2 = models.DecimalField(_("面积（平方米）"), **AMOUNT)
    floor_height_m = models.DecimalField(
        _("层高（米）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    floor_load_t_m2 = models.DecimalField(
        _("承重（吨/平方米）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    crane_t = models.DecimalField(_("行车（吨）"), max_digits=8, decimal_places=2, null=True, blank=True)
    power_kva = models.DecimalField(
        _("配电容量（千伏安）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rent_yuan_m2_month = models.DecimalField(
        _("租金（元/平方米·月）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    price_wan = models.DecimalField(_("售价（万元）"), max_digits=16, decimal_places=2, null=True, blank=True)
    available_from = models.DateField(_("可入驻日期"), null=True, blank=True)
    owner_name = models.CharField(_("业主联系人"), max_length=64)
    owner_phone = models.CharField(_("联系电话"), max_length=32)
    status = models.CharField(
        _("状态"), max_length=16, choices=ListingStatus.choices, default=ListingStatus.AVAILABLE
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("厂房房源")
        verbose_name_plural = _("厂房房源")

    def __str__(self) -> str:
        return f"{self.code} {self.address}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, None]:
        return (self.area.path, None)


class ListingPhoto(models.Model):
    listing = models.ForeignKey(
        Listing, verbose_name=_("房源"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("照片"), upload_to="listings/%Y/")
    name = models.CharField(_("原文件名"), max_length=200)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["listing", "id"]
        verbose_name = _("房源照片")
        verbose_name_plural = _("房源照片")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return self.listing.audit_scope()


class SpaceNeed(models.Model):
    """An enterprise's need for factory space: entered by staff or the enterprise, or taken from its
    expansion-intention survey (where the survey names 用地 but no figures, the figures stay empty)."""

    SCOPE_PATH = "enterprise__district__path"
    SCOPE_ENTERPRISE = "enterprise_id"

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="space_needs"
    )
    min_area_m2 = models.DecimalField(
        _("最小面积（平方米）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_area_m2 = models.DecimalField(
        _("最大面积（平方米）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    min_height_m = models.DecimalField(
        _("最低层高（米）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    min_load_t_m2 = models.DecimalField(
        _("最低承重（吨/平方米）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    min_crane_t = models.DecimalField(_("行车（吨）"), max_digits=8, decimal_places=2, null=True, blank=True)
    min_power_kva = models.DecimalField(
        _("配电容量（千伏安）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    max_rent_yuan_m2_month = models.DecimalField(
        _("可承受租金（元/平方米·月）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    district = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("意向区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    needed_by = models.DateField(_("需要入驻日期"), null=True, blank=True)
    from_survey = models.PositiveSmallIntegerField(_("来自扩产意愿调查年度"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_open = models.BooleanField(_("仍在寻找"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("厂房需求")
        verbose_name_plural = _("厂房需求")

    def __str__(self) -> str:
        return f"{self.enterprise.name}的厂房需求"

    def audit_scope(self) -> tuple[str, int]:
        return (self.enterprise.district.path, self.enterprise_id)
