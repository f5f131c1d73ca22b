"""Pages of the plan: its target table laid out like the document, the text's targets beside it, and the
plan check."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.forms import filter_values, form_refusal, refusal
from kuochan.core.scope import path_in_scope
from kuochan.orgs.selectors import reporting_units as org_reporting_units
from kuochan.projects.rules import last_complete_month
from kuochan.targets import services
from kuochan.targets.forecast import METHOD
from kuochan.targets.forms import ActualForm, PlanFilter, TargetGridForm
from kuochan.targets.models import Plan
from kuochan.targets.rules import SEVERITY_LABELS, reconciliation
from kuochan.targets.selectors import (
    city_targets,
    district_targets,
    plan_findings,
    plan_forecast,
    plan_get,
    plan_table,
    ranking,
    reporting_units,
    splittable,
    targets_report,
    text_targets,
    unit_baselines,
)


def _staff_only(request: HttpRequest) -> None:
    """Targets, baselines and forecasts of every district are the government's working figures."""
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看该页面。")


def _or_message(request: HttpRequest, compute: Any, default: Any) -> Any:
    """The computation's result, or its refusal shown as a message (e.g. a month outside the plan)."""
    try:
        return compute()
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return default


def _asked(request: HttpRequest) -> dict[str, Any]:
    """The page's query string typed (odd values ignored with a warning)."""
    return filter_values(request, PlanFilter)[1]


def _plan(request: HttpRequest, values: dict[str, Any], year: int | None = None) -> Plan | None:
    """The plan asked for among those the user reads, else the one in force in `year` (or the latest)."""
    plan = plan_get(values["plan"] or None, actor=request.user, year=year)
    if plan is None and year is not None and not values["plan"]:
        plan = plan_get(actor=request.user)
    return plan


@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    plan = _plan(request, _asked(request))
    if plan is None:
        return render(request, "targets/plan.html", {"plan": None})
    table = plan_table(plan)
    statements = defaultdict(list)
    for statement in plan.statements.select_related("indicator").order_by("sort_order"):
        same = statements[statement.indicator.code]
        if all(s.sentence != statement.sentence for s in same):  # one sentence may state two targets
            same.append(statement)
    indicators = {i.table_row: i for i in plan.indicators.filter(table_row__isnull=False)}
    rows = []
    for cells in table[1:]:
        indicator = indicators[int(cells[0])]
        merged = len(cells) < len(table[0])
        rows.append({"cells": cells, "merged_span": len(table[0]) - len(cells) + 1 if merged else 1,
                     "indicator": indicator, "statements": statements.get(indicator.code, [])})  # fmt: skip
    return render(
        request,
        "targets/plan.html",
        {"plan": plan, "header": table[0], "rows": rows, "text_targets": text_targets(plan)},
    )


@login_required
def check_page(request: HttpRequest) -> HttpResponse:
    plan = _plan(request, _asked(request))
    own, across, documents = plan_findings(plan, request.user) if plan else ([], [], [])
    counts = Counter(f.severity for f in [*own, *across])
    return render(
        request,
        "targets/check.html",
        {
            "plan": plan,
            "findings": [(f, SEVERITY_LABELS[f.severity]) for f in own],
            "across": [(f, SEVERITY_LABELS[f.severity]) for f in across],
            "documents": documents,
            "counts": [(key, label, counts[key]) for key, label in SEVERITY_LABELS.items()],
        },
    )


def _month(values: dict[str, Any]) -> tuple[int, int]:
    """The as-of month asked for (YYYY-MM), else the last complete month."""
    month = values["as_of"]
    if month is None:
        today = timezone.localdate()
        last = last_complete_month(today) or dt.date(today.year - 1, 12, 1)
        return last.year, last.month
    return month.year, month.month


@login_required
def progress_page(request: HttpRequest) -> HttpResponse:
    """Each indicator's progress after the as-of month, for the plan's unit or a reporting unit in scope
    (district staff see their own district)."""
    values = _asked(request)
    year, month = _month(values)
    plan = _plan(request, values, year)
    units = list(org_reporting_units(actor=request.user))
    if request.method == "POST" and plan is not None:
        return _record_actual(request, plan, units)
    unit = next((u for u in units if u.pk == values["district"]), None)
    whole = plan is not None and path_in_scope(plan.org_unit.path, request.user)
    if unit is None and not whole:
        unit = units[0] if units else None
    report = None
    if plan is not None and (whole or unit is not None):
        report = _or_message(
            request, lambda: targets_report(plan=plan, year=year, month=month, unit=unit, detail=True), None
        )
    paced = [
        row
        for row in (report or {}).get("indicators", [])
        if row["completion"] is not None and row["time_pace"]
    ]
    chart = {
        "names": [row["name"] for row in paced],
        "completion": [round(row["completion"] * 100, 1) for row in paced],
        "pace": [round(row["time_pace"] * 100, 1) for row in paced],
        "lights": [row["light"] for row in paced],
    }
    return render(
        request,
        "targets/progress.html",
        {
            "plan": plan, "report": report, "units": units, "unit": unit, "whole": whole,
            "as_of": f"{year}-{month:02d}",
            "indicators": plan.indicators.order_by("sort_order") if plan else [],
            "chart": chart,
            "can_record": request.user.can_edit,
        },
    )  # fmt: skip


