"""Pages of the evaluation: results with distribution charts, the scheme editor, the carbon code by
industry, treatment work lists, 清三低, 升规 candidates, exemptions and the key-enterprise tracking sheet."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.forms import FilterForm, chosen, filter_values, form_refusal, page_of, refusal
from kuochan.core.scope import get_scoped_or_404
from kuochan.evaluation import jobs, selectors, services
from kuochan.evaluation.forms import (
    ChooseForm,
    DistrictFilter,
    RemoveForm,
    ResultFilterForm,
    SchemeNoteForm,
    TrackingFilter,
    TreatmentFilter,
    YearFilter,
    YearForm,
)
from kuochan.evaluation.models import Exemption
from kuochan.evaluation.rules import (
    BOUNDS,
    CARBON_LEVELS,
    CLASS_COLOURS,
    CLASS_LABELS,
    CLASSES,
    DEFAULT_NEUTRAL_MARKS,
    ENTERPRISE_TYPES,
    GRADE_COLOURS,
    GROUP_LABELS,
    INDICATORS,
    INDUSTRY_LEVELS,
    LARGEST_NUMBER,
    MISSING_RULES,
    RANKING_LEVELS,
    RND_DENOMINATORS,
    RND_NUMERATORS,
    SOURCE_SECTIONS,
    WILLINGNESS,
    new_land_years,
)
from kuochan.jobs.services import job_start
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.orgs.selectors import reporting_units
from kuochan.projects.selectors import project_lists
from kuochan.registry.models import Enterprise, HonourKind
from kuochan.registry.rules import normalise_code
from kuochan.web.exports import xlsx_response


def _latest_year() -> int:
    """The latest evaluated year, else last year."""
    years = selectors.evaluated_years()
    return years[0] if years else timezone.localdate().year - 1


def _asked(request: HttpRequest, form_class: type[FilterForm]) -> dict[str, Any]:
    """The page's query string typed by `form_class` (odd values ignored with a warning); the year asked
    for, else the latest evaluated one."""
    _, values = filter_values(request, form_class)
    values["year"] = values["year"] or _latest_year()
    return values


def _posted_year(request: HttpRequest) -> int | None:
    """The year a posted action applies to, or None (with the message) when it is not a year."""
    form = YearForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["year"]
    messages.error(request, form_refusal(form))
    return None


def _years(year: int) -> list[int]:
    return sorted({*selectors.evaluated_years(), year, timezone.localdate().year - 1}, reverse=True)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    return query.urlencode()


def _filters(values: dict[str, Any]) -> selectors.ResultFilter:
    return selectors.ResultFilter(
        district=values["district"],
        group=values["group"],
        klass=values["class"],
        carbon_grade=values["grade"],
        low_efficiency=values["low"],
        treatment=values["treatment"],
        query=values["q"].strip(),
    )


RESULT_HEADERS = [
    "统一社会信用代码", "企业名称", "所属区县", "评价类别", "得分", "分类", "区县内排名", "全市排名", "上年分类",
    "碳效值（吨CO₂/万元）", "碳效水平", "K值", "碳效码", "碳中和率（%）", "碳中和标识", "清三低", "企业类型", "施策建议",
    "依据",
]  # fmt: skip


def _export(year: int, found: Any, title: str) -> HttpResponse:
    return xlsx_response(
        f"{year}年{title}",
        RESULT_HEADERS,
        (
            [
                r.enterprise.uscc, r.enterprise.name, r.enterprise.district.name, r.group_label,
                None if r.score is None else float(r.score), r.klass or "未评价", r.rank_district, r.rank_city,
                r.previous_class, None if r.carbon_l is None else float(r.carbon_l), r.carbon_level_label,
                None if r.carbon_k is None else float(r.carbon_k), r.carbon_grade,
                None if r.carbon_neutral_rate is None else float(r.carbon_neutral_rate), r.neutral_mark,
                "；".join(r.low_reasons),
                r.enterprise_type_label, r.treatment_text, "；".join(r.reasons),
            ]
            for r in selectors.explained(found.iterator(chunk_size=2000))
        ),
    )  # fmt: skip


def _class_chart(counts: dict[str, Counter], districts: list[Any]) -> dict[str, Any]:
    names = [d.name for d in districts if d.name in counts] + sorted(
        set(counts) - {d.name for d in districts}
    )
    keys = [*CLASSES, "T"]
    return {
        "districts": [next((d.display_name for d in districts if d.name == n), n) for n in names],
        "series": [
            {"name": CLASS_LABELS[k], "colour": CLASS_COLOURS[k], "data": [counts[n][k] for n in names]}
            for k in keys
        ],
    }


@login_required
def result_list(request: HttpRequest) -> HttpResponse:
    """The year's results in scope with distribution charts; 重新计算 for city staff; 导出 what is shown."""
    if request.method == "POST":
        year = _posted_year(request)
        if year is None:
            return redirect("evaluation:results")
        if not services.can_run_evaluation(request.user):  # refused now, not after a wait in the queue
            messages.error(request, services.RUN_REFUSAL)
            return redirect(f"{reverse('evaluation:results')}?year={year}")
        job = job_start(
            actor=request.user,
            handler=jobs.evaluation_run_job,
            title=f"重新计算 {year} 年评价",
            params={"year": year},
        )
        return redirect(job.get_absolute_url())
    values = _asked(request, ResultFilterForm)
    year, filters = values["year"], _filters(values)
    found = selectors.results(actor=request.user, year=year, filters=filters)
    if chosen(request.GET, "export", ["xlsx"]):
        return _export(year, found, "企业评价结果")
    districts = list(reporting_units(actor=request.user))
    page = page_of(request, found)
    counts = selectors.class_by_district(actor=request.user, year=year)
    run = selectors.evaluation_run(year, actor=request.user)
    totals = sum(counts.values(), Counter())
    return render(
        request,
        "evaluation/results.html",
        {
            "year": year,
            "years": _years(year),
            "run": run,
            "page": page,
            "rows": selectors.explained(page),
            "filters": filters,
            "query": _query(request),
            "districts": districts,
            "groups": GROUP_LABELS.items(),
            "classes": [(k, CLASS_LABELS[k]) for k in (*CLASSES, "T")],
            "totals": [(k, CLASS_LABELS[k], totals[k]) for k in (*CLASSES, "T")],
            "unevaluated": totals[""],
            "chart": _class_chart(counts, districts),
            "can_run": services.can_run_evaluation(request.user),
            "benchmarks": _benchmark_rows(run),
        },
    )


