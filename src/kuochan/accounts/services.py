"""Writes for users and API tokens, audited."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kuochan.accounts.models import (
    ADMIN_ROLES,
    BUSINESS_ROLES,
    RETENTION_FLOOR_DAYS,
    ApiToken,
    Role,
    SecurityEvent,
    SecurityPolicy,
    User,
    hash_token,
)
from kuochan.accounts.security import security_event_record, totp_step
from kuochan.accounts.selectors import POLICY_CACHE_KEY, security_policy
from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, fields_update, snapshot
from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise

TOKEN_PREFIX = "kc_"
USER_AUDIT_FIELDS = (
    "username", "full_name", "role", "org_unit", "enterprise", "phone", "is_active", "email", "must_change_password",
)  # fmt: skip
ACCOUNT_FIELDS = ("full_name", "phone", "email", "org_unit", "enterprise", "is_active")
# What the security administrator may give: a business role, or none yet. The three administrators' roles
# are given only from the command line at deployment (`kuochan user create --role …`).
ASSIGNABLE_ROLES = (*BUSINESS_ROLES, Role.PENDING)


def _role_error(role: str, allowed: tuple[str, ...]) -> str:
    names = "、".join(f"{value}（{Role(value).label}）" for value in allowed)
    return f"角色“{role}”无效，应为：{names}。"


def _require_system_admin(actor: Any, unit: OrgUnit | None) -> None:
    """The system administrator manages accounts of their unit's subtree (三员分立); None is the CLI."""
    if actor is None:
        return
    if not actor.is_system_admin:
        raise PermissionDenied("只有系统管理员可以创建和维护账号。")
    if unit is not None and not unit.path.startswith(actor.org_path or "\0"):
        raise PermissionDenied(f"“{unit.name}”不在您的管理范围内。")


def _refuse_admin_account(actor: Any, user: User) -> None:
    """No administrator manages another administrator's account, nor their own role: only the CLI does."""
    if actor is not None and user.role in ADMIN_ROLES:
        raise PermissionDenied(
            f"“{user.username}”是{user.get_role_display()}账号，只能由部署人员用命令行维护。"
        )


def password_check(password: str, user: User) -> None:
    """The password policy (settings.AUTH_PASSWORD_VALIDATORS), its refusals on the password field."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def user_create(
    *,
    actor: Any,
    source: Source,
    username: str,
    org_unit: OrgUnit,
    password: str,
    role: str = Role.PENDING,
    full_name: str = "",
    phone: str = "",
    enterprise: Enterprise | None = None,
    check_password: bool = True,
) -> User:
    """A new account. The system administrator creates it without a role (the security administrator
    assigns one); the CLI (actor None) may give any role, the three administrators' included."""
    _require_system_admin(actor, org_unit)
    errors = {}
    if not username.strip():
        errors["username"] = "用户名不能为空。"
    elif User.objects.filter(username=username.strip()).exists():
        errors["username"] = f"用户名“{username}”已存在。"
    if role not in Role.values:
        errors["role"] = _role_error(role, tuple(Role.values))
    elif actor is not None and role != Role.PENDING:
        errors["role"] = "系统管理员创建的账号为“待分配角色”，角色由安全管理员分配。"
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username.strip(), role=role, org_unit=org_unit, full_name=full_name, phone=phone,
        enterprise=enterprise,
    )  # fmt: skip
    if check_password:
        password_check(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=user, after=snapshot(user, USER_AUDIT_FIELDS)
    )
    return user


@transaction.atomic
def user_update(*, actor: Any, source: Source, user: User, **values: Any) -> User:
    """Change an account's details, unit, enterprise link or whether it is active (停用 instead of deleting,
    so the trail keeps its author)."""
    unknown = set(values) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValidationError({name: "该项不能在这里修改。" for name in sorted(unknown)})
    _require_system_admin(actor, values.get("org_unit") or user.org_unit)
    _refuse_admin_account(actor, user)
    if actor is not None and actor.pk == user.pk and values.get("is_active") is False:
        raise ValidationError({"is_active": "不能停用自己的账号。"})
    if user.role == Role.ENTERPRISE and "enterprise" in values and values["enterprise"] is None:
        raise ValidationError({"enterprise": "企业用户必须关联企业；如不再需要，请停用账号。"})
    fields_update(user, actor=actor, source=source, **values)
    return user


