from django.http import HttpRequest
from ninja import Router, Schema

from kuochan.orgs.api import OrgUnitOut

router = Router(tags=["账号"])


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