def _benchmark_rows(run: Any) -> list[tuple[str, str, float | None, str]]:
    """(group, indicator, benchmark, unit) of the run: what each indicator was compared with."""
    if run is None:
        return []
    scheme = run.parsed[0]
    return [
        (GROUP_LABELS[group], scheme.indicator(code).name, value, INDICATORS[code].unit)
        for group, values in run.context.get("benchmarks", {}).items()
        for code, value in values.items()
        if code in INDICATORS
    ]


@login_required
def low_efficiency(request: HttpRequest) -> HttpResponse:
    """清三低: the year's enterprises in scope below the thresholds, with why."""
    values = _asked(request, DistrictFilter)
    year = values["year"]
    filters = selectors.ResultFilter(district=values["district"], low_efficiency=True)
    found = selectors.results(actor=request.user, year=year, filters=filters).order_by(
        "enterprise__district__path", "enterprise__name"
    )
    if chosen(request.GET, "export", ["xlsx"]):
        return _export(year, found, "清三低企业")
    run = selectors.evaluation_run(year, actor=request.user)
    low = selectors.parsed_scheme(run.scheme) if run else None
    page = page_of(request, found)
    return render(
        request,
        "evaluation/low_efficiency.html",
        {
            "year": year,
            "years": _years(year),
            "page": page,
            "rows": selectors.explained(page),
            "query": _query(request),
            "districts": reporting_units(actor=request.user),
            "district": filters.district,
            "scheme": low,
        },
    )


