"""Writes of 要素保障. Every change to a pool is a ledger line written under a lock on the pool row, after
checking that no balance goes below zero: two allocations at the same moment wait for each other
(PostgreSQL) or are serialised (SQLite), and the second sees the first's debit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from kuochan.accounts.services import require_city_staff
from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_bulk, audit_entry, audit_record, fields_update, snapshot
from kuochan.core.files import PHOTOS, plain_name, upload_problem
from kuochan.core.money import CENT, money_problem
from kuochan.core.scope import ensure_in_scope, path_in_scope, scoped
from kuochan.orgs.models import OrgUnit
from kuochan.projects.models import Project, ProjectStatus
from kuochan.registry.models import Survey, Willingness
from kuochan.resources.models import (
    UNITS,
    Advance,
    Element,
    Installment,
    Listing,
    ListingPhoto,
    ListingStatus,
    Movement,
    MovementKind,
    Pool,
    Request,
    RequestStatus,
    SpaceNeed,
)
from kuochan.resources.rules import Weights, claim_weights
from kuochan.resources.selectors import balance_of, cents, claims, pending_requests


def _require_city(actor: Any, doing: str) -> None:
    require_city_staff(actor, f"只有市级工作人员可以{doing}。")


def _amount(value: Decimal | None, what: str) -> Decimal:
    if problem := money_problem(value, what):
        raise ValidationError(problem)
    if value == 0:
        raise ValidationError(f"{what}应大于 0。")
    return value


def _locked(*pools: Pool) -> dict[int, Pool]:
    """The pools' rows locked for this transaction, always in id order (no deadlock between two writers)."""
    ids = sorted({pool.pk for pool in pools})
    return {pool.pk: pool for pool in Pool.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _write(
    pool: Pool, kind: str, delta: Decimal, *, actor: Any, source: Source, reason: str, **links: Any
) -> Movement:
    """One ledger line; a debit is refused when the pool's balance would go below zero. The caller holds
    the pool's lock."""
    if delta < 0:
        balance = balance_of(pool.pk)
        if balance + delta < 0:
            raise ValidationError(
                f"{pool}余额 {balance}{pool.unit}，不足{MovementKind(kind).label} {-delta}{pool.unit}。"
            )
    movement = Movement.objects.create(
        pool=pool, kind=kind, delta=delta, reason=reason, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "系统", **links,
    )  # fmt: skip
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=movement, after=snapshot(movement))
    return movement


@transaction.atomic
def pool_open(
    *, actor: Any, source: Source, org_unit: OrgUnit, element: str, year: int, amount: Decimal, note: str = ""
) -> Pool:
    """A unit's quota of an element for a year, with its opening amount as the ledger's first line."""
    _require_city(actor, "设立要素池")
    if element not in Element.values:
        raise ValidationError(f"要素应为：{'、'.join(Element.labels)}。")
    if not path_in_scope(org_unit.path, actor):
        raise PermissionDenied("只能为您数据范围内的单位设立要素池。")
    amount = _amount(amount, "期初额度")
    if Pool.objects.filter(org_unit=org_unit, element=element, year=year).exists():
        raise ValidationError(f"{org_unit.name}{year}年已有{Element(element).label}池。")
    pool = _created(
        Pool(org_unit=org_unit, element=element, year=year, note=note),
        f"{org_unit.name}{year}年已有该要素池。",
    )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=pool, after=snapshot(pool))
    _write(pool, MovementKind.OPENING, amount, actor=actor, source=source, reason=note or "期初额度")
    return pool


