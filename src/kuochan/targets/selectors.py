"""Reads of the plan: the plan as the rules see it, and its table laid out like the document's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kuochan.core.bulk import raw_values
from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.projects.models import YI_WAN, Milestone, Project, YearPlan
from kuochan.projects.rules import TERMINATED, large_projects_started, renovation_investment_by_month
from kuochan.projects.selectors import hundredths, project_facts, renovation_reports
from kuochan.registry.models import AnnualMetric, Enterprise, Honour, HonourKind
from kuochan.statistics.models import StatFigure, StatIndicator, StatKind
from kuochan.targets.forecast import Forecast, PipelineProject, forecast
from kuochan.targets.models import (
    Actual,
    ActualSource,
    DistrictTarget,
    Indicator,
    Plan,
    PlanVersion,
    Statement,
)
from kuochan.targets.rules import (
    FLOWS,
    NONE,
    Finding,
    IndicatorData,
    PlanData,
    RankRow,
    Standing,
    StatementData,
    district_ranking,
    document_check,
    level_progress,
    plan_check,
    standing,
    versus_baseline,
    year_target_of,
)


def plans(actor: Any = None) -> QuerySet[Plan]:
    """The plans the actor reads: those of their own unit and the units above it (a district's staff follow
    the city's plan), and those of the units below it; everyone's for the system (None)."""
    found = Plan.objects.select_related("org_unit")
    unit = _home_unit(actor)
    if unit is None:  # the system, or an account of no place (an administrator): every plan
        return found
    return found.filter(Q(org_unit_id__in=unit.ancestor_ids()) | Q(org_unit__path__startswith=unit.path))


def _home_unit(actor: Any) -> OrgUnit | None:
    """Where the actor stands in the tree: their unit, or an enterprise contact's district."""
    if actor is None:
        return None
    if getattr(actor, "org_unit_id", None):
        return actor.org_unit
    enterprise = getattr(actor, "enterprise", None) if getattr(actor, "enterprise_id", None) else None
    return enterprise.district if enterprise is not None else None


def plan_get(code: str | None = None, *, actor: Any = None, year: int | None = None) -> Plan | None:
    """The plan with this code among those the actor reads; without a code the plan in force: not retired,
    covering `year` when given, the one of the actor's own unit or the nearest above it (the city's for a
    district), the latest first."""
    found = plans(actor)
    if code:
        return found.filter(code=code).first()
    found = found.filter(retired_at__isnull=True)
    if year is not None:
        found = found.filter(period_start__lte=year, period_end__gte=year)
    candidates = list(found.order_by("-period_start", "code"))
    unit = _home_unit(actor)
    if unit is not None:
        above = unit.ancestor_ids()
        own = [p for p in candidates if p.org_unit_id in above]
        own.sort(key=lambda p: -above.index(p.org_unit_id))  # the actor's own unit first, then upwards
        if own:
            return own[0]
    else:  # the system: the plan of the highest unit (the city's, before a district's)
        candidates.sort(key=lambda p: len(p.org_unit.path))
    return candidates[0] if candidates else None


def plan_versions(plan: Plan) -> list[PlanVersion]:
    return list(plan.versions.order_by("-number"))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _indicator(i: Indicator) -> IndicatorData:
    return IndicatorData(
        code=i.code, name=i.name, unit=i.unit, kind=i.kind, baseline=i.baseline, previous_period=i.previous_period,
        yearly={int(year): Decimal(value) for year, value in i.yearly.items()}, period_target=i.period_target,
        threshold=i.threshold, band=i.band, relates_to=i.relates_to, in_table=i.table_row is not None,
        table_text="｜".join([i.name, i.unit, *i.table_cells]) if i.table_row is not None else "",
    )  # fmt: skip


def plan_data(
    plan: Plan, indicators: list[Indicator] | None = None, statements: list[Statement] | None = None
) -> PlanData:
    """The plan as the rules see it: as it stands, or made of the given (perhaps past) indicators and
    statements."""
    if indicators is None:
        indicators = list(plan.indicators.order_by("sort_order"))
    if statements is None:
        statements = list(plan.statements.order_by("sort_order"))
    by_id = {i.pk: i.code for i in indicators}
    return PlanData(
        code=plan.code,
        name=plan.name,
        years=plan.years,
        baseline_year=plan.baseline_year,
        period_label=plan.period_label or "规划期",
        previous_period_label=plan.previous_period_label or "上一规划期",
        indicators=[_indicator(i) for i in indicators],
        statements=[
            StatementData(
                by_id.get(s.indicator_id, getattr(s, "code", "")), s.claim, s.value, s.sentence, s.year
            )
            for s in statements
        ],
    )


def _month_end_moment(year: int, month: int) -> dt.datetime:
    """The first moment after the month (local time): a version saved before it was in force that month."""
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return timezone.make_aware(dt.datetime.combine(following, dt.time.min))


def plan_version_at(plan: Plan, year: int, month: int) -> PlanVersion | None:
    """The version of the plan in force at the end of the month: the last saved by then, or for a month
    before the plan was made, the plan as first made. None when the plan has never changed."""
    versions = list(plan.versions.order_by("number").only("pk", "number", "saved_at"))
    if len(versions) < 2:
        return None
    end = _month_end_moment(year, month)
    then = [v for v in versions if v.saved_at < end]
    chosen = then[-1] if then else versions[0]
    return None if chosen.pk == versions[-1].pk else PlanVersion.objects.get(pk=chosen.pk)


def plan_as_of(plan: Plan, year: int, month: int) -> tuple[PlanData, list[Indicator]]:
    """The plan's indicators as they stood at the end of the month (unsaved copies for a past version, each
    with the id of today's indicator of its code, so official figures are found), and the rules' view."""
    version = plan_version_at(plan, year, month)
    current = list(plan.indicators.select_related("statistic").order_by("sort_order"))
    if version is None:
        return plan_data(plan, current), current
    by_code = {i.code: i for i in current}
    statistics = dict(StatIndicator.objects.values_list("code", "pk"))
    then = []
    for item in version.content["indicators"]:
        values = {
            name: _decimal(item.get(name))
            for name in ("baseline", "previous_period", "period_target", "threshold", "band")
        }
        indicator = Indicator(
            pk=by_code[item["code"]].pk if item["code"] in by_code else None, plan=plan, code=item["code"],
            name=item["name"], unit=item["unit"], kind=item["kind"], table_row=item.get("table_row"),
            yearly=item.get("yearly", {}), relates_to=item.get("relates_to", ""), lead=item.get("lead", ""),
            actual_source=item["actual_source"], derivation=item.get("derivation", ""),
            statistic_id=statistics.get(item.get("statistic")), note=item.get("note", ""),
            table_cells=item.get("table_cells", []), **values,
        )  # fmt: skip
        then.append(indicator)
    statements = [
        StatementData(
            item["indicator"], item["claim"], Decimal(str(item["value"])), item["sentence"], item.get("year")
        )
        for item in version.content["statements"]
    ]
    data = plan_data(plan, then, [])
    return replace(data, statements=statements), then


def plan_findings(plan: Plan, actor: Any = None) -> tuple[list[Finding], list[Finding], list[str]]:
    """The plan check: the plan's own findings, the findings across it and the other documents of its
    place (the plans of its unit, the units above and below it, that the actor reads; retired ones too,
    since what they stated stays stated), and the names of those documents."""
    own = plan_check(plan_data(plan))
    unit = plan.org_unit
    others = [
        p
        for p in plans(actor).filter(
            Q(org_unit_id__in=unit.ancestor_ids()) | Q(org_unit__path__startswith=unit.path)
        )
        if p.pk != plan.pk
    ]
    across = [
        f
        for f in document_check([plan_data(plan), *(plan_data(p) for p in others)])
        if plan.name in f.figures["documents"]
    ]
    return own, across, [p.name for p in others]


def plan_table(plan: Plan) -> list[list[str]]:
    """The target table as the document prints it: the header, then each row's cells as written."""
    rows = [list(plan.table_columns)]
    for i in plan.indicators.filter(table_row__isnull=False).order_by("table_row"):
        rows.append([str(i.table_row), i.name, i.unit, *i.table_cells])
    return rows


# Actuals: official figures first, else the monthly statistics, else derived from projects and the registry --

STATISTICS = "统计数据"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, 12, 31) if month == 12 else dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def investment_by_month(memo: Reads | None, year: int, as_of: dt.date) -> dict[str, list[int]]:
    """Every project's renovation investment by district and month (`renovation_investment_by_month`),
    read and added up once per year and date however many figures need it."""
    if memo is None:
        return renovation_investment_by_month(
            renovation_reports(actor=None, year=year), year=year, as_of=as_of
        )
    key = (year, min(as_of, dt.date(year, 12, 31)))  # any date after the year gives the whole year
    if key not in memo.investment:
        if year not in memo.reports:
            memo.reports[year] = renovation_reports(actor=None, year=year)
        memo.investment[key] = renovation_investment_by_month(memo.reports[year], year=year, as_of=as_of)
    return memo.investment[key]