def _grade_legend(run: Any, totals: list[int]) -> list[tuple[int, str, int]]:
    """(grade, the K range of the grade, enterprises in it) under the run's scheme."""
    if run is None:
        return []
    scheme = selectors.parsed_scheme(run.scheme)
    bounds = scheme.carbon_grades
    at_most, above = ("≤", "<") if scheme.inclusive["carbon_grades"] else ("<", "≤")
    ranges = [
        f"K {at_most} {bounds[0]}",
        *(f"{low} {above} K {at_most} {high}" for low, high in pairwise(bounds)),
        f"K {'>' if above == '<' else '≥'} {bounds[3]}",
    ]
    return [(grade, ranges[grade - 1], totals[grade - 1]) for grade in range(1, 6)]


@login_required
def carbon(request: HttpRequest) -> HttpResponse:
    """The carbon-efficiency code: grade distribution by industry, with the industry averages."""
    year = _asked(request, YearFilter)["year"]
    run = selectors.evaluation_run(year, actor=request.user)
    level = run.scheme.definition.get("carbon", {}).get("industry_level", "division") if run else "division"
    counts = selectors.grade_by_industry(actor=request.user, year=year)
    names = selectors.industry_names()
    scheme, context = run.parsed if run else (None, None)
    min_firms = scheme.carbon_min_firms if scheme else 0
    rows = []
    for industry, grades in sorted(counts.items(), key=lambda item: -sum(item[1].values())):
        average, firms, source = (
            context.industry_carbon.get(industry, (None, 0, "")) if context else (None, 0, "")
        )
        shown = f"省级发布：{source}" if source else f"本市 {firms} 家企业合计"
        rows.append(
            (industry, names.get(industry, "未填行业"), [grades[g] for g in range(1, 6)], sum(grades.values()),
             average, shown, not source and firms < min_firms)
        )  # fmt: skip
    chart = {
        "industries": [f"{code} {name}" for code, name, *_ in rows[:20]],
        "series": [
            {"name": f"{g} 级", "colour": GRADE_COLOURS[g], "data": [row[2][g - 1] for row in rows[:20]]}
            for g in range(1, 6)
        ],
    }
    return render(
        request,
        "evaluation/carbon.html",
        {
            "year": year,
            "years": _years(year),
            "run": run,
            "level_label": INDUSTRY_LEVELS[level],
            "rows": rows,
            "legend": _grade_legend(run, [sum(row[2][g] for row in rows) for g in range(5)]),
            "chart": chart,
            "factor": run.scheme.definition.get("carbon", {}) if run else {},
            "levels": CARBON_LEVELS,
            "min_firms": min_firms,
        },
    )


@login_required
def treatment(request: HttpRequest) -> HttpResponse:
    """分类施策 work lists: how many enterprises in scope each recommended treatment has, largest first, and
    the members of the one chosen (the largest unless asked), 50 to a page."""
    values = _asked(request, TreatmentFilter)
    year, district_id = values["year"], values["district"]
    lists = selectors.treatment_lists(actor=request.user, year=year, district=district_id, shown=0)
    if chosen(request.GET, "export", ["xlsx"]):
        found = selectors.results(
            actor=request.user, year=year, filters=selectors.ResultFilter(district=district_id)
        )
        return _export(
            year,
            found.filter(treatment__isnull=False).order_by("treatment", "enterprise__name"),
            "分类施策清单",
        )
    shown = next((entry for entry in lists if entry[0] == values["treatment"]), lists[0] if lists else None)
    page = None
    if shown is not None:
        members = selectors.results(
            actor=request.user,
            year=year,
            filters=selectors.ResultFilter(district=district_id, treatment=shown[0]),
        ).order_by("enterprise__district__path", "enterprise__name")
        page = page_of(request, members)
    keep = request.GET.copy()
    for name in ("page", "export", "treatment"):
        keep.pop(name, None)
    return render(
        request,
        "evaluation/treatment.html",
        {
            "year": year,
            "years": _years(year),
            "lists": [(index, text, count) for index, text, count, _ in lists],
            "shown": shown,
            "page": page,
            "rows": selectors.explained(page) if page is not None else [],
            "districts": reporting_units(actor=request.user),
            "district": district_id,
            "other_filters": keep.urlencode(),
            "keep_shown": "&".join(
                filter(None, [keep.urlencode(), f"treatment={shown[0]}" if shown else ""])
            ),
            "query": _query(request),
        },
    )


