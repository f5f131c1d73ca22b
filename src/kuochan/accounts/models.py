import datetime as dt
import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kuochan.audit.models import AppendOnlyModel, AppendOnlyQuerySet


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    CITY_STAFF = "city_staff", _("市级工作人员")
    DISTRICT_STAFF = "district_staff", _("区县工作人员")
    ENTERPRISE = "enterprise", _("企业用户")
    LEADER = "leader", _("领导（只读）")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")
    PENDING = "pending", _("待分配角色")


# Roles that may change business data inside their scope. Leaders only read.
EDITOR_ROLES = (Role.CITY_ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF)
# Roles that only read: the API refuses any write of theirs before reading what it carries.
READ_ONLY_ROLES = (Role.LEADER,)
# Roles that decide what is city-wide: schemes, budgets, pools, reviews at city level.
CITY_ROLES = (Role.CITY_ADMIN, Role.CITY_STAFF)
# The roles that work with business data. The three administrators (三员分立) and an account whose role is
# not assigned yet see none of it.
BUSINESS_ROLES = (Role.CITY_ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF, Role.ENTERPRISE, Role.LEADER)
# 三员: accounts, roles and policies, logs. Each holds one of the three duties and nothing else; these roles
# are given only from the command line at deployment, never by one another.
ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)
# Roles that may (or, when the security policy says so, must) sign in with a second factor.
TOTP_ROLES = (Role.CITY_ADMIN, *ADMIN_ROLES)


# The login and security log is kept at least this long (等保: 180 days); no policy can shorten it.
RETENTION_FLOOR_DAYS = 180


class User(AbstractUser):
    """A platform user. Scope: the subtree of `org_unit`; an enterprise user: their own enterprise."""

    SCOPE_PATH = "org_unit__path"
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "accounts:user-detail"

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.DISTRICT_STAFF)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("手机"), max_length=32, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("企业用户必填"),
    )

    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(
        _("须修改密码"), default=False, help_text=_("管理员重置密码后，用户下次登录须先设置新密码")
    )
    totp_secret = models.CharField(_("动态口令密钥"), max_length=64, blank=True, editable=False)
    totp_enabled_at = models.DateTimeField(_("启用双因素时间"), null=True, blank=True, editable=False)
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)  # refuses a replayed code

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def set_password(self, raw_password: str | None) -> None:
        """Sets the password and notes when, so that an old one can be made to expire."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.must_change_password = False

    def password_expired(self, days: int) -> bool:
        """Older than `days` (a password set before the platform noted when never counts as expired)."""
        changed = self.password_changed_at
        return changed is not None and timezone.now() - changed > dt.timedelta(days=days)

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    @property
    def is_enterprise_user(self) -> bool:
        return self.role == Role.ENTERPRISE

    @property
    def can_edit(self) -> bool:
        """May change business data (within scope); leaders and inactive users may not."""
        return self.is_active and self.role in EDITOR_ROLES

    @property
    def is_city_staff(self) -> bool:
        """City-level staff, administrators included: the city-wide decisions are theirs."""
        return self.is_active and self.role in CITY_ROLES

    @property
    def is_city_admin(self) -> bool:
        return self.is_active and self.role == Role.CITY_ADMIN

    @property
    def sees_business_data(self) -> bool:
        """Enterprises, projects, applications…: not for the three administrators nor an unassigned account."""
        return self.role in BUSINESS_ROLES

    @property
    def is_system_admin(self) -> bool:
        return self.is_active and self.role == Role.SYSTEM_ADMIN

    @property
    def is_security_admin(self) -> bool:
        return self.is_active and self.role == Role.SECURITY_ADMIN

    @property
    def is_auditor(self) -> bool:
        return self.is_active and self.role == Role.AUDITOR

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def may_use_totp(self) -> bool:
        return self.role in TOTP_ROLES

    @property
    def scope_label(self) -> str:
        """The data scope in words, as pages and the API show it."""
        if self.role == Role.PENDING:
            return "无（角色尚未分配）"
        if self.role in ADMIN_ROLES:
            unit = f"{self.org_unit.name}及下属单位" if self.org_unit_id else "无（账号尚未关联单位）"
            return f"不含业务数据；管理范围：{unit}"
        if self.is_enterprise_user:
            enterprise = getattr(self, "enterprise", None)
            return f"本企业：{enterprise}" if enterprise else "本企业（账号尚未关联企业）"
        if self.org_unit is None:
            return "无（账号尚未关联单位）"
        return f"{self.org_unit.name}及下属单位"

    @cached_property
    def org_path(self) -> str | None:
        return self.org_unit.path if self.org_unit_id else None

    def audit_scope(self) -> tuple[str, None]:
        return (self.org_path or "", None)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once, at creation."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=64)
    prefix = models.CharField(_("前缀"), max_length=16, help_text=_("令牌开头几位，便于辨认"))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def audit_scope(self) -> tuple[str, None]:
        return self.user.audit_scope()


class PasswordHistory(models.Model):
    """The hashes of an account's recent passwords, so that none of the last few is chosen again (kept by
    kuochan.accounts.passwords.PasswordHistoryValidator, which also prunes the older ones)."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("密码（哈希）"), max_length=128)
    set_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"


