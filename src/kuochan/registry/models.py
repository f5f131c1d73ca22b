import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True}


class IndustryCategory(models.Model):
    """GB/T 4754-2017 门类 (section, a letter) and 大类 (division, two digits); reference data."""

    code = models.CharField(_("代码"), max_length=4, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    section = models.CharField(_("门类"), max_length=1)
    is_section = models.BooleanField(_("是否门类"), default=False)

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["section", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)  # reference data: no district owns it; city admins see its trail


class TagKind(models.TextChoices):
    CHAIN = "chain", _("产业链")
    TRADITIONAL = "traditional", _("传统产业")
    CLASSIC = "classic", _("历史经典产业")


class IndustryTag(models.Model):
    """An editable dictionary entry: an industry chain or a traditional/classic industry of the programme."""

    kind = models.CharField(_("类别"), max_length=16, choices=TagKind.choices)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("产业标签")
        verbose_name_plural = _("产业标签")
        ordering = ["kind", "sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)  # reference data: no district owns it; city admins see its trail


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Enterprise(models.Model):
    SCOPE_PATH = "district__path"
    SCOPE_ENTERPRISE = "id"
    DETAIL_URL_NAME = "registry:detail"

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    district = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="enterprises"
    )
    town = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属乡镇（园区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="town_enterprises",
    )
    address = models.CharField(_("注册地址"), max_length=200, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=4, blank=True)
    industry_division = models.CharField(_("行业大类"), max_length=2, blank=True, db_index=True)
    size_class = models.CharField(_("企业规模"), max_length=8, choices=SizeClass.choices, blank=True)
    above_scale = models.BooleanField(_("是否规上"), default=False)
    above_scale_since = models.DateField(_("规上起始日期"), null=True, blank=True)
    segment_since = models.DateField(_("从事细分市场起始日期"), null=True, blank=True)
    tags = models.ManyToManyField(
        IndustryTag, verbose_name=_("所属产业链"), blank=True, related_name="enterprises"
    )
    # Set on rows an import created: the batch (who, when, which file) is their creation record.
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        indexes = [models.Index(fields=["district", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, int]:
        return (self.district.path, self.pk)


class EnterpriseOwned(models.Model):
    """Rows that belong to one enterprise and share its scope."""

    SCOPE_PATH = "enterprise__district__path"
    SCOPE_ENTERPRISE = "enterprise_id"

    # Not indexed alone: each subclass's unique key starts with the enterprise and serves its look-ups
    # (one index fewer to maintain on every imported row).
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        db_index=False,
    )
    created_batch = models.BigIntegerField(_("新增于导入批次"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def audit_scope(self) -> tuple[str, int]:
        return (self.enterprise.district.path, self.enterprise_id)


class HonourKind(models.TextChoices):
    LISTED = "listed", _("上市公司")
    GOLDEN_ELEPHANT = "golden_elephant", _("金象")
    GOLDEN_BULL = "golden_bull", _("金牛")
    EAGLE = "eagle", _("雄鹰")
    PHOENIX = "phoenix", _("凤凰")
    SINGLE_CHAMPION = "single_champion", _("单项冠军")
    LITTLE_GIANT = "little_giant", _("国家专精特新“小巨人”")
    PROVINCIAL_SRDI = "provincial_srdi", _("省级专精特新")
    INNOVATIVE_SME = "innovative_sme", _("创新型中小企业")
    TECH_SME = "tech_sme", _("科技型中小企业")
    HIGH_TECH = "high_tech", _("高新技术企业")
    # Appended, never inserted: the evaluation reads held honours as one bitmask numbered by position.
    SMART_FACTORY_BASIC = "smart_factory_basic", _("基础级智能工厂")
    SMART_FACTORY_ADVANCED = "smart_factory_advanced", _("先进级智能工厂")
    SMART_FACTORY_EXCELLENT = "smart_factory_excellent", _("卓越级智能工厂")
    SMART_FACTORY_LEADING = "smart_factory_leading", _("领航级智能工厂")
    ZJ_DIGITAL_WORKSHOP = "zj_digital_workshop", _("省级数字化车间")
    ZJ_SMART_FACTORY = "zj_smart_factory", _("省级智能工厂")
    ZJ_FUTURE_FACTORY = "zj_future_factory", _("省级未来工厂")
    GREEN_FACTORY_PROVINCIAL = "green_factory_provincial", _("省级绿色工厂")
    GREEN_FACTORY_NATIONAL = "green_factory_national", _("国家级绿色工厂")
    BEAUTIFUL_FACTORY = "beautiful_factory", _("美丽工厂")
    CHAIN_LEADER = "chain_leader", _("链主企业")
    SINGLE_CHAMPION_PRODUCT = "single_champion_product", _("单项冠军产品")
    TECH_INNOVATION_DEMO = "tech_innovation_demo", _("技术创新示范企业")
    IP_ADVANTAGE = "ip_advantage", _("知识产权优势企业")
    IP_DEMO = "ip_demo", _("知识产权示范企业")


class Honour(EnterpriseOwned):
    kind = models.CharField(_("荣誉"), max_length=32, choices=HonourKind.choices)
    year_granted = models.PositiveSmallIntegerField(_("认定年度"))
    year_lost = models.PositiveSmallIntegerField(_("失去年度"), null=True, blank=True)
    stock_code = models.CharField(_("股票代码"), max_length=16, blank=True)
    document_number = models.CharField(_("认定文号"), max_length=64, blank=True, db_default="")
    granted_on = models.DateField(_("认定日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业荣誉")
        verbose_name_plural = _("企业荣誉")
        ordering = ["enterprise", "kind", "year_granted"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "year_granted"], name="honour_once_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(year_lost__isnull=True)
                | models.Q(year_lost__gte=models.F("year_granted")),
                name="honour_lost_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.year_granted}）"

    def held_in(self, year: int) -> bool:
        return self.year_granted <= year and (self.year_lost is None or self.year_lost > year)


class Contact(EnterpriseOwned):
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职务"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["-is_primary", "name"]
        indexes = [models.Index(fields=["enterprise"], name="contact_enterprise")]

    def __str__(self) -> str:
        return self.name


class AnnualMetric(EnterpriseOwned):
    """One enterprise's figures for one year; every figure optional. Money in 万元."""

    year = models.PositiveSmallIntegerField(_("年度"))
    revenue_wan = models.DecimalField(_("营业收入（万元）"), **MONEY)
    main_revenue_wan = models.DecimalField(_("主营业务收入（万元）"), **MONEY)
    output_wan = models.DecimalField(_("工业总产值（万元）"), **MONEY)
    value_added_wan = models.DecimalField(_("工业增加值（万元）"), **MONEY)
    tax_wan = models.DecimalField(_("实缴税金（万元）"), **MONEY)
    profit_wan = models.DecimalField(_("利润总额（万元）"), **MONEY)
    rnd_wan = models.DecimalField(_("研发费用（万元）"), **MONEY)
    rnd_spending_wan = models.DecimalField(_("R&D经费支出（万元）"), **MONEY)
    export_wan = models.DecimalField(_("出口交货值（万元）"), **MONEY)
    energy_tce = models.DecimalField(_("综合能耗（吨标准煤）"), **MONEY)
    electricity_10k_kwh = models.DecimalField(_("用电量（万千瓦时）"), **MONEY)
    pollutant_t = models.DecimalField(_("主要污染物排放量（吨）"), **MONEY)
    carbon_t = models.DecimalField(_("碳排放量（吨CO₂）"), **MONEY)
    zero_carbon_10k_kwh = models.DecimalField(_("零碳电力（万千瓦时）"), **MONEY)
    land_mu = models.DecimalField(_("用地面积（亩）"), **MONEY)
    employees = models.PositiveIntegerField(_("年平均职工人数"), null=True, blank=True)
    # The figures the titles' criteria read (cultivation): balance sheet, staff, intellectual property, scores.
    assets_wan = models.DecimalField(_("资产总额（万元）"), **MONEY)
    liabilities_wan = models.DecimalField(_("负债总额（万元）"), **MONEY)
    tech_staff = models.PositiveIntegerField(_("科技人员数"), null=True, blank=True)
    ip_class1 = models.PositiveIntegerField(_("Ⅰ类知识产权（项）"), null=True, blank=True)
    ip_class2 = models.PositiveIntegerField(_("Ⅱ类知识产权（项）"), null=True, blank=True)
    srdi_score = models.DecimalField(
        _("专精特新发展评价得分"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("企业年度指标")
        verbose_name_plural = _("企业年度指标")
        ordering = ["enterprise", "year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="metric_once_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年指标"


class LandParcel(EnterpriseOwned):
    """A parcel of industrial land (宗地) and its owner (宗地主, the enterprise): its area and the date it
    was granted (出让), which the evaluation's new-land exemption counts from. Enterprises renting space on
    it are its tenants (`LandTenancy`)."""

    code = models.CharField(_("宗地编号"), max_length=64, unique=True)
    location = models.CharField(_("坐落"), max_length=200, blank=True)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=16, decimal_places=2)
    granted_on = models.DateField(_("出让日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("宗地")
        verbose_name_plural = _("宗地")
        ordering = ["enterprise", "code"]
        constraints = [models.CheckConstraint(condition=models.Q(area_mu__gt=0), name="parcel_area_positive")]

    def __str__(self) -> str:
        return f"宗地 {self.code}"


class LandTenancy(EnterpriseOwned):
    """An enterprise (the tenant) renting space on another's parcel, from `started_on` to `ended_on`
    (open while it lasts)."""

    parcel = models.ForeignKey(
        LandParcel, verbose_name=_("宗地"), on_delete=models.CASCADE, related_name="tenancies"
    )
    started_on = models.DateField(_("起租日期"), null=True, blank=True)
    ended_on = models.DateField(_("止租日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("租用厂房")
        verbose_name_plural = _("租用厂房")
        ordering = ["enterprise", "parcel"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "parcel", "started_on"], name="tenancy_once"),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="tenancy_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"租用{self.parcel}"

    def active_on(self, day: dt.date) -> bool:
        return (self.started_on is None or self.started_on <= day) and (
            self.ended_on is None or self.ended_on >= day
        )


class Willingness(models.TextChoices):
    YES = "yes", _("有")
    WATCHING = "watching", _("观望")
    NO = "no", _("无")


SURVEY_NEEDS = ("用地", "用能", "资金", "人才", "审批", "市场")


class Survey(EnterpriseOwned):
    """The yearly expansion-intention survey (扩产意愿)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    willingness = models.CharField(_("扩产意愿"), max_length=16, choices=Willingness.choices)
    planned_investment_wan = models.DecimalField(_("计划投资（万元）"), **MONEY)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    needs = models.CharField(
        _("需求"), max_length=64, blank=True, help_text=_("用地/用能/资金/人才/审批/市场，以“、”分隔")
    )
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("扩产意愿调查")
        verbose_name_plural = _("扩产意愿调查")
        ordering = ["enterprise", "year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="survey_once_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年扩产意愿：{self.get_willingness_display()}"