@login_required
def above_scale(request: HttpRequest) -> HttpResponse:
    """升规 candidates of the current year: the [projects] 升规 list, the same rule and the same reasons."""
    today = timezone.localdate()
    lists = project_lists(
        actor=request.user, start=dt.date(today.year, 1, 1), end=dt.date(today.year, 12, 31)
    )
    return render(
        request,
        "evaluation/above_scale.html",
        {"year": today.year, "page": page_of(request, lists.to_above_scale), "query": ""},
    )


# The tracking sheet and key enterprises ----------------------------------------------------------------


TRACKING_HEADERS = [
    "企业名称", "统一社会信用代码", "所属区县", "列入原因", "上年分类", "本年分类", "上年碳效码", "本年碳效码",
    "上年扩产意愿", "本年扩产意愿", "在建及储备项目数", "项目总投资（万元）", "本年开工", "本年投产",
]  # fmt: skip


@login_required
def tracking(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _change_key_enterprises(request)
    values = _asked(request, TrackingFilter)
    year = values["year"]
    stored = selectors.scheme_in_force(year, selectors.scheme_owner(request.user))
    rows = (
        selectors.tracking_sheet(actor=request.user, year=year, scheme=selectors.parsed_scheme(stored))
        if stored
        else []
    )
    if values["changed"]:
        rows = [row for row in rows if row.changed]
    rows = sorted(rows, key=lambda row: not row.changed)  # what changed since last year first
    if chosen(request.GET, "export", ["xlsx"]):
        return xlsx_response(
            f"{year}年重点企业跟踪表",
            TRACKING_HEADERS,
            (
                [
                    r.enterprise.name, r.enterprise.uscc, r.enterprise.district.name, "；".join(r.why),
                    r.klass[0], r.klass[1], r.grade[0], r.grade[1], r.willingness[0], r.willingness[1],
                    r.projects, None if r.projects_total_wan is None else float(r.projects_total_wan), r.started,
                    r.producing,
                ]
                for r in rows
            ),
        )  # fmt: skip
    return render(
        request,
        "evaluation/tracking.html",
        {
            "year": year,
            "years": _years(year),
            "page": page_of(request, rows),
            "changed_only": values["changed"],
            "query": _query(request),
            "chosen": selectors.chosen_key_enterprises(actor=request.user),
            "can_choose": services.can_choose_key_enterprises(request.user),
        },
    )


def _enterprise_by_uscc(request: HttpRequest, value: str) -> Enterprise | None:
    uscc = normalise_code(value)
    found = Enterprise.objects.filter(uscc=uscc).first()
    if found is None:
        messages.error(request, f"统一社会信用代码“{value}”不在企业库中。")
        return None
    return get_scoped_or_404(Enterprise.objects.select_related("district"), request.user, pk=found.pk)


def _change_key_enterprises(request: HttpRequest) -> HttpResponse:
    """Add a key enterprise by credit code, or remove one of those in scope (another is "no longer there")."""
    form = (RemoveForm if "remove" in request.POST else ChooseForm)(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        year = form.cleaned_data.get("year")
        return redirect(f"{reverse('evaluation:tracking')}{f'?year={year}' if year else ''}")
    data = form.cleaned_data
    back = redirect(f"{reverse('evaluation:tracking')}?year={data['year']}")
    try:
        if "remove" in data:
            key = selectors.chosen_key_enterprises(actor=request.user).filter(pk=data["remove"]).first()
            if key is None:
                messages.error(request, "该重点企业已不存在。")
                return back
            services.key_enterprise_remove(actor=request.user, source=Source.WEB, key=key)
            messages.success(request, f"已将“{key.enterprise.name}”移出重点企业。")
            return back
        enterprise = _enterprise_by_uscc(request, data["uscc"])
        if enterprise is not None:
            services.key_enterprise_add(
                actor=request.user, source=Source.WEB, enterprise=enterprise, reason=data["reason"]
            )
            messages.success(request, f"已将“{enterprise.name}”列为重点企业。")
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, refusal(exc))
    return back


# Exemptions ------------------------------------------------------------------------------------------


@login_required
def exemption_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _change_exemptions(request)
    year = _asked(request, YearFilter)["year"]
    return render(
        request,
        "evaluation/exemptions.html",
        {
            "year": year,
            "years": _years(year),
            "page": page_of(request, selectors.exemptions(actor=request.user, year=year)),
            "query": f"year={year}",
            "can_edit": request.user.can_edit,
        },
    )


def _change_exemptions(request: HttpRequest) -> HttpResponse:
    """Exempt an enterprise in scope from a year, or cancel an exemption in scope."""
    form = (RemoveForm if "remove" in request.POST else ChooseForm)(request.POST)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        year = form.cleaned_data.get("year")
        return redirect(f"{reverse('evaluation:exemptions')}{f'?year={year}' if year else ''}")
    data, year = form.cleaned_data, form.cleaned_data["year"]
    back = redirect(f"{reverse('evaluation:exemptions')}?year={year}")
    try:
        if "remove" in data:
            exemption = get_scoped_or_404(Exemption.objects.all(), request.user, pk=data["remove"])
            services.exemption_remove(actor=request.user, source=Source.WEB, exemption=exemption)
            messages.success(request, f"已取消“{exemption.enterprise.name}”{exemption.year} 年不参评。")
            return back
        enterprise = _enterprise_by_uscc(request, data["uscc"])
        if enterprise is not None:
            services.exemption_set(
                actor=request.user, source=Source.WEB, enterprise=enterprise, year=year, reason=data["reason"]
            )
            messages.success(request, f"已将“{enterprise.name}”列为 {year} 年不参评，重新计算后生效。")
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, refusal(exc))
    return back


