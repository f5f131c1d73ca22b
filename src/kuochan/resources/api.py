"""The 要素保障 API: pools with balances and ledgers, the recommendation (as `kuochan allocate --format json`
gives it), approval, requests and advances with their lights; same scope and checks as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from kuochan.audit.models import Source
from kuochan.core.scope import scoped
from kuochan.projects.models import Project
from kuochan.resources import selectors, services

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


class RequestIn(Schema):
    project_code: str
    pool: int
    amount: Decimal
    minimum: Decimal | None = None
    justification: str


class ApproveIn(Schema):
    approved: dict[int, Decimal]


def _pool_out(pool: Any) -> dict[str, Any]:
    return {
        "id": pool.pk, "unit_name": pool.org_unit.name, "element": pool.element,
        "element_label": pool.get_element_display(), "year": pool.year, "measure": pool.unit,
        "balance": selectors.cents(pool.balance),
    }  # fmt: skip


@router.get("/pools", response=list[PoolOut], summary="要素池及余额（数据范围内）")
def pool_list(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    return [
        _pool_out(p)
        for p in selectors.pools(actor=request.auth, year=year).order_by("year", "org_unit__path")
    ]


@router.get("/pools/{pk}/ledger", response=list[LineOut], summary="要素池台账")
def pool_ledger(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    pool = selectors.pool_get(actor=request.auth, pk=pk)
    return [
        {"at": m.at, "kind": m.kind, "delta": m.delta, "reason": m.reason, "actor_name": m.actor_name,
         "project": m.request.project.name if m.request else None}
        for m in selectors.ledger(pool)
    ]  # fmt: skip


@router.get("/pools/{pk}/recommendation", summary="推荐分配（与 kuochan allocate --format json 相同）")
def pool_recommendation(request: HttpRequest, pk: int) -> dict:
    return selectors.recommendation_report(
        selectors.recommendation(selectors.pool_get(actor=request.auth, pk=pk))
    )


@router.post("/pools/{pk}/approve", summary="批准全部或部分推荐分配，写入台账")
def pool_approve(request: HttpRequest, pk: int, data: ApproveIn) -> dict:
    pool = selectors.pool_get(actor=request.auth, pk=pk)
    made = services.allocation_approve(
        actor=request.auth, source=Source.API, pool=pool, approved=data.approved
    )
    return {"approved": len(made), "balance": str(selectors.balance(pool))}


@router.post("/requests", response={201: dict}, summary="项目申请要素")
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
    return Status(
        201, {"id": made.pk, "status": made.status, "amount": str(made.amount), "minimum": str(made.minimum)}
    )


@router.get("/advances", summary="要素预支及还款亮灯")
def advance_list(request: HttpRequest, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    return [
        {"id": r.advance.pk, "borrower": str(r.advance.borrower), "lender": str(r.advance.lender),
         "amount": str(r.advance.amount), "repaid": str(r.repaid), "light": r.light.light,
         "overdue": str(r.light.overdue), "reasons": list(r.light.reasons)}
        for r in selectors.advances(actor=request.auth, as_of=as_of)
    ]  # fmt: skip
