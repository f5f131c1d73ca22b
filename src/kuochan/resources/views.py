"""Pages of 要素保障: pools with their balances, a pool's ledger with the recommended allocation to approve,
transfers and advances, the request form, requests and advances with their lights. Every list exports."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.files import upload_content
from kuochan.core.forms import chosen, filter_values, form_refusal, list_query, page_of, refusal
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.orgs.selectors import org_units
from kuochan.projects.models import Project
from kuochan.projects.services import can_report_progress
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code
from kuochan.resources import forms, selectors, services
from kuochan.resources.models import (
    Advance,
    Element,
    Listing,
    ListingPhoto,
    ListingStatus,
    Pool,
    Request,
    RequestStatus,
    SpaceNeed,
)
from kuochan.web.exports import xlsx_response

MISSING = "所选的单位或记录不存在，或不在您的数据范围内。"
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "none": 3}  # lists open on what is most urgent


def _refused(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, MISSING if isinstance(exc, Http404) else refusal(exc))


def _form(form: django_forms.Form) -> dict[str, Any]:
    """The form's values, or its problems as a ValidationError for the page."""
    if not form.is_valid():
        raise ValidationError(form_refusal(form))
    return form.cleaned_data


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    """The year's pools in scope with their balances; city staff open new ones here."""
    _, params = filter_values(request, forms.PoolsFilter)
    year = params["year"] or timezone.localdate().year
    if request.method == "POST":
        try:
            data = _form(forms.PoolForm(request.POST))
            unit = get_scoped_or_404(org_units(actor=request.user), request.user, pk=data["org_unit"])
            pool = services.pool_open(
                actor=request.user, source=Source.WEB, org_unit=unit, element=data["element"],
                year=data["year"] or year, amount=data["amount"], note=data["note"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"已设立{pool}。")
            return redirect(pool.get_absolute_url())
    found = list(selectors.pools(actor=request.user, year=year).order_by("org_unit__path", "element"))
    if params["export"] == "xlsx":
        return xlsx_response(
            f"{year}年要素池",
            ["单位", "要素", "计量单位", "余额"],
            ([p.org_unit.name, p.get_element_display(), p.unit, p.balance] for p in found),
        )
    return render(
        request,
        "resources/pools.html",
        {
            "pools": found,
            "year": year,
            "years": range(year - 2, year + 2),
            "elements": Element.choices,
            "units": org_units(actor=request.user)
            .filter(kind__in=("city", "district", "zone"))
            .order_by("path"),
            "can_open": request.user.is_city_staff,
        },
    )


def _pool_action(request: HttpRequest, pool: Pool) -> str:
    """Runs the form posted on a pool's page; the message to show."""
    actor = request.user
    data = _form(forms.PoolActionForm(request.POST))
    action = data["action"]
    if action == "approve":
        made = services.allocation_approve(
            actor=actor, source=Source.WEB, pool=pool, approved=data["approved"]
        )
        return f"已批准 {len(made)} 项分配。"
    if action == "transfer":
        other = get_scoped_or_404(Pool.objects.all(), actor, pk=data["to_pool"])
        outgoing = data["direction"] != "in"
        services.pool_transfer(
            actor=actor, source=Source.WEB, from_pool=pool if outgoing else other, to_pool=other if outgoing else pool,
            amount=data["amount"], reason=data["reason"] or "调剂",
        )  # fmt: skip
        return "已调剂。"
    if action == "advance":
        borrower = get_scoped_or_404(Pool.objects.all(), actor, pk=data["borrower"])
        services.advance_create(
            actor=actor, source=Source.WEB, lender=pool, borrower=borrower, amount=data["amount"],
            schedule=data["schedule"], reason=data["reason"] or "要素预支",
        )  # fmt: skip
        return "已办理预支。"
    held = get_scoped_or_404(
        Request.objects.select_related("pool__org_unit", "project"), actor, pk=data["request"]
    )
    if action == "release":
        services.allocation_release(
            actor=actor, source=Source.WEB, request=held, amount=data["amount"], reason=data["reason"]
        )
        return "已收回。"
    if action == "reject":
        services.request_close(actor=actor, source=Source.WEB, request=held, status=RequestStatus.REJECTED)
        return "已不予分配。"
    services.request_override(actor=actor, source=Source.WEB, request=held, allowed=bool(data["allowed"]))
    return "已更新市级意见。"


@login_required
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A pool: its ledger, the recommended allocation of its balance across pending requests (with reasons
    and what binds), and the forms to approve, transfer, advance and release."""
    pool = selectors.pool_get(actor=request.user, pk=pk)
    if request.method == "POST":
        try:
            messages.success(request, _pool_action(request, pool))
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        return redirect(pool.get_absolute_url())
    lines = list(selectors.ledger(pool))
    if chosen(request.GET, "export", ["xlsx"]):
        return xlsx_response(
            f"{pool}台账",
            ["时间", "类型", f"变动量（{pool.unit}）", "对方", "项目", "事由", "经办人"],
            (
                [timezone.localtime(m.at).strftime("%Y-%m-%d %H:%M"), m.get_kind_display(), m.delta,
                 str(m.counterpart or ""), m.request.project.name if m.request else "", m.reason, m.actor_name]
                for m in lines
            ),
        )  # fmt: skip
    found = selectors.recommendation(pool)
    rows = found.rows()
    allocated = selectors.with_held(
        pool.requests.filter(status=RequestStatus.ALLOCATED).select_related("project")
    )
    same = (
        Pool.objects.filter(element=pool.element, year=pool.year)
        .exclude(pk=pool.pk)
        .select_related("org_unit")
    )
    can_edit = request.user.can_edit
    return render(
        request,
        "resources/pool.html",
        {
            "pool": pool,
            "lines": page_of(request, lines[::-1]),  # the newest movements first
            "found": found,
            "rows": rows,
            "recommended": [(r, g) for r, g in rows if g.amount],  # what to approve, first
            "declined": [(r, g) for r, g in rows if not g.amount],
            "allocated": allocated,
            "others": scoped(same, request.user) if can_edit else [],
            "below": [p for p in same if p.org_unit.path.startswith(pool.org_unit.path)],
            "can_edit": can_edit,
            "is_city": request.user.is_city_staff,
        },
    )


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    """A project's request for an element: by the enterprise itself or staff in scope."""
    project = get_scoped_or_404(
        Project.objects.select_related("district", "enterprise"),
        request.user,
        pk=filter_values(request, forms.ProjectQuery)[1]["project"],
    )
    if not can_report_progress(request.user, project):
        raise PermissionDenied("只能为本企业（或您数据范围内）的项目申请要素。")
    year = timezone.localdate().year
    choices = selectors.pools_for_project(project, year)
    if request.method == "POST":
        try:
            data = _form(forms.RequestForm(request.POST))
            pool = choices.filter(pk=data["pool"]).first()
            if pool is None:
                raise ValidationError("请选择覆盖项目所在区县的要素池。")
            services.request_create(
                actor=request.user, source=Source.WEB, project=project, pool=pool, amount=data["amount"],
                minimum=data["minimum"], justification=data["justification"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"已提交{project.name}的要素申请。")
            return redirect(f"{reverse('resources:requests')}?project={project.pk}")
    return render(request, "resources/request_new.html", {"project": project, "pools": choices, "year": year})


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests in scope; whoever may make a request withdraws it here while it is pending."""
    if request.method == "POST":
        try:
            data = _form(forms.RowForm(request.POST))
            held = get_scoped_or_404(Request.objects.all(), request.user, pk=data["request"])
            services.request_close(
                actor=request.user, source=Source.WEB, request=held, status=RequestStatus.CANCELLED
            )
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        else:
            messages.success(request, "已撤销申请。")
        return redirect("resources:requests")
    _, params = filter_values(request, forms.RequestFilter)
    # Pending requests first (they wait for a decision), then allocated ones, closed ones last.
    stage = Case(
        When(status=RequestStatus.PENDING, then=Value(0)),
        When(status=RequestStatus.ALLOCATED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    found = selectors.requests(actor=request.user).order_by(stage, "-id")
    if params["status"]:
        found = found.filter(status=params["status"])
    if params["project"]:
        found = found.filter(project_id=params["project"])
    if params["export"] == "xlsx":
        rows = [
            (r, held if r.status == RequestStatus.ALLOCATED else None)
            for r, held in selectors.with_held(found)
        ]
        return xlsx_response(
            "要素申请",
            ["项目代码", "项目", "企业", "区县", "要素池", "申请量", "最低可行量", "状态", "现有分配", "申请理由"],
            (
                [r.project.code, r.project.name, r.project.enterprise.name, r.project.district.name, str(r.pool),
                 r.amount, r.minimum, r.get_status_display(), held, r.justification]
                for r, held in rows
            ),
        )  # fmt: skip
    visible = set(selectors.pools(actor=request.user).values_list("pk", flat=True))
    page = page_of(request, found)
    rows = [
        (r, held if r.status == RequestStatus.ALLOCATED else None)
        for r, held in selectors.with_held(found.filter(pk__in=[r.pk for r in page]))
    ]
    return render(
        request,
        "resources/requests.html",
        {
            "rows": rows,
            "page": page,
            "query": list_query(request),
            "statuses": RequestStatus.choices,
            "status": params["status"],
            "visible": visible,
        },
    )


@login_required
def advance_list(request: HttpRequest) -> HttpResponse:
    """Advances in scope with their repayment lights; the borrowing district records repayments here."""
    if request.method == "POST":
        try:
            data = _form(forms.RowForm(request.POST))
            advance = get_scoped_or_404(
                Advance.objects.select_related("lender__org_unit", "borrower__org_unit"), request.user,
                pk=data["advance"],
            )  # fmt: skip
            services.repayment_record(
                actor=request.user,
                source=Source.WEB,
                advance=advance,
                amount=data["amount"],
                reason=data["reason"],
            )
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        else:
            messages.success(request, "已登记还款。")
        return redirect("resources:advances")
    params = filter_values(request, forms.AdvanceFilter)[1]
    rows = (selectors.overdue_advances if params["overdue"] else selectors.advances)(actor=request.user)
    if params["export"] == "xlsx":
        return xlsx_response(
            "要素预支",
            ["预支池", "出借池", "预支量", "已还", "亮灯", "说明"],
            ([str(r.advance.borrower), str(r.advance.lender), r.advance.amount, r.repaid,
              r.light.label, "；".join(r.light.reasons)] for r in rows),
        )  # fmt: skip
    shown = sorted(rows, key=lambda r: LIGHT_ORDER.get(r.light.light, len(LIGHT_ORDER)))  # red first
    return render(
        request,
        "resources/advances.html",
        {"page": page_of(request, shown), "query": list_query(request), "overdue": bool(params["overdue"])},
    )


# Factory-space market (厂房超市) ------------------------------------------------------------------------


def _listing_values(request: HttpRequest) -> dict[str, object]:
    data = dict(_form(forms.ListingForm(request.POST)))
    data["area"] = get_scoped_or_404(org_units(actor=request.user), request.user, pk=data["area"])
    return data


@login_required
def listing_list(request: HttpRequest) -> HttpResponse:
    """The market: every listing, filtered by status, area and rent; staff add new ones here."""
    if request.method == "POST":
        try:
            listing = services.listing_save(actor=request.user, source=Source.WEB, **_listing_values(request))
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"已登记房源 {listing.code}。")
            return redirect(listing.get_absolute_url())
    _, params = filter_values(request, forms.ListingFilter)
    status = params["status"] if "status" in request.GET else ListingStatus.AVAILABLE
    found = selectors.listings(status=status)
    if params["min_area"] is not None:
        found = found.filter(floor_area_m2__gte=params["min_area"])
    if params["max_rent"] is not None:
        found = found.filter(rent_yuan_m2_month__lte=params["max_rent"])
    if params["export"] == "xlsx":
        return xlsx_response(
            "厂房超市",
            ["房源编号", "所在园区（乡镇）", "地址", "面积（平方米）", "层高（米）", "承重（吨/平方米）", "行车（吨）",
             "配电容量（千伏安）", "租金（元/平方米·月）", "售价（万元）", "可入驻日期", "业主联系人", "联系电话", "状态"],
            ([x.code, x.area.name, x.address, *(getattr(x, n) for n in forms.LISTING_NUMBERS), x.available_from,
              x.owner_name, x.owner_phone, x.get_status_display()] for x in found),
        )  # fmt: skip
    return render(
        request,
        "resources/listings.html",
        {
            "page": page_of(request, found),
            "query": list_query(request),
            "statuses": ListingStatus.choices,
            "status": status,
            "areas": org_units(actor=request.user)
            .filter(kind__in=("town", "park", "district", "zone"))
            .order_by("path"),
            "can_add": request.user.can_edit,
        },
    )


@login_required
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.select_related("area"), pk=pk)
    if request.method == "POST":
        try:
            if "photo" in request.FILES:
                upload = request.FILES["photo"]
                services.photo_add(
                    actor=request.user,
                    source=Source.WEB,
                    listing=listing,
                    name=upload.name,
                    content=upload_content(upload, services.MAX_PHOTO_BYTES),
                )
            else:
                data = _form(forms.ListingStatusForm(request.POST))
                services.listing_save(actor=request.user, source=Source.WEB, listing=listing, **data)
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        else:
            messages.success(request, "已保存。")
        return redirect(listing.get_absolute_url())
    return render(
        request,
        "resources/listing.html",
        {
            "x": listing,
            "photos": listing.photos.all(),
            "statuses": ListingStatus.choices,
            "can_edit": services.can_edit_area(request.user, listing.area),
        },
    )


@login_required
def listing_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(ListingPhoto, pk=pk)
    return FileResponse(photo.file.open("rb"), filename=photo.name)


@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    """Space needs in scope; staff generate them from the year's survey, or anyone registers one."""
    if request.method == "POST":
        try:
            data = _form(forms.NeedForm(request.POST))
            if data["action"] == "survey":
                year = data["year"] or timezone.localdate().year
                made = services.needs_from_surveys(actor=request.user, source=Source.WEB, year=year)
                messages.success(request, f"已从扩产意愿调查生成 {made} 条厂房需求。")
            else:
                enterprise = (
                    request.user.enterprise
                    if request.user.is_enterprise_user
                    else scoped(Enterprise.objects.select_related("district"), request.user)
                    .filter(uscc=normalise_code(data["uscc"]))
                    .first()
                )
                if enterprise is None:
                    raise ValidationError("您的数据范围内没有该统一社会信用代码的企业。")
                district = data["district"]
                need = services.need_save(
                    actor=request.user, source=Source.WEB, enterprise=enterprise,
                    **{name: data[name] for name in (*forms.NEED_NUMBERS, "needed_by", "note")},
                    district=OrgUnit.objects.filter(pk=district, kind__in=REPORTING_KINDS).first() if district else None,
                )  # fmt: skip
                return redirect("resources:need", pk=need.pk)
        except (ValidationError, PermissionDenied, Http404) as exc:
            _refused(request, exc)
        return redirect("resources:needs")
    # The soonest needed first; those without a date after them.
    found = selectors.needs(actor=request.user).order_by(F("needed_by").asc(nulls_last=True), "-id")
    return render(
        request,
        "resources/needs.html",
        {
            "page": page_of(request, found),
            "query": list_query(request),
            "year": timezone.localdate().year,
            "districts": OrgUnit.objects.filter(kind__in=REPORTING_KINDS).order_by("sort_order", "path"),
        },
    )


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One need and the listings that best meet it, each with its score and reasons."""
    need = get_scoped_or_404(
        SpaceNeed.objects.select_related("enterprise__district", "district"), request.user, pk=pk
    )
    if request.method == "POST":
        try:
            services.need_save(
                actor=request.user, source=Source.WEB, enterprise=need.enterprise, need=need,
                is_open=bool(_form(forms.NeedOpenForm(request.POST))["is_open"]),
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        return redirect("resources:need", pk=need.pk)
    return render(request, "resources/need.html", {"need": need, "matches": selectors.spaces_for(need)})