@login_required
def decomposition_page(request: HttpRequest) -> HttpResponse:
    """One indicator's city targets and each reporting unit's share, year by year: split by baseline share
    or typed in (city staff), with the reconciliation check."""
    values = _asked(request)
    plan = _plan(request, values)
    if plan is None:
        return render(request, "targets/decomposition.html", {"plan": None})
    _staff_only(request)
    choices = [i for i in plan.indicators.order_by("sort_order") if splittable(i)]
    code = PlanFilter(request.POST).values["indicator"] if request.method == "POST" else values["indicator"]
    indicator = next((i for i in choices if i.code == code), choices[0] if choices else None)
    if indicator is None:
        return render(request, "targets/decomposition.html", {"plan": plan, "indicator": None})
    units = reporting_units(plan)
    if request.method == "POST":
        grid = TargetGridForm(request.POST, units=units, years=plan.years)
        try:
            if not grid.is_valid():
                messages.error(request, form_refusal(grid))
            elif grid.cleaned_data["action"] == "split":
                services.decomposition_by_share(actor=request.user, source=Source.WEB, indicator=indicator)
                messages.success(request, f"已按 {plan.baseline_year} 年基期占比分解“{indicator.name}”。")
            else:
                services.district_targets_save(
                    actor=request.user, source=Source.WEB, indicator=indicator, typed=grid.typed()
                )
                messages.success(request, f"已保存“{indicator.name}”的区县目标。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect(f"{reverse('targets:decomposition')}?plan={plan.code}&indicator={indicator.code}")
    city = city_targets(plan, indicator)
    stored = district_targets(indicator)
    baselines = unit_baselines(plan, indicator)
    return render(
        request,
        "targets/decomposition.html",
        {
            "plan": plan, "indicator": indicator, "indicators": choices, "years": plan.years,
            "city": [city.get(year) for year in plan.years],
            "rows": [(unit, baselines.get(unit.name), [(year, stored.get(unit.name, {}).get(year)) for year in plan.years]) for unit in units],
            "findings": reconciliation(indicator.name, indicator.unit, city, stored),
            "can_edit": services.can_decompose(request.user, plan),
        },
    )  # fmt: skip


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    """赛马: the reporting units ranked on their own targets, with each indicator's points."""
    _staff_only(request)
    values = _asked(request)
    year, month = _month(values)
    plan = _plan(request, values, year)
    rows = _or_message(request, lambda: ranking(plan=plan, year=year, month=month), []) if plan else []
    return render(
        request, "targets/ranking.html", {"plan": plan, "rows": rows, "as_of": f"{year}-{month:02d}"}
    )


@login_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    """The fan chart of the project-derived indicators: P10 / P50 / P90 by year against the targets."""
    _staff_only(request)
    values = _asked(request)
    year, month = _month(values)
    plan = _plan(request, values, year)
    result = None
    if plan:
        result = _or_message(
            request, lambda: plan_forecast(plan=plan, year=year, month=month, runs=1000, seed=2026), None
        )
    charts = []
    if result is not None:
        for key, name, unit, years, period in (
            ("investment", "增资扩产投资额（技改投资）", "亿元", result.investment, result.investment_period),
            ("large", "亿元以上增资扩产项目", "个", result.large_projects, result.large_projects_period),
        ):
            charts.append(
                {
                    "id": key, "name": name, "unit": unit, "period": period,
                    "rows": [(y, band) for y, band in years.items()],
                    "data": {"years": [str(y) for y in years], **{f: [getattr(b, f) for b in years.values()] for f in ("p10", "p50", "p90", "target")}},
                }
            )  # fmt: skip
    return render(
        request,
        "targets/forecast.html",
        {"plan": plan, "result": result, "charts": charts, "as_of": f"{year}-{month:02d}", "method": METHOD},
    )


def _record_actual(request: HttpRequest, plan: Plan, units: list[Any]) -> HttpResponse:
    """录入统计数据 from the progress page: one indicator, unit and month."""
    form = ActualForm(request.POST)
    back = f"{reverse('targets:progress')}?plan={plan.code}"
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect(back)
    data = form.cleaned_data
    indicator = plan.indicators.filter(code=data["indicator"]).first()
    unit = next((u for u in [plan.org_unit, *units] if u.pk == data["unit"]), None)
    try:
        if indicator is None or unit is None:
            raise ValidationError("请选择指标、单位和月份。")
        services.actual_record(
            actor=request.user, source=Source.WEB, indicator=indicator, unit=unit, month=data["month"],
            value=data["value"], note=data["note"],
        )  # fmt: skip
        messages.success(request, f"已录入{unit.name}{data['month']:%Y-%m}“{indicator.name}”的统计数据。")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    return redirect(f"{back}&as_of={data['month']:%Y-%m}")
