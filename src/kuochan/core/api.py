"""The API root: django-ninja under /api/v1/, token or session auth, the same data scope as the web."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer, django_auth

import kuochan
from kuochan.accounts.services import token_authenticate
from kuochan.core.forms import error_map


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kc_…`, a personal token created on the user's page or with `kuochan token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="扩产通 Kuochan API",
    version="1",
    description="企业增资扩产工作平台接口。认证：在“我的账号”页面或用 `kuochan token create` 创建令牌，"
    "以 `Authorization: Bearer <令牌>` 发送；数据范围与网页相同。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作。"}, status=403)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "输入有误。", "errors": error_map(exc)}, status=422)


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
    from kuochan.evaluation.api import router as evaluation_router
    from kuochan.orgs.api import router as orgs_router
    from kuochan.outreach.api import router as outreach_router
    from kuochan.policies.api import router as policies_router
    from kuochan.projects.api import router as projects_router
    from kuochan.registry.api import router as registry_router
    from kuochan.resources.api import router as resources_router

    api.add_router("/", accounts_router)
    api.add_router("/org-units", orgs_router)
    api.add_router("/audit", audit_router)
    api.add_router("/enterprises", registry_router)
    api.add_router("/projects", projects_router)
    api.add_router("/evaluation", evaluation_router)
    api.add_router("/policies", policies_router)
    api.add_router("/resources", resources_router)
    api.add_router("/outreach", outreach_router)
    api.add_router("/cockpit", cockpit_router)


register_routers()
