"""The 企业库 API: enterprises with their yearly figures, honours, surveys and contacts, and the industry tags;
the same scope and checks as the pages. Figures, honours and surveys are written as the web writes them, by
the Excel import's rules: each write is a one-row import batch (source api) that can be rolled back."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Amount, Day, Id, Input, Year, business_only, chosen
from kuochan.core.scope import get_scoped_or_404
from kuochan.imports.engine import import_row
from kuochan.orgs.selectors import reporting_units, towns
from kuochan.registry import selectors, services
from kuochan.registry.models import (
    SURVEY_NEEDS,
    Contact,
    Enterprise,
    Honour,
    HonourKind,
    IndustryTag,
    SizeClass,
    Survey,
    TagKind,
    Willingness,
)

router = Router(tags=["企业库"])


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    district: str
    town: str | None
    established_on: dt.date | None
    industry_code: str
    size_class: str
    above_scale: bool
    above_scale_since: dt.date | None
    segment_since: dt.date | None

    @staticmethod
    def resolve_district(enterprise: Enterprise) -> str:
        return enterprise.district.name

    @staticmethod
    def resolve_town(enterprise: Enterprise) -> str | None:
        return enterprise.town.name if enterprise.town else None


class MetricOut(Schema):
    year: int
    revenue_wan: float | None
    main_revenue_wan: float | None
    output_wan: float | None
    value_added_wan: float | None
    tax_wan: float | None
    profit_wan: float | None
    rnd_wan: float | None
    rnd_spending_wan: float | None
    export_wan: float | None
    energy_tce: float | None
    electricity_10k_kwh: float | None
    pollutant_t: float | None
    carbon_t: float | None
    zero_carbon_10k_kwh: float | None
    land_mu: float | None
    employees: int | None
    assets_wan: float | None
    liabilities_wan: float | None
    tech_staff: int | None
    ip_class1: int | None
    ip_class2: int | None
    srdi_score: float | None


class EnterpriseDetailOut(EnterpriseOut):
    district_id: int
    town_id: int | None
    address: str
    tags: list[str]
    tag_ids: list[int]
    metrics: list[MetricOut]

    @staticmethod
    def resolve_tags(enterprise: Enterprise) -> list[str]:
        return [tag.name for tag in enterprise.tags.all()]

    @staticmethod
    def resolve_tag_ids(enterprise: Enterprise) -> list[int]:
        return [tag.pk for tag in enterprise.tags.all()]

    @staticmethod
    def resolve_metrics(enterprise: Enterprise) -> list:
        return list(enterprise.annualmetrics.order_by("year"))


class EnterpriseQuery(Schema):
    q: str = Field("", max_length=200)
    district: Id | None = None
    tag: Id | None = None
    honour: HonourKind | Literal[""] = ""
    size: SizeClass | Literal[""] = ""
    above_scale: bool | None = None


class EnterpriseIn(Input):
    uscc: str = Field(max_length=40, description="统一社会信用代码，18 位")
    name: str = Field(max_length=200)
    district: Id = Field(description="所属区县（或功能区）的组织单位 id")
    town: Id | None = Field(None, description="所属乡镇（园区）的组织单位 id")
    address: str = Field("", max_length=200)
    established_on: Day | None = None
    industry_code: str = Field("", max_length=8, description="GB/T 4754-2017 行业代码")
    size_class: SizeClass | Literal[""] = ""
    above_scale: bool = False
    above_scale_since: Day | None = None
    segment_since: Day | None = Field(None, description="从事细分市场起始日期")
    tags: list[Id] = Field([], max_length=100, description="产业标签 id")


class EnterprisePatch(Input):
    """Only the fields sent are changed."""

    uscc: str = Field(None, max_length=40)
    name: str = Field(None, max_length=200)
    district: Id = None
    town: Id | None = None
    address: str = Field(None, max_length=200)
    established_on: Day | None = None
    industry_code: str = Field(None, max_length=8)
    size_class: SizeClass | Literal[""] = None
    above_scale: bool = None
    above_scale_since: Day | None = None
    segment_since: Day | None = None
    tags: list[Id] = Field(None, max_length=100)


def _units(actor: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The body's ids as the rows the edit form offers: districts and towns in scope, tags by id."""
    values = dict(values)
    if "district" in values:  # none in scope: the service says so on the field
        values["district"] = reporting_units(actor=actor).filter(pk=values["district"]).first()
    if "town" in values:
        values["town"] = chosen(
            towns(actor=actor), values["town"], "town", "请选择您数据范围内的乡镇（园区）。"
        )
    if "tags" in values:
        tags = list(IndustryTag.objects.filter(pk__in=values["tags"]))
        if len(tags) != len(set(values["tags"])):
            raise ValidationError({"tags": "有不存在的产业标签。"})
        values["tags"] = tags
    return values


