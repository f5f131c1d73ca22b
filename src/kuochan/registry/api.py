import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kuochan.registry import selectors
from kuochan.registry.models import Enterprise

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
    value_added_wan: float | None
    tax_wan: float | None
    rnd_wan: float | None
    energy_tce: float | None
    land_mu: float | None
    employees: int | None


class EnterpriseDetailOut(EnterpriseOut):
    tags: list[str]
    metrics: list[MetricOut]

    @staticmethod
    def resolve_tags(enterprise: Enterprise) -> list[str]:
        return [tag.name for tag in enterprise.tags.all()]

    @staticmethod
    def resolve_metrics(enterprise: Enterprise) -> list:
        return list(enterprise.annualmetrics.order_by("year"))


class EnterpriseQuery(Schema):
    q: str = ""
    district: int | None = None
    tag: int | None = None
    honour: str = ""
    size: str = ""
    above_scale: bool | None = None


@router.get("", response=list[EnterpriseOut], summary="企业列表（数据范围内）")
@paginate
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseQuery]) -> object:
    values = filters.dict()
    return selectors.enterprises(
        actor=request.auth, filters=selectors.EnterpriseFilter(query=values.pop("q"), **values)
    )


@router.get("/{enterprise_id}", response=EnterpriseDetailOut, summary="企业详情与年度指标")
def get_enterprise(request: HttpRequest, enterprise_id: int) -> Enterprise:
    return selectors.enterprise_get(actor=request.auth, pk=enterprise_id)
