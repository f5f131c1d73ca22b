from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Id, Input
from kuochan.orgs import selectors, services
from kuochan.orgs.models import OrgKind, OrgUnit

router = Router(tags=["组织单位"])


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    depth: int


class OrgUnitIn(Input):
    parent_id: Id
    code: str = Field(max_length=32)
    name: str = Field(max_length=64)
    kind: OrgKind
    short_name: str = Field("", max_length=32)
    note: str = Field("", max_length=200)


class OrgUnitPatch(Input):
    code: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=64)
    short_name: str | None = Field(None, max_length=32)
    kind: OrgKind | None = None
    note: str | None = Field(None, max_length=200)


@router.get("", response=list[OrgUnitOut], summary="组织单位列表（数据范围内）")
@paginate
def list_units(
    request: HttpRequest, kind: OrgKind | None = None, q: str | None = Query(None, max_length=64)
) -> object:
    return selectors.org_units(actor=request.auth, kind=kind, query=q)


@router.get("/{unit_id}", response=OrgUnitOut, summary="组织单位详情")
def get_unit(request: HttpRequest, unit_id: Id) -> OrgUnit:
    return selectors.org_unit_get(actor=request.auth, pk=unit_id)


@router.post("", response={201: OrgUnitOut}, summary="新增下级单位")
def create_unit(request: HttpRequest, payload: OrgUnitIn) -> Status:
    parent = selectors.org_unit_get(actor=request.auth, pk=payload.parent_id)
    values = payload.dict(exclude={"parent_id"})
    return Status(
        201, services.org_unit_create(actor=request.auth, source=Source.API, parent=parent, **values)
    )


@router.patch("/{unit_id}", response=OrgUnitOut, summary="修改单位")
def update_unit(request: HttpRequest, unit_id: Id, payload: OrgUnitPatch) -> OrgUnit:
    unit = selectors.org_unit_get(actor=request.auth, pk=unit_id)
    return services.org_unit_update(
        actor=request.auth,
        source=Source.API,
        unit=unit,
        **payload.dict(exclude_unset=True, exclude_none=True),
    )
