"""The 要素保障 API: pools with balances and ledgers, the recommendation (as `kuochan allocate --format json`
gives it), approval, transfers, advances and repayments, requests and what is done with them, and the
厂房超市 (listings and the needs they are matched to); same scope and checks as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Amount, Day, Id, Input, Year, business_only, chosen
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code
from kuochan.resources import selectors, services
from kuochan.resources.models import (
    Advance,
    Element,
    Listing,
    ListingStatus,
    Pool,
    Request,
    RequestStatus,
    SpaceNeed,
)

router = Router(tags=["要素保障"])


class PoolOut(Schema):
    id: int
    unit_name: str
    element: str
    element_label: str
    year: int
    measure: str
    balance: Decimal


class LineOut(Schema):
    at: dt.datetime
    kind: str
    delta: Decimal
    reason: str
    actor_name: str
    project: str | None


class PoolIn(Input):
    org_unit: Id = Field(description="设立要素池的组织单位 id")
    element: Element
    year: Year
    amount: Amount = Field(description="期初额度（该要素的计量单位）")
    note: str = Field("", max_length=200)


class RecommendedPoolOut(Schema):
    id: int
    name: str
    unit: str
    balance: str


class RecommendedOut(Schema):
    id: int
    project_code: str
    project: str
    enterprise: str
    district: str
    amount: str
    minimum: str
    granted: str
    weight: float | None
    reasons: list[str]


class RecommendationOut(Schema):
    pool: RecommendedPoolOut
    as_of: str
    total: str
    benefit: float
    threshold: float | None
    binding: list[str]
    requests: list[RecommendedOut]


class ApproveIn(Input):
    approved: dict[int, Amount] = Field(description="申请 id → 批准量")


class ApproveOut(Schema):
    approved: int
    balance: Decimal


class TransferIn(Input):
    from_pool: Id
    to_pool: Id
    amount: Amount
    reason: str = Field("调剂", max_length=200)


class InstallmentIn(Input):
    due_on: Day
    amount: Amount


class AdvanceIn(Input):
    lender: Id = Field(description="出借的要素池 id（上级）")
    borrower: Id = Field(description="预支的要素池 id（下级）")
    amount: Amount
    schedule: list[InstallmentIn] = Field(max_length=120, description="还款计划，合计应等于预支量")
    reason: str = Field("要素预支", max_length=200)


class RepaymentIn(Input):
    amount: Amount
    reason: str = Field("", max_length=200)


class AdvanceOut(Schema):
    id: int
    borrower: str
    lender: str
    amount: Decimal
    repaid: Decimal
    light: str
    overdue: Decimal
    reasons: list[str]


class RequestIn(Input):
    project_code: str = Field(max_length=32)
    pool: Id
    amount: Amount
    minimum: Amount | None = None
    justification: str = Field(max_length=20000)


class RequestOut(Schema):
    id: int
    pool_id: int
    pool: str
    project_code: str
    project: str
    enterprise: str
    district: str
    amount: Decimal
    minimum: Decimal
    status: RequestStatus
    status_label: str
    held: Decimal | None
    override_low_efficiency: bool
    justification: str
    created_at: dt.datetime


class ReleaseIn(Input):
    amount: Amount
    reason: str = Field(max_length=200)


class OverrideIn(Input):
    allowed: bool


class ListingOut(Schema):
    id: int
    code: str
    area_id: int
    area: str
    address: str
    floor_area_m2: Decimal | None
    floor_height_m: Decimal | None
    floor_load_t_m2: Decimal | None
    crane_t: Decimal | None
    power_kva: Decimal | None
    rent_yuan_m2_month: Decimal | None
    price_wan: Decimal | None
    available_from: dt.date | None
    owner_name: str
    owner_phone: str
    status: ListingStatus
    note: str

    @staticmethod
    def resolve_area(listing: Listing) -> str:
        return listing.area.name


class ListingIn(Input):
    code: str = Field(max_length=32)
    area: Id = Field(description="所在园区（乡镇）的组织单位 id")
    address: str = Field(max_length=200)
    floor_area_m2: Amount
    floor_height_m: Amount | None = None
    floor_load_t_m2: Amount | None = None
    crane_t: Amount | None = None
    power_kva: Amount | None = None
    rent_yuan_m2_month: Amount | None = None
    price_wan: Amount | None = None
    available_from: Day | None = None
    owner_name: str = Field(max_length=64)
    owner_phone: str = Field(max_length=32)
    note: str = Field("", max_length=200)


class ListingPatch(Input):
    """Only the fields sent are changed."""

    address: str = Field(None, max_length=200)
    floor_area_m2: Amount = None
    floor_height_m: Amount | None = None
    floor_load_t_m2: Amount | None = None
    crane_t: Amount | None = None
    power_kva: Amount | None = None
    rent_yuan_m2_month: Amount | None = None
    price_wan: Amount | None = None
    available_from: Day | None = None
    owner_name: str = Field(None, max_length=64)
    owner_phone: str = Field(None, max_length=32)
    status: ListingStatus = None
    note: str = Field(None, max_length=200)


class NeedOut(Schema):
    id: int
    uscc: str
    enterprise: str
    min_area_m2: Decimal | None
    max_area_m2: Decimal | None
    min_height_m: Decimal | None
    min_load_t_m2: Decimal | None
    min_crane_t: Decimal | None
    min_power_kva: Decimal | None
    max_rent_yuan_m2_month: Decimal | None
    district_id: int | None
    needed_by: dt.date | None
    from_survey: int | None
    note: str
    is_open: bool

    @staticmethod
    def resolve_uscc(need: SpaceNeed) -> str:
        return need.enterprise.uscc

    @staticmethod
    def resolve_enterprise(need: SpaceNeed) -> str:
        return need.enterprise.name


class FitOut(Schema):
    listing: ListingOut
    score: int
    fits: bool
    reasons: list[str]


class NeedDetailOut(NeedOut):
    matches: list[FitOut]

    @staticmethod
    def resolve_matches(need: SpaceNeed) -> list[dict[str, Any]]:
        return [
            {"listing": listing, "score": fit.score, "fits": fit.fits, "reasons": list(fit.reasons)}
            for listing, fit in selectors.spaces_for(need)
        ]


class NeedFields(Input):
    min_area_m2: Amount | None = None
    max_area_m2: Amount | None = None
    min_height_m: Amount | None = None
    min_load_t_m2: Amount | None = None
    min_crane_t: Amount | None = None
    min_power_kva: Amount | None = None
    max_rent_yuan_m2_month: Amount | None = None
    district: Id | None = Field(None, description="希望所在区县的组织单位 id")
    needed_by: Day | None = None
    note: str = Field("", max_length=200)


class NeedIn(NeedFields):
    uscc: str = Field("", max_length=40, description="企业的统一社会信用代码（企业用户不填）")


class NeedPatch(NeedFields):
    """Only the fields sent are changed."""

    note: str = Field(None, max_length=200)
    is_open: bool = None


class SurveyYearIn(Input):
    year: Year


class MadeOut(Schema):
    made: int


def _pool_out(pool: Any) -> dict[str, Any]:
    return {
        "id": pool.pk, "unit_name": pool.org_unit.name, "element": pool.element,
        "element_label": pool.get_element_display(), "year": pool.year, "measure": pool.unit,
        "balance": selectors.cents(pool.balance),
    }  # fmt: skip


def _pool(request: HttpRequest, pk: int) -> Pool:
    return get_scoped_or_404(Pool.objects.select_related("org_unit"), request.auth, pk=pk)


@router.get("/pools", response=list[PoolOut], summary="要素池及余额（数据范围内）")
def pool_list(request: HttpRequest, year: Year | None = None) -> list[dict[str, Any]]:
    return [
        _pool_out(p)
        for p in selectors.pools(actor=request.auth, year=year).order_by("year", "org_unit__path")
    ]


@router.post("/pools", response={201: PoolOut}, summary="设立要素池，期初额度记入台账（市级工作人员）")
def pool_open(request: HttpRequest, data: PoolIn) -> Status:
    unit = chosen(
        OrgUnit.objects.all(), data.org_unit, "org_unit", "没有该单位。"
    )  # the service checks scope
    pool = services.pool_open(
        actor=request.auth, source=Source.API, org_unit=unit, element=data.element, year=data.year,
        amount=data.amount, note=data.note.strip(),
    )  # fmt: skip
    return Status(201, _pool_out(selectors.pools(actor=request.auth).get(pk=pool.pk)))


@router.get("/pools/{pk}/ledger", response=list[LineOut], summary="要素池台账")
def pool_ledger(request: HttpRequest, pk: Id) -> list[dict[str, Any]]:
    pool = selectors.pool_get(actor=request.auth, pk=pk)
    return [
        {"at": m.at, "kind": m.kind, "delta": m.delta, "reason": m.reason, "actor_name": m.actor_name,
         "project": m.request.project.name if m.request else None}
        for m in selectors.ledger(pool)
    ]  # fmt: skip


@router.get(
    "/pools/{pk}/recommendation", response=RecommendationOut,
    summary="推荐分配（与 kuochan allocate --format json 相同）",
)  # fmt: skip
def pool_recommendation(request: HttpRequest, pk: Id) -> dict:
    return selectors.recommendation_report(
        selectors.recommendation(selectors.pool_get(actor=request.auth, pk=pk))
    )


@router.post("/pools/{pk}/approve", response=ApproveOut, summary="批准全部或部分推荐分配，写入台账")
def pool_approve(request: HttpRequest, pk: Id, data: ApproveIn) -> dict:
    pool = selectors.pool_get(actor=request.auth, pk=pk)
    made = services.allocation_approve(
        actor=request.auth, source=Source.API, pool=pool, approved=data.approved
    )
    return {"approved": len(made), "balance": selectors.balance(pool)}


@router.post(
    "/transfers", response={201: list[PoolOut]}, summary="在同一年度、同一要素的池之间调剂（市级工作人员）"
)
def pool_transfer(request: HttpRequest, data: TransferIn) -> Status:
    from_pool, to_pool = _pool(request, data.from_pool), _pool(request, data.to_pool)
    services.pool_transfer(
        actor=request.auth, source=Source.API, from_pool=from_pool, to_pool=to_pool, amount=data.amount,
        reason=data.reason.strip() or "调剂",
    )  # fmt: skip
    found = selectors.pools(actor=request.auth).filter(pk__in=[from_pool.pk, to_pool.pk]).order_by("pk")
    return Status(201, [_pool_out(p) for p in found])


def _advance_out(row: selectors.AdvanceRow) -> dict[str, Any]:
    return {
        "id": row.advance.pk, "borrower": str(row.advance.borrower), "lender": str(row.advance.lender),
        "amount": row.advance.amount, "repaid": selectors.cents(row.repaid), "light": row.light.light,
        "overdue": selectors.cents(row.light.overdue),
        "reasons": list(row.light.reasons),
    }  # fmt: skip


def _advance_row(request: HttpRequest, pk: int) -> dict[str, Any]:
    return next(_advance_out(r) for r in selectors.advances(actor=request.auth) if r.advance.pk == pk)


@router.get("/advances", response=list[AdvanceOut], summary="要素预支及还款亮灯")
def advance_list(request: HttpRequest, as_of: Day | None = None) -> list[dict[str, Any]]:
    return [_advance_out(r) for r in selectors.advances(actor=request.auth, as_of=as_of)]


@router.post(
    "/advances",
    response={201: AdvanceOut},
    summary="办理要素预支：下级池向上级池预支，附还款计划（市级工作人员）",
)
def advance_create(request: HttpRequest, data: AdvanceIn) -> Status:
    advance = services.advance_create(
        actor=request.auth, source=Source.API, lender=_pool(request, data.lender),
        borrower=_pool(request, data.borrower), amount=data.amount,
        schedule=[(part.due_on, part.amount) for part in data.schedule], reason=data.reason.strip() or "要素预支",
    )  # fmt: skip
    return Status(201, _advance_row(request, advance.pk))


@router.post(
    "/advances/{pk}/repayments", response={201: AdvanceOut}, summary="登记还款（预支所在区县的工作人员）"
)
def repayment_record(request: HttpRequest, pk: Id, data: RepaymentIn) -> Status:
    advance = get_scoped_or_404(
        Advance.objects.select_related("lender__org_unit", "borrower__org_unit"), request.auth, pk=pk
    )
    services.repayment_record(
        actor=request.auth, source=Source.API, advance=advance, amount=data.amount, reason=data.reason.strip()
    )
    return Status(201, _advance_row(request, advance.pk))


def _request_out(r: Request, held: Decimal) -> dict[str, Any]:
    return {
        "id": r.pk, "pool_id": r.pool_id, "pool": str(r.pool), "project_code": r.project.code,
        "project": r.project.name, "enterprise": r.project.enterprise.name, "district": r.project.district.name,
        "amount": r.amount, "minimum": r.minimum, "status": r.status, "status_label": r.get_status_display(),
        "held": held if r.status == RequestStatus.ALLOCATED else None,
        "override_low_efficiency": r.override_low_efficiency, "justification": r.justification,
        "created_at": r.created_at,
    }  # fmt: skip


def _request(request: HttpRequest, pk: int) -> Request:
    return get_scoped_or_404(selectors.requests(actor=request.auth), request.auth, pk=pk)


def _request_now(request: HttpRequest, pk: int) -> dict[str, Any]:
    [(found, held)] = selectors.with_held(selectors.requests(actor=request.auth).filter(pk=pk))
    return _request_out(found, held)


@router.get("/requests", response=list[RequestOut], summary="要素申请（数据范围内，最新在前）及现有分配")
@paginate
def request_list(
    request: HttpRequest, status: RequestStatus | Literal[""] = "", project: Id | None = None
) -> list[dict[str, Any]]:
    found = selectors.requests(actor=request.auth).order_by("-id")
    if status:
        found = found.filter(status=status)
    if project is not None:
        found = found.filter(project_id=project)
    return [_request_out(r, held) for r, held in selectors.with_held(found, limit=5000)]


@router.post("/requests", response={201: RequestOut}, summary="项目申请要素")
def request_create(request: HttpRequest, data: RequestIn) -> Status:
    project = (
        scoped(Project.objects.select_related("district", "enterprise"), request.auth)
        .filter(code=data.project_code)
        .first()
    )
    pool = selectors.pools(actor=None).filter(pk=data.pool).first()
    if project is None or pool is None:
        raise Http404("数据范围内没有该项目或要素池。")
    made = services.request_create(
        actor=request.auth, source=Source.API, project=project, pool=pool, amount=data.amount,
        minimum=data.minimum, justification=data.justification,
    )  # fmt: skip
    return Status(201, _request_now(request, made.pk))


@router.post("/requests/{pk}/cancel", response=RequestOut, summary="撤销待分配的申请（申请人一方）")
def request_cancel(request: HttpRequest, pk: Id) -> dict[str, Any]:
    services.request_close(
        actor=request.auth, source=Source.API, request=_request(request, pk), status=RequestStatus.CANCELLED
    )
    return _request_now(request, pk)


@router.post("/requests/{pk}/reject", response=RequestOut, summary="不予分配（要素池所在范围的工作人员）")
def request_reject(request: HttpRequest, pk: Id) -> dict[str, Any]:
    services.request_close(
        actor=request.auth, source=Source.API, request=_request(request, pk), status=RequestStatus.REJECTED
    )
    return _request_now(request, pk)


@router.post(
    "/requests/{pk}/release", response=RequestOut, summary="收回已分配的部分或全部（项目取消或缩减）"
)
def request_release(request: HttpRequest, pk: Id, data: ReleaseIn) -> dict[str, Any]:
    services.allocation_release(
        actor=request.auth, source=Source.API, request=_request(request, pk), amount=data.amount,
        reason=data.reason,
    )  # fmt: skip
    return _request_now(request, pk)


@router.put(
    "/requests/{pk}/override",
    response=RequestOut,
    summary="同意（或不同意）清三低企业的申请参与分配（市级工作人员）",
)
def request_override(request: HttpRequest, pk: Id, data: OverrideIn) -> dict[str, Any]:
    services.request_override(
        actor=request.auth, source=Source.API, request=_request(request, pk), allowed=data.allowed
    )
    return _request_now(request, pk)


# Factory-space market (厂房超市) ------------------------------------------------------------------------


@router.get("/listings", response=list[ListingOut], summary="厂房超市房源（各业务用户均可查）")
@paginate
def listing_list(
    request: HttpRequest,
    status: ListingStatus | Literal[""] = ListingStatus.AVAILABLE,
    min_area: Amount | None = None,
    max_rent: Amount | None = None,
) -> Any:
    business_only(request.auth)
    found = selectors.listings(status=status)
    if min_area is not None:
        found = found.filter(floor_area_m2__gte=min_area)
    if max_rent is not None:
        found = found.filter(rent_yuan_m2_month__lte=max_rent)
    return found


@router.post("/listings", response={201: ListingOut}, summary="登记房源（房源所在园区的工作人员）")
def listing_create(request: HttpRequest, data: ListingIn) -> Status:
    values = data.dict()
    values["area"] = chosen(
        OrgUnit.objects.all(), data.area, "area", "没有该园区（乡镇）。"
    )  # the service checks scope
    return Status(201, services.listing_save(actor=request.auth, source=Source.API, **values))


@router.get("/listings/{pk}", response=ListingOut, summary="一处房源")
def listing_detail(request: HttpRequest, pk: Id) -> Listing:
    business_only(request.auth)
    return get_object_or_404(Listing.objects.select_related("area"), pk=pk)


@router.patch("/listings/{pk}", response=ListingOut, summary="修改房源或其状态（只改请求中给出的字段）")
def listing_update(request: HttpRequest, pk: Id, data: ListingPatch) -> Listing:
    listing = get_object_or_404(Listing.objects.select_related("area"), pk=pk)
    return services.listing_save(
        actor=request.auth, source=Source.API, listing=listing, **data.dict(exclude_unset=True)
    )


def _need_values(data: NeedFields) -> dict[str, Any]:
    values = data.dict(exclude_unset=True, exclude={"uscc"})
    if "district" in values:
        districts = OrgUnit.objects.filter(kind__in=REPORTING_KINDS)
        values["district"] = chosen(districts, values["district"], "district", "没有该区县。")
    return values


@router.get("/needs", response=list[NeedOut], summary="企业的厂房需求（数据范围内；open=false 含已找到的）")
@paginate
def need_list(request: HttpRequest, open: bool = True) -> Any:
    return selectors.needs(actor=request.auth, open_only=open).order_by("-id")


@router.post(
    "/needs", response={201: NeedDetailOut}, summary="登记厂房需求（企业本身，或数据范围内企业的工作人员）"
)
def need_create(request: HttpRequest, data: NeedIn) -> Status:
    actor = request.auth
    enterprises = scoped(Enterprise.objects.select_related("district"), actor)
    if not actor.is_enterprise_user:
        enterprises = enterprises.filter(uscc=normalise_code(data.uscc))
    enterprise = enterprises.first()
    if enterprise is None:
        raise ValidationError({"uscc": "您的数据范围内没有该统一社会信用代码的企业。"})
    need = services.need_save(actor=actor, source=Source.API, enterprise=enterprise, **_need_values(data))
    return Status(201, need)


def _need(request: HttpRequest, pk: int) -> SpaceNeed:
    return get_scoped_or_404(
        SpaceNeed.objects.select_related("enterprise__district", "district"), request.auth, pk=pk
    )


@router.post(
    "/needs/from-surveys", response={201: MadeOut}, summary="从某年扩产意愿调查生成厂房需求（工作人员）"
)
def needs_from_surveys(request: HttpRequest, data: SurveyYearIn) -> Status:
    return Status(
        201, {"made": services.needs_from_surveys(actor=request.auth, source=Source.API, year=data.year)}
    )


@router.get("/needs/{pk}", response=NeedDetailOut, summary="一项厂房需求及最合适的房源（得分和理由）")
def need_detail(request: HttpRequest, pk: Id) -> SpaceNeed:
    return _need(request, pk)


@router.patch("/needs/{pk}", response=NeedDetailOut, summary="修改厂房需求，或标记已找到（is_open=false）")
def need_update(request: HttpRequest, pk: Id, data: NeedPatch) -> SpaceNeed:
    need = _need(request, pk)
    return services.need_save(
        actor=request.auth, source=Source.API, enterprise=need.enterprise, need=need, **_need_values(data)
    )
