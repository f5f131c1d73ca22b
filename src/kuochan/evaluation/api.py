"""The 评价分类 API: the year's results (as `kuochan evaluate --format json`), runs (in the worker: the call
answers with the job to follow) and the scheme, the carbon code by industry, the treatment work lists, the
key enterprises with their tracking sheet, and exemptions; the same scope, permissions and validation as the
pages."""

from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Id, Input, Year, business_only
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.evaluation import selectors, services
from kuochan.evaluation.jobs import evaluation_run_job
from kuochan.evaluation.models import EvaluationScheme, Exemption, KeyEnterprise
from kuochan.evaluation.rules import CLASSES, GROUP_LABELS
from kuochan.jobs.api import JobOut, job_accepted
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code

router = Router(tags=["评价分类"])


class ResultQuery(Schema):
    district: Id | None = None
    group: Literal[tuple(GROUP_LABELS)] | Literal[""] = ""  # type: ignore[valid-type]
    klass: Literal[(*CLASSES, "T", "none")] | Literal[""] = ""  # type: ignore[valid-type]
    carbon_grade: int | None = Field(None, ge=1, le=5)
    low_efficiency: bool = False
    treatment: int | None = Field(None, ge=0, le=1000, description="评价方案分类施策矩阵中规则的序号")
    q: str = Field("", max_length=200)


class ResultOut(Schema):
    uscc: str
    name: str
    district: str
    score: float | None
    klass: str | None = Field(alias="class")
    carbon_l: float | None
    carbon_level: str | None
    carbon_k: float | None
    carbon_grade: int | None
    treatment: str
    reasons: list[str]


class EvaluationReportOut(Schema):
    year: int
    enterprises: list[ResultOut]


class SchemeOut(Schema):
    year: int
    version: int
    definition: dict[str, Any]
    source: str
    note: str


class SchemeIn(Input):
    definition: dict[str, Any]
    source: str = Field("", max_length=5000)
    note: str = Field("", max_length=200)


class TreatmentListOut(Schema):
    index: int
    treatment: str
    count: int
    enterprises: list[ResultOut]


class IndustryCarbonOut(Schema):
    industry: str
    name: str
    grades: list[int] = Field(description="碳效码 1–5 级的企业数")
    total: int
    industry_average_l: float | None
    industry_average_source: str = Field(description="省级发布的来源；为空表示按本市同行业企业合计计算")
    industry_firms: int = Field(description="本市该行业赋码企业数")


class CarbonOut(Schema):
    year: int
    industry_level: str | None
    industries: list[IndustryCarbonOut]


class TrackingOut(Schema):
    uscc: str
    name: str
    district: str
    why: list[str]
    class_last_year: str
    class_this_year: str
    grade_last_year: int | None
    grade_this_year: int | None
    willingness_last_year: str
    willingness_this_year: str
    projects: int
    projects_total_wan: Decimal | None
    started: int
    producing: int
    changed: bool


class ChosenOut(Schema):
    id: int
    uscc: str
    name: str
    district: str
    reason: str

    @staticmethod
    def resolve_uscc(chosen: Any) -> str:
        return chosen.enterprise.uscc

    @staticmethod
    def resolve_name(chosen: Any) -> str:
        return chosen.enterprise.name

    @staticmethod
    def resolve_district(chosen: Any) -> str:
        return chosen.enterprise.district.name


class ExemptionOut(ChosenOut):
    year: int


class ChooseIn(Input):
    uscc: str = Field(max_length=40)
    reason: str = Field(max_length=200)


def _enterprise(actor: Any, uscc: str) -> Enterprise:
    """The enterprise of a USCC typed in a form: 404 when not in the registry or not in scope."""
    found = Enterprise.objects.filter(uscc=normalise_code(uscc)).first()
    if found is None:
        raise Http404(f"统一社会信用代码“{uscc}”不在企业库中。")
    return get_scoped_or_404(Enterprise.objects.select_related("district"), actor, pk=found.pk)


def _chosen(queryset: Any, actor: Any) -> Any:
    return scoped(queryset.select_related("enterprise__district"), actor).order_by("enterprise__name")


@router.get("/key-enterprises", response=list[ChosenOut], summary="市级确定的重点企业（数据范围内）")
@paginate
def key_enterprise_list(request: HttpRequest) -> Any:
    return _chosen(KeyEnterprise.objects.all(), request.auth)


@router.post("/key-enterprises", response={201: ChosenOut}, summary="列为重点企业（市级工作人员）")
def key_enterprise_add(request: HttpRequest, data: ChooseIn) -> Status:
    enterprise = _enterprise(request.auth, data.uscc)
    made = services.key_enterprise_add(
        actor=request.auth, source=Source.API, enterprise=enterprise, reason=data.reason
    )
    return Status(201, made)


@router.delete("/key-enterprises/{pk}", response={204: None}, summary="移出重点企业（市级工作人员）")
def key_enterprise_remove(request: HttpRequest, pk: Id) -> Status:
    key = get_scoped_or_404(_chosen(KeyEnterprise.objects.all(), request.auth), request.auth, pk=pk)
    services.key_enterprise_remove(actor=request.auth, source=Source.API, key=key)
    return Status(204, None)


@router.delete("/exemptions/{pk}", response={204: None}, summary="取消不参评")
def exemption_remove(request: HttpRequest, pk: Id) -> Status:
    exemption = get_scoped_or_404(_chosen(Exemption.objects.all(), request.auth), request.auth, pk=pk)
    services.exemption_remove(actor=request.auth, source=Source.API, exemption=exemption)
    return Status(204, None)