@transaction.atomic
def user_password_reset(*, actor: Any, source: Source, user: User, password: str) -> User:
    """A temporary password set by the system administrator; the user must change it at next sign-in, and
    until then neither their session nor any token of theirs reaches the API. The tokens they had are revoked:
    whoever knew the old password may have made one."""
    _require_system_admin(actor, user.org_unit)
    _refuse_admin_account(actor, user)
    password_check(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=user,
        before={"must_change_password": False}, after={"must_change_password": True},
    )  # fmt: skip
    revoked = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        fields_update(token, actor=actor, source=source, revoked_at=timezone.now())
        revoked += 1
    detail = f"由 {user_label(actor)} 重置" + (f"，吊销接口令牌 {revoked} 个" if revoked else "")
    security_event_record(SecurityEvent.Kind.PASSWORD_RESET, user=user, detail=detail)
    return user


@transaction.atomic
def user_role_set(*, actor: Any, source: Source, user: User, role: str) -> User:
    """The security administrator gives an account a business role (or takes it back to none)."""
    if actor is not None:
        if not actor.is_security_admin:
            raise PermissionDenied("只有安全管理员可以分配角色。")
        if user.org_unit is not None and not user.org_unit.path.startswith(actor.org_path or "\0"):
            raise PermissionDenied(f"“{user.username}”不在您的管理范围内。")
        if actor.pk == user.pk:
            raise PermissionDenied("不能修改自己的角色。")
        _refuse_admin_account(actor, user)
        if role not in ASSIGNABLE_ROLES:
            raise ValidationError({"role": _role_error(role, ASSIGNABLE_ROLES)})
    elif role not in Role.values:
        raise ValidationError({"role": _role_error(role, tuple(Role.values))})
    if role == Role.ENTERPRISE and user.enterprise_id is None:
        raise ValidationError({"role": "企业用户须先关联企业：请系统管理员在账号中填写所属企业。"})
    fields_update(user, actor=actor, source=source, role=role)
    return user


@transaction.atomic
def policy_update(*, actor: Any, source: Source, **values: Any) -> SecurityPolicy:
    """Save the security policy; every bound is checked (no policy weaker than level 3 allows)."""
    if actor is not None and not actor.is_security_admin:
        raise PermissionDenied("只有安全管理员可以修改安全策略。")
    policy = SecurityPolicy.objects.select_for_update().first() or SecurityPolicy()
    before = snapshot(policy) if policy.pk else {}
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    action = Action.UPDATE if before else Action.CREATE
    audit_record(actor=actor, source=source, action=action, obj=policy, before=before, after=snapshot(policy))
    cache.delete(POLICY_CACHE_KEY)  # at once for this process; and again once others can read the new row
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    return policy


