"""The 申报批次 API: the rounds a user takes part in, with their entries by status; opening and changing a
round, nominating, reviewing and closing; and the official result list, imported as the page and
`kuochan import title-results` import it (one batch, read and rolled back through /api/v1/imports)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from kuochan.audit.models import Source
from kuochan.core.api import Day, Id, Input, Year, staff_only
from kuochan.core.files import upload_content
from kuochan.cultivation import round_selectors as selectors
from kuochan.cultivation import round_services as services
from kuochan.cultivation.models import Entry, Round, Title
from kuochan.imports.engine import ensure_may_import, run_import
from kuochan.imports.forms import MAX_UPLOAD_BYTES

router = Router(tags=["梯度培育：申报批次"])


class RoundOut(Schema):
    id: int
    title: str
    title_name: str
    year: int
    city: str
    opens_on: dt.date
    nomination_deadline: dt.date
    review_deadline: dt.date
    notice: str
    result_document_number: str
    result_published_on: dt.date | None
    counts: dict[str, int] = Field(
        description="培育库企业数，按状态：entered、applied、recommended、granted、rejected、removed"
    )


class RoundIn(Input):
    title: str = Field(max_length=32, description="称号代码，如 little_giant")
    year: Year
    opens_on: Day
    nomination_deadline: Day
    review_deadline: Day
    notice: str = Field("", max_length=200)


class RoundPatch(Input):
    opens_on: Day
    nomination_deadline: Day
    review_deadline: Day
    notice: str = Field("", max_length=200)


class RoundEntriesIn(Input):
    entries: list[Id] = Field(min_length=1, max_length=5000, description="培育库条目 id")


class RoundReviewIn(RoundEntriesIn):
    decision: Literal["recommend", "return", "reject"] = Field(
        description="recommend 推荐、return 退回、reject 不予推荐"
    )
    reason: str = Field("", max_length=200)


class RoundEntryOut(Schema):
    id: int
    uscc: str
    enterprise: str
    district: str
    status: str
    status_label: str
    status_on: dt.date
    note: str


class RoundResultOut(Schema):
    kind: str
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    applied: bool
    batch: int | None


def _round(request: HttpRequest, pk: int) -> Round:
    staff_only(request.auth)
    found = selectors.round_get(actor=request.auth, pk=pk)
    if found is None:
        raise Http404
    return found


def _out(actor: Any, found: list[Round]) -> list[dict[str, Any]]:
    counts = selectors.status_counts(actor=actor, found=found)
    return [
        {
            **{name: getattr(r, name) for name in ("id", "year", "opens_on", "nomination_deadline", "review_deadline",
                                                   "notice", "result_document_number", "result_published_on")},
            "title": r.title.code, "title_name": r.title.name, "city": r.city.name, "counts": counts[r.pk],
        }
        for r in found
    ]  # fmt: skip


def _entries_out(entries: list[Entry]) -> list[dict[str, Any]]:
    return [
        {"id": e.pk, "uscc": e.enterprise.uscc, "enterprise": e.enterprise.name, "district": e.enterprise.district.name,
         "status": e.status, "status_label": e.get_status_display(), "status_on": e.status_on, "note": e.note}
        for e in entries
    ]  # fmt: skip


def _chosen_entries(request: HttpRequest, round_: Round, ids: list[int]) -> list[Entry]:
    """The entries named, among the round's in the actor's scope; an id not among them is refused."""
    found = list(selectors.round_entries(actor=request.auth, round_=round_).filter(pk__in=ids))
    missing = sorted(set(ids) - {e.pk for e in found})
    if missing:
        raise ValidationError(
            {"entries": f"条目 {'、'.join(map(str, missing[:10]))} 不在本批次或不在您的数据范围内。"}
        )
    return found


@router.get("", response=list[RoundOut], summary="申报批次（本市及数据范围内各市），按年度")
def round_list(request: HttpRequest, year: Year | None = None) -> list[dict[str, Any]]:
    staff_only(request.auth)
    found = selectors.rounds(actor=request.auth)
    return _out(request.auth, list(found.filter(year=year) if year else found))


@router.post("", response={201: RoundOut}, summary="建立称号的年度申报批次（市级工作人员）")
def round_create(request: HttpRequest, data: RoundIn) -> Status:
    title = Title.objects.filter(code=data.title).first()
    if title is None:
        raise ValidationError({"title": f"没有称号“{data.title}”。"})
    made = services.round_create(
        actor=request.auth, source=Source.API, title=title, year=data.year, opens_on=data.opens_on,
        nomination_deadline=data.nomination_deadline, review_deadline=data.review_deadline, notice=data.notice.strip(),
    )  # fmt: skip
    return Status(201, _out(request.auth, [made])[0])


@router.get("/{pk}", response=RoundOut, summary="一个申报批次")
def round_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _out(request.auth, [_round(request, pk)])[0]


@router.put("/{pk}", response=RoundOut, summary="修改批次的日期和通知（市级工作人员）")
def round_update(request: HttpRequest, pk: Id, data: RoundPatch) -> dict[str, Any]:
    round_ = _round(request, pk)
    services.round_update(
        actor=request.auth, source=Source.API, round_=round_, opens_on=data.opens_on,
        nomination_deadline=data.nomination_deadline, review_deadline=data.review_deadline, notice=data.notice.strip(),
    )  # fmt: skip
    return _out(request.auth, [_round(request, pk)])[0]


@router.get("/{pk}/entries", response=list[RoundEntryOut], summary="批次的培育库企业（数据范围内）")
def round_entries(request: HttpRequest, pk: Id) -> list[dict[str, Any]]:
    return _entries_out(list(selectors.round_entries(actor=request.auth, round_=_round(request, pk))))


@router.post(
    "/{pk}/nominate", response=list[RoundEntryOut], summary="区县推荐本区县入库企业申报（截止日当天含）"
)
def entries_nominate(request: HttpRequest, pk: Id, data: RoundEntriesIn) -> list[dict[str, Any]]:
    round_ = _round(request, pk)
    done = services.entries_nominate(
        actor=request.auth, source=Source.API, round_=round_, entries=_chosen_entries(request, round_, data.entries),
        today=timezone.localdate(),
    )  # fmt: skip
    return _entries_out(done)


@router.post(
    "/{pk}/review",
    response=list[RoundEntryOut],
    summary="市级审核申报：推荐、退回（须理由）或不予推荐（须理由）",
)
def entries_review(request: HttpRequest, pk: Id, data: RoundReviewIn) -> list[dict[str, Any]]:
    round_ = _round(request, pk)
    done = services.entries_review(
        actor=request.auth, source=Source.API, round_=round_, entries=_chosen_entries(request, round_, data.entries),
        decision=data.decision, reason=data.reason, today=timezone.localdate(),
    )  # fmt: skip
    return _entries_out(done)


@router.post(
    "/{pk}/close", response=list[RoundEntryOut], summary="结束批次：未列入认定名单的推荐企业记为未通过"
)
def round_close(request: HttpRequest, pk: Id) -> list[dict[str, Any]]:
    round_ = _round(request, pk)
    return _entries_out(
        services.round_close(actor=request.auth, source=Source.API, round_=round_, today=timezone.localdate())
    )


@router.post(
    "/{pk}/results",
    response=RoundResultOut,
    summary="导入认定名单（.xlsx）：认定记入企业荣誉（文号、日期），未通过、撤销记入培育库和荣誉",
    description="列：统一社会信用代码或企业名称、结果（认定/未通过/撤销，空白按认定）、可选称号。有任何错误时不写入，"
    "errors 列出行、列、值和原因；dry_run 只检查。导入的批次在 /api/v1/imports 中查看和回滚。",
)
def results_import(
    request: HttpRequest,
    pk: Id,
    document_number: Form[str],
    published_on: Form[Day],
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> dict[str, Any]:
    round_ = _round(request, pk)
    ensure_may_import(request.auth)
    name = Path(file.name or "认定名单.xlsx").name
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": f"文件“{name}”不是 .xlsx 格式。"})
    content = upload_content(file, MAX_UPLOAD_BYTES)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.xlsx"
        path.write_bytes(content)
        result = run_import(
            "title-results", path, actor=request.auth, source=Source.API, file_name=name, dry_run=dry_run,
            context={"round": round_.pk, "document_number": document_number, "published_on": published_on},
        )  # fmt: skip
    return result.as_json()
