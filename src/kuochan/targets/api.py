"""The 目标管理 API: plans with their target tables and the text's targets, the plan check, each indicator's
progress for the plan's unit or a district (what the progress page shows), the district ranking, the
districts' targets (read, typed in or split by baseline share) and the official figures entered by hand;
and keeping plans as the plan pages do: a new plan from its content (the plan file's shape), each save a
version, a copy with its years moved on, retiring one."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from kuochan.audit.models import Source
from kuochan.core.api import Amount, Id, Input, Month, Slug, Year, business_only, month_of, staff_only
from kuochan.core.scope import path_in_scope
from kuochan.orgs.selectors import reporting_units as units_in_scope
from kuochan.projects.rules import last_complete_month
from kuochan.targets import services
from kuochan.targets.models import Indicator, Plan, Statement
from kuochan.targets.rules import SEVERITY_LABELS, Finding, reconciliation
from kuochan.targets.selectors import (
    city_targets,
    district_targets,
    plan_findings,
    plan_table,
    plan_versions,
    plans,
    ranking,
    reporting_units,
    splittable,
    targets_report,
    unit_baselines,
)

router = Router(tags=["目标管理"])


class PlanOut(Schema):
    code: str
    name: str
    org_unit: str
    period_start: int
    period_end: int
    baseline_year: int
    period_label: str
    source: str
    retired_at: dt.datetime | None = Field(description="停用时间；仍在使用的规划为 null")

    @staticmethod
    def resolve_org_unit(plan: Plan) -> str:
        return plan.org_unit.name


class StatementOut(Schema):
    section: str
    sentence: str
    claim: str
    value: Decimal
    year: int | None


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    kind: str
    kind_label: str
    table_row: int | None
    baseline: Decimal | None
    previous_period: Decimal | None
    yearly: dict[str, str]
    period_target: Decimal | None
    threshold: Decimal | None
    band: Decimal | None
    lead: str
    actual_source: str
    derivation: str
    note: str
    splittable: bool
    statements: list[StatementOut]

    @staticmethod
    def resolve_kind_label(indicator: Indicator) -> str:
        return indicator.get_kind_display()

    @staticmethod
    def resolve_splittable(indicator: Indicator) -> bool:
        return splittable(indicator)

    @staticmethod
    def resolve_statements(indicator: Indicator) -> list[Statement]:
        return list(indicator.statements.all())


class PlanDetailOut(PlanOut):
    table: list[list[str]] = Field(description="目标表：表头及各行单元格，与文件所印相同")
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_table(plan: Plan) -> list[list[str]]:
        return plan_table(plan)

    @staticmethod
    def resolve_indicators(plan: Plan) -> list[Indicator]:
        return list(plan.indicators.prefetch_related("statements").order_by("sort_order"))


class FindingOut(Schema):
    indicator: str
    severity: str
    severity_label: str
    message: str
    figures: dict[str, Any]
    across_documents: bool = False  # a finding across this plan and another document of its place


class IndicatorFiguresOut(Schema):
    """An indicator's target, actual, completion and light: the plan's table and the cockpit's headline."""

    code: str
    name: str
    unit: str
    year_target: float | None
    actual: float | None
    completion: float | None
    time_pace: float | None
    light: str
    period_target: float | None
    period_actual: float | None


class StandingOut(IndicatorFiguresOut):
    source: str
    reasons: list[str]
    yoy: float | None


class TargetProgressOut(Schema):
    plan: str
    unit: str
    as_of: str
    indicators: list[StandingOut]


class RankPartOut(Schema):
    indicator: str
    completion: Decimal
    time_pace: Decimal
    points: Decimal


class RankOut(Schema):
    unit: str
    score: Decimal | None
    rank: int | None
    parts: list[RankPartOut]
    reasons: list[str]


class UnitTargetsOut(Schema):
    unit_id: int
    unit: str
    baseline: Decimal | None
    targets: dict[int, Decimal]


class DecompositionOut(Schema):
    indicator: str
    name: str
    unit: str
    baseline_year: int
    city: dict[int, Decimal]
    districts: list[UnitTargetsOut]
    findings: list[FindingOut]


class TargetIn(Input):
    unit: Id = Field(description="区县（或功能区）的组织单位 id")
    year: Year
    value: Amount


class TargetsIn(Input):
    targets: list[TargetIn] = Field(max_length=1000)


class ActualIn(Input):
    indicator: Slug
    unit: Id = Field(description="规划制定单位或区县的组织单位 id")
    month: Month
    value: Decimal = Field(max_digits=16, decimal_places=4)
    note: str = Field("", max_length=200)