def user_label(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else "系统"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown to the user once; only its hash is stored


@transaction.atomic
def token_create(*, actor: Any, source: Source, user: User, name: str) -> IssuedToken:
    """A new token for `user`: only for oneself (nobody can act as someone else through a token)."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied("您只能为自己创建接口令牌。")
    if not name.strip():
        raise ValidationError({"name": "请填写令牌用途，例如“区县数据同步”。"})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:64], prefix=raw[:10], digest=hash_token(raw)
    )
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=token, after=snapshot(token, ["name", "prefix"])
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def token_revoke(*, actor: Any, source: Source, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner, or the system administrator in charge of the account."""
    if actor is not None and actor.pk != token.user_id and not actor.is_system_admin:
        raise PermissionDenied("您只能吊销自己的接口令牌。")
    if token.revoked_at is None:
        fields_update(token, actor=actor, source=source, revoked_at=timezone.now())
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a presented token, or None. Marks the token as used (at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__org_unit")
        .filter(digest=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_or_none(actor: Any) -> Any:
    """The acting user to store as creator or actor, or None when the system acts (a command without --user)."""
    return actor if getattr(actor, "pk", None) else None


def require_city_staff(actor: Any, refusal: str) -> None:
    """Refuse, with the caller's Chinese message, anyone but active city-level staff."""
    if actor is None or not actor.is_city_staff:
        raise PermissionDenied(refusal)


@transaction.atomic
def totp_begin(*, user: User) -> User:
    """A fresh secret for binding an authenticator; it protects nothing until a code from it is confirmed."""
    if not user.may_use_totp:
        raise PermissionDenied("双因素认证适用于管理员角色。")
    if user.totp_enabled:
        raise ValidationError("已绑定身份验证器；如需更换，请先停用。")
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_last_step"])
    return user


def _code_accepted(user: User, code: str) -> bool:
    """Whether the code is right and unused; if so, remember its step so it cannot be used again."""
    step = totp_step(user, code)
    if step is None:
        return False
    user.totp_last_step = step
    user.save(update_fields=["totp_last_step"])
    return True


@transaction.atomic
def totp_confirm(*, user: User, code: str, request: Any = None) -> User:
    """Turn the second factor on, once the user proves their authenticator shows the right codes."""
    if user.totp_enabled or not user.totp_secret:
        raise ValidationError("请先生成新的密钥并用身份验证器扫描。")
    if not _code_accepted(user, code):
        raise ValidationError({"code": "动态口令不正确：请核对手机时间，并输入验证器当前显示的 6 位数字。"})
    user.totp_enabled_at = timezone.now()
    user.save(update_fields=["totp_enabled_at"])
    security_event_record(SecurityEvent.Kind.TOTP_ON, request=request, user=user)
    return user


@transaction.atomic
def totp_disable(*, user: User, code: str, request: Any = None) -> User:
    """Turn one's own second factor off, with a current code, unless the policy demands it."""
    if user.may_use_totp and security_policy().admin_totp_required:
        raise PermissionDenied("安全策略要求管理员启用双因素认证，不能停用。")
    if not _code_accepted(user, code):
        raise ValidationError({"code": "动态口令不正确。"})
    _totp_clear(user)
    security_event_record(SecurityEvent.Kind.TOTP_OFF, request=request, user=user, detail="本人停用")
    return user


@transaction.atomic
def totp_reset(*, actor: Any, source: Source, user: User) -> User:
    """The security administrator unbinds a lost authenticator; the user binds a new one."""
    if actor is not None and not actor.is_security_admin:
        raise PermissionDenied("只有安全管理员可以解除他人的身份验证器绑定。")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能解除自己的绑定。")
    _totp_clear(user)
    security_event_record(SecurityEvent.Kind.TOTP_OFF, user=user, detail=f"由 {user_label(actor)} 解除绑定")
    return user


def totp_sign_in(*, user: User, code: str, request: Any = None) -> bool:
    """The second step of signing in: a right, unused code; a wrong one is logged as a failure."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)  # two tabs cannot spend one code twice
        if _code_accepted(locked, code):
            user.totp_last_step = locked.totp_last_step
            return True
    security_event_record(SecurityEvent.Kind.OTP_FAILED, request=request, user=user)
    return False


def _totp_clear(user: User) -> None:
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = "", None, None
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])


def security_log_prune(*, days: int | None = None, dry_run: bool = False) -> tuple[int, dt.datetime]:
    """Delete the login and security log's entries older than `days` (default: the policy's retention),
    never fewer than the 180-day floor; the pruning itself is logged. Returns (count, cutoff)."""
    days = days if days is not None else security_policy().security_log_days
    if days < RETENTION_FLOOR_DAYS:
        raise ValidationError(f"登录和安全日志至少保存 {RETENTION_FLOOR_DAYS} 天，不能只保留 {days} 天。")
    cutoff = timezone.now() - dt.timedelta(days=days)
    expired = SecurityEvent.objects.filter(at__lt=cutoff)
    if dry_run:
        return expired.count(), cutoff
    with transaction.atomic():
        count = SecurityEvent.objects.expired_delete(cutoff)
        security_event_record(
            SecurityEvent.Kind.PRUNED, username="系统",
            detail=f"删除 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 之前的 {count} 条（保存 {days} 天）",
        )  # fmt: skip
    return count, cutoff
