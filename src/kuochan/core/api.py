"""The API root: django-ninja under /api/v1/, token or session auth, the same data scope as the web.

What every router shares lives here: who may call at all (a signed-in user who owes no new password, and
no write from a read-only role); the refusals as HTTP answers (403, 404, 409, 422 with Chinese messages by
field), the 403s and 404s also written to the security log as refused pages are; the documented error
answers of every operation, and the documentation itself for signed-in users only; bounded pagination; and
the input types that keep what the database cannot hold (numbers beyond 64 bits, NUL characters) out."""

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as InputError
from ninja.openapi.docs import Swagger
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from pydantic import field_validator

import kuochan
from kuochan.accounts.middleware import outstanding_demand
from kuochan.accounts.models import READ_ONLY_ROLES, SecurityEvent
from kuochan.accounts.security import security_event_record
from kuochan.accounts.selectors import security_policy
from kuochan.accounts.services import token_authenticate
from kuochan.core.forms import error_map
from kuochan.imports.parsing import CellError, to_month

M = TypeVar("M", bound=Model)
MAX_ID = 2**63 - 1  # the largest id a 64-bit key column holds
NUL_REFUSAL = "不能包含空字符（\\0）。"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=1990, le=2100)]
Amount = Annotated[Decimal, Field(max_digits=16, decimal_places=2)]  # 万元, or the quantity's own unit
Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]  # as the forms take it: 万元, ≥ 0
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]
Month = Annotated[str, Field(max_length=16, description="年月，如 2026-06（也可写 2026年6月）")]
Slug = Annotated[str, Field(max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Input(Schema):
    """A request body: like a Django form field, no text may hold a NUL character."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError(NUL_REFUSAL)
        return value


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class StrictParser(Parser):
    """Query strings as Django's form fields take them: a NUL character is refused, not stored or searched."""

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict:
        if bad := [key for key, values in data.lists() if _has_nul(key) or _has_nul(values)]:
            raise ValidationError({key: NUL_REFUSAL for key in bad})
        return super().parse_querydict(data, list_fields, request)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FRAMEWORK_MESSAGES = {
    "Cannot parse request body": "请求体不是有效的 JSON。",
    "Unauthorized": "请先登录，或以 Authorization: Bearer <令牌> 提供有效的接口令牌。",
}


def caller_check(request: HttpRequest, user: Any, *, session: bool) -> None:
    """What the API asks of every caller once known, before it reads the request: no call while the
    password an administrator reset is not changed (a session must also meet the page's other demands: a
    password not too old, the second factor the policy asks for); and no write from a read-only role,
    whatever its body holds."""
    if (user.must_change_password or session) and (demand := outstanding_demand(user, security_policy())):
        raise PermissionDenied(demand.api_refusal)
    if request.method not in SAFE_METHODS and user.role in READ_ONLY_ROLES:
        raise PermissionDenied(f"{user.get_role_display()}角色只能查看，不能修改数据。")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kc_…`, a personal token created on the user's page or with `kuochan token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            caller_check(request, user, session=False)
        return user


class PolicySessionAuth(SessionAuth):
    """The signed-in session of the pages (with their CSRF check), held to the pages' demands."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            caller_check(request, user, session=True)
        return user


def _token_user(request: HttpRequest) -> Any:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return token_authenticate(token.strip()) if kind.lower() == "bearer" else None


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The documentation and the schema, for a signed-in user or a valid token: anonymous callers are sent
    to sign in (the page) or refused with 401 (the schema)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated or _token_user(request) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            return JsonResponse({"detail": FRAMEWORK_MESSAGES["Unauthorized"]}, status=401)
        return redirect_to_login(request.get_full_path())

    return guarded


ERROR_ANSWERS = {
    "400": "请求体不是有效的 JSON",
    "401": "未登录，或令牌无效",
    "403": "无权执行此操作（角色或数据范围）",
    "404": "不存在，或不在您的数据范围内",
    "422": "输入有误：errors 按字段列出中文说明",
}


class LocalDocs(Swagger):
    """The API docs page with this server's own copy of Swagger UI (no CDN on an intranet). ninja falls back
    to a CDN page when it is not an installed app, and it is not one (see settings.NINJA_DIR)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        settings = json.dumps(self.settings, indent=1)
        # add_csrf: the session login (django_auth) needs the CSRF token on the page's "Try it out" calls.
        return render(request, self.template, {"swagger_settings": settings, "api": api, "add_csrf": True})


class KuochanAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Every operation that needs a login also documents its refusals, with their one shape (ErrorOut)."""
        schema = super().get_openapi_schema(**kwargs)
        schema["components"]["schemas"].setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                if not operation.get("security"):
                    continue
                answers = operation["responses"]
                for code, description in ERROR_ANSWERS.items():
                    documented = code in answers or int(code) in answers
                    if not documented and (code != "400" or "requestBody" in operation):
                        answers[code] = {"description": description, "content": error}
        return schema


api = KuochanAPI(
    title="扩产通 Kuochan API",
    version="1",
    description="企业增资扩产工作平台接口。认证：在“我的账号”页面或用 `kuochan token create` 创建令牌，"
    "以 `Authorization: Bearer <令牌>` 发送；数据范围与网页相同。金额单位为万元，日期为 ISO 格式。"
    "列表接口以 limit、offset 分页。被拒绝时返回 403（角色或范围）、404（不存在或不在范围内）、"
    "409（他人已修改，version 过期）或 422（输入有误，errors 按字段给出中文说明）。",
    auth=[TokenAuth(), PolicySessionAuth()],
    urls_namespace="api",
    parser=StrictParser(),
    docs=LocalDocs(),
    docs_decorator=signed_in_only,
)


class Pages(LimitOffsetPagination):
    """limit and offset within what a database query can take."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="每页条数（1–1000）")
        offset: int = Field(0, ge=0, le=10**9, description="跳过的条数")


def business_only(user: Any) -> None:
    """For reads the data scope does not filter (the plan, the policy catalogue, the market): the
    administrators of 三员分立 and an account without a role see no business data (the pages refuse them too)."""
    if not user.sees_business_data:
        raise PermissionDenied(f"{user.get_role_display()}不能访问业务数据。")


def staff_only(user: Any, message: str = "企业用户无权查看。") -> None:
    """Figures of every district (targets, supervision, the cockpit) are the government staff's own."""
    business_only(user)
    if user.is_enterprise_user:
        raise PermissionDenied(message)


def chosen(queryset: QuerySet[M], pk: int | None, field: str, refusal: str) -> M | None:
    """The row a request body names by id among those the actor may choose (None when it names none);
    an id not among them is refused on its field."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: refusal})
    return found


def user_named(username: str, actor: Any, field: str) -> Any:
    """The user a request body names by username, the actor when it names none; whether they may take the
    duty (owner, contact person) is the service's to say."""
    if not username:
        return actor
    user = get_user_model().objects.select_related("org_unit").filter(username=username).first()
    if user is None:
        raise ValidationError({field: f"没有用户“{username}”。"})
    return user


def month_of(value: str, field: str = "month") -> dt.date:
    """A month typed as the pages take it (2026-06, 2026年6月…), as its first day; refused by field."""
    try:
        month = to_month(value)
    except CellError as exc:
        raise ValidationError({field: str(exc)}) from exc
    if month is None:
        raise ValidationError({field: "请填写年月，如 2026-06。"})
    return month


def refusal_log(request: HttpRequest, detail: str) -> None:
    """A refused call in the security log, as kuochan.web.views.permission_denied writes a refused page."""
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    security_event_record(SecurityEvent.Kind.DENIED, request=request, user=user, detail=detail)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    reason = str(exc) or "无权执行此操作。"
    refusal_log(request, reason)
    return api.create_response(request, {"detail": reason}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Missing and out of scope answer alike, so both are logged: the API cannot tell them apart either."""
    reason = str(exc) or "不存在，或不在您的数据范围内。"
    refusal_log(request, f"{reason}（404）")
    return api.create_response(request, {"detail": reason}, status=404)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service's refusal; a save over a version someone else changed since is a conflict (409)."""
    if getattr(exc, "code", None) == "stale":
        return api.create_response(request, {"detail": exc.messages[0]}, status=409)
    return api.create_response(request, {"detail": "输入有误。", "errors": error_map(exc)}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = FRAMEWORK_MESSAGES.get(exc.message.split(" (")[0], exc.message)
    return api.create_response(request, {"detail": message}, status=exc.status_code)


def _input_message(error: dict[str, Any]) -> str:
    """A pydantic complaint about one value, in Chinese."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    fixed = {
        "missing": "必填。",
        "int_parsing": "应为整数。",
        "int_type": "应为整数。",
        "int_from_float": "应为整数。",
        "decimal_parsing": "应为数字。",
        "decimal_type": "应为数字。",
        "float_parsing": "应为数字。",
        "float_type": "应为数字。",
        "finite_number": "应为有限的数字。",
        "bool_parsing": "应为 true 或 false。",
        "bool_type": "应为 true 或 false。",
        "date_parsing": "应为日期，如 2026-06-30。",
        "date_type": "应为日期，如 2026-06-30。",
        "date_from_datetime_parsing": "应为日期，如 2026-06-30。",
        "date_from_datetime_inexact": "应为日期，如 2026-06-30。",
        "string_type": "应为文字。",
        "string_pattern_mismatch": "格式不正确。",
        "list_type": "应为列表。",
        "dict_type": "应为对象。",
        "model_type": "应为对象。",
        "model_attributes_type": "应为对象。",
        "json_invalid": "不是有效的 JSON。",
        "extra_forbidden": "没有这一项，请检查名称。",
    }
    templates = {
        "greater_than_equal": "应不小于 {ge}。",
        "greater_than": "应大于 {gt}。",
        "less_than_equal": "应不大于 {le}。",
        "less_than": "应小于 {lt}。",
        "string_too_long": "最多 {max_length} 个字符。",
        "string_too_short": "至少 {min_length} 个字符。",
        "too_long": "最多 {max_length} 项。",
        "too_short": "至少 {min_length} 项。",
        "decimal_max_digits": "数字最多 {max_digits} 位。",
        "decimal_max_places": "最多保留 {decimal_places} 位小数。",
        "decimal_whole_digits": "整数部分最多 {whole_digits} 位。",
        "enum": "应为以下之一：{expected}。",
        "literal_error": "应为以下之一：{expected}。",
    }
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind in templates:
        return templates[kind].format(**ctx)
    return fixed.get(kind, "格式不正确。")


@api.exception_handler(InputError)
def input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    """Input the schema refuses, in the services' shape: {field: [Chinese messages]}."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        field = ".".join(location[2:] if location[:1] == ["body"] else location[1:]) or "__all__"
        errors.setdefault(field, []).append(_input_message(error))
    return api.create_response(request, {"detail": "输入有误。", "errors": errors}, status=422)


class HealthOut(Schema):
    status: str
    database: str
    version: str


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["系统"], summary="健康检查")
def health(request: HttpRequest) -> Status:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any database failure means unhealthy, whatever its type
        database = "unavailable"
    status = 200 if database == "ok" else 503
    body = {
        "status": "ok" if status == 200 else "error",
        "database": database,
        "version": kuochan.__version__,
    }
    return Status(status, body)


def register_routers() -> None:
    from kuochan.accounts.api import router as accounts_router
    from kuochan.audit.api import router as audit_router
    from kuochan.cockpit.api import router as cockpit_router
    from kuochan.cultivation.api import router as cultivation_router
    from kuochan.cultivation.round_api import router as rounds_router
    from kuochan.digital.api import router as digital_router
    from kuochan.evaluation.api import router as evaluation_router
    from kuochan.imports.api import router as imports_router
    from kuochan.jobs.api import router as jobs_router
    from kuochan.notifications.api import router as notifications_router
    from kuochan.orgs.api import router as orgs_router
    from kuochan.outreach.api import router as outreach_router
    from kuochan.policies.api import router as policies_router
    from kuochan.projects.api import router as projects_router
    from kuochan.registry.api import router as registry_router
    from kuochan.resources.api import router as resources_router
    from kuochan.statistics.api import router as statistics_router
    from kuochan.targets.api import router as targets_router

    api.add_router("/", accounts_router)
    api.add_router("/audit", audit_router)
    api.add_router("/org-units", orgs_router)
    api.add_router("/enterprises", registry_router)
    api.add_router("/projects", projects_router)
    api.add_router("/targets", targets_router)
    api.add_router("/evaluation", evaluation_router)
    api.add_router("/policies", policies_router)
    api.add_router("/resources", resources_router)
    api.add_router("/outreach", outreach_router)
    api.add_router("/digital", digital_router)
    api.add_router("/cockpit", cockpit_router)
    api.add_router("/cultivation", cultivation_router)
    api.add_router("/statistics", statistics_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/imports", imports_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/cultivation/rounds", rounds_router)


register_routers()
