"""The evaluation rules: per-mu evaluation (亩均效益综合评价, classes A/B/C/D/T), the carbon-efficiency code
(工业碳效码, grades 1–5), 清三低, enterprise type and differentiated treatment (分类施策).

Pure functions over all enterprises of one year at once: plain facts in, results with Chinese reasons out;
no queries. The scheme is data (`Scheme`, parsed from a stored definition by `scheme_from_definition`).
Amounts arrive as integers of hundredths, so the 清三低 thresholds and the carbon grade boundaries
(0.6 / 0.8 / 1.2 / 2.0) are compared exactly, by cross-multiplying integers; scores are floats rounded to
hundredths before any comparison with a score cut-off.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from kuochan.registry.models import HonourKind

# The annual metrics the rules read, in this order, as integers of hundredths (employees too).
METRICS: tuple[str, ...] = (
    "revenue_wan",
    "value_added_wan",
    "tax_wan",
    "rnd_wan",
    "energy_tce",
    "electricity_10k_kwh",
    "pollutant_t",
    "carbon_t",
    "zero_carbon_10k_kwh",
    "land_mu",
    "employees",
)
M = {name: index for index, name in enumerate(METRICS)}

CLASSES: tuple[str, ...] = ("A", "B", "C", "D")
CLASS_LABELS: dict[str, str] = {
    "A": "A类（优先发展类）",
    "B": "B类（提升发展类）",
    "C": "C类（调控帮扶类）",
    "D": "D类（倒逼整治类）",
    "T": "T类（不参评）",
}
CLASS_COLOURS: dict[str, str] = {
    "A": "#2fb344",
    "B": "#206bc4",
    "C": "#f76707",
    "D": "#d63939",
    "T": "#868e96",
}
GROUP_LABELS: dict[str, str] = {"above": "规上企业", "below": "规下企业"}
# 工业碳效码: 1 深绿, 2 浅绿, 3 黄, 4 橙, 5 红
GRADE_COLOURS: dict[int, str] = {1: "#2b8a3e", 2: "#74b816", 3: "#f59f00", 4: "#f76707", 5: "#d63939"}
CARBON_LEVELS: dict[str, str] = {"low": "低碳", "mid": "中碳", "high": "高碳"}
ENTERPRISE_TYPES: dict[str, str] = {"large": "大型", "medium": "中型", "small_micro": "小微", "tech": "科创"}
WILLINGNESS: dict[str, str] = {"yes": "有", "watching": "观望", "no": "无", "unknown": "未调查"}
INDUSTRY_LEVELS: dict[str, str] = {"division": "行业大类", "section": "行业门类"}


@dataclass(frozen=True, slots=True)
class IndicatorDef:
    """An indicator of the per-mu evaluation: numerator / denominator of two annual metrics."""

    code: str
    name: str
    unit: str
    numerator: str
    denominator: str
    multiplier: int = 1  # 100 for a share in %


INDICATORS: dict[str, IndicatorDef] = {
    d.code: d
    for d in (
        IndicatorDef("tax_per_mu", "亩均税收", "万元/亩", "tax_wan", "land_mu"),
        IndicatorDef("value_added_per_mu", "亩均工业增加值", "万元/亩", "value_added_wan", "land_mu"),
        IndicatorDef("revenue_per_mu", "亩均营业收入", "万元/亩", "revenue_wan", "land_mu"),
        IndicatorDef(
            "value_added_per_energy", "单位能耗工业增加值", "万元/吨标准煤", "value_added_wan", "energy_tce"
        ),
        IndicatorDef(
            "value_added_per_pollutant", "单位排放工业增加值", "万元/吨", "value_added_wan", "pollutant_t"
        ),
        IndicatorDef("labour_productivity", "全员劳动生产率", "万元/人", "value_added_wan", "employees"),
        IndicatorDef("rnd_share", "研发经费占营业收入比重", "%", "rnd_wan", "revenue_wan", 100),
        IndicatorDef(
            "tax_per_electricity", "单位电耗税收", "万元/万千瓦时", "tax_wan", "electricity_10k_kwh"
        ),
    )
}


# The scheme ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Weighted:
    code: str
    weight: Decimal
    benchmark: Decimal | None  # None: computed from the year's data (ratio of sums)


@dataclass(frozen=True, slots=True)
class Cutoffs:
    by: str  # "rank": shares in % of the group, best first; "score": minimum scores for A, B, C
    values: tuple[Decimal, ...]


@dataclass(frozen=True, slots=True)
class GroupScheme:
    indicators: tuple[Weighted, ...]
    min_land_mu: Decimal
    cutoffs: Cutoffs


@dataclass(frozen=True, slots=True)
class TreatmentRule:
    treatment: str
    classes: frozenset[str]  # empty: any; "none" = not evaluated
    willingness: frozenset[str]  # empty: any; "unknown" = no survey answer
    types: frozenset[str]  # empty: any
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Scheme:
    above: GroupScheme
    below: GroupScheme
    missing: str  # "average": the group's average contribution for the indicator; "zero"
    cap_multiple: Decimal | None  # an indicator contributes at most this multiple of its weight
    exempt_younger_than_years: int
    exempt_divisions: frozenset[str]
    exempt_new_land_in_construction: bool
    low_above_tax_per_mu: Decimal
    low_below_tax_per_mu: Decimal
    low_below_land_mu: Decimal
    carbon_factor: Decimal  # tCO₂ per 万千瓦时 of zero-carbon power deducted
    carbon_factor_source: str
    carbon_industry_level: str
    carbon_above_scale_only: bool
    carbon_levels: tuple[Decimal, Decimal]  # L at most: low, mid
    carbon_grades: tuple[Decimal, Decimal, Decimal, Decimal]  # K at most: grade 1, 2, 3, 4
    tech_honours: frozenset[str]
    treatments: tuple[TreatmentRule, ...]
    key_min_project_total_wan: Decimal | None
    key_honours: frozenset[str]

    def group(self, name: str) -> GroupScheme:
        return self.above if name == "above" else self.below


def _number(value: Any, where: str, problems: list[str], *, allow_none: bool = False) -> Decimal | None:
    if value is None and allow_none:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        problems.append(f"{where}：“{value}”不是数字。")
        return None
    if not number.is_finite() or number < 0:
        problems.append(f"{where}：“{value}”应为不小于 0 的数字。")
        return None
    return number


def _group(data: Any, name: str, problems: list[str]) -> GroupScheme:
    label = GROUP_LABELS[name]
    data = data if isinstance(data, dict) else {}
    indicators = []
    for position, item in enumerate(data.get("indicators") or [], start=1):
        where = f"{label}第 {position} 个指标"
        code = item.get("code") if isinstance(item, dict) else None
        if code not in INDICATORS:
            problems.append(
                f"{where}：未知指标“{code}”，可选：{'、'.join(d.name for d in INDICATORS.values())}。"
            )
            continue
        where = f"{label}指标“{INDICATORS[code].name}”"
        weight = _number(item.get("weight"), f"{where}的权重", problems)
        benchmark = _number(item.get("benchmark"), f"{where}的基准值", problems, allow_none=True)
        if benchmark is not None and benchmark == 0:
            problems.append(f"{where}的基准值不能为 0（留空则按当年数据计算）。")
        if any(w.code == code for w in indicators):
            problems.append(f"{where}重复。")
        if weight is not None and weight > 0:
            indicators.append(Weighted(code, weight, benchmark or None))
    if not indicators:
        problems.append(f"{label}至少需要一个权重大于 0 的指标。")
    cut = data.get("cutoffs") if isinstance(data.get("cutoffs"), dict) else {}
    by = cut.get("by")
    wanted = CLASSES if by == "rank" else CLASSES[:3]
    values = tuple(_number(cut.get(c), f"{label}{c}类分档", problems) or Decimal(0) for c in wanted)
    if by == "rank":
        if sum(values) != 100:
            problems.append(f"{label}按排名分档时 A、B、C、D 类比例之和应为 100%，现为 {sum(values)}%。")
    elif by == "score":
        if not values[0] >= values[1] >= values[2]:
            problems.append(f"{label}按得分分档时应满足 A 类线 ≥ B 类线 ≥ C 类线。")
    else:
        problems.append(f"{label}分档方式“{by}”应为 rank（按排名比例）或 score（按得分）。")
    min_land = _number(data.get("min_land_mu", 0), f"{label}参评用地下限", problems)
    return GroupScheme(tuple(indicators), min_land or Decimal(0), Cutoffs(by or "rank", values))


def _names(value: Any, allowed: Iterable[str], where: str, problems: list[str]) -> frozenset[str]:
    items = frozenset(value or ())
    unknown = items - set(allowed)
    if unknown:
        problems.append(f"{where}：未知取值 {'、'.join(sorted(unknown))}。")
    return items


def scheme_from_definition(definition: Mapping[str, Any]) -> Scheme:
    """The scheme a stored definition describes; ValueError with every problem, in Chinese, when invalid."""
    problems: list[str] = []
    honours = [kind.value for kind in HonourKind]
    groups = definition.get("groups") or {}
    above, below = (
        _group(groups.get("above"), "above", problems),
        _group(groups.get("below"), "below", problems),
    )
    missing = definition.get("missing", "average")
    if missing not in ("average", "zero"):
        problems.append(f"缺项计分方式“{missing}”应为 average（按同类企业平均得分）或 zero（计 0 分）。")
    exempt = definition.get("exemptions") or {}
    low = definition.get("low_efficiency") or {}
    carbon = definition.get("carbon") or {}
    levels = carbon.get("levels") or [0.6, 2.0]
    grades = carbon.get("grades") or [0.6, 0.8, 1.2, 2.0]
    level_bounds = tuple(_number(v, "碳效等级界值", problems) or Decimal(0) for v in levels)
    grade_bounds = tuple(_number(v, "碳效码分级界值", problems) or Decimal(0) for v in grades)
    if len(level_bounds) != 2 or list(level_bounds) != sorted(level_bounds):
        problems.append("碳效等级界值应为两个递增的数（低碳上限、中碳上限）。")
    if len(grade_bounds) != 4 or list(grade_bounds) != sorted(grade_bounds):
        problems.append("碳效码分级界值应为四个递增的数（1–4 级的 K 值上限）。")
    industry_level = carbon.get("industry_level", "division")
    if industry_level not in INDUSTRY_LEVELS:
        problems.append(f"碳效行业口径“{industry_level}”应为 division（大类）或 section（门类）。")
    treatments = []
    for position, item in enumerate(definition.get("treatments") or [], start=1):
        where = f"第 {position} 条施策规则"
        if not isinstance(item, dict) or not str(item.get("treatment", "")).strip():
            problems.append(f"{where}缺少施策内容。")
            continue
        treatments.append(
            TreatmentRule(
                treatment=str(item["treatment"]).strip(),
                classes=_names(item.get("classes"), [*CLASSES, "T", "none"], f"{where}的评价类别", problems),
                willingness=_names(item.get("willingness"), WILLINGNESS, f"{where}的扩产意愿", problems),
                types=_names(item.get("types"), ENTERPRISE_TYPES, f"{where}的企业类型", problems),
                basis=str(item.get("basis", "")),
            )
        )
    key = definition.get("key_enterprises") or {}
    scheme = Scheme(
        above=above,
        below=below,
        missing=missing,
        cap_multiple=_number(definition.get("cap_multiple"), "单项得分上限倍数", problems, allow_none=True),
        exempt_younger_than_years=int(
            _number(exempt.get("younger_than_years", 2), "不参评成立年限", problems) or 0
        ),
        exempt_divisions=frozenset(str(d) for d in exempt.get("industry_divisions") or ()),
        exempt_new_land_in_construction=bool(exempt.get("new_land_in_construction", True)),
        low_above_tax_per_mu=_number(low.get("above_tax_per_mu_below", 6), "清三低规上亩均税收", problems)
        or Decimal(0),
        low_below_tax_per_mu=_number(low.get("below_tax_per_mu_below", 3), "清三低规下亩均税收", problems)
        or Decimal(0),
        low_below_land_mu=_number(low.get("below_scale_land_mu_from", 10), "清三低规下用地", problems)
        or Decimal(0),
        carbon_factor=_number(carbon.get("factor_t_per_10k_kwh", 0), "零碳电力排放因子", problems)
        or Decimal(0),
        carbon_factor_source=str(carbon.get("factor_source", "")),
        carbon_industry_level=industry_level,
        carbon_above_scale_only=carbon.get("scope", "above_scale") == "above_scale",
        carbon_levels=level_bounds,  # lengths checked above
        carbon_grades=grade_bounds,
        tech_honours=_names(
            (definition.get("enterprise_types") or {}).get("tech_honours"), honours, "科创企业荣誉", problems
        ),
        treatments=tuple(treatments),
        key_min_project_total_wan=_number(
            key.get("min_project_total_wan"), "重点企业项目投资门槛", problems, allow_none=True
        ),
        key_honours=_names(key.get("honours"), honours, "重点企业荣誉", problems),
    )
    if problems:
        raise ValueError(problems)
    return scheme


# Facts and results ---------------------------------------------------------------------------------


class EnterpriseYear(NamedTuple):
    """An enterprise as the evaluation of one year sees it (status at the year's end)."""

    id: int
    uscc: str
    name: str
    district: str
    division: str  # GB/T 4754 大类, two digits, or ""
    section: str  # 门类 letter, or ""
    size_class: str  # large / medium / small / micro / ""
    above_scale: bool
    established_on: dt.date | None
    metrics: tuple[int | None, ...]  # METRICS, hundredths
    exemption: str | None = None  # a reason entered by staff (不参评)
    building_on_new_land: str | None = None  # a project on new land started and not yet producing
    honours: frozenset[str] = frozenset()
    willingness: str | None = None


class Result(NamedTuple):
    enterprise_id: int
    group: str | None  # above / below; None when outside the evaluation
    score: float | None
    klass: str | None  # A–D, T, or None when outside the evaluation
    indicators: tuple[tuple[str, float | None, float, bool], ...]  # code, value, contribution, missing
    rank_district: int | None
    rank_city: int | None
    previous_class: str | None
    previous_score: float | None
    carbon_l: float | None
    carbon_level: str | None
    carbon_k: float | None
    carbon_grade: int | None
    low_efficiency: tuple[str, ...]
    enterprise_type: str
    treatment: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    results: list[Result]
    benchmarks: dict[str, dict[str, float | None]]  # group → indicator → benchmark used
    industry_carbon: dict[str, tuple[float | None, int]]  # industry → (average L, graded enterprises)


def _fmt(value: float, places: int = 2) -> str:
    return f"{value:,.{places}f}"


def _hundredths(value: int) -> str:
    return _fmt(value / 100)


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1-based ranks by score, best first; equal scores share the better rank (1, 2, 2, 4)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranks = [0] * len(scores)
    for position, index in enumerate(order):
        if position and scores[index] == scores[order[position - 1]]:
            ranks[index] = ranks[order[position - 1]]
        else:
            ranks[index] = position + 1
    return ranks


def _ratio_le(numerator: int, denominator: int, bound: Decimal) -> bool:
    """numerator / denominator ≤ bound, exactly (denominator > 0)."""
    top, bottom = bound.as_integer_ratio()
    return numerator * bottom <= top * denominator


def _below(numerator: int, denominator: int, bound: Decimal) -> bool:
    """numerator / denominator < bound, exactly (denominator > 0)."""
    top, bottom = bound.as_integer_ratio()
    return numerator * bottom < top * denominator


# The per-mu evaluation -----------------------------------------------------------------------------


def _anniversary(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


def _exemption(e: EnterpriseYear, scheme: Scheme, year_end: dt.date) -> str | None:
    if e.exemption:
        return f"不参评：{e.exemption}"
    years = scheme.exempt_younger_than_years
    if years and e.established_on is not None and _anniversary(e.established_on, years) > year_end:
        return f"不参评：成立于 {e.established_on}，至 {year_end.year} 年末不满 {years} 年"
    if e.division and e.division in scheme.exempt_divisions:
        return f"不参评：公用事业（行业大类 {e.division}）"
    if scheme.exempt_new_land_in_construction and e.building_on_new_land:
        return f"不参评：新增用地项目“{e.building_on_new_land}”在建，尚未投产"
    return None


def _indicator_value(e: EnterpriseYear, d: IndicatorDef) -> float | None:
    top, bottom = e.metrics[M[d.numerator]], e.metrics[M[d.denominator]]
    if top is None or bottom is None or bottom <= 0:
        return None
    return top * d.multiplier / bottom


def _benchmarks(members: Sequence[EnterpriseYear], group: GroupScheme) -> dict[str, float | None]:
    """Each indicator's benchmark: as entered, or the ratio of sums over the evaluated enterprises that
    have both figures (e.g. 亩均税收 = total tax / total land)."""
    found: dict[str, float | None] = {}
    for w in group.indicators:
        if w.benchmark is not None:
            found[w.code] = float(w.benchmark)
            continue
        d = INDICATORS[w.code]
        top = bottom = 0
        for e in members:
            n, m = e.metrics[M[d.numerator]], e.metrics[M[d.denominator]]
            if n is not None and m is not None and m > 0:
                top += n
                bottom += m
        found[w.code] = top * d.multiplier / bottom if bottom and top > 0 else None
    return found


def _class_by_rank(rank: int, size: int, cutoffs: Cutoffs) -> tuple[str, str]:
    """The class of a rank: A up to round(size × A%), B up to round(size × (A+B)%), and so on."""
    running, last = Decimal(0), 0
    for klass, share in zip(CLASSES[:3], cutoffs.values, strict=False):
        running += share
        last = _half_up(Decimal(size) * running / 100)
        if rank <= last:
            return klass, f"同类 {size} 家中排第 {rank} 名，在前 {running}%（{last} 名）以内"
    return "D", f"同类 {size} 家中排第 {rank} 名，在前 {running}%（{last} 名）之后"


def _class_by_score(score_h: int, cutoffs: Cutoffs) -> tuple[str, str]:
    for klass, minimum in zip(CLASSES[:3], cutoffs.values, strict=True):
        if not _below(score_h, 100, minimum):
            return klass, f"得分不低于 {klass} 类线 {minimum} 分"
    return "D", f"得分低于 C 类线 {cutoffs.values[2]} 分"


def _score_group(
    members: list[EnterpriseYear], group_name: str, scheme: Scheme
) -> tuple[dict[int, tuple[float, tuple, list[str]]], dict[str, float | None]]:
    """Score every evaluated member of a group: {id: (score, indicators, reasons)}, and the benchmarks."""
    group = scheme.group(group_name)
    benchmarks = _benchmarks(members, group)
    cap = scheme.cap_multiple
    label = GROUP_LABELS[group_name]
    contributions: dict[str, list[float | None]] = {}
    values: dict[str, list[float | None]] = {}
    for w in group.indicators:
        d, benchmark = INDICATORS[w.code], benchmarks[w.code]
        weight, ceiling = float(w.weight), float(cap * w.weight) if cap is not None else None
        column_values = [_indicator_value(e, d) for e in members]
        column = []
        for value in column_values:
            if value is None or benchmark is None:
                column.append(None)
                continue
            points = max(0.0, value / benchmark * weight)
            column.append(min(points, ceiling) if ceiling is not None else points)
        values[w.code], contributions[w.code] = column_values, column
    averages = {}
    for code, column in contributions.items():
        present = [points for points in column if points is not None]
        averages[code] = sum(present) / len(present) if present and scheme.missing == "average" else 0.0
    scored = {}
    for position, e in enumerate(members):
        total, parts, reasons = 0.0, [], []
        for w in group.indicators:
            d = INDICATORS[w.code]
            value, points = values[w.code][position], contributions[w.code][position]
            missing = points is None
            if missing:
                points = averages[w.code]
                if benchmarks[w.code] is None:
                    reasons.append(f"{d.name}全市无可用数据，计 0 分")
                elif scheme.missing == "average":
                    reasons.append(f"{d.name}缺数据，按{label}平均得分 {_fmt(points)} 分计")
                else:
                    reasons.append(f"{d.name}缺数据，计 0 分")
            total += points
            parts.append((w.code, value, round(points, 2), missing))
        scored[e.id] = (round(total, 2), tuple(parts), reasons)
    return scored, benchmarks


# The carbon-efficiency code ------------------------------------------------------------------------


def _industry(e: EnterpriseYear, scheme: Scheme) -> str:
    return e.section if scheme.carbon_industry_level == "section" else e.division


def _net_emission(e: EnterpriseYear, scheme: Scheme) -> tuple[int, int, str] | str:
    """(net emissions, value added, explanation) with net emissions scaled by 10⁶ × hundredths, or the reason
    no code can be given."""
    carbon, value_added = e.metrics[M["carbon_t"]], e.metrics[M["value_added_wan"]]
    if carbon is None:
        return "未填报碳排放量，不赋碳效码"
    if value_added is None or value_added <= 0:
        return "工业增加值缺失或不为正，无法计算碳效"
    factor = _half_up(scheme.carbon_factor * 1_000_000)
    zero_carbon = e.metrics[M["zero_carbon_10k_kwh"]] or 0
    net = carbon * 1_000_000 - zero_carbon * factor
    deducted = ""
    if zero_carbon:
        deducted = (
            f"，扣除零碳电力 {_hundredths(zero_carbon)} 万千瓦时 × {scheme.carbon_factor} = "
            f"{_fmt(zero_carbon * factor / 1e8)} 吨"
        )
    if net < 0:
        net, deducted = 0, deducted + "，扣减后按 0 计"
    return (
        net,
        value_added * 1_000_000,
        f"碳排放 {_hundredths(carbon)} 吨{deducted}，工业增加值 {_hundredths(value_added)} 万元",
    )


def _carbon_level(net: int, value_added: int, scheme: Scheme) -> str:
    low, mid = scheme.carbon_levels
    if _ratio_le(net, value_added, low):
        return "low"
    return "mid" if _ratio_le(net, value_added, mid) else "high"


def _carbon_codes(
    enterprises: Sequence[EnterpriseYear], scheme: Scheme
) -> tuple[dict[int, tuple[float | None, str | None, float | None, int | None, list[str]]], dict]:
    """{id: (L, level, K, grade, reasons)} and {industry: (average L, graded count)}."""
    emissions = {}
    for e in enterprises:
        if scheme.carbon_above_scale_only and not e.above_scale:
            continue
        emissions[e.id] = (e, _net_emission(e, scheme))
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for e, found in emissions.values():
        industry = _industry(e, scheme)
        if isinstance(found, tuple) and industry:
            total = sums[industry]
            total[0] += found[0]
            total[1] += found[1]
            total[2] += 1
    codes = {}
    for e, found in emissions.values():
        if isinstance(found, str):
            codes[e.id] = (None, None, None, None, [found])
            continue
        net, value_added, explained = found
        level = _carbon_level(net, value_added, scheme)
        carbon_l = net / value_added
        reasons = [f"碳效值 L = {carbon_l:.4f} 吨CO₂/万元（{explained}），{CARBON_LEVELS[level]}"]
        industry = _industry(e, scheme)
        if not industry:
            reasons.append("缺少行业代码，无法与行业平均比较，不定碳效码等级")
            codes[e.id] = (carbon_l, level, None, None, reasons)
            continue
        total_net, total_value, count = sums[industry]
        if total_net == 0:
            reasons.append(
                f"{INDUSTRY_LEVELS[scheme.carbon_industry_level]} {industry} 平均碳效值为 0，无法计算 K 值"
            )
            codes[e.id] = (carbon_l, level, None, None, reasons)
            continue
        # K = (net / value_added) / (total_net / total_value) = (net × total_value) / (value_added × total_net)
        top, bottom = net * total_value, value_added * total_net
        grade = next((g for g, b in enumerate(scheme.carbon_grades, start=1) if _ratio_le(top, bottom, b)), 5)
        carbon_k = top / bottom
        reasons.append(
            f"{INDUSTRY_LEVELS[scheme.carbon_industry_level]} {industry} 平均碳效值 {total_net / total_value:.4f}"
            f"（{count} 家），K = {carbon_k:.4f}，碳效码 {grade} 级"
        )
        codes[e.id] = (carbon_l, level, carbon_k, grade, reasons)
    averages = {industry: (t[0] / t[1] if t[1] else None, t[2]) for industry, t in sums.items()}
    return codes, averages


# 清三低, type and treatment -------------------------------------------------------------------------


def low_efficiency_reasons(e: EnterpriseYear, scheme: Scheme) -> list[str]:
    """Why an enterprise is on the 清三低 list (empty: it is not)."""
    tax, land = e.metrics[M["tax_wan"]], e.metrics[M["land_mu"]]
    reasons = []
    if land is not None and land > 0 and tax is not None:
        bound = scheme.low_above_tax_per_mu if e.above_scale else scheme.low_below_tax_per_mu
        if _below(tax, land, bound):
            label = "规上" if e.above_scale else "规下"
            reasons.append(f"{label}企业亩均税收 {_fmt(tax / land)} 万元/亩，低于 {bound} 万元/亩")
    if not e.above_scale and land is not None and not _below(land, 100, scheme.low_below_land_mu):
        reasons.append(f"用地 {_hundredths(land)} 亩（≥ {scheme.low_below_land_mu} 亩）仍未上规")
    return reasons


def enterprise_type(e: EnterpriseYear, scheme: Scheme) -> tuple[str, str]:
    """大型 / 中型 / 小微 / 科创 (a small or micro firm holding a science-and-technology honour)."""
    if e.size_class == "large":
        return "large", "大型企业"
    if e.size_class == "medium":
        return "medium", "中型企业"
    held = sorted(e.honours & scheme.tech_honours)
    if held:
        names = "、".join(str(HonourKind(kind).label) for kind in held)
        return "tech", f"小微企业，持有{names}，按科创企业"
    return "small_micro", "小微企业" if e.size_class else "规模未填，按小微企业"


def treatment_for(
    klass: str | None, willingness: str | None, kind: str, scheme: Scheme
) -> TreatmentRule | None:
    """The first rule of the matrix that matches (an empty condition matches anything)."""
    klass, willingness = klass or "none", willingness or "unknown"
    for rule in scheme.treatments:
        if (
            (not rule.classes or klass in rule.classes)
            and (not rule.willingness or willingness in rule.willingness)
            and (not rule.types or kind in rule.types)
        ):
            return rule
    return None


# The whole year ------------------------------------------------------------------------------------


def evaluate(
    enterprises: Sequence[EnterpriseYear],
    *,
    year: int,
    scheme: Scheme,
    previous: Mapping[int, tuple[str | None, float | None]] | None = None,
) -> Evaluation:
    """Evaluate every enterprise with the year's figures: class, score and ranks, carbon code, 清三低,
    type and treatment, each with its reasons. `previous` is last year's (class, score) by enterprise."""
    previous = previous or {}
    year_end = dt.date(year, 12, 31)
    outside: dict[int, list[str]] = {}
    exempt: dict[int, str] = {}
    members: dict[str, list[EnterpriseYear]] = {"above": [], "below": []}
    for e in enterprises:
        group_name = "above" if e.above_scale else "below"
        reason = _exemption(e, scheme, year_end)
        if reason:
            exempt[e.id] = reason
            continue
        land, minimum = e.metrics[M["land_mu"]], scheme.group(group_name).min_land_mu
        if minimum > 0 and (land is None or _below(land, 100, minimum)):
            shown = "未填报用地面积" if land is None else f"用地 {_hundredths(land)} 亩"
            outside[e.id] = [f"{GROUP_LABELS[group_name]}{shown}，不足 {minimum} 亩，不在评价范围"]
            continue
        members[group_name].append(e)
    scored: dict[int, tuple[float, tuple, list[str]]] = {}
    classes: dict[int, tuple[str, list[str]]] = {}
    benchmarks = {}
    ranks_city: dict[int, int] = {}
    ranks_district: dict[int, int] = {}
    for group_name, group_members in members.items():
        group_scores, benchmarks[group_name] = _score_group(group_members, group_name, scheme)
        scored.update(group_scores)
        scores = [group_scores[e.id][0] for e in group_members]
        city = competition_ranks(scores)
        cutoffs = scheme.group(group_name).cutoffs
        by_district: dict[str, list[int]] = defaultdict(list)
        for position, e in enumerate(group_members):
            ranks_city[e.id] = city[position]
            by_district[e.district].append(position)
            if cutoffs.by == "rank":
                klass, why = _class_by_rank(city[position], len(group_members), cutoffs)
            else:
                klass, why = _class_by_score(round(scores[position] * 100), cutoffs)
            classes[e.id] = (klass, [why])
        for positions in by_district.values():
            for position, rank in zip(
                positions, competition_ranks([scores[p] for p in positions]), strict=True
            ):
                ranks_district[group_members[position].id] = rank
    carbon, averages = _carbon_codes(enterprises, scheme)
    results = []
    for e in enterprises:
        group_name = None if e.id in exempt or e.id in outside else ("above" if e.above_scale else "below")
        reasons: list[str] = []
        score = klass = None
        parts: tuple = ()
        if e.id in exempt:
            klass = "T"
            reasons.append(exempt[e.id])
        elif e.id in outside:
            reasons += outside[e.id]
        else:
            score, parts, notes = scored[e.id]
            klass, why = classes[e.id]
            reasons.append(
                f"{GROUP_LABELS[group_name]}得分 {_fmt(score)}，{why[0]}，评为 {CLASS_LABELS[klass]}"
            )
            reasons += notes
        before_class, before_score = previous.get(e.id, (None, None))
        if klass is not None and before_class is not None:
            change = f"较上年：{before_class} → {klass}"
            if score is not None and before_score is not None:
                change += f"，得分 {score - before_score:+.2f}"
            reasons.append(change)
        carbon_l, level, carbon_k, grade, carbon_reasons = carbon.get(e.id, (None, None, None, None, []))
        if e.id not in carbon:
            carbon_reasons = ["非规上企业，本年度碳效码只评规上企业"]
        reasons += carbon_reasons
        low = tuple(low_efficiency_reasons(e, scheme)) if e.id not in exempt else ()
        reasons += [f"清三低：{reason}" for reason in low]
        kind, kind_reason = enterprise_type(e, scheme)
        rule = treatment_for(klass, e.willingness, kind, scheme)
        treatment = rule.treatment if rule else ""
        if rule:
            basis = f"（依据：{rule.basis}）" if rule.basis else ""
            reasons.append(
                f"分类施策：{CLASS_LABELS.get(klass or '', '未评价')}、扩产意愿{WILLINGNESS[e.willingness or 'unknown']}、"
                f"{kind_reason} → {treatment}{basis}"
            )
        results.append(
            Result(
                e.id, group_name, score, klass, parts,
                ranks_district.get(e.id), ranks_city.get(e.id), before_class, before_score,
                carbon_l, level, carbon_k, grade, low, kind, treatment, tuple(reasons),
            )
        )  # fmt: skip
    return Evaluation(results, benchmarks, averages)


def class_distribution(results: Iterable[Result]) -> dict[str, int]:
    counts = dict.fromkeys((*CLASSES, "T"), 0)
    for r in results:
        if r.klass:
            counts[r.klass] += 1
    return counts
