"""服务企业: visits (走访) with their follow-up tasks, issue tickets (诉求) and their closed loop, matchmaking
events (供需对接) with their outcomes, the departments tickets go to, and the timers the city set."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuochan.outreach.rules import CATEGORY_LABELS, SATISFACTION_LABELS, STATUS_LABELS, STEP_LABELS

USER = settings.AUTH_USER_MODEL


class ServiceRuleSet(models.Model):
    """The timers of the service system; city admins edit them. A ticket keeps the deadline it was given, so
    changing a timer never rewrites what was promised before."""

    name = models.CharField(_("名称"), max_length=32, unique=True, default="default")
    triage_days = models.PositiveSmallIntegerField(_("受理后交办时限（天）"))
    deadline_days = models.JSONField(_("各类诉求办理时限（天）"))
    due_soon_days = models.PositiveSmallIntegerField(_("到期前提醒（天）"))
    escalate_after_days = models.PositiveSmallIntegerField(_("逾期升级至市级（天）"))
    visit_window_days = models.PositiveSmallIntegerField(_("重复走访提醒期（天）"))
    basis = models.TextField(_("依据"), blank=True)

    class Meta:
        verbose_name = _("服务时限规则")
        verbose_name_plural = _("服务时限规则")

    def __str__(self) -> str:
        return "服务时限规则"

    @staticmethod
    def audit_shown(name: str, value: object) -> str | None:
        """The trail reads the deadlines by category in words: "用地 30 天，用能 20 天"."""
        if name != "deadline_days" or not isinstance(value, dict):
            return None
        return "，".join(f"{CATEGORY_LABELS.get(key, key)} {days} 天" for key, days in value.items())

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)


class Department(models.Model):
    """A department tickets are assigned to (自然资源规划局, 供电公司 …), at the city or in a district."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属层级"), on_delete=models.PROTECT, related_name="departments"
    )
    categories = models.JSONField(_("主要承办的诉求类别"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return (self.unit.path, None)


class Visit(models.Model):
    """One visit to an enterprise, made or planned (a date ahead is a planned visit on the calendar)."""

    SCOPE_PATH = "district__path"
    SCOPE_ENTERPRISE = None  # findings are the service team's notes
    DETAIL_URL_NAME = "outreach:visit"

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="visits"
    )
    district = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="visits"
    )
    date = models.DateField(_("走访日期"))
    purpose = models.CharField(_("走访目的"), max_length=200)
    findings = models.TextField(_("了解情况"), blank=True)
    visitors = models.ManyToManyField(USER, verbose_name=_("走访人员"), related_name="visits", blank=True)
    departments = models.ManyToManyField(
        Department, verbose_name=_("参加部门"), related_name="visits", blank=True
    )
    companions = models.CharField(_("其他参加人员"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        indexes = [models.Index(fields=["enterprise", "date"], name="visit_enterprise_date")]

    def __str__(self) -> str:
        return f"{self.date} 走访{self.enterprise.name}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, int]:
        return (self.district.path, self.enterprise_id)


class FollowUp(models.Model):
    """A task a visit left behind, with its owner and due date."""

    SCOPE_PATH = "visit__district__path"
    SCOPE_ENTERPRISE = None

    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="tasks")
    text = models.CharField(_("事项"), max_length=200)
    owner = models.ForeignKey(
        USER, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="followups"
    )
    due_date = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")

    def __str__(self) -> str:
        return self.text

    def audit_scope(self) -> tuple[str, int]:
        return self.visit.audit_scope()


class Ticket(models.Model):
    """One issue an enterprise raised (诉求), from 受理 to 回访评价. `due_date` is the deadline it runs
    against now: assignment (交办) before 分类协调, handling (办结) after."""

    SCOPE_PATH = "district__path"
    SCOPE_ENTERPRISE = "enterprise_id"
    DETAIL_URL_NAME = "outreach:ticket"

    class Source(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业提出")
        VISIT = "visit", _("走访发现")
        STAFF = "staff", _("工作人员登记")

    number = models.CharField(_("诉求编号"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="tickets"
    )
    district = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="tickets"
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("走访"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    category = models.CharField(_("类别"), max_length=16, choices=list(CATEGORY_LABELS.items()))
    title = models.CharField(_("诉求事项"), max_length=200)
    description = models.TextField(_("具体情况"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=list(STATUS_LABELS.items()), default="accepted"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    handler = models.ForeignKey(
        USER,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    due_date = models.DateField(_("当前期限"))
    escalated_at = models.DateTimeField(_("升级至市级时间"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=list(SATISFACTION_LABELS.items()), blank=True
    )
    resolution = models.TextField(_("办理结果"), blank=True)
    reopened = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    project = models.ForeignKey(  # the enterprise's project the issue holds up, when it names one
        "projects.Project",
        verbose_name=_("关联项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("提出人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            models.Index(fields=["status", "due_date"], name="ticket_status_due"),
            models.Index(fields=["enterprise", "status"], name="ticket_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, int]:
        return (self.district.path, self.enterprise_id)


class TicketStep(models.Model):
    """One entry of a ticket's timeline: a step of its way, a comment, or the escalation; who, when and what.
    `due_date` is the deadline after the step, so a past day's lights can be recomputed from the timeline."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=list(STATUS_LABELS.items()), blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=list(STATUS_LABELS.items()))
    due_date = models.DateField(_("期限"))
    actor = models.ForeignKey(
        USER, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["ticket", "at", "id"]
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        indexes = [models.Index(fields=["at"], name="ticketstep_at")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.label}"

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.action, self.action)


class TicketAttachment(models.Model):
    """A file the enterprise (or staff) attached to a ticket, stored outside the web root and served only
    within scope."""

    SCOPE_PATH = "ticket__district__path"
    SCOPE_ENTERPRISE = "ticket__enterprise_id"

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="outreach/%Y/")
    name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["ticket", "id"]
        verbose_name = _("诉求附件")
        verbose_name_plural = _("诉求附件")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, int]:
        return self.ticket.audit_scope()


class Event(models.Model):
    """A matchmaking event (供需对接), held by the city or a district."""

    SCOPE_PATH = "unit__path"
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "outreach:event"

    class Kind(models.TextChoices):
        CHAIN = "chain", _("产业链对接")
        EQUIPMENT = "equipment", _("设备更新")
        FINANCE = "finance", _("金融对接")
        TALENT = "talent", _("人才对接")
        MARKET = "market", _("产销对接")
        OTHER = "other", _("其他")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    date = models.DateField(_("日期"))
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("举办层级"), on_delete=models.PROTECT, related_name="events"
    )
    organiser = models.CharField(_("主办单位"), max_length=200)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("供需对接活动")
        verbose_name_plural = _("供需对接活动")
        indexes = [models.Index(fields=["date"], name="event_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    def audit_scope(self) -> tuple[str, None]:
        return (self.unit.path, None)


class Participant(models.Model):
    class Role(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SUPPLIER = "supplier", _("供应商")
        BANK = "bank", _("金融机构")
        OTHER = "other", _("其他")

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="participants"
    )
    role = models.CharField(_("身份"), max_length=16, choices=Role.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业库企业"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="event_participations",
    )  # fmt: skip
    name = models.CharField(_("名称"), max_length=200)

    class Meta:
        ordering = ["event", "role", "id"]
        verbose_name = _("参加单位")
        verbose_name_plural = _("参加单位")
        constraints = [models.UniqueConstraint(fields=["event", "role", "name"], name="participant_once")]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return self.event.audit_scope()


class Outcome(models.Model):
    """What an event produced for one enterprise: an order signed or financing agreed, in 万元."""

    class Kind(models.TextChoices):
        ORDER = "order", _("签约订单")
        FINANCING = "financing", _("融资授信")

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="event_outcomes"
    )
    counterpart = models.CharField(_("对方单位"), max_length=200, blank=True)
    amount_wan = models.DecimalField(_("金额（万元）"), max_digits=16, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("对接成果")
        verbose_name_plural = _("对接成果")
        constraints = [models.CheckConstraint(condition=models.Q(amount_wan__gt=0), name="outcome_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_wan} 万元"

    def audit_scope(self) -> tuple[str, None]:
        return self.event.audit_scope()
