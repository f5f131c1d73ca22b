"""Pages of the plan: its target table laid out like the document, the text's targets beside it, and the
plan check."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.forms import filter_values, form_refusal, page_of, refusal
from kuochan.core.scope import path_in_scope
from kuochan.cultivation.round_selectors import title_forecast
from kuochan.orgs.selectors import issuing_units
from kuochan.orgs.selectors import reporting_units as org_reporting_units
from kuochan.projects.rules import last_complete_month
from kuochan.statistics.selectors import indicators as stat_indicators
from kuochan.targets import services
from kuochan.targets.forecast import METHOD
from kuochan.targets.forms import (
    ActualForm,
    IndicatorRows,
    PlanCopyForm,
    PlanFilter,
    PlanHeaderForm,
    RevisionForm,
    StatementRows,
    TargetGridForm,
)
from kuochan.targets.models import Plan
from kuochan.targets.rules import CLAIM_LABELS, SEVERITY_LABELS, reconciliation
from kuochan.targets.selectors import (
    city_targets,
    derivation_choices,
    district_targets,
    plan_findings,
    plan_forecast,
    plan_get,
    plan_table,
    plan_versions,
    plans,
    ranking,
    reporting_units,
    splittable,
    targets_report,
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
    """The plan asked for among those the user reads, else the one in force in `year` (or the latest). A
    plan asked for whose period leaves out the month gives way to the plan in force then, with a note."""
    plan = plan_get(values["plan"] or None, actor=request.user, year=year)
    if plan is None and year is not None and not values["plan"]:
        plan = plan_get(actor=request.user)
    if plan is not None and year is not None and not plan.period_start <= year <= plan.period_end:
        in_force = plan_get(actor=request.user, year=year)
        if in_force is not None:
            messages.info(request, f"《{plan.name}》不含 {year} 年，已改看 {year} 年的《{in_force.name}》。")
            plan = in_force
    return plan


@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    """A plan as its document lays it out: the target table with the text beside it; for a plan without a
    table (a work plan), each indicator with its baseline, targets and sentences; then its measures."""
    plan = _plan(request, _asked(request))
    choices = plans(request.user).order_by(F("retired_at").asc(nulls_first=True), "-period_start", "code")
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
    listed = [
        (i, [i.yearly.get(str(year)) for year in plan.years], statements.get(i.code, []))
        for i in plan.indicators.filter(table_row__isnull=True)
        .select_related("statistic")
        .order_by("sort_order")
    ]
    return render(
        request,
        "targets/plan.html",
        {
            "plan": plan, "choices": choices, "header": table[0], "rows": rows, "listed": listed,
            "measures": plan.measures.order_by("sort_order"),
            "can_keep": issuing_units(request.user).filter(pk=plan.org_unit_id).exists(),
            **_title_forecast(request, plan),
        },
    )  # fmt: skip


def _title_forecast(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    """This year's title indicators against the libraries (申报批次), for the government's staff."""
    today = timezone.localdate()
    if request.user.is_enterprise_user or not plan.period_start <= today.year <= plan.period_end:
        return {}
    found = title_forecast(actor=request.user, plan=plan, year=today.year, today=today, with_candidates=False)
    return {"forecast": found, "year": today.year}


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
        request,
        "targets/ranking.html",
        {
            "plan": plan, "rows": rows, "as_of": f"{year}-{month:02d}", "ranked": any(r.rank for r in rows),
            "can_decompose": plan is not None and services.can_decompose(request.user, plan),
        },
    )  # fmt: skip


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


# Keeping plans: the list, a new plan, the editor (each save a version), copy and retire ------------------


def _plan_to_keep(request: HttpRequest, code: str) -> Plan:
    """A plan the user reads (another city's is not found) and may keep (else refused)."""
    _staff_only(request)
    plan = plans(request.user).filter(code=code).first()
    if plan is None:
        raise Http404("没有该规划。")
    if not issuing_units(request.user).filter(pk=plan.org_unit_id).exists():
        raise PermissionDenied(f"{plan.org_unit.name}的规划由市级或本区县工作人员维护。")
    return plan


@login_required
def plans_page(request: HttpRequest) -> HttpResponse:
    """规划管理: every plan the user reads, those in force first, the latest first, with what each may do."""
    _staff_only(request)
    found = (
        plans(request.user)
        .annotate(
            indicator_count=Count("indicators", distinct=True), version_count=Count("versions", distinct=True)
        )
        .order_by(F("retired_at").asc(nulls_first=True), "-period_start", "org_unit__path", "code")
    )
    keepable = set(issuing_units(request.user).values_list("pk", flat=True))
    page = page_of(request, found)
    for plan in page:  # each row's own copy form: its fields' ids (and so its labels) its own
        plan.copy_form = PlanCopyForm(initial={"years": 1}, auto_id=f"copy-{plan.code}-%s")
    return render(
        request, "targets/plans.html", {"page": page, "keepable": keepable, "can_create": bool(keepable)}
    )


def _header_content(data: dict[str, Any]) -> dict[str, Any]:
    """The plan form's heading in the plan file's shape."""
    return {
        "name": data["name"], "org_unit": data["org_unit"].code, "period": [data["period_start"], data["period_end"]],
        "baseline_year": data["baseline_year"], "period_label": data["period_label"],
        "previous_period_label": data["previous_period_label"], "source": data["source"],
    }  # fmt: skip


@login_required
def plan_new_page(request: HttpRequest) -> HttpResponse:
    """A new plan: its heading first; its indicators are then added in the editor."""
    _staff_only(request)
    units = issuing_units(request.user)
    if not units.exists():
        raise PermissionDenied("规划由市级或区县工作人员新建。")
    year = timezone.localdate().year + 1
    form = PlanHeaderForm(
        request.POST or None,
        units=units,
        initial={
            "period_start": year,
            "period_end": year,
            "baseline_year": year - 1,
            "period_label": f"{year}年",
        },
    )
    if request.method == "POST" and form.is_valid():
        content = {**_header_content(form.cleaned_data), "code": form.cleaned_data["code"]}
        try:
            plan = services.plan_create(actor=request.user, source=Source.WEB, content=content)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已新建“{plan.name}”，请添加指标和目标。")
            return redirect("targets:plan-edit", code=plan.code)
    elif request.method == "POST":
        messages.error(request, form_refusal(form))
    return render(
        request,
        "web/form_page.html",
        {"form": form, "title": "新建规划", "cancel_url": reverse("targets:plans")},
    )


def _editor_forms(request: HttpRequest, plan: Plan, content: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """The editor's heading, indicators, text figures and revision note, bound to the POST or filled from
    the plan as it stands."""
    data = request.POST if request.method == "POST" else None
    years = plan.years
    in_use = [i["derivation"] for i in content["indicators"]]
    row_kwargs = {"years": years, "derivations": derivation_choices(in_use), "statistics": stat_indicators()}
    indicator_names = [(i["code"], i["name"]) for i in content["indicators"]]
    statement_kwargs = {"indicators": indicator_names, "claims": [*CLAIM_LABELS.items()]}
    header = PlanHeaderForm(
        data, prefix="plan", units=issuing_units(request.user), editing=True,
        initial={**content, "org_unit": plan.org_unit, "period_start": plan.period_start, "period_end": plan.period_end},
    )  # fmt: skip
    rows = IndicatorRows(
        data, prefix="i", form_kwargs=row_kwargs,
        initial=[
            {**{k: v for k, v in i.items() if k != "yearly"}, **{f"y{y}": v for y, v in i["yearly"].items()},
             "statistic": i["statistic"] or ""}
            for i in content["indicators"]
        ],
    )  # fmt: skip
    statements = StatementRows(data, prefix="s", form_kwargs=statement_kwargs, initial=content["statements"])
    return header, rows, statements, RevisionForm(data, initial={"based_on": _latest_version(plan)})


def _latest_version(plan: Plan) -> int:
    return plan.versions.order_by("-number").values_list("number", flat=True).first() or 0


def _edited_content(content: dict[str, Any], header: Any, rows: Any, statements: Any) -> dict[str, Any]:
    """The plan file's shape from the editor's forms; what the editor does not show (the table's cells as
    printed, the measures) kept from the plan as it stands."""
    kept = {i["code"]: i for i in content["indicators"]}
    indicators = []
    for form in rows:
        if not form.cleaned_data or form.cleaned_data.get("DELETE"):  # an extra row left empty, or struck out
            continue
        item = form.content()
        old = kept.get(item["code"], {})
        indicators.append(
            {**item, "table_row": old.get("table_row"), "table_cells": old.get("table_cells", [])}
        )
    written = [
        {
            name: form.cleaned_data[name]
            for name in ("indicator", "claim", "value", "year", "section", "sentence")
        }
        for form in statements
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    return {
        **content, **_header_content(header.cleaned_data), "indicators": indicators, "statements": written,
    }  # fmt: skip


def _formset_refusal(*formsets: Any) -> str:
    """Each problem of the editor's rows, named by row and field."""
    found = []
    for formset, what in formsets:
        found += formset.non_form_errors()
        for number, form in enumerate(formset, start=1):
            # an extra row left empty is not checked, so has none; a row struck out is not saved
            if form.errors and not form.cleaned_data.get("DELETE"):
                found.append(f"{what}第 {number} 行：{form_refusal(form)}")
    return "；".join(found)


@login_required
def plan_edit_page(request: HttpRequest, code: str) -> HttpResponse:
    """The plan editor: heading, indicators with a target per year, and the figures the text states. Each
    save is audited and kept as a version; earlier months keep reading the version they had."""
    plan = _plan_to_keep(request, code)
    content = services.plan_content(plan)
    header, rows, statements, revision = _editor_forms(request, plan, content)
    if request.method == "POST":
        valid = [form.is_valid() for form in (header, rows, statements, revision)]
        if all(valid):
            try:
                services.plan_save(
                    actor=request.user, source=Source.WEB, plan=plan,
                    content=_edited_content(content, header, rows, statements), note=revision.cleaned_data["note"],
                    based_on=revision.cleaned_data["based_on"],
                )  # fmt: skip
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, refusal(exc))
            else:
                messages.success(request, f"已保存“{plan.name}”，此前各月仍按原版本计算。")
                return redirect("targets:plan-edit", code=plan.code)
        else:
            problems = [form_refusal(form) for form in (header, revision) if form.errors]
            problems.append(_formset_refusal((rows, "指标"), (statements, "正文数字")))
            messages.error(request, "；".join(p for p in problems if p))
    return render(
        request,
        "targets/plan_edit.html",
        {
            "plan": plan, "header": header, "rows": rows, "statements": statements, "revision": revision,
            "versions": plan_versions(plan), "years": plan.years, "measures": content["measures"],
        },
    )  # fmt: skip


@login_required
def plan_copy_page(request: HttpRequest, code: str) -> HttpResponse:
    """Copy a plan (last year's work plan as this year's): a POST from the plan list."""
    source_plan = _plan_to_keep(request, code)
    if request.method != "POST":
        return redirect("targets:plans")
    form = PlanCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect("targets:plans")
    try:
        plan = services.plan_copy(
            actor=request.user, source=Source.WEB, plan=source_plan, **form.cleaned_data
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
        return redirect("targets:plans")
    messages.success(request, f"已由“{source_plan.name}”复制出“{plan.name}”，请核定各项目标和基期值。")
    return redirect("targets:plan-edit", code=plan.code)


@login_required
def plan_retire_page(request: HttpRequest, code: str) -> HttpResponse:
    """Retire a plan (a POST from the plan list): kept, with its figures, but no longer offered by default."""
    plan = _plan_to_keep(request, code)
    if request.method == "POST":
        try:
            services.plan_retire(actor=request.user, source=Source.WEB, plan=plan)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已停用“{plan.name}”。其数据和各版本仍保留，可在列表中查看。")
    return redirect("targets:plans")