def _renovation_investment(plan: Plan, year: int, end: dt.date, memo: Reads | None) -> dict[str, Decimal]:
    """技改投资 completed in the year to `end`, 亿元, by district (the projects' monthly reports)."""
    totals = investment_by_month(memo, year, end)
    index = end.month - 1 if end.year == year else 11
    return {
        district: (Decimal(months[index]) / 1_000_000).quantize(Decimal("0.01"))
        for district, months in totals.items()
    }


def _large_projects_started(plan: Plan, year: int, end: dt.date, memo: Reads | None) -> dict[str, Decimal]:
    # without progress, a project's facts do not depend on the date: one read serves every year
    if memo is None or memo.facts is None:
        facts = project_facts(actor=None, as_of=end, with_progress=False)
        if memo is not None:
            memo.facts = facts
    else:
        facts = memo.facts
    counts = large_projects_started(facts, as_of=end)
    return {district: Decimal(n) for (district, started), n in counts.items() if started == year}


def _ipo_projects_started(plan: Plan, year: int, end: dt.date, memo: Reads | None) -> dict[str, Decimal]:
    rows = (
        Project.objects.filter(
            is_ipo_funded=True, started_actual__gte=dt.date(year, 1, 1), started_actual__lte=end
        )
        .exclude(status=TERMINATED)
        .order_by()
        .values_list("district__name")
        .annotate(n=Count("id"))
    )
    return {district: Decimal(n) for district, n in rows}


