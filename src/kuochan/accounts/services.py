"""Writes for users and API tokens, audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kuochan.accounts.models import ApiToken, Role, User, hash_token
from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, fields_update, snapshot
from kuochan.orgs.models import OrgUnit

TOKEN_PREFIX = "kc_"
USER_AUDIT_FIELDS = ("username", "full_name", "role", "org_unit", "phone", "is_active", "email")


@transaction.atomic
def user_create(
    *,
    actor: Any,
    source: Source,
    username: str,
    role: str,
    org_unit: OrgUnit,
    password: str,
    full_name: str = "",
    check_password: bool = True,
) -> User:
    """A new user. `actor` is a city admin whose scope holds the unit, or None for the CLI/system."""
    if actor is not None and not (actor.is_city_admin and org_unit.path.startswith(actor.org_path or "\0")):
        raise PermissionDenied("只有市级管理员可以在其管辖范围内创建用户。")
    errors = {}
    if not username.strip():
        errors["username"] = "用户名不能为空。"
    elif User.objects.filter(username=username.strip()).exists():
        errors["username"] = f"用户名“{username}”已存在。"
    if role not in Role.values:
        errors["role"] = (
            f"角色“{role}”无效，应为：{'、'.join(f'{v}（{label}）' for v, label in Role.choices)}。"
        )
    if errors:
        raise ValidationError(errors)
    user = User(username=username.strip(), role=role, org_unit=org_unit, full_name=full_name)
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=user, after=snapshot(user, USER_AUDIT_FIELDS)
    )
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown to the user once; only its hash is stored


@transaction.atomic
def token_create(*, actor: Any, source: Source, user: User, name: str) -> IssuedToken:
    """A new token for `user`. Users create their own; a city admin may create one for a user in scope."""
    if actor is not None and actor.pk != user.pk and not actor.is_city_admin:
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
    if actor is not None and actor.pk != token.user_id and not actor.is_city_admin:
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
