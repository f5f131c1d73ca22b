"""Accounts through the API, under the same 三员分立 as the pages: the system administrator maintains
accounts, the security administrator gives roles and keeps the policy, the auditor reads the security log."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from kuochan.accounts import selectors, services
from kuochan.accounts.models import Role, SecurityEvent, SecurityPolicy, User
from kuochan.audit.models import Source
from kuochan.orgs.api import OrgUnitOut
from kuochan.orgs.models import OrgUnit

router = Router(tags=["账号"])


class StrictIn(Schema):
    """A body for accounts and the policy: a field misspelt is refused (422), never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    can_edit: bool
    org_unit: OrgUnitOut | None
    scope: str


@router.get("/me", response=MeOut, summary="当前用户及其数据范围")
def me(request: HttpRequest) -> dict:
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": user.get_role_display(),
        "can_edit": user.can_edit,
        "org_unit": user.org_unit,
        "scope": user.scope_label,
    }


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    phone: str
    email: str
    role: str
    role_label: str
    org_unit_id: int | None
    enterprise_uscc: str | None
    is_active: bool
    must_change_password: bool
    totp_enabled: bool

    @staticmethod
    def resolve_role_label(user: User) -> str:
        return user.get_role_display()

    @staticmethod
    def resolve_enterprise_uscc(user: User) -> str | None:
        return user.enterprise.uscc if user.enterprise_id else None


class UserIn(StrictIn):
    username: str = Field(max_length=150)
    full_name: str = Field("", max_length=64)
    phone: str = Field("", max_length=32)
    org_unit_id: int
    enterprise_uscc: str = Field("", max_length=32, description="企业用户所属企业的统一社会信用代码")
    password: str = Field(description="初始密码，须符合密码策略")


class UserPatch(StrictIn):
    full_name: str | None = Field(None, max_length=64)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    org_unit_id: int | None = None
    enterprise_uscc: str | None = Field(None, max_length=32, description="空字符串表示不关联企业")
    is_active: bool | None = None


class PasswordIn(StrictIn):
    password: str = Field(description="临时密码，用户下次登录须修改")


class RoleIn(StrictIn):
    role: Role


class UserQuery(Schema):
    role: Role | None = None
    q: str = ""


def _account_values(payload: dict[str, Any]) -> dict[str, Any]:
    """The service's arguments from a payload: the unit by id, the enterprise by its USCC."""
    values = dict(payload)
    if "org_unit_id" in values:
        values["org_unit"] = get_object_or_404(OrgUnit, pk=values.pop("org_unit_id"))
    if "enterprise_uscc" in values:
        try:
            values["enterprise"] = selectors.enterprise_by_uscc(values.pop("enterprise_uscc") or "")
        except ValidationError as exc:
            raise ValidationError({"enterprise_uscc": exc.messages}) from exc
    return values


@router.get(
    "/users",
    response=list[UserOut],
    summary="账号列表（系统管理员、安全管理员：所管账号；其他人：数据范围内）",
)
@paginate
def list_users(request: HttpRequest, filters: Query[UserQuery]) -> Any:
    found = selectors.users(actor=request.auth).select_related("enterprise")
    if filters.role:
        found = found.filter(role=filters.role)
    if text := filters.q.strip():
        found = found.filter(Q(username__contains=text) | Q(full_name__contains=text))
    return found


@router.get("/users/{user_id}", response=UserOut, summary="一个账号")
def get_user(request: HttpRequest, user_id: int) -> User:
    return selectors.user_get(actor=request.auth, pk=user_id)


@router.post("/users", response={201: UserOut}, summary="创建账号（系统管理员；新账号待安全管理员分配角色）")
def create_user(request: HttpRequest, payload: UserIn) -> Status:
    values = _account_values(payload.dict())
    return Status(201, services.user_create(actor=request.auth, source=Source.API, **values))


@router.patch(
    "/users/{user_id}", response=UserOut, summary="修改账号信息、所属单位或企业、启用或停用（系统管理员）"
)
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> User:
    user = selectors.user_get(actor=request.auth, pk=user_id)
    values = _account_values(payload.dict(exclude_unset=True))
    return services.user_update(actor=request.auth, source=Source.API, user=user, **values)


@router.post(
    "/users/{user_id}/password", response=UserOut, summary="重置密码（系统管理员；用户下次登录须修改）"
)
def reset_password(request: HttpRequest, user_id: int, payload: PasswordIn) -> User:
    user = selectors.user_get(actor=request.auth, pk=user_id)
    return services.user_password_reset(
        actor=request.auth, source=Source.API, user=user, password=payload.password
    )


@router.put(
    "/users/{user_id}/role", response=UserOut, summary="分配角色（安全管理员；三员角色只能用命令行分配）"
)
def set_role(request: HttpRequest, user_id: int, payload: RoleIn) -> User:
    user = selectors.user_get(actor=request.auth, pk=user_id)
    return services.user_role_set(actor=request.auth, source=Source.API, user=user, role=payload.role)


class PolicyOut(Schema):
    password_min_length: int
    password_classes: int
    password_days: int
    lockout_account_failures: int
    lockout_address_failures: int
    lockout_minutes: int
    idle_minutes: int
    admin_totp_required: bool
    security_log_days: int


class PolicyIn(StrictIn):
    password_min_length: int | None = None
    password_classes: int | None = None
    password_days: int | None = None
    lockout_account_failures: int | None = None
    lockout_address_failures: int | None = None
    lockout_minutes: int | None = None
    idle_minutes: int | None = None
    admin_totp_required: bool | None = None
    security_log_days: int | None = None


@router.get("/security-policy", response=PolicyOut, summary="安全策略（安全管理员、安全审计员）")
def get_policy(request: HttpRequest) -> SecurityPolicy:
    if not (request.auth.is_security_admin or request.auth.is_auditor):
        raise PermissionDenied("只有安全管理员和安全审计员可以查看安全策略。")
    return selectors.security_policy()


@router.patch(
    "/security-policy", response=PolicyOut, summary="修改安全策略（安全管理员；不得低于等保三级的下限）"
)
def update_policy(request: HttpRequest, payload: PolicyIn) -> SecurityPolicy:
    values = payload.dict(exclude_unset=True, exclude_none=True)
    return services.policy_update(actor=request.auth, source=Source.API, **values)


class SecurityEventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    username: str
    ip: str | None
    path: str
    detail: str

    @staticmethod
    def resolve_kind_label(event: SecurityEvent) -> str:
        return event.get_kind_display()


class SecurityEventQuery(Schema):
    kind: SecurityEvent.Kind | None = None
    username: str | None = None
    ip: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/security-events", response=list[SecurityEventOut], summary="登录和安全日志（安全审计员）")
@paginate
def list_security_events(request: HttpRequest, filters: Query[SecurityEventQuery]) -> Any:
    if not request.auth.is_auditor:
        raise PermissionDenied("只有安全审计员可以查看登录和安全日志。")
    return selectors.security_events(
        actor=request.auth, filters=selectors.SecurityLogFilter(**filters.dict())
    )