def _became_above_scale(plan: Plan, year: int, end: dt.date, memo: Reads | None) -> dict[str, Decimal]:
    rows = (
        Enterprise.objects.filter(
            above_scale=True, above_scale_since__gte=dt.date(year, 1, 1), above_scale_since__lte=end
        )
        .order_by()
        .values_list("district__name")
        .annotate(n=Count("id"))
    )
    return {district: Decimal(n) for district, n in rows}


def _honours(kinds: list[str], since: int | None) -> Derivation:
    """Enterprises holding one of the honours in the year (granted since `since`, for the newly granted)."""

    def count(plan: Plan, year: int, end: dt.date, memo: Reads | None) -> dict[str, Decimal]:
        held = Honour.objects.filter(
            Q(year_lost__isnull=True) | Q(year_lost__gt=year), kind__in=kinds, year_granted__lte=year
        )
        if since is not None:  # newly granted: this year's grants (earlier years are added by the report)
            held = held.filter(year_granted=year)
        rows = (
            held.order_by()
            .values_list("enterprise__district__name")
            .annotate(n=Count("enterprise", distinct=True))
        )
        return {district: Decimal(n) for district, n in rows}

    return count


RATIOS = {"rnd_share_above_scale"}  # derived as a ratio of sums for each unit, the city's included


def _rnd_share(plan: Plan, year: int, end: dt.date, memo: Reads | None) -> dict[str, Decimal]:
    """R&D spending as a share of revenue (%) of the enterprises above scale in the year, by district and
    for the plan's unit (a ratio of sums, not a sum of the districts')."""
    year_end = dt.date(year, 12, 31)
    metrics = AnnualMetric.objects.filter(
        Q(enterprise__above_scale_since__isnull=True) | Q(enterprise__above_scale_since__lte=year_end),
        year=year, enterprise__above_scale=True, rnd_wan__isnull=False, revenue_wan__gt=0,
    )  # fmt: skip
    found = {}
    rows = list(
        metrics.order_by()
        .values_list("enterprise__district__name")
        .annotate(rnd=Sum("rnd_wan"), revenue=Sum("revenue_wan"))
    )
    for district, rnd, revenue in rows:
        found[district] = (rnd * 100 / revenue).quantize(Decimal("0.01"))
    revenue = sum((row[2] for row in rows), Decimal(0))  # the plan's unit: the ratio of the sums
    if revenue:
        found[plan.org_unit.name] = (sum((row[1] for row in rows), Decimal(0)) * 100 / revenue).quantize(
            Decimal("0.01")
        )
    return found


Derivation = Callable[[Plan, int, dt.date, "Reads | None"], dict[str, Decimal]]


