"""The policy catalogue (政策直达), budgets per policy and year, applications from 申报 to 拨付 with every step
and its opinion, and the files attached to them."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuochan.policies.rules import STEP_LABELS, describe, rule_from_data
from kuochan.registry.models import MONEY


class Subject(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PROJECT = "project", _("项目")


class SupportKind(models.TextChoices):
    NON_MONETARY = "non_monetary", _("非资金支持")
    CAPPED = "capped", _("据实申报，设上限")
    SHARE = "share", _("按投资比例补助，设上限")
    FIXED = "fixed", _("定额奖励")


class ShareBase(models.TextChoices):
    EQUIPMENT = "equipment_wan", _("设备投资")
    TOTAL = "total_wan", _("项目总投资")


class PolicyState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_FORCE = "in_force", _("施行中")
    CLOSED = "closed", _("已关闭")


class Policy(models.Model):
    """One policy of the catalogue, issued by a unit: the city, or a district for its own district. It
    applies (matches, takes applications) only within its issuing unit's area. Staff of the issuing unit,
    or of the city above a district, keep it: a draft until published, in force, then closed for good."""

    SCOPE_PATH = "issuer__path"  # who may keep it; who may read it is `selectors.policies`
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "policies:detail"

    code = models.SlugField(_("政策代码"), max_length=64, unique=True)
    issuer = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="policies"
    )
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=PolicyState.choices, default=PolicyState.IN_FORCE
    )
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    closed_reason = models.CharField(_("关闭原因"), max_length=500, blank=True)
    number = models.CharField(_("条款序号"), max_length=16, blank=True)
    section = models.CharField(_("所属章节"), max_length=64, blank=True)
    title = models.CharField(_("政策名称"), max_length=100)
    clause = models.TextField(_("条款原文"))
    lead = models.CharField(_("牵头部门"), max_length=64)
    co_responsible = models.JSONField(_("配合部门"), default=list, blank=True)
    period_start = models.DateField(_("执行起始"), null=True, blank=True)
    period_end = models.DateField(_("执行截止"), null=True, blank=True)
    funding_source = models.CharField(_("资金来源"), max_length=100, blank=True)
    subject = models.CharField(_("适用对象"), max_length=16, choices=Subject.choices)
    support_kind = models.CharField(_("支持方式"), max_length=16, choices=SupportKind.choices)
    support_text = models.CharField(_("支持内容"), max_length=200, blank=True)
    cap_wan = models.DecimalField(_("补助上限（万元）"), **MONEY)
    share_pct = models.DecimalField(_("补助比例（%）"), max_digits=6, decimal_places=2, null=True, blank=True)
    share_base = models.CharField(_("补助基数"), max_length=16, choices=ShareBase.choices, blank=True)
    fixed_wan = models.DecimalField(_("定额（万元）"), **MONEY)
    rule = models.JSONField(_("申报条件"))
    documents = models.JSONField(_("申报材料"), default=list, blank=True)
    auto_award = models.BooleanField(_("免申即享"), default=False)
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    is_active = models.BooleanField(_("受理中"), default=True)
    source = models.TextField(_("依据"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("政策")
        verbose_name_plural = _("政策")

    def __str__(self) -> str:
        return f"{self.number}{self.title}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.code])

    @staticmethod
    def audit_shown(name: str, value: object) -> str | None:
        """The trail shows an eligibility rule as its sentence, not as its stored form."""
        if name != "rule":
            return None
        try:
            return describe(rule_from_data(value))
        except ValueError:
            return None

    def audit_scope(self) -> tuple[str, None]:
        return (self.issuer.path, None)

    @property
    def in_force(self) -> bool:
        return self.state == PolicyState.IN_FORCE

    @property
    def is_monetary(self) -> bool:
        return self.support_kind != SupportKind.NON_MONETARY


class PolicyBudget(models.Model):
    """The money a policy may approve in one year. Approvals lock this row, so two reviewers approving at
    the same moment cannot overspend it together."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="budgets"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount_wan = models.DecimalField(_("预算（万元）"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["policy", "year"]
        verbose_name = _("政策预算")
        verbose_name_plural = _("政策预算")
        constraints = [models.UniqueConstraint(fields=["policy", "year"], name="budget_once_per_year")]

    def __str__(self) -> str:
        return f"{self.policy.title} {self.year} 年预算"

    def audit_scope(self) -> tuple[str, None]:
        return self.policy.audit_scope()


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    DISTRICT_REVIEW = "district_review", _("待区县初审")
    CITY_REVIEW = "city_review", _("待市级复审")
    PUBLICITY = "publicity", _("公示中")
    PAID = "paid", _("已拨付（兑现）")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予支持")
    WITHDRAWN = "withdrawn", _("已撤回")


class Application(models.Model):
    """One enterprise's application for one policy and year (for a project, where the policy is about
    projects). Amounts in 万元: `computed_wan` by the policy's rule, `requested_wan` by the applicant,
    `amount_wan` as the reviewers last set it, `approved_wan` when the city approved it."""

    SCOPE_PATH = "district__path"
    SCOPE_ENTERPRISE = "enterprise_id"
    DETAIL_URL_NAME = "policies:application"

    number = models.CharField(_("申报编号"), max_length=20, unique=True)
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="applications"
    )
    year = models.PositiveSmallIntegerField(_("预算年度"))
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="applications"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    district = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("申报说明"), blank=True)
    requested_wan = models.DecimalField(_("申请金额（万元）"), **MONEY)
    computed_wan = models.DecimalField(_("测算金额（万元）"), **MONEY)
    computation = models.CharField(_("测算依据"), max_length=200, blank=True)
    amount_wan = models.DecimalField(_("审核金额（万元）"), **MONEY)
    approved_wan = models.DecimalField(_("核准金额（万元）"), **MONEY)
    paid_wan = models.DecimalField(_("拨付金额（万元）"), **MONEY)
    eligibility = models.JSONField(_("条件核对"), default=dict, blank=True)
    auto_award = models.BooleanField(_("免申即享"), default=False)
    publicity_until = models.DateField(_("公示截止"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("政策申报")
        verbose_name_plural = _("政策申报")
        indexes = [
            models.Index(fields=["policy", "year", "status"], name="application_budget"),
            models.Index(fields=["status"], name="application_status"),
        ]
        constraints = [
            # one open application per policy, year and subject (an enterprise, or one of its projects)
            models.UniqueConstraint(
                "policy", "year", "enterprise", Coalesce("project", 0),
                condition=~models.Q(status__in=["rejected", "withdrawn"]),
                name="application_open_once",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise.name} · {self.policy.title}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, int]:
        return (self.district.path, self.enterprise_id)


class Step(models.Model):
    """One step of an application's way: who, when, from which status to which, and their opinion."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    opinion = models.TextField(_("意见"), blank=True)
    amount_wan = models.DecimalField(_("金额（万元）"), **MONEY)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("申报流转记录")
        verbose_name_plural = _("申报流转记录")

    def __str__(self) -> str:
        return f"{self.application.number} {self.label}"

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.action, self.action)


class Attachment(models.Model):
    """A file attached to an application, stored outside the web root and served only within scope."""

    application = models.ForeignKey(
        Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.CharField(_("材料名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="policies/%Y/")
    name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")

    def __str__(self) -> str:
        return f"{self.document}：{self.name}"

    def audit_scope(self) -> tuple[str, int]:
        return self.application.audit_scope()