@router.get("", response=list[EnterpriseOut], summary="企业列表（数据范围内）")
@paginate
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseQuery]) -> object:
    values = filters.dict()
    return selectors.enterprises(
        actor=request.auth, filters=selectors.EnterpriseFilter(query=values.pop("q"), **values)
    )


@router.post("", response={201: EnterpriseDetailOut}, summary="新增企业（与网页表单相同的校验）")
def create_enterprise(request: HttpRequest, data: EnterpriseIn) -> Status:
    values = _units(request.auth, data.dict())
    made = services.enterprise_create(actor=request.auth, source=Source.API, **values)
    return Status(201, selectors.enterprise_get(actor=request.auth, pk=made.pk))


class TagOut(Schema):
    id: int
    kind: TagKind
    name: str
    sort_order: int


class TagIn(Input):
    kind: TagKind
    name: str = Field(max_length=64)


class TagPatch(Input):
    name: str = Field(max_length=64)


@router.get("/tags", response=list[TagOut], summary="产业标签（产业链、传统产业、历史经典产业）")
def tag_list(request: HttpRequest) -> Any:
    business_only(request.auth)
    return IndustryTag.objects.all()


@router.post("/tags", response={201: TagOut}, summary="新增产业标签（市级管理员）")
def tag_create(request: HttpRequest, data: TagIn) -> Status:
    return Status(
        201, services.tag_create(actor=request.auth, source=Source.API, kind=data.kind, name=data.name)
    )


@router.patch("/tags/{pk}", response=TagOut, summary="产业标签改名（市级管理员）")
def tag_rename(request: HttpRequest, pk: Id, data: TagPatch) -> Any:
    return services.tag_rename(
        actor=request.auth, source=Source.API, tag=get_object_or_404(IndustryTag, pk=pk), name=data.name
    )


@router.delete("/tags/{pk}", response={204: None}, summary="删除无企业使用的产业标签（市级管理员）")
def tag_delete(request: HttpRequest, pk: Id) -> Status:
    services.tag_delete(actor=request.auth, source=Source.API, tag=get_object_or_404(IndustryTag, pk=pk))
    return Status(204, None)


@router.get("/{enterprise_id}", response=EnterpriseDetailOut, summary="企业详情与年度指标")
def get_enterprise(request: HttpRequest, enterprise_id: Id) -> Enterprise:
    return selectors.enterprise_get(actor=request.auth, pk=enterprise_id)


@router.patch("/{enterprise_id}", response=EnterpriseDetailOut, summary="修改企业（只改请求中给出的字段）")
def update_enterprise(request: HttpRequest, enterprise_id: Id, data: EnterprisePatch) -> Enterprise:
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    values = _units(request.auth, data.dict(exclude_unset=True))
    services.enterprise_update(actor=request.auth, source=Source.API, enterprise=enterprise, **values)
    return selectors.enterprise_get(actor=request.auth, pk=enterprise_id)


# Yearly figures, honours and surveys: written as one-row imports ----------------------------------------


class MetricIn(Input):
    """Only the figures sent are written; null clears one. Amounts in 万元."""

    revenue_wan: Amount | None = None
    main_revenue_wan: Amount | None = None
    output_wan: Amount | None = None
    value_added_wan: Amount | None = None
    tax_wan: Amount | None = None
    profit_wan: Amount | None = None
    rnd_wan: Amount | None = None
    rnd_spending_wan: Amount | None = None
    export_wan: Amount | None = None
    energy_tce: Amount | None = Field(None, description="吨标准煤")
    electricity_10k_kwh: Amount | None = Field(None, description="万千瓦时")
    pollutant_t: Amount | None = Field(None, description="吨")
    carbon_t: Amount | None = Field(None, description="吨二氧化碳")
    zero_carbon_10k_kwh: Amount | None = Field(None, description="万千瓦时")
    land_mu: Amount | None = Field(None, description="亩")
    employees: int | None = Field(None, ge=0, le=10_000_000)
    assets_wan: Amount | None = Field(None, description="资产总额（万元）")
    liabilities_wan: Amount | None = Field(None, description="负债总额（万元）")
    tech_staff: int | None = Field(None, ge=0, le=10_000_000, description="科技人员数")
    ip_class1: int | None = Field(None, ge=0, le=1_000_000, description="Ⅰ类知识产权（项）")
    ip_class2: int | None = Field(None, ge=0, le=1_000_000, description="Ⅱ类知识产权（项）")
    srdi_score: Decimal | None = Field(
        None, ge=0, le=100, max_digits=4, decimal_places=1, description="专精特新发展评价得分"
    )


def _import(kind: str, request: HttpRequest, enterprise: Enterprise, values: dict[str, Any]) -> None:
    import_row(
        kind, actor=request.auth, source=Source.API, values={"uscc": enterprise.uscc, **values},
        name=f"api-{kind}-{enterprise.uscc}",
    )  # fmt: skip


@router.get("/{enterprise_id}/metrics", response=list[MetricOut], summary="企业各年度指标")
def metric_list(request: HttpRequest, enterprise_id: Id) -> Any:
    return selectors.enterprise_get(actor=request.auth, pk=enterprise_id).annualmetrics.order_by("year")


