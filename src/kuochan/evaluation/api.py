from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from kuochan.audit.models import Source
from kuochan.evaluation import selectors, services

router = Router(tags=["评价分类"])


class ResultQuery(Schema):
    district: int | None = None
    group: str = ""
    klass: str = ""
    carbon_grade: int | None = None
    low_efficiency: bool = False
    treatment: int | None = None  # the index of the scheme's treatment rule
    q: str = ""


class SchemeOut(Schema):
    year: int
    version: int
    definition: dict[str, Any]
    source: str
    note: str


class SchemeIn(Schema):
    definition: dict[str, Any]
    source: str = ""
    note: str = ""


@router.get("/{year}", summary="年度评价结果（数据范围内；与 kuochan evaluate --format json 相同）")
def year_results(request: HttpRequest, year: int, filters: Query[ResultQuery]) -> dict:
    values = filters.dict()
    return selectors.evaluation_report(
        actor=request.auth, year=year, filters=selectors.ResultFilter(query=values.pop("q"), **values)
    )


@router.post("/{year}/run", summary="重新计算并保存年度评价结果（市级工作人员）")
def run_year(request: HttpRequest, year: int) -> dict:
    services.evaluation_run(actor=request.auth, source=Source.API, year=year)
    return selectors.evaluation_report(actor=request.auth, year=year)


@router.get("/{year}/scheme", response=SchemeOut, summary="年度评价方案（最新版本）")
def get_scheme(request: HttpRequest, year: int) -> Any:
    scheme = selectors.scheme_of_year(year)
    if scheme is None:
        raise Http404(f"{year} 年还没有评价方案。")
    return scheme


@router.post("/{year}/scheme", response=SchemeOut, summary="保存年度评价方案的新版本（市级管理员）")
def save_scheme(request: HttpRequest, year: int, data: SchemeIn) -> Any:
    return services.scheme_save(
        actor=request.auth, source=Source.API, year=year, definition=data.definition, basis=data.source,
        note=data.note,
    )  # fmt: skip