class ActualOut(Schema):
    indicator: str
    unit: str
    month: str
    value: Decimal
    note: str


# A plan's content, as the plan file and `services.plan_content` have it. The shape is typed here, with the
# columns' own lengths and bounds generous enough for any plan a file loaded (GET …/content answers in this
# shape too); what it says (units, kinds, years, figures) is the service's to check, which names every
# problem at once.
Text = Annotated[str, Field(max_length=100_000)]
Cell = Annotated[str, Field(max_length=1000)]
Figure = Annotated[str, Field(max_length=40)] | int | float | None  # a number, or its exact text
Code = Annotated[str, Field(max_length=64)]


class PlanIndicatorIn(Input):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: str = Field("", max_length=100)
    unit: str = Field("", max_length=16)
    kind: str = Field("", max_length=32, description="期间累计 period_total、年度值 yearly_value 等")
    table_row: int | None = Field(None, ge=0, le=32767, description="目标表中的序号")
    baseline: Figure = None
    previous_period: Figure = None
    yearly: dict[Annotated[str, Field(max_length=8)], Figure] = Field({}, max_length=20)
    period_target: Figure = None
    threshold: Figure = None
    band: Figure = None
    relates_to: str = Field("", max_length=64)
    lead: str = Field("", max_length=100)
    actual_source: str = Field("", max_length=16, description="projects、registry 或 statistics")
    derivation: str = Field("", max_length=100)
    statistic: str | None = Field(None, max_length=64, description="统计指标库中的代码")
    table_cells: list[Cell] = Field([], max_length=200)
    note: Text = ""


class PlanStatementIn(Input):
    model_config = ConfigDict(extra="forbid")

    section: str = Field("", max_length=100)
    sentence: Text = ""
    indicator: Code = ""
    claim: str = Field("", max_length=32)
    value: Figure = None
    year: int | None = Field(None, ge=0, le=32767)


class PlanMeasureIn(Input):
    model_config = ConfigDict(extra="forbid")

    code: str = Field("", max_length=32)
    kind: str = Field("", max_length=16, description="task、measure 或 action")
    number: str = Field("", max_length=8)
    title: str = Field("", max_length=100)
    text: Text = ""
    lead: str = Field("", max_length=64)
    co_responsible: list[Cell] = Field([], max_length=200)


class PlanContent(Input):
    """The whole plan, as `GET …/content` gives it and a plan file holds it."""

    model_config = ConfigDict(extra="forbid")

    code: Code = Field("", description="规划编号（新建时必填；保存时以路径中的编号为准）")
    name: str = Field("", max_length=200)
    org_unit: str = Field("", max_length=32, description="制定单位的组织单位代码")
    period: list[int] = Field([], max_length=10, description="规划期起止年，如 [2026, 2030]")
    baseline_year: int | None = None
    period_label: str = Field("", max_length=32)
    previous_period_label: str = Field("", max_length=32)
    source: Text = ""
    table_title: str = Field("", max_length=200)
    table_columns: list[Cell] = Field([], max_length=200)
    indicators: list[PlanIndicatorIn] = Field([], max_length=1000)
    statements: list[PlanStatementIn] = Field([], max_length=2000)
    measures: list[PlanMeasureIn] = Field([], max_length=1000)


class PlanSaveIn(PlanContent):
    note: str = Field("", max_length=200, description="修订说明")
    based_on: int | None = Field(
        None, ge=0, description="修改所依据的版本号（/versions 的最新版本）；其后已有人保存时拒绝，不覆盖"
    )


class PlanSavedOut(Schema):
    code: str
    version: int = Field(description="保存后的版本号（内容未变时为原版本号）")
    changed: bool


class PlanCopyIn(Input):
    code: Slug = Field(description="新规划编号")
    name: str = Field(max_length=200)
    years: int = Field(1, ge=0, le=10, description="年份顺延，如去年的计划复制为今年的，顺延 1 年")


class PlanVersionOut(Schema):
    number: int
    saved_at: dt.datetime
    saved_by: str
    note: str


def _plan(request: HttpRequest, code: str) -> Plan:
    """A plan the caller reads (their city's and its districts'; another city's is not found)."""
    plan = plans(request.auth).filter(code=code).first()
    if plan is None:
        raise Http404(f"没有规划“{code}”。")
    return plan


def _indicator(plan: Plan, code: str) -> Indicator:
    indicator = plan.indicators.filter(code=code).first()
    if indicator is None:
        raise Http404(f"规划中没有指标“{code}”。")
    return indicator


