"""The 工业经济月报 API: the library of statistics indicators, and a month's figures, the same as
`kuochan statistics --month YYYY-MM --format json` prints for the caller: their own area's, and the city's
and the province's above it, as the statistics page shows them."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kuochan.core.api import Month, month_of, staff_only
from kuochan.statistics.models import StatIndicator
from kuochan.statistics.report import area_named, month_report, unknown_area
from kuochan.statistics.selectors import indicators

router = Router(tags=["工业经济月报"])
REFUSAL = "企业用户无权查看工业经济月报。"


class StatIndicatorOut(Schema):
    code: str
    name: str
    aliases: list[str]
    unit: str = Field(description="累计值、本月值的单位；增速总是百分比")
    kind: str
    kind_label: str

    @staticmethod
    def resolve_kind_label(indicator: StatIndicator) -> str:
        return indicator.get_kind_display()


class FigureOut(Schema):
    indicator: str
    indicator_code: str
    unit: str
    area: str
    area_code: str
    value: float | None = Field(description="本月值")
    ytd: float | None = Field(description="累计值")
    growth: float | None = Field(description="累计增速（%）")
    rank: int | None = Field(description="位次：市在全省各市中，区县在全市各区县中")


class MonthFiguresOut(Schema):
    month: str
    rows: list[FigureOut]


@router.get("/indicators", response=list[StatIndicatorOut], summary="统计指标库")
def indicator_list(request: HttpRequest) -> list[StatIndicator]:
    staff_only(request.auth, REFUSAL)
    return indicators()


@router.get(
    "/",
    response=MonthFiguresOut,
    summary="某月统计数据：按指标，省、市在前，区县按位次（与 kuochan statistics --format json 相同）",
)
def month_figures(
    request: HttpRequest,
    month: Month,
    area: str | None = Query(None, max_length=100, description="只看该地区：组织单位代码或名称"),
) -> dict[str, Any]:
    staff_only(request.auth, REFUSAL)
    chosen = None
    if area:
        chosen = area_named(area)
        if chosen is None:
            raise ValidationError({"area": unknown_area(area)})
    return month_report(actor=request.auth, month=month_of(month), area=chosen)