def _bounded(default: int, low: int, high: int) -> dict:
    return {"default": default, "validators": [MinValueValidator(low), MaxValueValidator(high)]}


class SecurityPolicy(models.Model):
    """The security policy (安全策略): one row, kept by the security administrator. Until it is first saved,
    the defaults below apply (the password age and idle time from KUOCHAN_PASSWORD_DAYS and
    KUOCHAN_IDLE_MINUTES). Each bound is where 等保 level 3 practice puts it: no policy can be made weaker."""

    password_min_length = models.PositiveSmallIntegerField(_("密码最短长度"), **_bounded(10, 8, 64))
    password_classes = models.PositiveSmallIntegerField(
        _("密码至少包含的字符种类"),
        help_text=_("大写字母、小写字母、数字、符号四类中的几类"),
        **_bounded(3, 2, 4),
    )
    password_days = models.PositiveSmallIntegerField(_("密码有效期（天）"), **_bounded(90, 30, 365))
    lockout_account_failures = models.PositiveSmallIntegerField(
        _("同一账号失败几次锁定"), **_bounded(5, 3, 10)
    )
    lockout_address_failures = models.PositiveSmallIntegerField(
        _("同一地址失败几次锁定"), **_bounded(20, 5, 100)
    )
    lockout_minutes = models.PositiveSmallIntegerField(
        _("失败计数时段及锁定时长（分钟）"), **_bounded(15, 5, 1440)
    )
    idle_minutes = models.PositiveSmallIntegerField(_("无操作自动退出（分钟）"), **_bounded(30, 5, 120))
    admin_totp_required = models.BooleanField(
        _("管理员须启用双因素认证"),
        default=False,
        help_text=_("市级管理员、系统管理员、安全管理员、安全审计员登录时须输入动态口令"),
    )
    security_log_days = models.PositiveSmallIntegerField(
        _("登录和安全日志保存天数"), **_bounded(RETENTION_FLOOR_DAYS, RETENTION_FLOOR_DAYS, 3650)
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return "安全策略"

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)


class SecurityEventQuerySet(AppendOnlyQuerySet):
    refusal = "登录和安全日志只能新增，不能修改或删除（过期日志用 kuochan security-log prune 清理）。"

    def expired_delete(self, cutoff: dt.datetime) -> int:
        """Delete the entries older than `cutoff`, which must itself lie beyond the retention floor."""
        if cutoff > timezone.now() - dt.timedelta(days=RETENTION_FLOOR_DAYS):
            raise PermissionDenied(f"登录和安全日志至少保存 {RETENTION_FLOOR_DAYS} 天，不能删除更近的记录。")
        return models.QuerySet.delete(self.filter(at__lt=cutoff))[0]


class SecurityEvent(AppendOnlyModel):
    """The login and security log (登录日志、安全事件): sign-ins, failures, lockouts, sign-outs, refused
    accesses, password and second-factor changes, with the account and the address. Append only: the
    one deletion is `kuochan security-log prune`, of entries older than the policy's retention (never less
    than RETENTION_FLOOR_DAYS); on PostgreSQL a trigger refuses any other change."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        FAILED = "failed", _("登录失败")
        OTP_FAILED = "otp_failed", _("动态口令错误")
        LOCKED = "locked", _("登录被锁定")
        LOGOUT = "logout", _("退出登录")
        DENIED = "denied", _("越权访问被拒绝")
        PASSWORD = "password", _("修改密码")
        PASSWORD_RESET = "password_reset", _("管理员重置密码")
        TOTP_ON = "totp_on", _("启用双因素认证")
        TOTP_OFF = "totp_off", _("停用双因素认证")
        PRUNED = "pruned", _("清理过期日志")

    # Failures that count towards a lockout.
    FAILURES = (Kind.FAILED, Kind.OTP_FAILED)

    objects = SecurityEventQuerySet.as_manager()

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # the log keeps the user name; nothing rewrites it
        db_constraint=False,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True, db_index=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    path = models.CharField(_("访问地址"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