def _as_of(value: str | None) -> tuple[int, int]:
    """The month asked for, else the last complete month (as the pages)."""
    if value:
        month = month_of(value, "as_of")
        return month.year, month.month
    today = timezone.localdate()
    last = last_complete_month(today) or dt.date(today.year - 1, 12, 1)
    return last.year, last.month


def _finding(finding: Finding) -> dict[str, Any]:
    return {**finding.as_json(), "severity_label": SEVERITY_LABELS[finding.severity]}


def _decomposition(plan: Plan, indicator: Indicator) -> dict[str, Any]:
    city, stored = city_targets(plan, indicator), district_targets(indicator)
    baselines = unit_baselines(plan, indicator)
    return {
        "indicator": indicator.code, "name": indicator.name, "unit": indicator.unit,
        "baseline_year": plan.baseline_year, "city": city,
        "districts": [
            {"unit_id": unit.pk, "unit": unit.name, "baseline": baselines.get(unit.name),
             "targets": stored.get(unit.name, {})}
            for unit in reporting_units(plan)
        ],
        "findings": [_finding(f) for f in reconciliation(indicator.name, indicator.unit, city, stored)],
    }  # fmt: skip


def _splittable(plan: Plan, code: str) -> Indicator:
    indicator = _indicator(plan, code)
    if not splittable(indicator):
        raise Http404(f"“{indicator.name}”是比重、底线或区间指标，各区县按全市同一标准，无需分解。")
    return indicator


@router.get("/plans", response=list[PlanOut], summary="规划（最新在前）")
def plan_list(request: HttpRequest) -> Any:
    business_only(request.auth)
    return plans(request.auth)


@router.get("/plans/{code}", response=PlanDetailOut, summary="规划：目标表（与文件相同）及每个指标、正文目标")
def plan_detail(request: HttpRequest, code: Slug) -> Plan:
    business_only(request.auth)
    return _plan(request, code)


@router.get(
    "/plans/{code}/check",
    response=list[FindingOut],
    summary="规划自检：目标表与正文不一致之处，及与同地其他文件的对照",
)
def plan_check_findings(request: HttpRequest, code: Slug) -> list[dict[str, Any]]:
    business_only(request.auth)
    own, across, _ = plan_findings(_plan(request, code), request.auth)
    return [_finding(f) for f in own] + [_finding(f) | {"across_documents": True} for f in across]


@router.get(
    "/plans/{code}/progress",
    response=TargetProgressOut,
    summary="各指标截至某月的完成情况（本级或数据范围内的一个区县；as_of 如 2026-06，默认上个完整月）",
)
def plan_progress(
    request: HttpRequest, code: Slug, as_of: Month | None = None, district: Id | None = None
) -> dict[str, Any]:
    plan = _plan(request, code)
    year, month = _as_of(as_of)
    units = list(units_in_scope(actor=request.auth))
    unit = next((u for u in units if u.pk == district), None)
    if district is not None and unit is None:
        raise Http404("数据范围内没有该区县。")
    if unit is None and not path_in_scope(plan.org_unit.path, request.auth):
        if not units:
            raise PermissionDenied("无权查看该规划的完成情况。")
        unit = units[0]
    report = targets_report(plan=plan, year=year, month=month, unit=unit, detail=True)
    return {"plan": plan.code, "unit": (unit or plan.org_unit).name, **report}


@router.get("/plans/{code}/ranking", response=list[RankOut], summary="赛马：各区县按自身目标完成情况排名")
def plan_ranking(request: HttpRequest, code: Slug, as_of: Month | None = None) -> list:
    staff_only(request.auth)
    plan = _plan(request, code)
    year, month = _as_of(as_of)
    return [
        {"unit": r.unit, "score": r.score, "rank": r.rank, "reasons": list(r.reasons),
         "parts": [{"indicator": i, "completion": c, "time_pace": p, "points": points} for i, c, p, points in r.parts]}
        for r in ranking(plan=plan, year=year, month=month)
    ]  # fmt: skip


@router.get(
    "/plans/{code}/indicators/{indicator}/districts",
    response=DecompositionOut,
    summary="指标分解：全市各年目标、各区县基期值与目标，及合计是否相符",
)
def decomposition(request: HttpRequest, code: Slug, indicator: Slug) -> dict[str, Any]:
    staff_only(request.auth)
    plan = _plan(request, code)
    return _decomposition(plan, _splittable(plan, indicator))