def _created(obj: Any, clash: str) -> Any:
    """Saves a new row; a twin made at the same moment hits the unique constraint: refused in Chinese."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(clash) from exc
    return obj


def _same_kind(a: Pool, b: Pool) -> None:
    if a.pk == b.pk:
        raise ValidationError("调出与调入不能是同一个要素池。")
    if (a.element, a.year) != (b.element, b.year):
        raise ValidationError(f"只能在同一年度、同一要素的池之间调剂：{a} 与 {b} 不同。")


@transaction.atomic
def pool_transfer(
    *, actor: Any, source: Source, from_pool: Pool, to_pool: Pool, amount: Decimal, reason: str
) -> tuple[Movement, Movement]:
    """Quota moved between levels (the city to a district, or back), both sides in one transaction."""
    _require_city(actor, "在要素池之间调剂")
    ensure_in_scope(actor, from_pool, to_pool)
    _same_kind(from_pool, to_pool)
    amount = _amount(amount, "调剂量")
    pools = _locked(from_pool, to_pool)
    out = _write(
        pools[from_pool.pk], MovementKind.TRANSFER_OUT, -amount, actor=actor, source=source, reason=reason,
        counterpart=to_pool,
    )  # fmt: skip
    into = _write(
        pools[to_pool.pk], MovementKind.TRANSFER_IN, amount, actor=actor, source=source, reason=reason,
        counterpart=from_pool,
    )  # fmt: skip
    return out, into


def _may_request(actor: Any, project: Project) -> bool:
    if actor is None or not actor.is_active:
        return False
    if actor.is_enterprise_user:
        return actor.enterprise_id == project.enterprise_id
    return actor.can_edit and path_in_scope(project.district.path, actor)


@transaction.atomic
def request_create(
    *,
    actor: Any,
    source: Source,
    project: Project,
    pool: Pool,
    amount: Decimal,
    minimum: Decimal | None,
    justification: str,
) -> Request:
    """A project's request on its district's pool or the city's (an ancestor of the project's district)."""
    project = Project.objects.select_related("district").get(pk=project.pk)  # as stored, status included
    if not _may_request(actor, project):
        raise PermissionDenied("只能为本企业（或您数据范围内）的项目申请要素。")
    if project.status == ProjectStatus.TERMINATED:
        raise ValidationError(f"{project.name}已终止，不能申请要素。")
    if pool.year < timezone.localdate().year:
        raise ValidationError({"pool": f"{pool}已是往年的要素池，请选择本年度或以后的要素池。"})
    errors: dict[str, str] = {}
    if not project.district.path.startswith(pool.org_unit.path):
        errors["pool"] = f"{pool}不覆盖项目所在的{project.district.name}。"
    if problem := money_problem(amount, "申请量") or (None if amount else "申请量应大于 0。"):
        errors["amount"] = problem
    minimum = amount if minimum is None else minimum
    if problem := money_problem(minimum, "最低可行量"):
        errors["minimum"] = problem
    elif "amount" not in errors and not 0 < minimum <= amount:
        errors["minimum"] = f"最低可行量应大于 0 且不超过申请量 {amount}{pool.unit}。"
    if not justification.strip():
        errors["justification"] = "请写明申请理由。"
    if Request.objects.filter(project=project, pool=pool, status=RequestStatus.PENDING).exists():
        errors["pool"] = f"该项目在{pool}已有待分配的申请。"
    if errors:
        raise ValidationError(errors)
    request = _created(
        Request(
            pool=pool, project=project, amount=amount.quantize(CENT), minimum=minimum.quantize(CENT),
            justification=justification.strip(), created_by=actor if getattr(actor, "pk", None) else None,
        ),
        f"该项目在{pool}已有待分配的申请。",
    )  # fmt: skip
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=request, after=snapshot(request))
    return request


@transaction.atomic
def request_override(*, actor: Any, source: Source, request: Request, allowed: bool) -> Request:
    """The city lets a request of an enterprise on the 清三低 list take part in allocation (or not)."""
    _require_city(actor, "同意清三低企业参与要素分配")
    ensure_in_scope(actor, Request.objects.select_related("project__district").get(pk=request.pk))
    fields_update(request, actor=actor, source=source, override_low_efficiency=allowed)
    return request


def allocated_to(request: Request) -> Decimal:
    """What a request holds now: its allocations less what was released."""
    total = request.movements.aggregate(total=Sum("delta"))["total"]
    return -cents(total)


@transaction.atomic
def allocation_approve(
    *, actor: Any, source: Source, pool: Pool, approved: Mapping[int, Decimal]
) -> list[Movement]:
    """Staff approve all or part of the pool's recommended allocation: each approved request gets the amount
    given (at most what it asked for, at least its minimum). The rules are applied again here, as of today:
    a request they exclude (class D, 清三低) is refused. Under the pool's lock the whole approval is checked
    against the balance once and written in bulk: one ledger line and one audit entry per request."""
    if not (actor is not None and actor.can_edit and path_in_scope(pool.org_unit.path, actor)):
        raise PermissionDenied("只能批准您数据范围内要素池的分配。")
    if not approved:
        raise ValidationError("请至少选择一项申请。")
    locked = _locked(pool)[pool.pk]
    pending = {r.pk: r for r in pending_requests(locked)}
    chosen = [pending[pk] for pk in approved if pk in pending]
    if stray := [pk for pk in approved if pk not in pending]:
        raise ValidationError(f"申请 #{stray[0]} 不是本池待分配的申请。")
    weighed = claim_weights(claims(chosen, timezone.localdate()), Weights())
    for request, (weight, reasons) in zip(chosen, weighed, strict=True):
        amount = approved[request.pk]
        if weight is None:
            raise ValidationError(f"{request.project_name}：{'；'.join(reasons)}，不能分配。")
        if problem := money_problem(amount, "分配量", locked.unit):
            raise ValidationError(f"{request.project_name}：{problem}")
        if not request.minimum <= amount <= request.amount:
            raise ValidationError(
                f"{request.project_name}：分配量 {amount} 应在最低可行量 {request.minimum} 与申请量 {request.amount} 之间。"
            )
    total = cents(sum(approved.values(), Decimal(0)))
    if total > (available := balance_of(locked.pk)):
        raise ValidationError(f"{locked}余额 {available}{locked.unit}，不足分配给项目 {total}{locked.unit}。")
    user = actor if getattr(actor, "pk", None) else None
    made = Movement.objects.bulk_create(
        [
            Movement(
                pool=locked,
                kind=MovementKind.ALLOCATION,
                delta=-approved[r.pk],
                request_id=r.pk,
                actor=user,
                actor_name=str(actor),
                reason=f"分配给{r.project_name}",
            )
            for r in chosen
        ]
    )
    Request.objects.filter(pk__in=[r.pk for r in chosen]).update(status=RequestStatus.ALLOCATED)
    audit_bulk(
        audit_entry(
            actor=actor,
            source=source,
            action=Action.UPDATE,
            obj=r,
            before={"status": RequestStatus.PENDING},
            after={"status": RequestStatus.ALLOCATED},
        )
        for r in Request.objects.filter(pk__in=[r.pk for r in chosen]).select_related("project__district")
    )
    audit_bulk(
        audit_entry(actor=actor, source=source, action=Action.CREATE, obj=m, after=snapshot(m)) for m in made
    )
    return made


@transaction.atomic
def allocation_release(
    *, actor: Any, source: Source, request: Request, amount: Decimal, reason: str
) -> Movement:
    """收回: a cancelled or smaller project gives back some or all of what it was allocated."""
    if not (actor is not None and actor.can_edit and path_in_scope(request.pool.org_unit.path, actor)):
        raise PermissionDenied("只能收回您数据范围内要素池的分配。")
    pool = _locked(request.pool)[request.pool_id]
    held = allocated_to(request)
    amount = _amount(amount, "收回量")
    if amount > held:
        raise ValidationError(f"{request.project.name}现有分配 {held}{pool.unit}，不能收回 {amount}。")
    if not reason.strip():
        raise ValidationError("请写明收回原因（项目取消或缩减）。")
    movement = _write(
        pool, MovementKind.RELEASE, amount, actor=actor, source=source, reason=reason, request=request
    )
    if amount == held:  # all of it back: the project needs nothing from this pool any more
        fields_update(request, actor=actor, source=source, status=RequestStatus.CANCELLED)
    return movement


@transaction.atomic
def request_close(*, actor: Any, source: Source, request: Request, status: str) -> Request:
    """A pending request withdrawn by whoever may make it (已撤销), or turned down by staff of the pool's
    scope (未获分配)."""
    request = (
        Request.objects.select_for_update(of=("self",))
        .select_related("pool__org_unit", "project__district")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.PENDING:
        raise ValidationError(
            f"申请当前为“{request.get_status_display()}”，不能再{RequestStatus(status).label}。"
        )
    if status == RequestStatus.CANCELLED:
        allowed = _may_request(actor, request.project)
    elif status == RequestStatus.REJECTED:
        allowed = actor is not None and actor.can_edit and path_in_scope(request.pool.org_unit.path, actor)
    else:
        raise ValidationError("申请只能撤销或不予分配。")
    if not allowed:
        raise PermissionDenied("无权办理该申请。")
    fields_update(request, actor=actor, source=source, status=status)
    return request


@transaction.atomic
def advance_create(
    *,
    actor: Any,
    source: Source,
    lender: Pool,
    borrower: Pool,
    amount: Decimal,
    schedule: Sequence[tuple[dt.date, Decimal]],
    reason: str,
) -> Advance:
    """要素预支: a district pool draws on the city pool, with a repayment schedule adding up to the amount."""
    _require_city(actor, "办理要素预支")
    ensure_in_scope(actor, lender, borrower)
    _same_kind(lender, borrower)
    if not borrower.org_unit.path.startswith(lender.org_unit.path):
        raise ValidationError(f"{borrower.org_unit.name}不在{lender.org_unit.name}之下，不能向其预支。")
    amount = _amount(amount, "预支量")
    if not schedule:
        raise ValidationError("请给出还款计划（日期和数量）。")
    for day, part in schedule:
        _amount(part, f"{day} 应还量")
    if (total := cents(sum((part for _, part in schedule), Decimal(0)))) != amount:
        raise ValidationError(f"还款计划合计 {total}，应等于预支量 {amount}。")
    pools = _locked(lender, borrower)
    advance = Advance.objects.create(lender=lender, borrower=borrower, amount=amount, reason=reason)
    Installment.objects.bulk_create(
        [Installment(advance=advance, due_on=d, amount=p) for d, p in sorted(schedule)]
    )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=advance, after=snapshot(advance))
    _write(pools[lender.pk], MovementKind.ADVANCE_OUT, -amount, actor=actor, source=source, reason=reason,
           counterpart=borrower, advance=advance)  # fmt: skip
    _write(pools[borrower.pk], MovementKind.ADVANCE_IN, amount, actor=actor, source=source, reason=reason,
           counterpart=lender, advance=advance)  # fmt: skip
    return advance


def repaid_on(advance: Advance) -> Decimal:
    return cents(advance.movements.filter(kind=MovementKind.REPAY_IN).aggregate(total=Sum("delta"))["total"])


@transaction.atomic
def repayment_record(
    *, actor: Any, source: Source, advance: Advance, amount: Decimal, reason: str = ""
) -> Movement:
    """A repayment from the district pool back to the city pool; never more than is still owed."""
    if not (actor is not None and actor.can_edit and path_in_scope(advance.borrower.org_unit.path, actor)):
        raise PermissionDenied("只能为您数据范围内的预支登记还款。")
    pools = _locked(advance.lender, advance.borrower)
    amount = _amount(amount, "还款量")
    owed = advance.amount - repaid_on(advance)
    if amount > owed:
        raise ValidationError(f"尚欠 {owed}{UNITS[advance.lender.element]}，还款 {amount} 超出。")
    reason = reason or "偿还要素预支"
    _write(pools[advance.borrower_id], MovementKind.REPAY_OUT, -amount, actor=actor, source=source, reason=reason,
           counterpart=advance.lender, advance=advance)  # fmt: skip
    return _write(pools[advance.lender_id], MovementKind.REPAY_IN, amount, actor=actor, source=source,
                  reason=reason, counterpart=advance.borrower, advance=advance)  # fmt: skip


# Factory-space market (厂房超市) ------------------------------------------------------------------------

LISTING_FIELDS = (
    "code", "area", "address", "floor_area_m2", "floor_height_m", "floor_load_t_m2", "crane_t", "power_kva",
    "rent_yuan_m2_month", "price_wan", "available_from", "owner_name", "owner_phone", "status", "note",
)  # fmt: skip
NEED_FIELDS = (
    "min_area_m2", "max_area_m2", "min_height_m", "min_load_t_m2", "min_crane_t", "min_power_kva",
    "max_rent_yuan_m2_month", "district", "needed_by", "note",
)  # fmt: skip
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _listing_problems(values: Mapping[str, Any]) -> dict[str, str]:
    errors = {}
    if not str(values.get("code") or "").strip():
        errors["code"] = "请填写房源编号。"
    for name in ("address", "owner_name", "owner_phone"):
        if not str(values.get(name) or "").strip():
            errors[name] = f"请填写{Listing._meta.get_field(name).verbose_name}。"
    for name in (
        "floor_area_m2",
        "floor_height_m",
        "floor_load_t_m2",
        "crane_t",
        "power_kva",
        "rent_yuan_m2_month",
        "price_wan",
    ):
        value = values.get(name)
        if value is not None and (
            problem := money_problem(value, str(Listing._meta.get_field(name).verbose_name), "")
        ):
            errors[name] = problem
    if not values.get("floor_area_m2"):
        errors["floor_area_m2"] = "请填写面积（平方米）。"
    if values.get("status", ListingStatus.AVAILABLE) not in ListingStatus.values:
        errors["status"] = f"状态应为{'、'.join(ListingStatus.labels)}。"
    return errors


def can_edit_area(actor: Any, area: OrgUnit) -> bool:
    return actor is not None and actor.can_edit and path_in_scope(area.path, actor)


@transaction.atomic
def listing_save(*, actor: Any, source: Source, listing: Listing | None = None, **values: Any) -> Listing:
    """A listing created or changed by staff of its park's scope; every change, the status included, audited."""
    if listing is not None:  # the listing where it is now, not only where it is being moved to
        ensure_in_scope(actor, Listing.objects.select_related("area").get(pk=listing.pk))
    area = values.get("area") or (listing.area if listing else None)
    if area is None or not can_edit_area(actor, area):
        raise PermissionDenied("只能登记您数据范围内园区（乡镇）的房源。")
    merged = {**({n: getattr(listing, n) for n in LISTING_FIELDS} if listing else {}), **values}
    if errors := _listing_problems(merged):
        raise ValidationError(errors)
    if Listing.objects.filter(code=merged["code"]).exclude(pk=listing.pk if listing else None).exists():
        raise ValidationError({"code": f"房源编号 {merged['code']} 已被使用。"})
    before = snapshot(listing, LISTING_FIELDS) if listing else {}
    listing = listing or Listing()
    for name, value in values.items():
        if name not in LISTING_FIELDS:
            raise ValueError(name)
        setattr(listing, name, value)
    listing.full_clean(validate_unique=False)  # lengths and digits the columns hold, in Chinese
    listing.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE if before else Action.CREATE, obj=listing, before=before,
        after=snapshot(listing, LISTING_FIELDS),
    )  # fmt: skip
    return listing