@router.get(
    "/{year}", response=EvaluationReportOut, by_alias=True,
    summary="年度评价结果（数据范围内；与 kuochan evaluate --format json 相同）",
)  # fmt: skip
def year_results(request: HttpRequest, year: Year, filters: Query[ResultQuery]) -> dict:
    values = filters.dict()
    return selectors.evaluation_report(
        actor=request.auth, year=year, filters=selectors.ResultFilter(query=values.pop("q"), **values)
    )


@router.post(
    "/{year}/run",
    response={202: JobOut},
    summary="重新计算并保存年度评价结果（市级工作人员）",
    description="在后台进行：返回任务（202），以其 url 查询进度。完成后 result 给出年度 year、评价运行 run、"
    "参评企业数 enterprises 及年度评价结果地址 api_url。",
)
def run_year(request: HttpRequest, response: HttpResponse, year: Year) -> Status:
    if not services.can_run_evaluation(request.auth):  # refused now, not after a wait in the queue
        raise PermissionDenied(services.RUN_REFUSAL)
    return job_accepted(
        request, response, handler=evaluation_run_job, title=f"重新计算 {year} 年评价", params={"year": year}
    )


@router.get("/{year}/scheme", response=SchemeOut, summary="年度评价方案（最新版本）")
def get_scheme(request: HttpRequest, year: Year) -> EvaluationScheme:
    business_only(request.auth)
    scheme = selectors.scheme_of_year(year, city=selectors.scheme_owner(request.auth))
    if scheme is None:
        raise Http404(f"{year} 年还没有评价方案。")
    return scheme


@router.post("/{year}/scheme", response=SchemeOut, summary="保存年度评价方案的新版本（市级管理员）")
def save_scheme(request: HttpRequest, year: Year, data: SchemeIn) -> EvaluationScheme:
    return services.scheme_save(
        actor=request.auth, source=Source.API, year=year, definition=data.definition, basis=data.source,
        note=data.note,
    )  # fmt: skip


@router.get("/{year}/carbon", response=CarbonOut, summary="工业碳效码：各行业的碳效码分布及行业平均碳效值")
def carbon(request: HttpRequest, year: Year) -> dict:
    business_only(request.auth)
    run = selectors.evaluation_run(year, request.auth)
    averages = run.parsed[1].industry_carbon if run else {}
    names = selectors.industry_names()
    counts = selectors.grade_by_industry(actor=request.auth, year=year)
    rows = []
    for industry, grades in sorted(counts.items(), key=lambda item: -sum(item[1].values())):
        average, firms, source = averages.get(industry, (None, 0, ""))
        rows.append(
            {"industry": industry, "name": names.get(industry, "未填行业"), "grades": [grades[g] for g in range(1, 6)],
             "total": sum(grades.values()), "industry_average_l": average, "industry_average_source": source,
             "industry_firms": firms}
        )  # fmt: skip
    level = run.scheme.definition.get("carbon", {}).get("industry_level") if run else None
    return {"year": year, "industry_level": level, "industries": rows}


@router.get(
    "/{year}/treatment", response=list[TreatmentListOut], by_alias=True,
    summary="分类施策工作清单：按施策建议列出数据范围内的企业（每类最多 100 家）",
)  # fmt: skip
def treatment(request: HttpRequest, year: Year, district: Id | None = None) -> list[dict]:
    return [
        {"index": index, "treatment": text, "count": count,
         "enterprises": [selectors.result_entry(r) for r in members]}
        for index, text, count, members in selectors.treatment_lists(actor=request.auth, year=year, district=district)
    ]  # fmt: skip


@router.get(
    "/{year}/tracking", response=list[TrackingOut],
    summary="重点企业跟踪表：与上年相比的分类、碳效码、扩产意愿及项目（changed=true 只列有变化的）",
)  # fmt: skip
@paginate
def tracking(request: HttpRequest, year: Year, changed: bool = False) -> list[dict]:
    stored = selectors.scheme_in_force(year, selectors.scheme_owner(request.auth))
    if stored is None:
        return []
    rows = selectors.tracking_sheet(actor=request.auth, year=year, scheme=selectors.parsed_scheme(stored))
    return [
        {"uscc": r.enterprise.uscc, "name": r.enterprise.name, "district": r.enterprise.district.name, "why": r.why,
         "class_last_year": r.klass[0], "class_this_year": r.klass[1], "grade_last_year": r.grade[0],
         "grade_this_year": r.grade[1], "willingness_last_year": r.willingness[0],
         "willingness_this_year": r.willingness[1], "projects": r.projects, "projects_total_wan": r.projects_total_wan,
         "started": r.started, "producing": r.producing, "changed": r.changed}
        for r in rows
        if r.changed or not changed
    ]  # fmt: skip


@router.get("/{year}/exemptions", response=list[ExemptionOut], summary="该年度不参评（T 类）的企业")
@paginate
def exemption_list(request: HttpRequest, year: Year) -> Any:
    return selectors.exemptions(actor=request.auth, year=year)


@router.post("/{year}/exemptions", response={201: ExemptionOut}, summary="列为该年度不参评（重新计算后生效）")
def exemption_set(request: HttpRequest, year: Year, data: ChooseIn) -> Status:
    enterprise = _enterprise(request.auth, data.uscc)
    made = services.exemption_set(
        actor=request.auth, source=Source.API, enterprise=enterprise, year=year, reason=data.reason
    )
    return Status(201, made)