def _derivation(indicator: Indicator) -> Derivation | None:
    name, _, argument = indicator.derivation.partition(":")
    if name == "honour":
        return _honours(argument.split(","), None)
    if name == "honour_new":
        return _honours(argument.split(","), 0)
    return {
        "renovation_investment": _renovation_investment,
        "projects_100m_started": _large_projects_started,
        "ipo_projects_started": _ipo_projects_started,
        "became_above_scale": _became_above_scale,
        "rnd_share_above_scale": _rnd_share,
    }.get(name)


def _statistic_values(plan: Plan, indicator: Indicator, year: int, month: int) -> dict[str, Decimal]:
    """The statistics bureau's figures of the month for the plan's unit and the units below it: the growth
    (%) for a growth indicator, else the year to date."""
    growth = indicator.kind == "min_avg_growth" or indicator.statistic.kind == StatKind.GROWTH
    rows = StatFigure.objects.filter(
        indicator_id=indicator.statistic_id,
        month=dt.date(year, month, 1),
        area__path__startswith=plan.org_unit.path,
    ).values_list("area__name", "growth" if growth else "ytd")
    return {area: value for area, value in rows if value is not None}


DERIVATIONS = {
    "renovation_investment": "项目库：技改投资完成额（亿元）",
    "projects_100m_started": "项目库：亿元以上项目开工个数",
    "ipo_projects_started": "项目库：募投项目开工个数",
    "became_above_scale": "企业库：新升规企业数",
    "rnd_share_above_scale": "企业库：规上企业研发费用占营业收入比重（%）",
}


def derivation_label(text: str) -> str:
    """What a derivation counts, in words: "企业库：金象、金牛企业数（在册）"."""
    name, _, argument = text.partition(":")
    if name in ("honour", "honour_new"):
        labels = "、".join(
            str(HonourKind(kind).label) if kind in HonourKind.values else kind for kind in argument.split(",")
        )
        return f"企业库：{labels}企业数（在册）" if name == "honour" else f"企业库：当年新认定{labels}企业数"
    return DERIVATIONS.get(text, text)