@transaction.atomic
def photo_add(*, actor: Any, source: Source, listing: Listing, name: str, content: bytes) -> ListingPhoto:
    if not can_edit_area(actor, listing.area):
        raise PermissionDenied("只能为您数据范围内的房源上传照片。")
    name = plain_name(name)
    if problem := upload_problem(name, content, PHOTOS, MAX_PHOTO_BYTES):
        raise ValidationError(problem)
    photo = ListingPhoto(listing=listing, name=name)
    photo.file.save(f"{uuid.uuid4().hex}{PurePath(name).suffix.lower()}", ContentFile(content), save=False)
    try:
        photo.save()
        audit_record(actor=actor, source=source, action=Action.CREATE, obj=photo, after=snapshot(photo))
    except Exception:
        photo.file.delete(save=False)  # no file left behind without its row
        raise
    return photo


@transaction.atomic
def need_save(
    *, actor: Any, source: Source, enterprise: Any, need: SpaceNeed | None = None, **values: Any
) -> SpaceNeed:
    """An enterprise's space need, by the enterprise itself or staff in its scope."""
    own = actor is not None and actor.is_enterprise_user and actor.enterprise_id == enterprise.pk
    if not (own or (actor is not None and actor.can_edit and path_in_scope(enterprise.district.path, actor))):
        raise PermissionDenied("只能为本企业（或您数据范围内的企业）登记厂房需求。")
    if need is not None:
        stored = SpaceNeed.objects.select_related("enterprise__district").get(pk=need.pk)
        ensure_in_scope(actor, stored)
        if stored.enterprise_id != enterprise.pk:
            raise PermissionDenied("厂房需求不属于该企业。")
    errors = {}
    for name in NEED_FIELDS:
        value = values.get(name)
        if isinstance(value, Decimal) and (
            problem := money_problem(value, str(SpaceNeed._meta.get_field(name).verbose_name), "")
        ):
            errors[name] = problem
    low, high = values.get("min_area_m2"), values.get("max_area_m2")
    if low is not None and high is not None and high < low:
        errors["max_area_m2"] = f"最大面积 {high} 小于最小面积 {low}。"
    if errors:
        raise ValidationError(errors)
    before = snapshot(need, (*NEED_FIELDS, "is_open")) if need else {}
    need = need or SpaceNeed(enterprise=enterprise)
    for name, value in values.items():
        if name not in (*NEED_FIELDS, "is_open"):
            raise ValueError(name)
        setattr(need, name, value)
    need.full_clean()  # lengths and digits the columns hold, in Chinese
    need.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE if before else Action.CREATE, obj=need, before=before,
        after=snapshot(need, (*NEED_FIELDS, "is_open")),
    )  # fmt: skip
    return need


@transaction.atomic
def needs_from_surveys(*, actor: Any, source: Source, year: int) -> int:
    """Open needs for the enterprises in scope whose survey of the year says 有 expansion intention and names
    用地 among its needs, unless they already have an open need: the figures stay empty for staff to ask."""
    if actor is None or not actor.can_edit:
        raise PermissionDenied("只有工作人员可以从扩产意愿调查生成厂房需求。")
    surveys = (
        scoped(Survey.objects.select_related("enterprise__district"), actor)
        .filter(year=year, willingness=Willingness.YES, needs__contains="用地")
        .exclude(enterprise__space_needs__is_open=True)
    )
    made = SpaceNeed.objects.bulk_create(
        [
            SpaceNeed(
                enterprise=s.enterprise, district=s.enterprise.district, from_survey=year, note=s.notes[:200]
            )
            for s in surveys
        ]
    )
    audit_bulk(
        audit_entry(actor=actor, source=source, action=Action.CREATE, obj=n, after=snapshot(n)) for n in made
    )
    return len(made)