# The scheme editor ------------------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [part for part in value.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if part]


def _typed(value: str | None) -> Any:
    """A number typed in a field as a JSON number; anything else as typed, for the scheme's check to name."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite() or abs(number) >= LARGEST_NUMBER:  # left for the check to name
        return text
    return int(number) if number == number.to_integral_value() else float(number)


TREATMENT_FIELD = re.compile(r"t-(\d{1,4})-treatment", re.ASCII)


def _treatment_rows(post: QueryDict) -> list[dict[str, Any]]:
    """The matrix's rows in the order of their 序号 (rows without a treatment are dropped)."""
    rows = [int(found[1]) for key in post if (found := TREATMENT_FIELD.fullmatch(key))]
    order = {i: _typed(post.get(f"t-{i}-order")) for i in rows}
    ordered = sorted(rows, key=lambda i: (order[i] if isinstance(order[i], int | float) else i, i))
    return [
        {
            "classes": post.getlist(f"t-{i}-classes"),
            "willingness": post.getlist(f"t-{i}-willingness"),
            "types": post.getlist(f"t-{i}-types"),
            "treatment": post.get(f"t-{i}-treatment", "").strip(),
            "basis": post.get(f"t-{i}-basis", "").strip(),
        }
        for i in ordered
        if post.get(f"t-{i}-treatment", "").strip()
    ]


RANK_GROUP_FIELD = re.compile(r"rank-group-(\d{1,3})-name", re.ASCII)
NEUTRAL_FIELD = re.compile(r"neutral-(\d{1,3})-label", re.ASCII)


def _numbered(post: QueryDict, pattern: re.Pattern[str]) -> list[int]:
    return sorted(int(found[1]) for key in post if (found := pattern.fullmatch(key)))


