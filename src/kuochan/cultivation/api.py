"""The 企业培育 API: the titles, a title's library for a year (filters, paged, gaps as of today), nomination,
an entry's owner and support, removal, and fill by rule; the same scope, permissions and validation as the
pages."""

from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Id, Input, Year, staff_only
from kuochan.core.scope import scoped
from kuochan.cultivation import selectors, services
from kuochan.cultivation.models import EntrySource, EntryStatus, Title
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code

router = Router(tags=["企业培育"])
STAFF_ONLY = "企业用户无权查看培育库。"


class TitleOut(Schema):
    code: str
    name: str
    ladder: str
    rank_in_ladder: int | None
    level: str
    honour_kind: str
    criteria: int = Field(description="认定条件条数")

    @staticmethod
    def resolve_criteria(title: Title) -> int:
        return len(title.criteria)


class MissingOut(Schema):
    criterion: str
    value: float | None
    threshold: float | None
    gap: str


class EntryOut(Schema):
    id: int
    title: str
    year: int
    uscc: str
    name: str
    district: str
    status: str
    status_label: str
    source: str
    entered_on: str
    status_on: str
    responsible: str | None = Field(description="责任人用户名")
    planned_support: str
    note: str
    met: bool = Field(description="截至今日可测算条件是否均已符合")
    gaps: list[str] = Field(description="截至今日的差距（含缺少数据的条件）")
    missing: list[MissingOut]
    gaps_when_entered: list[str]


def _entry_out(row: selectors.LibraryRow) -> dict[str, Any]:
    e = row.entry
    return {
        "id": e.pk, "title": e.title.code, "year": e.year, "uscc": e.enterprise.uscc, "name": e.enterprise.name,
        "district": e.enterprise.district.name, "status": e.status, "status_label": e.get_status_display(),
        "source": e.source, "entered_on": e.entered_on.isoformat(), "status_on": e.status_on.isoformat(),
        "responsible": e.responsible.username if e.responsible else None, "planned_support": e.planned_support,
        "note": e.note, "met": row.met, "gaps": row.gaps, "missing": selectors.missing_report(row.assessment),
        "gaps_when_entered": e.gaps,
    }  # fmt: skip


class LibraryQuery(Schema):
    district: Id | None = None
    status: Literal[("", *EntryStatus.values)] = ""  # type: ignore[valid-type]
    source: Literal[("", *EntrySource.values)] = ""  # type: ignore[valid-type]
    met: bool | None = None
    responsible: str = Field("", max_length=150, description="责任人用户名；none 为未指定")
    q: str = Field("", max_length=100)


class EntryUpdateIn(Input):
    responsible: str = Field("", max_length=150, description="责任人用户名；空为未指定")
    planned_support: str = Field("", max_length=2000)
    note: str = Field("", max_length=500)


class EntryIn(EntryUpdateIn):
    uscc: str = Field(max_length=40)


class RemoveIn(Input):
    reason: str = Field(max_length=200)


class FillIn(Input):
    margin: Decimal = Field(Decimal(20), ge=0, le=100, max_digits=6, decimal_places=2)


class FillOut(Schema):
    added: int


def _title(code: str) -> Title:
    title = selectors.title_get(code) if len(code) <= 32 else None
    if title is None:
        raise Http404(f"没有代码为“{code[:32]}”的称号。")
    return title


def _responsible(username: str) -> Any:
    if not username:
        return None
    user = get_user_model().objects.select_related("org_unit").filter(username=username).first()
    if user is None:
        raise ValidationError({"responsible": f"没有用户“{username}”。"})
    return user


def _row(entry: Any) -> dict[str, Any]:
    return _entry_out(selectors.entry_row(entry, timezone.localdate()))


@router.get("/titles", response=list[TitleOut], summary="培育称号（梯度、认定层级、条件条数）")
def title_list(request: HttpRequest) -> Any:
    staff_only(request.auth, STAFF_ONLY)
    return selectors.titles()


@router.get(
    "/titles/{code}/{year}", response=list[EntryOut],
    summary="称号年度培育库（数据范围内；差距截至今日；已符合条件尚未申报的在前）",
)  # fmt: skip
@paginate
def library_list(request: HttpRequest, code: str, year: Year, filters: Query[LibraryQuery]) -> list[dict]:
    staff_only(request.auth, STAFF_ONLY)
    title = _title(code)
    responsible = filters.responsible
    if responsible and responsible != "none":
        user = get_user_model().objects.filter(username=responsible).first()
        responsible = str(user.pk) if user else "0"
    rows = selectors.library(
        actor=request.auth, title=title, year=year, today=timezone.localdate(),
        filters=selectors.LibraryFilter(
            district=filters.district, status=filters.status, source=filters.source, met=filters.met,
            responsible=responsible, query=filters.q,
        ),
    )  # fmt: skip
    return [_entry_out(row) for row in rows]


@router.post(
    "/titles/{code}/{year}/entries", response={201: EntryOut}, summary="推荐入库（区县或市级工作人员）"
)
def entry_add(request: HttpRequest, code: str, year: Year, data: EntryIn) -> Status:
    title = _title(code)
    enterprise = (
        scoped(Enterprise.objects.select_related("district"), request.auth)
        .filter(uscc=normalise_code(data.uscc))
        .first()
    )
    if enterprise is None:
        raise ValidationError({"uscc": f"统一社会信用代码“{data.uscc}”不在您数据范围内的企业库中。"})
    entry = services.entry_add(
        actor=request.auth, source=Source.API, title=title, year=year, enterprise=enterprise,
        today=timezone.localdate(), responsible=_responsible(data.responsible),
        planned_support=data.planned_support, note=data.note,
    )  # fmt: skip
    return Status(201, _row(entry))


@router.post("/titles/{code}/{year}/fill", response=FillOut, summary="按条件遴选入库（市级工作人员）")
def fill(request: HttpRequest, code: str, year: Year, data: FillIn) -> dict:
    title = _title(code)
    added = services.entries_fill_by_rule(
        actor=request.auth, source=Source.API, title=title, year=year, margin_pct=data.margin,
        today=timezone.localdate(),
    )  # fmt: skip
    return {"added": added}


@router.patch("/entries/{pk}", response=EntryOut, summary="修改责任人、计划支持和备注")
def entry_update(request: HttpRequest, pk: Id, data: EntryUpdateIn) -> dict:
    entry = selectors.entry_get(actor=request.auth, pk=pk)
    services.entry_update(
        actor=request.auth, source=Source.API, entry=entry, responsible=_responsible(data.responsible),
        planned_support=data.planned_support, note=data.note,
    )  # fmt: skip
    return _row(entry)


@router.post("/entries/{pk}/remove", response=EntryOut, summary="出库（须写明原因）")
def entry_remove(request: HttpRequest, pk: Id, data: RemoveIn) -> dict:
    entry = selectors.entry_get(actor=request.auth, pk=pk)
    services.entry_remove(
        actor=request.auth, source=Source.API, entry=entry, reason=data.reason, today=timezone.localdate()
    )
    return _row(entry)


@router.post("/entries/{pk}/reenter", response=EntryOut, summary="出库后重新入库（差距重新测算）")
def entry_reenter(request: HttpRequest, pk: Id) -> dict:
    entry = selectors.entry_get(actor=request.auth, pk=pk)
    services.entry_reenter(actor=request.auth, source=Source.API, entry=entry, today=timezone.localdate())
    return _row(entry)