@router.put(
    "/plans/{code}/indicators/{indicator}/districts",
    response=DecompositionOut,
    summary="录入区县目标（市级工作人员；全部通过才保存）",
)
def decomposition_save(request: HttpRequest, code: Slug, indicator: Slug, data: TargetsIn) -> dict[str, Any]:
    staff_only(request.auth)
    plan = _plan(request, code)
    chosen = _splittable(plan, indicator)
    units = {unit.pk: unit for unit in reporting_units(plan)}
    if unknown := sorted({t.unit for t in data.targets} - set(units)):
        raise Http404(f"规划的区县中没有单位：{'、'.join(map(str, unknown))}。")
    typed = {(units[t.unit], t.year): str(t.value) for t in data.targets}
    services.district_targets_save(actor=request.auth, source=Source.API, indicator=chosen, typed=typed)
    return _decomposition(plan, chosen)


@router.post(
    "/plans/{code}/indicators/{indicator}/split",
    response=DecompositionOut,
    summary="按基期占比分解到各区县（市级工作人员；替换已有的区县目标）",
)
def decomposition_split(request: HttpRequest, code: Slug, indicator: Slug) -> dict[str, Any]:
    staff_only(request.auth)
    plan = _plan(request, code)
    chosen = _indicator(plan, indicator)
    services.decomposition_by_share(actor=request.auth, source=Source.API, indicator=chosen)
    return _decomposition(plan, chosen)


@router.post("/plans/{code}/actuals", response={201: ActualOut}, summary="录入（或更正）统计部门的本年累计值")
def actual_record(request: HttpRequest, code: Slug, data: ActualIn) -> Status:
    plan = _plan(request, code)
    indicator = _indicator(plan, data.indicator)
    unit = next((u for u in [plan.org_unit, *units_in_scope(actor=request.auth)] if u.pk == data.unit), None)
    if unit is None:
        raise Http404("数据范围内没有该单位。")
    actual = services.actual_record(
        actor=request.auth, source=Source.API, indicator=indicator, unit=unit, month=month_of(data.month),
        value=data.value, note=data.note,
    )  # fmt: skip
    return Status(
        201, {"indicator": indicator.code, "unit": unit.name, "month": f"{actual.month:%Y-%m}",
              "value": actual.value, "note": actual.note},
    )  # fmt: skip


# Keeping plans ------------------------------------------------------------------------------------------


@router.post(
    "/plans",
    response={201: PlanOut},
    summary="新建规划：规划文件的内容（市级或本区县工作人员；有误时列出每个问题，不保存）",
)
def plan_create(request: HttpRequest, data: PlanContent) -> Status:
    staff_only(request.auth)
    plan = services.plan_create(actor=request.auth, source=Source.API, content=data.dict())
    return Status(201, plan)


@router.get(
    "/plans/{code}/content", response=PlanContent, summary="规划的全部内容（规划文件的格式，可改后保存）"
)
def plan_content(request: HttpRequest, code: Slug) -> dict[str, Any]:
    business_only(request.auth)
    return services.plan_content(_plan(request, code))


@router.put(
    "/plans/{code}",
    response=PlanSavedOut,
    summary="保存规划：以新内容替换，记为新版本；此前各月仍按原版本计算",
)
def plan_save(request: HttpRequest, code: Slug, data: PlanSaveIn) -> dict[str, Any]:
    staff_only(request.auth)
    plan = _plan(request, code)
    before = services.plan_content(plan)
    content = data.dict(exclude={"note", "based_on"})
    services.plan_save(
        actor=request.auth,
        source=Source.API,
        plan=plan,
        content=content,
        note=data.note,
        based_on=data.based_on,
    )
    version = plan_versions(plan)[0].number  # a save always leaves at least one version
    return {"code": plan.code, "version": version, "changed": services.plan_content(plan) != before}


@router.post(
    "/plans/{code}/copy",
    response={201: PlanOut},
    summary="复制规划：指标、来源和举措复制为新规划，分年目标顺延，基期值待核定",
)
def plan_copy(request: HttpRequest, code: Slug, data: PlanCopyIn) -> Status:
    staff_only(request.auth)
    copy = services.plan_copy(
        actor=request.auth, source=Source.API, plan=_plan(request, code), code=data.code, name=data.name,
        years=data.years,
    )  # fmt: skip
    return Status(201, copy)


@router.post("/plans/{code}/retire", response=PlanOut, summary="停用规划：数据和各版本保留，不再默认选用")
def plan_retire(request: HttpRequest, code: Slug) -> Plan:
    staff_only(request.auth)
    return services.plan_retire(actor=request.auth, source=Source.API, plan=_plan(request, code))


@router.get("/plans/{code}/versions", response=list[PlanVersionOut], summary="规划的各版本（最新在前）")
def plan_version_list(request: HttpRequest, code: Slug) -> list[Any]:
    staff_only(request.auth)
    return plan_versions(_plan(request, code))