def definition_from_form(post: QueryDict) -> dict[str, Any]:
    """The scheme definition the editor's fields describe; the scheme's own check refuses what is wrong."""
    groups = {}
    for group in GROUP_LABELS:
        indicators = [
            {"code": code, "weight": _typed(post.get(f"{group}-{code}-weight")),
             "benchmark": _typed(post.get(f"{group}-{code}-benchmark")),
             "missing": post.get(f"{group}-{code}-missing", "zero")}
            for code in INDICATORS
            if _typed(post.get(f"{group}-{code}-weight")) not in (None, 0)
        ]  # fmt: skip
        by = post.get(f"{group}-cutoffs-by", "rank")
        shown = CLASSES if by == "rank" else CLASSES[:3]
        groups[group] = {
            "indicators": indicators,
            "min_land_mu": _typed(post.get(f"{group}-min_land_mu")) or 0,
            "cutoffs": {"by": by, **{k: _typed(post.get(f"{group}-cutoffs-{by}-{k}")) for k in shown}},
        }
    ranking_groups = [
        {"name": post.get(f"rank-group-{i}-name", "").strip(), "districts": post.getlist(f"rank-group-{i}-districts")}
        for i in _numbered(post, RANK_GROUP_FIELD)
        if post.get(f"rank-group-{i}-name", "").strip() or post.getlist(f"rank-group-{i}-districts")
    ]  # fmt: skip
    neutral_marks = [
        [_typed(post.get(f"neutral-{i}-from")), post.get(f"neutral-{i}-label", "").strip()]
        for i in _numbered(post, NEUTRAL_FIELD)
        if post.get(f"neutral-{i}-label", "").strip() or (post.get(f"neutral-{i}-from") or "").strip()
    ]
    return {
        "groups": groups,
        "cap_multiple": _typed(post.get("cap_multiple")),
        "ranking": {"level": post.get("ranking-level", "county"), "groups": ranking_groups},
        "exemptions": {
            "younger_than_years": _typed(post.get("exempt-years")) or 0,
            "industry_divisions": _split(post.get("exempt-divisions", "")),
            "new_land_years": _typed(post.get("exempt-new-land-years")) or 0,
        },
        "tenants_follow_owner": post.get("tenants-follow-owner") == "1",
        "low_efficiency": {
            "above_tax_per_mu_below": _typed(post.get("low-above")),
            "below_tax_per_mu_below": _typed(post.get("low-below")),
            "below_scale_land_mu_from": _typed(post.get("low-land")),
        },
        "carbon": {
            "factor_t_per_10k_kwh": _typed(post.get("carbon-factor")),
            "factor_source": post.get("carbon-factor-source", "").strip(),
            "industry_level": post.get("carbon-industry-level", "division"),
            "scope": post.get("carbon-scope", "above_scale"),
            "levels": [_typed(post.get("carbon-level-low")), _typed(post.get("carbon-level-mid"))],
            "grades": [_typed(post.get(f"carbon-grade-{g}")) for g in range(1, 5)],
            "min_firms": _typed(post.get("carbon-min-firms")),
            "neutral_marks": neutral_marks,
        },
        "rnd": {
            "numerator": post.get("rnd-numerator", "rnd_wan"),
            "denominator": post.get("rnd-denominator", "revenue_wan"),
        },
        "enterprise_types": {"tech_honours": post.getlist("tech-honours")},
        "treatments": _treatment_rows(post),
        "key_enterprises": {
            "min_project_total_wan": _typed(post.get("key-min-total")),
            "honours": post.getlist("key-honours"),
        },
        "inclusive": {name: post.get(f"inclusive-{name}") == "1" for name in BOUNDS},
        "sources": {name: post.get(f"source-{name}", "").strip() for name in SOURCE_SECTIONS},
    }


@login_required
def scheme(request: HttpRequest) -> HttpResponse:
    """The year's scheme in force for the user's city and its versions; city admins save a new version
    (their city's own; the platform's default stays for cities without one)."""
    posted = SchemeNoteForm(request.POST) if request.method == "POST" else None
    if posted is not None and posted.is_valid():
        year = posted.cleaned_data["year"]
    else:
        year = _asked(request, YearFilter)["year"]
    city = selectors.scheme_owner(request.user)
    stored = selectors.scheme_of_year(year, city=city)
    shown = stored or selectors.scheme_to_follow(year, city)
    errors: list[str] = []
    definition = shown.definition if shown else {}
    basis = shown.source if shown else ""
    if posted is not None:
        definition = definition_from_form(request.POST)
        basis = request.POST.get("basis", "")
        try:
            if not posted.is_valid():
                raise ValidationError(form_refusal(posted))
            saved = services.scheme_save(
                actor=request.user, source=Source.WEB, year=year, definition=definition,
                basis=posted.cleaned_data["basis"], note=posted.cleaned_data["note"],
            )  # fmt: skip
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已保存{saved}。重新计算该年度评价后生效。")
            return redirect(f"{reverse('evaluation:scheme')}?year={year}")
    visible = selectors.schemes_for(city)
    return render(
        request,
        "evaluation/scheme.html",
        {
            "year": year,
            "years": sorted({*visible.values_list("year", flat=True), year}, reverse=True),
            "stored": stored,
            "shown": shown,
            "city": city,
            "versions": visible.filter(year=year)
            .select_related("created_by", "org_unit")
            .order_by("-version"),
            "form": _editor(definition, city),
            "basis": basis,
            "errors": errors,
            "can_change": request.user.is_city_admin,
        },
    )