@router.put(
    "/{enterprise_id}/metrics/{year}",
    response=MetricOut,
    summary="录入或更正企业某年指标（按导入规则校验，记为一个可回滚的导入批次）",
)
def metric_save(request: HttpRequest, enterprise_id: Id, year: Year, data: MetricIn) -> Any:
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    _import("enterprise-metrics", request, enterprise, {"year": year, **data.dict(exclude_unset=True)})
    return enterprise.annualmetrics.get(year=year)


class HonourOut(Schema):
    id: int
    kind: HonourKind
    kind_label: str
    year_granted: int
    year_lost: int | None
    stock_code: str
    document_number: str
    granted_on: dt.date | None

    @staticmethod
    def resolve_kind_label(honour: Honour) -> str:
        return honour.get_kind_display()


class HonourIn(Input):
    kind: HonourKind
    year_granted: Year
    year_lost: Year | None = None
    stock_code: str = Field("", max_length=16)
    document_number: str = Field("", max_length=64, description="认定文号")
    granted_on: Day | None = Field(None, description="认定日期（须在认定年度内）")


@router.get("/{enterprise_id}/honours", response=list[HonourOut], summary="企业荣誉")
def honour_list(request: HttpRequest, enterprise_id: Id) -> Any:
    return selectors.enterprise_get(actor=request.auth, pk=enterprise_id).honours.all()


@router.post(
    "/{enterprise_id}/honours",
    response={201: HonourOut},
    summary="登记（或更正同年度同一）荣誉（按导入规则校验，记为一个可回滚的导入批次）",
)
def honour_save(request: HttpRequest, enterprise_id: Id, data: HonourIn) -> Status:
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    values = {**data.dict(), "kind": HonourKind(data.kind).label}
    _import("honours", request, enterprise, values)
    return Status(201, enterprise.honours.get(kind=data.kind, year_granted=data.year_granted))


class SurveyOut(Schema):
    year: int
    willingness: Willingness
    willingness_label: str
    planned_investment_wan: Decimal | None
    planned_start: dt.date | None
    needs: list[str]
    notes: str

    @staticmethod
    def resolve_willingness_label(survey: Survey) -> str:
        return survey.get_willingness_display()

    @staticmethod
    def resolve_needs(survey: Survey) -> list[str]:
        return [need for need in survey.needs.split("、") if need]


class SurveyIn(Input):
    willingness: Willingness
    planned_investment_wan: Amount | None = None
    planned_start: Day | None = None
    needs: list[Literal[SURVEY_NEEDS]] = Field([], max_length=len(SURVEY_NEEDS))  # type: ignore[valid-type]
    notes: str = Field("", max_length=2000)


@router.get("/{enterprise_id}/surveys", response=list[SurveyOut], summary="扩产意愿调查（各年度）")
def survey_list(request: HttpRequest, enterprise_id: Id) -> Any:
    return selectors.enterprise_get(actor=request.auth, pk=enterprise_id).surveys.order_by("year")


@router.put(
    "/{enterprise_id}/surveys/{year}",
    response=SurveyOut,
    summary="录入或更正某年扩产意愿（按导入规则校验，记为一个可回滚的导入批次）",
)
def survey_save(request: HttpRequest, enterprise_id: Id, year: Year, data: SurveyIn) -> Any:
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    values = {
        **data.dict(), "year": year, "willingness": Willingness(data.willingness).label,
        "needs": "、".join(data.needs),
    }  # fmt: skip
    _import("surveys", request, enterprise, values)
    return enterprise.surveys.get(year=year)


class ContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool


class ContactIn(Input):
    name: str = Field(max_length=64)
    title: str = Field("", max_length=64)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=64)


@router.get("/{enterprise_id}/contacts", response=list[ContactOut], summary="企业联系人")
def contact_list(request: HttpRequest, enterprise_id: Id) -> Any:
    return selectors.enterprise_get(actor=request.auth, pk=enterprise_id).contacts.all()


@router.post("/{enterprise_id}/contacts", response={201: ContactOut}, summary="新增联系人")
def contact_add(request: HttpRequest, enterprise_id: Id, data: ContactIn) -> Status:
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    values = {name: value.strip() for name, value in data.dict().items()}
    return Status(
        201, services.contact_add(actor=request.auth, source=Source.API, enterprise=enterprise, **values)
    )


@router.delete("/{enterprise_id}/contacts/{pk}", response={204: None}, summary="删除联系人")
def contact_remove(request: HttpRequest, enterprise_id: Id, pk: Id) -> Status:
    enterprise = selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
    contact = get_scoped_or_404(
        Contact.objects.select_related("enterprise__district").filter(enterprise=enterprise),
        request.auth,
        pk=pk,
    )
    services.contact_remove(actor=request.auth, source=Source.API, contact=contact)
    return Status(204, None)