def derivation_choices(in_use: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The derivations a plan page offers: every one the platform computes, and any the plan already uses."""
    codes = [*DERIVATIONS]
    for kind in HonourKind.values:
        codes += [f"honour:{kind}", f"honour_new:{kind}"]
    codes += [code for code in in_use if code and code not in codes]
    return [("", "不推算（录入或取统计月报）"), *((code, derivation_label(code)) for code in codes)]


def known_derivation(text: str) -> bool:
    """Whether the platform can derive an indicator's actual this way (a plan file or page names it)."""
    name, _, argument = text.partition(":")
    if name in ("honour", "honour_new"):
        return bool(argument) and all(kind in HonourKind.values for kind in argument.split(","))
    return text in DERIVATIONS


def unit_actuals(
    plan: Plan,
    indicator: Indicator,
    year: int,
    month: int,
    stored: dict[str, Decimal] | None = None,
    units: list[OrgUnit] | None = None,
    memo: Reads | None = None,
) -> tuple[dict[str, Decimal], str]:
    """{unit name: year-to-date value} at the end of `month` of `year` for the plan's unit (its own name)
    and its reporting units, and where they come from: official figures where entered or imported, else
    the statistics bureau's monthly figures when the indicator takes them, else derived (each unit's the
    sum of the districts within it). Ratios and rates come from official figures only. `stored` and
    `units` are the official figures and the reporting units when the caller read them already."""
    if stored is None:
        stored = dict(
            Actual.objects.filter(indicator=indicator, month=dt.date(year, month, 1)).values_list(
                "org_unit__name", "value"
            )
        )
    if indicator.statistic_id is not None:
        figures = _statistic_values(plan, indicator, year, month)
        return {**figures, **stored}, f"{STATISTICS}（{indicator.statistic.name}）"
    derive = _derivation(indicator)
    if derive is None or indicator.kind not in (*FLOWS, "level_by_year"):
        return stored, STATISTICS
    derived = derive(plan, year, _month_end(year, month), memo)
    if (
        indicator.derivation not in RATIOS
    ):  # a count or an amount: none found is 0; a unit's is its districts'
        within = _districts_within(plan, memo)
        derived = {
            unit: sum((derived.get(name, Decimal(0)) for name in names), Decimal(0))
            for unit, names in within.items()
        }
    return {**derived, **stored}, f"推算（{ActualSource(indicator.actual_source).label}）"


def _districts_within(plan: Plan, memo: Reads | None) -> dict[str, set[str]]:
    """{unit name: names of the districts and zones within it} for the plan's unit and its reporting units
    (a city's districts are their own; a province's cities hold theirs): what derived figures add up."""
    if memo is not None and memo.within is not None:
        return memo.within
    districts = list(
        OrgUnit.objects.filter(kind__in=REPORTING_KINDS, path__startswith=plan.org_unit.path).values_list(
            "name", "path"
        )
    )
    within = {
        unit.name: {name for name, path in districts if path.startswith(unit.path)}
        for unit in [plan.org_unit, *reporting_units(plan)]
    }
    if memo is not None:
        memo.within = within
    return within


@dataclass
class Reads:
    """What a report (or the ranking of every unit) reads once and shares: each indicator's actuals by
    year and month, and the plan's district targets."""

    actuals: dict[tuple[str, int, int], tuple[dict[str, Decimal], str]] = field(default_factory=dict)
    targets: dict[int, dict[str, dict[int, Decimal]]] | None = None
    stored: dict[tuple[int, int], dict[int, dict[str, Decimal]]] = field(default_factory=dict)
    units: list[OrgUnit] | None = None
    facts: list[Any] | None = None  # every project, without progress
    reports: dict[int, list[Any]] = field(default_factory=dict)  # renovation reports by year
    investment: dict[tuple[int, dt.date], dict[str, list[int]]] = field(default_factory=dict)
    within: dict[str, set[str]] | None = None  # the districts within each unit
    plans: dict[tuple[int, int], tuple[PlanData, list[Indicator]]] = field(
        default_factory=dict
    )  # as of a month


def _memo_actuals(
    memo: Reads, plan: Plan, indicator: Indicator, year: int, month: int
) -> tuple[dict[str, Decimal], str]:
    """`unit_actuals`, computed once per indicator, year and month (every unit's value comes from the same
    read)."""
    key = (indicator.code, year, month)
    if key not in memo.actuals:
        if (year, month) not in memo.stored:  # every indicator's official figures of the month, in one read
            found: dict[int, dict[str, Decimal]] = defaultdict(dict)
            rows = Actual.objects.filter(indicator__plan=plan, month=dt.date(year, month, 1))
            for indicator_id, unit, value in rows.values_list("indicator_id", "org_unit__name", "value"):
                found[indicator_id][unit] = value
            memo.stored[(year, month)] = found
        if memo.units is None:
            memo.units = reporting_units(plan)
        stored = dict(memo.stored[(year, month)].get(indicator.pk, {}))
        memo.actuals[key] = unit_actuals(
            plan, indicator, year, month, stored=stored, units=memo.units, memo=memo
        )
    return memo.actuals[key]


def _plan_targets(memo: Reads, plan: Plan) -> dict[int, dict[str, dict[int, Decimal]]]:
    """Every district target of the plan, read once: {indicator id: {unit: {year: value}}}."""
    if memo.targets is None:
        found: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
        for indicator, unit, year, value in DistrictTarget.objects.filter(indicator__plan=plan).values_list(
            "indicator_id", "org_unit__name", "year", "value"
        ):
            found[indicator][unit][year] = value
        memo.targets = {k: dict(v) for k, v in found.items()}
    return memo.targets


def _within(plan: Plan, year: int) -> None:
    if not plan.period_start <= year <= plan.period_end:
        raise ValidationError(
            f"截至月份应在规划期 {plan.period_start}—{plan.period_end} 年内，收到 {year} 年。"
        )


def targets_report(
    *,
    plan: Plan,
    year: int,
    month: int,
    unit: OrgUnit | None = None,
    detail: bool = False,
    memo: Reads | None = None,
) -> dict[str, Any]:
    """Each indicator's standing for the plan's unit (or a reporting unit) after `month` of `year`, as
    `kuochan targets --format json` gives it (stable keys); with `detail`, also where each actual comes
    from and the reasons (what the pages show)."""
    _within(plan, year)
    unit = unit or plan.org_unit
    memo = Reads() if memo is None else memo
    if (year, month) not in memo.plans:
        memo.plans[(year, month)] = plan_as_of(plan, year, month)
    data, models = memo.plans[(year, month)]
    rows = []
    for indicator, model in zip(data.indicators, models, strict=True):
        values, source = _memo_actuals(memo, plan, model, year, month)
        before, _ = _memo_actuals(memo, plan, model, year - 1, month)
        earlier = Decimal(0)
        if model.kind in FLOWS:
            for past in range(plan.period_start, year):
                earlier += _memo_actuals(memo, plan, model, past, 12)[0].get(unit.name, Decimal(0))
        actual = values.get(unit.name)
        start = None
        if model.kind == "level_by_year" and year - 1 >= plan.baseline_year:
            start = _memo_actuals(memo, plan, model, year - 1, 12)[0].get(unit.name)
        own = (
            _plan_targets(memo, plan).get(model.pk, {}).get(unit.name, {})
            if unit.pk != plan.org_unit_id
            else {}
        )
        if unit.pk == plan.org_unit_id or not splittable(model) or year in own:
            whole = model.kind in FLOWS and len(own) == len(data.years)
            result = standing(
                indicator, year=year, months=month, actual=actual, last_year=before.get(unit.name),
                earlier_years=earlier, years=data.years, baseline_year=data.baseline_year, level_start=start,
                year_target=own.get(year), period_target=sum(own.values(), Decimal(0)) if whole else None,
            )  # fmt: skip
            if own and not whole:
                result = replace(result, period_target=None)
        else:  # the city's target is not split to this unit yet: its actual, without a light
            result = Standing(
                year_target=None, actual=actual, completion=None, time_pace=None, light=NONE, yoy=None,
                period_target=None, period_actual=earlier + actual if actual is not None and model.kind in FLOWS else actual,
                reasons=("目标尚未分解到本单位，只列实际值",),
            )  # fmt: skip
        rows.append(
            {
                "code": model.code, "name": model.name, "unit": model.unit, "year_target": _float(result.year_target),
                "actual": _float(result.actual), "completion": _float(result.completion),
                "time_pace": _float(result.time_pace), "light": result.light,
                "period_target": _float(result.period_target), "period_actual": _float(result.period_actual),
            }
        )  # fmt: skip
        if detail:
            level_start = start if start is not None else indicator.baseline
            reasons = list(result.reasons)
            if result.year_target is None and (
                against := versus_baseline(indicator, result.actual, data.baseline_year, month)
            ):
                reasons.append(against)
            rows[-1] |= {
                "source": source if result.actual is not None else "",
                "expected_source": source,
                "reasons": reasons,
                "yoy": _float(result.yoy),
                "level_text": level_progress(result.actual, level_start, result.year_target)
                if model.kind == "level_by_year"
                else None,
            }
    return {"as_of": f"{year}-{month:02d}", "indicators": rows}


def _float(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 6)


# Decomposition ---------------------------------------------------------------------------------------

SPLITTABLE = (*FLOWS, "level_by_year")  # floors and bands apply to every unit as they are


def splittable(indicator: Indicator) -> bool:
    """Amounts, counts and levels split among the units; a ratio (%) applies to every unit as it is."""
    return indicator.kind in SPLITTABLE and indicator.unit != "%" and indicator.derivation not in RATIOS


def reporting_units(plan: Plan) -> list[OrgUnit]:
    """The units the plan's unit ranks and splits targets among, in the order it lists them: a city's
    districts and zones, a province's cities; a district's plan has none."""
    kinds = (OrgKind.CITY,) if plan.org_unit.kind == OrgKind.PROVINCE else REPORTING_KINDS
    return list(
        OrgUnit.objects.filter(kind__in=kinds, path__startswith=plan.org_unit.path)
        .exclude(pk=plan.org_unit_id)
        .order_by("sort_order", "code")
    )


def unit_baselines(plan: Plan, indicator: Indicator) -> dict[str, Decimal]:
    """Each reporting unit's value in the baseline year (its December year-to-date): what a split by
    baseline share divides by."""
    values, _ = unit_actuals(plan, indicator, plan.baseline_year, 12)
    return {unit.name: values[unit.name] for unit in reporting_units(plan) if unit.name in values}


def city_targets(plan: Plan, indicator: Indicator) -> dict[int, Decimal]:
    """The city's target of each year, to the hundredth (a total spread over the years may not divide)."""
    data = _indicator(indicator)
    return {
        year: target.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for year in plan.years
        if (target := year_target_of(data, year, plan.years, plan.baseline_year)) is not None
    }


def district_targets(indicator: Indicator) -> dict[str, dict[int, Decimal]]:
    """{unit name: {year: target}} as stored."""
    found: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for unit, year, value in indicator.district_targets.values_list("org_unit__name", "year", "value"):
        found[unit][year] = value
    return dict(found)


def ranking(*, plan: Plan, year: int, month: int, memo: Reads | None = None) -> list[RankRow]:
    """The reporting units ranked (赛马) after `month` of `year`, on their own targets (sharing `memo`'s
    reads with a report of the same month)."""
    memo = Reads() if memo is None else memo
    standings = {}
    for unit in reporting_units(plan):
        report = targets_report(plan=plan, year=year, month=month, unit=unit, memo=memo)
        standings[unit.display_name] = [
            (row["name"], _decimal(row["completion"]), _decimal(row["time_pace"]))
            for row in report["indicators"]
        ]
    return district_ranking(standings)


def _exact(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# The forecast's inputs -------------------------------------------------------------------------------


def pipeline(as_of: dt.date) -> tuple[list[PipelineProject], list[int]]:
    """Open renovation projects with their remaining planned investment by year (亿元; the as-of year's
    less what is reported done), unstarted 亿元以上 projects with their planned start, and the platform's
    history of delays (days late of every milestone reached by as_of)."""
    year = as_of.year
    done: dict[int, int] = {}
    for _, pk, month, ytd in sorted(renovation_reports(actor=None, year=year), key=lambda r: r[2]):
        if month <= as_of:
            done[pk] = ytd
    remaining: dict[int, dict[int, float]] = defaultdict(dict)
    open_projects = Project.objects.exclude(status=TERMINATED).filter(
        Q(at_capacity_actual__isnull=True) | Q(at_capacity_actual__gt=as_of)
    )
    for pk, plan_year, planned in raw_values(
        YearPlan.objects.filter(project__in=open_projects.filter(is_renovation=True), year__gte=year)
        .order_by()
        .values_list("project_id", "year", hundredths("planned_wan"))
    ):
        left = planned - (done.get(pk, 0) if plan_year == year else 0)
        remaining[pk][plan_year] = max(left, 0) / 1_000_000
    starts = dict(
        open_projects.filter(total_wan__gte=YI_WAN, started_planned__isnull=False)
        .filter(Q(started_actual__isnull=True) | Q(started_actual__gt=as_of))
        .values_list("id", "started_planned")
    )
    projects = [
        PipelineProject(
            remaining=remaining.get(pk, {}), large_start=max(starts[pk], as_of) if pk in starts else None
        )
        for pk in set(remaining) | set(starts)
    ]
    history = []
    for row in Project.objects.values_list(
        *(f"{m}_{kind}" for m in Milestone.values for kind in ("planned", "actual"))
    ):
        for planned, actual in zip(row[::2], row[1::2], strict=True):
            if planned is not None and actual is not None and actual <= as_of:
                history.append((actual - planned).days)
    return sorted(
        projects, key=lambda p: (sorted(p.remaining.items()), p.large_start or dt.date.min)
    ), history


def plan_forecast(*, plan: Plan, year: int, month: int, runs: int, seed: int) -> Forecast:
    """The forecast of the plan's project-derived indicators (技改投资 and 亿元以上 projects) after `month`."""
    _within(plan, year)
    as_of = _month_end(year, month)
    memo = Reads()
    indicators = {i.derivation: i for i in plan.indicators.filter(actual_source=ActualSource.PROJECTS)}
    investment, large = indicators.get("renovation_investment"), indicators.get("projects_100m_started")
    if investment is None and large is None:
        raise ValidationError(
            f"《{plan.name}》没有由项目库推算的技改投资或亿元以上项目指标，无需按项目库预测。"
        )

    def done(indicator: Indicator | None) -> dict[int, float]:
        if indicator is None:
            return {}
        values = {}
        for past in (y for y in plan.years if y <= year):
            found = _memo_actuals(memo, plan, indicator, past, 12 if past < year else month)[0]
            values[past] = float(found.get(plan.org_unit.name, 0))
        return values

    def targets(indicator: Indicator | None) -> dict[int, float]:
        return {y: float(v) for y, v in city_targets(plan, indicator).items()} if indicator else {}

    projects, history = pipeline(as_of)
    return forecast(
        projects, as_of=as_of, years=plan.years, done_investment=done(investment), done_large=done(large),
        investment_targets=targets(investment), large_targets=targets(large), history=history, runs=runs, seed=seed,
    )  # fmt: skip
