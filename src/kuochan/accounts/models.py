import datetime as dt
import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员")
    CITY_STAFF = "city_staff", _("市级工作人员")
    DISTRICT_STAFF = "district_staff", _("区县工作人员")
    ENTERPRISE = "enterprise", _("企业用户")
    LEADER = "leader", _("领导（只读）")


# Roles that may change business data inside their scope. Leaders only read.
EDITOR_ROLES = (Role.CITY_ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF)
# Roles that decide what is city-wide: schemes, budgets, pools, reviews at city level.
CITY_ROLES = (Role.CITY_ADMIN, Role.CITY_STAFF)


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

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def set_password(self, raw_password: str | None) -> None:
        """Sets the password and notes when, so that an old one can be made to expire."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

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
    def scope_label(self) -> str:
        """The data scope in words, as pages and the API show it."""
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


class SecurityEvent(models.Model):
    """The login and security log (登录日志、安全事件): every sign-in, failed attempt, lockout and sign-out,
    with the account and the address it came from. Append only: nothing in the platform deletes it."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        FAILED = "failed", _("登录失败")
        LOCKED = "locked", _("登录被锁定")
        LOGOUT = "logout", _("退出登录")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("用户"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True, db_index=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
