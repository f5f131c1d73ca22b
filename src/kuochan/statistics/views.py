"""工业经济月报: the statistics bureau's monthly figures by district, with their ranks, and the growth of an
indicator month by month, each district against the province."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kuochan.audit.models import Source
from kuochan.core.forms import filter_values, form_refusal, list_query, refusal
from kuochan.core.scope import city_level
from kuochan.orgs.models import OrgKind
from kuochan.statistics.forms import IndicatorForm, MonthlyFilter
from kuochan.statistics.models import StatKind
from kuochan.statistics.selectors import growth_trend, indicators, latest_month, month_rows, months
from kuochan.statistics.services import indicator_create
from kuochan.web.exports import xlsx_response

EXPORT_HEADERS = ["指标", "地区", "累计值", "本月值", "计量单位", "增速（%）", "位次"]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@login_required
def monthly_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看该页面。")
    actor = request.user
    values = filter_values(request, MonthlyFilter)[1]
    month: dt.date | None = values["month"] or latest_month(actor)
    rows = month_rows(actor=actor, month=month) if month else []
    if values["export"] == "xlsx":
        return xlsx_response(
            f"工业经济月报{month:%Y-%m}" if month else "工业经济月报",
            EXPORT_HEADERS,
            (
                [row.indicator.name, row.area.name, _number(row.ytd), _number(row.value), row.indicator.unit,
                 _number(row.growth), row.rank]
                for row in rows
            ),
        )  # fmt: skip
    tables = []
    for indicator, items in groupby(rows, key=lambda r: r.indicator):
        found = list(items)  # amounts the bureau did not publish (growth-only indicators) take no column
        tables.append(
            {
                "indicator": indicator, "rows": found, "ytd": any(r.ytd is not None for r in found),
                "value": any(r.value is not None for r in found),
            }
        )  # fmt: skip
    library = indicators()
    chosen = next((i for i in library if i.code == values["indicator"]), None)
    if chosen is None:  # the first growth indicator the month has figures for
        shown = [table["indicator"] for table in tables]
        chosen = next((i for i in shown if i.kind == StatKind.GROWTH), shown[0] if shown else None)
    trend = None
    if chosen is not None and month is not None:
        series = growth_trend(actor=actor, indicator=chosen, year=month.year)
        trend = {
            "months": [f"{m}月" for m in range(1, 13)],
            "series": [
                {"name": area.display_name, "province": area.kind == OrgKind.PROVINCE,
                 "city": area.kind == OrgKind.CITY, "data": [_number(v) for v in data]}
                for area, data in series
            ],
        }  # fmt: skip
    return render(
        request,
        "statistics/monthly.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}" if month else "",
            "months": months(actor)[:24],
            "tables": tables,
            "library": library,
            "chosen": chosen,
            "trend": trend,
            "query": list_query(request),
            "may_add": city_level(actor) and actor.can_edit,
            "indicator_form": IndicatorForm(),
        },
    )


@login_required
@require_POST
def indicator_new(request: HttpRequest) -> HttpResponse:
    """增加统计指标 from the page's library card; the service refuses all but city-level staff."""
    form = IndicatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect("statistics:monthly")
    data = form.cleaned_data
    try:
        indicator = indicator_create(
            actor=request.user, source=Source.WEB, code=data["code"], name=data["name"], kind=data["kind"],
            unit=data["unit"], aliases=data["aliases"], indicator_source=data["source"],
        )  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
        return redirect("statistics:monthly")
    messages.success(request, f"已增加统计指标“{indicator.name}”，导入时即可识别。")
    return redirect("statistics:monthly")