def _editor(definition: dict[str, Any], city: OrgUnit | None) -> dict[str, Any]:
    """What the editor's template needs, from a definition (stored, or as posted back with errors); a
    setting the definition lacks shows as the scheme reads it (`rules.scheme_from_definition`)."""
    groups = definition.get("groups", {})
    default_missing = definition.get("missing", "zero")
    editor_groups = []
    for group, label in GROUP_LABELS.items():
        data = groups.get(group, {})
        used = {item.get("code"): item for item in data.get("indicators", []) if isinstance(item, dict)}
        cutoffs = data.get("cutoffs", {})
        editor_groups.append(
            {
                "key": group,
                "label": label,
                "indicators": [
                    (
                        code,
                        d.name,
                        d.unit,
                        used.get(code, {}).get("weight", ""),
                        used.get(code, {}).get("benchmark"),
                        used.get(code, {}).get("missing") or default_missing,
                    )
                    for code, d in INDICATORS.items()
                ],
                "min_land_mu": data.get("min_land_mu", 0),
                "by": cutoffs.get("by", "rank"),
                "rank": [
                    (k, cutoffs.get(k, "") if cutoffs.get("by", "rank") == "rank" else "") for k in CLASSES
                ],
                "score": [
                    (k, cutoffs.get(k, "") if cutoffs.get("by") == "score" else "") for k in CLASSES[:3]
                ],
            }
        )
    treatments = list(definition.get("treatments", []))
    exempt = definition.get("exemptions", {})
    carbon = definition.get("carbon", {})
    ranking = definition.get("ranking") or {}
    stated = definition.get("inclusive") or {}
    sources = definition.get("sources") or {}
    counties = OrgUnit.objects.filter(kind__in=REPORTING_KINDS).order_by("path")
    if city is not None:
        counties = counties.filter(path__startswith=city.path)
    return {
        "groups": editor_groups,
        "cap_multiple": definition.get("cap_multiple"),
        "exempt": exempt,
        "new_land_years": new_land_years(exempt),
        "tenants_follow_owner": definition.get("tenants_follow_owner", True),
        "low": definition.get("low_efficiency", {}),
        "carbon": carbon,
        "min_firms": carbon.get("min_firms", 5),
        "neutral_marks": [*carbon.get("neutral_marks", DEFAULT_NEUTRAL_MARKS), ["", ""]],
        "rnd": {"numerator": "rnd_wan", "denominator": "revenue_wan", **(definition.get("rnd") or {})},
        "ranking_level": ranking.get("level", "county"),
        "ranking_groups": [*ranking.get("groups", []), *({} for _ in range(2))],
        "counties": list(counties.values_list("code", "name")),
        "inclusive": {name: stated.get(name, True) for name in BOUNDS},
        "bounds": [(name, label, word, stated.get(name, True)) for name, (label, word) in BOUNDS.items()],
        "sources": {name: sources.get(name, "") for name in SOURCE_SECTIONS},
        "tech_honours": definition.get("enterprise_types", {}).get("tech_honours", []),
        "key": definition.get("key_enterprises", {}),
        "treatments": [*treatments, *({} for _ in range(2))],  # two blank rows to add rules
        "class_options": [(k, CLASS_LABELS[k]) for k in (*CLASSES, "T")] + [("none", "未评价")],
        "willingness_options": list(WILLINGNESS.items()),
        "type_options": list(ENTERPRISE_TYPES.items()),
        "honour_options": HonourKind.choices,
        "industry_levels": list(INDUSTRY_LEVELS.items()),
        "ranking_levels": list(RANKING_LEVELS.items()),
        "missing_rules": list(MISSING_RULES.items()),
        "rnd_numerators": list(RND_NUMERATORS.items()),
        "rnd_denominators": list(RND_DENOMINATORS.items()),
    }
