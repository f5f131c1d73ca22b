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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

from kuochan.core.lazy import LazyModule
from kuochan.registry.models import HonourKind

if TYPE_CHECKING:
    import numpy as np
else:
    np = LazyModule("numpy")  # the models import this module's labels at start-up

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
GRADE_COLOURS: dict[int, str] = {1: "#277e38", 2: "#74b816", 3: "#f59f00", 4: "#f76707", 5: "#d63939"}
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


# No weight, benchmark, threshold or number of years reaches this; a larger one is a typing error (and
# would cost minutes to turn into a whole number).
LARGEST_NUMBER = 10**15


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
    if number >= LARGEST_NUMBER:
        problems.append(f"{where}：“{value}”过大，应小于 {LARGEST_NUMBER:,}。")
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


# Facts ---------------------------------------------------------------------------------------------

CLASS_CODES: tuple[str, ...] = ("", "A", "B", "C", "D", "T")  # stored as small integers while computing
GROUP_CODES: tuple[str, ...] = ("", "above", "below")
TYPE_CODES: tuple[str, ...] = tuple(ENTERPRISE_TYPES)
LEVEL_CODES: tuple[str, ...] = ("", "low", "mid", "high")
LOW_TAX_ABOVE, LOW_TAX_BELOW, LOW_LAND = 1, 2, 4  # 清三低 flags


class EnterpriseYear(NamedTuple):
    """One enterprise as the evaluation of one year sees it (status at the year's end); tests and single
    look-ups build these, `YearFacts.from_rows` turns many into columns."""

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


@dataclass
class YearFacts:
    """Every enterprise of one year as columns: the rules work on whole columns at once (NumPy), so a
    province's 300,000 enterprises take well under a second. Metrics are hundredths as floats (exact
    integers up to 2⁵³), NaN when missing."""

    ids: list[int]
    districts: list[str]
    divisions: list[str]
    sections: list[str]
    size_classes: list[str]
    above_scale: np.ndarray  # bool
    established: list[str]  # ISO dates, "" when unknown
    metrics: np.ndarray  # (n, len(METRICS)) float
    exemptions: dict[int, str]  # by enterprise id
    building: dict[int, str]  # by enterprise id: the project on new land in construction
    honours: dict[int, frozenset[str]]  # by enterprise id
    willingness: list[str | None]

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: Sequence[EnterpriseYear]) -> YearFacts:
        metrics = np.array([r.metrics for r in rows], dtype=float).reshape(len(rows), len(METRICS))
        return cls(
            ids=[r.id for r in rows],
            districts=[r.district for r in rows],
            divisions=[r.division for r in rows],
            sections=[r.section for r in rows],
            size_classes=[r.size_class for r in rows],
            above_scale=np.array([r.above_scale for r in rows], dtype=bool),
            established=[r.established_on.isoformat() if r.established_on else "" for r in rows],
            metrics=metrics,
            exemptions={r.id: r.exemption for r in rows if r.exemption},
            building={r.id: r.building_on_new_land for r in rows if r.building_on_new_land},
            honours={r.id: r.honours for r in rows if r.honours},
            willingness=[r.willingness for r in rows],
        )

    def column(self, name: str) -> np.ndarray:
        return self.metrics[:, M[name]]


# Results -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What the year's evaluation derived for everyone: each group's benchmarks, the average points that
    stand in for a missing indicator, the group's size and class cut-off ranks, and each industry's carbon
    average. Stored with the run, so every stored result can be explained."""

    benchmarks: dict[str, dict[str, float | None]]
    averages: dict[str, dict[str, float]]
    sizes: dict[str, int]
    cut_ranks: dict[str, list[int]]  # by rank: the last rank of A, B and C
    industry_carbon: dict[str, tuple[float | None, int]]

    def as_json(self) -> dict[str, Any]:
        return {
            "benchmarks": self.benchmarks,
            "averages": self.averages,
            "sizes": self.sizes,
            "cut_ranks": self.cut_ranks,
            "industry_carbon": {k: list(v) for k, v in self.industry_carbon.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Context:
        return cls(
            benchmarks=data.get("benchmarks", {}),
            averages=data.get("averages", {}),
            sizes=data.get("sizes", {}),
            cut_ranks=data.get("cut_ranks", {}),
            industry_carbon={k: (v[0], v[1]) for k, v in data.get("industry_carbon", {}).items()},
        )


class Result(NamedTuple):
    """One enterprise's evaluation: the figures that are stored; `result_reasons` explains them."""

    enterprise_id: int
    group: str  # above / below; "" when outside the evaluation
    score: float | None
    klass: str  # A–D, T; "" when outside the evaluation
    values: tuple[float | None, ...]  # the group's indicators in the scheme's order; None when missing
    rank_district: int | None
    rank_city: int | None
    previous_class: str  # last year's, filled in when the result is shown (not part of the computation)
    previous_score: float | None
    carbon_l: float | None
    carbon_level: str
    carbon_k: float | None
    carbon_grade: int | None
    carbon_gap: int  # why no grade: a key of CARBON_GAPS, 0 when graded
    industry: str
    tax_per_mu: float | None
    land_mu: float | None
    low_efficiency: int  # LOW_TAX_ABOVE, LOW_TAX_BELOW, LOW_LAND flags
    enterprise_type: str
    willingness: str
    treatment: int | None  # index of the matrix rule that matched
    note: str  # why not evaluated (exemption, land floor) or why no carbon grade


@dataclass
class Evaluation:
    """The year's results as columns, with the context; `results()` gives them row by row."""

    facts: YearFacts
    scheme: Scheme
    context: Context
    group: np.ndarray  # int: GROUP_CODES
    score: np.ndarray  # float, NaN outside
    klass: np.ndarray  # int: CLASS_CODES
    values: np.ndarray  # (n, len(INDICATORS)) float, the catalogue's order
    rank_district: np.ndarray  # int, 0 outside
    rank_city: np.ndarray
    carbon_l: np.ndarray
    carbon_level: np.ndarray  # int: LEVEL_CODES
    carbon_k: np.ndarray
    carbon_grade: np.ndarray  # int, 0 without a grade
    carbon_gap: np.ndarray  # int: CARBON_GAPS
    industries: list[str]
    low: np.ndarray  # int flags
    tax_per_mu: np.ndarray  # float: 亩均税收 of every row with tax and land, scored or not
    kind: np.ndarray  # int: TYPE_CODES
    treatment: np.ndarray  # int, -1 when no rule matched
    notes: dict[int, str]  # by row

    def results(self) -> list[Result]:
        f, scheme = self.facts, self.scheme
        catalogue = {code: i for i, code in enumerate(INDICATORS)}
        order = {g: [catalogue[w.code] for w in scheme.group(g).indicators] for g in ("above", "below")}
        tax = self.tax_per_mu.tolist()
        land = (f.column("land_mu") / 100).tolist()
        columns = (
            self.group.tolist(), _none(self.score), self.klass.tolist(), self.rank_district.tolist(),
            self.rank_city.tolist(), _none(self.carbon_l), self.carbon_level.tolist(), _none(self.carbon_k),
            self.carbon_grade.tolist(), self.carbon_gap.tolist(), self.low.tolist(), self.kind.tolist(),
            self.treatment.tolist(),
        )  # fmt: skip
        values = self.values.tolist()
        rows = []
        for i, (g, score, k, rd, rc, cl, lv, ck, cg, gap, low, kind, t) in enumerate(
            zip(*columns, strict=True)
        ):
            pk = f.ids[i]
            group = GROUP_CODES[g]
            rows.append(
                Result(
                    pk, group, score, CLASS_CODES[k],
                    tuple(_none_if_nan(values[i][j]) for j in order[group]) if group else (),
                    rd or None, rc or None, "", None, cl, LEVEL_CODES[lv], ck, cg or None, gap,
                    self.industries[i], _none_if_nan(tax[i]), _none_if_nan(land[i]), low, TYPE_CODES[kind],
                    f.willingness[i] or "", None if t < 0 else t, self.notes.get(i, ""),
                )
            )  # fmt: skip
        return rows


def _none_if_nan(value: float) -> float | None:
    return None if value != value else value


def _none(array: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in array.tolist()]


def _ratio(top: np.ndarray, bottom: np.ndarray, multiplier: int = 1) -> np.ndarray:
    """top × multiplier / bottom where both are known and bottom > 0; NaN elsewhere."""
    valid = ~np.isnan(top) & (bottom > 0)
    out = np.full(top.shape, np.nan)
    np.divide(top * multiplier, bottom, out=out, where=valid)
    return out


def _fmt(value: float, places: int = 2) -> str:
    return f"{value:,.{places}f}"


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _at_most(
    top: np.ndarray, bottom: np.ndarray, bound: Decimal, exact: Callable[[int], tuple[int, int]]
) -> np.ndarray:
    """top / bottom ≤ bound for whole columns: in floating point, and where the ratio is within rounding of
    the bound, again exactly with `exact(i)`, row i's (top, bottom) as integers."""
    ratio = top / bottom
    limit = float(bound)
    result = ratio <= limit
    num, den = bound.as_integer_ratio()
    for i in np.flatnonzero(np.abs(ratio - limit) <= 1e-9 * max(1.0, abs(limit))).tolist():
        n, d = exact(i)
        result[i] = n * den <= num * d
    return result


def _ceil_hundredths(bound: Decimal) -> int:
    """The least integer of hundredths that is ≥ bound: a figure in hundredths h is ≥ bound iff h ≥ this."""
    return int((bound * 100).to_integral_value(rounding=ROUND_CEILING))


def competition_ranks(scores: np.ndarray, segments: np.ndarray | None = None) -> np.ndarray:
    """1-based ranks by score, best first; equal scores share the better rank (1, 2, 2, 4). With
    `segments` (an integer per row), ranks restart in each segment."""
    n = len(scores)
    if n == 0:
        return np.zeros(0, dtype=int)
    segments = np.zeros(n, dtype=int) if segments is None else segments
    order = np.lexsort((-scores, segments))
    s, g = scores[order], segments[order]
    position = np.arange(n)
    new_segment = np.r_[True, g[1:] != g[:-1]]
    new_score = new_segment | np.r_[True, s[1:] != s[:-1]]
    segment_start = np.maximum.accumulate(np.where(new_segment, position, 0))
    tie_start = np.maximum.accumulate(np.where(new_score, position, 0))
    ranks = np.empty(n, dtype=int)
    ranks[order] = tie_start - segment_start + 1
    return ranks


# The per-mu evaluation -----------------------------------------------------------------------------


def _exemptions(facts: YearFacts, scheme: Scheme, year: int, rows: Mapping[int, int]) -> dict[int, str]:
    """Rows exempt from the per-mu evaluation (class T), with the reason: staff's, too young, a public
    utility, or building on new land; the first that applies."""
    found: dict[int, str] = {}
    for pk, reason in facts.exemptions.items():
        found[rows[pk]] = f"不参评：{reason}"
    years = scheme.exempt_younger_than_years
    if years:
        young = [i for i, day in enumerate(facts.established) if day and int(day[:4]) > year - years]
        for i in young:
            found.setdefault(i, f"不参评：成立于 {facts.established[i]}，至 {year} 年末不满 {years} 年")
    if scheme.exempt_divisions:
        for i, division in enumerate(facts.divisions):
            if division in scheme.exempt_divisions and i not in found:
                found[i] = f"不参评：公用事业（行业大类 {division}）"
    if scheme.exempt_new_land_in_construction:
        for pk, project in facts.building.items():
            found.setdefault(rows[pk], f"不参评：新增用地项目“{project}”在建，尚未投产")
    return found


def _score(
    facts: YearFacts, members: np.ndarray, group: GroupScheme, scheme: Scheme, values: np.ndarray
) -> tuple[np.ndarray, dict[str, float | None], dict[str, float]]:
    """Scores of a group's members (zero elsewhere), the benchmarks and the average points a missing
    indicator scores; fills the catalogue's `values` columns the group uses."""
    score = np.zeros(len(facts))
    benchmarks: dict[str, float | None] = {}
    averages: dict[str, float] = {}
    catalogue = list(INDICATORS)
    for w in group.indicators:
        d = INDICATORS[w.code]
        top, bottom = facts.column(d.numerator), facts.column(d.denominator)
        value = _ratio(top, bottom, d.multiplier)
        valid = members & ~np.isnan(value)
        values[members, catalogue.index(w.code)] = value[members]
        if w.benchmark is not None:
            benchmark: float | None = float(w.benchmark)
        else:
            total_top, total_bottom = top[valid].sum(), bottom[valid].sum()
            benchmark = (
                total_top * d.multiplier / total_bottom if total_bottom > 0 and total_top > 0 else None
            )
        benchmarks[w.code] = benchmark
        points = np.zeros(len(facts))
        if benchmark is not None:
            points[valid] = np.maximum(value[valid] / benchmark * float(w.weight), 0.0)
            if scheme.cap_multiple is not None:
                points = np.minimum(points, float(scheme.cap_multiple * w.weight))
        average = float(points[valid].mean()) if valid.any() and scheme.missing == "average" else 0.0
        averages[w.code] = average
        points[members & ~valid] = average
        score += points
    return np.where(members, np.round(score, 2), np.nan), benchmarks, averages


def _cut_ranks(size: int, cutoffs: Cutoffs) -> list[int]:
    """The last rank of A, B and C: round(size × A%), round(size × (A+B)%), round(size × (A+B+C)%)."""
    running, ranks = Decimal(0), []
    for share in cutoffs.values[:3]:
        running += share
        ranks.append(_half_up(Decimal(size) * running / 100))
    return ranks


def _classes(score: np.ndarray, rank: np.ndarray, cutoffs: Cutoffs, cut: list[int]) -> np.ndarray:
    """CLASS_CODES of a group's members: by rank (ties share the better class) or by score line."""
    if cutoffs.by == "rank":
        conditions = [rank <= cut[0], rank <= cut[1], rank <= cut[2]]
    else:
        hundredths = np.rint(score * 100)
        conditions = [hundredths >= _ceil_hundredths(minimum) for minimum in cutoffs.values[:3]]
    return np.select(conditions, [1, 2, 3], 4)


# The carbon-efficiency code ------------------------------------------------------------------------

CARBON_GAPS: dict[int, str] = {
    1: "非规上企业，本年度碳效码只评规上企业",
    2: "未填报碳排放量，不赋碳效码",
    3: "工业增加值缺失或不为正，无法计算碳效",
    4: "缺少行业代码，无法与行业平均比较，不定碳效码等级",
    5: "所属行业平均碳效值为 0，无法计算 K 值",
}


@dataclass
class _Carbon:
    carbon_l: np.ndarray
    level: np.ndarray
    k: np.ndarray
    grade: np.ndarray
    gap: np.ndarray
    industries: list[str]
    averages: dict[str, tuple[float | None, int]]


def _carbon(facts: YearFacts, scheme: Scheme) -> _Carbon:
    n = len(facts)
    carbon, value_added = facts.column("carbon_t"), facts.column("value_added_wan")
    zero = np.nan_to_num(facts.column("zero_carbon_10k_kwh"))
    scope = facts.above_scale if scheme.carbon_above_scale_only else np.ones(n, dtype=bool)
    gap = np.select([~scope, np.isnan(carbon), ~(value_added > 0)], [1, 2, 3], 0)
    factor = _half_up(scheme.carbon_factor * 1_000_000)  # tCO₂ per 万千瓦时, in millionths
    net = np.maximum(carbon * 1_000_000 - zero * factor, 0.0)  # millionths of hundredths of a tonne
    scaled_value = value_added * 1_000_000
    graded = gap == 0
    carbon_l = np.full(n, np.nan)
    carbon_l[graded] = net[graded] / scaled_value[graded]
    industries = facts.sections if scheme.carbon_industry_level == "section" else facts.divisions
    exact_net: dict[int, int] = {}
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    carbons, zeros, added = carbon.tolist(), zero.tolist(), value_added.tolist()
    for i in np.flatnonzero(graded).tolist():
        exact_net[i] = max(int(carbons[i]) * 1_000_000 - int(zeros[i]) * factor, 0)
        if industries[i]:
            total = sums[industries[i]]
            total[0] += exact_net[i]
            total[1] += int(added[i])
            total[2] += 1

    def exact_l(i: int) -> tuple[int, int]:
        return exact_net[i], int(added[i]) * 1_000_000

    level = np.zeros(n, dtype=int)
    if graded.any():
        rows = np.flatnonzero(graded)
        low_bound, mid_bound = scheme.carbon_levels
        low = _at_most(net[rows], scaled_value[rows], low_bound, lambda j: exact_l(int(rows[j])))
        mid = _at_most(net[rows], scaled_value[rows], mid_bound, lambda j: exact_l(int(rows[j])))
        level[rows] = np.select([low, mid], [1, 2], 3)
    total_net = np.array([sums[ind][0] if ind in sums else 0 for ind in industries], dtype=float)
    total_value = np.array([sums[ind][1] if ind in sums else 0 for ind in industries], dtype=float)
    no_industry = graded & np.array([not ind for ind in industries], dtype=bool)
    no_average = graded & ~no_industry & (total_net == 0)
    gap = np.where(no_industry, 4, np.where(no_average, 5, gap))
    with_k = graded & ~no_industry & ~no_average
    carbon_k = np.full(n, np.nan)
    grade = np.zeros(n, dtype=int)
    if with_k.any():
        rows = np.flatnonzero(with_k)
        top = net[rows] * total_value[rows]
        bottom = value_added[rows] * total_net[rows]
        carbon_k[rows] = top / bottom

        def exact_k(j: int) -> tuple[int, int]:
            i = int(rows[j])
            total = sums[industries[i]]
            return exact_net[i] * total[1], int(added[i]) * total[0]

        at_most = [_at_most(top, bottom, bound, exact_k) for bound in scheme.carbon_grades]
        grade[rows] = np.select(at_most, [1, 2, 3, 4], 5)
    averages = {ind: (t[0] / (t[1] * 1_000_000) if t[1] else None, t[2]) for ind, t in sums.items()}
    return _Carbon(carbon_l, level, carbon_k, grade, gap, list(industries), averages)


# 清三低, type and treatment -------------------------------------------------------------------------


def _low_efficiency(facts: YearFacts, scheme: Scheme, exempt: np.ndarray) -> np.ndarray:
    """LOW_TAX_ABOVE / LOW_TAX_BELOW | LOW_LAND flags: 亩均税收 below the group's bound; ≥ the land bound and still below-scale."""
    tax, land = facts.column("tax_wan"), facts.column("land_mu")
    above = facts.above_scale
    known = ~exempt & ~np.isnan(tax) & (land > 0)
    flags = np.zeros(len(facts), dtype=int)
    for members, bound, flag in (
        (above, scheme.low_above_tax_per_mu, LOW_TAX_ABOVE),
        (~above, scheme.low_below_tax_per_mu, LOW_TAX_BELOW),
    ):
        num, den = bound.as_integer_ratio()  # tax / land < num / den, in integers held exactly by floats
        flags[known & members & (tax * den < land * num)] |= flag
    large = ~exempt & ~above & (land >= _ceil_hundredths(scheme.low_below_land_mu))
    flags[large] |= LOW_LAND
    return flags


def _kinds(facts: YearFacts, scheme: Scheme) -> np.ndarray:
    """TYPE_CODES: 大型, 中型, 小微, or 科创 (a small or micro firm holding a science-and-technology honour)."""
    tech = scheme.tech_honours
    codes = {"large": 0, "medium": 1}
    return np.array(
        [
            codes.get(size, 3 if tech & facts.honours.get(pk, frozenset()) else 2)
            for pk, size in zip(facts.ids, facts.size_classes, strict=True)
        ],
        dtype=int,
    )


def treatment_for(klass: str, willingness: str, kind: str, scheme: Scheme) -> int | None:
    """The index of the matrix's first rule that matches (an empty condition matches anything)."""
    klass, willingness = klass or "none", willingness or "unknown"
    for index, rule in enumerate(scheme.treatments):
        if (
            (not rule.classes or klass in rule.classes)
            and (not rule.willingness or willingness in rule.willingness)
            and (not rule.types or kind in rule.types)
        ):
            return index
    return None


def _treatments(klass: np.ndarray, facts: YearFacts, kind: np.ndarray, scheme: Scheme) -> np.ndarray:
    """The matching rule of every row, looked up in a table of every (class, willingness, type)."""
    willingness = list(WILLINGNESS)
    table = np.array(
        [[[treatment_for(c, w, t, scheme) for t in TYPE_CODES] for w in willingness] for c in CLASS_CODES],
        dtype=float,
    )
    table = np.nan_to_num(table, nan=-1).astype(int)
    answer = {w: i for i, w in enumerate(willingness)}
    unknown = answer["unknown"]
    will = np.array([answer.get(w or "unknown", unknown) for w in facts.willingness], dtype=int)
    return table[klass, will, kind]


# The whole year ------------------------------------------------------------------------------------


def evaluate(
    facts: YearFacts | Sequence[EnterpriseYear],
    *,
    year: int,
    scheme: Scheme,
) -> Evaluation:
    """Evaluate every enterprise with the year's figures: per-mu score, class and ranks, carbon code,
    清三低, type and treatment, on whole columns; `result_reasons` explains each result."""
    if not isinstance(facts, YearFacts):
        facts = YearFacts.from_rows(facts)
    n = len(facts)
    rows = {pk: i for i, pk in enumerate(facts.ids)}
    notes = _exemptions(facts, scheme, year, rows)
    exempt = np.zeros(n, dtype=bool)
    exempt[list(notes)] = True
    group = np.where(facts.above_scale, 1, 2)
    land = facts.column("land_mu")
    for code, name in ((1, "above"), (2, "below")):
        minimum = scheme.group(name).min_land_mu
        if minimum > 0:
            short = (group == code) & ~exempt & ~(land >= _ceil_hundredths(minimum))
            for i in np.flatnonzero(short).tolist():
                shown = "未填报用地面积" if land[i] != land[i] else f"用地 {_fmt(land[i] / 100)} 亩"
                notes[i] = f"{GROUP_LABELS[name]}{shown}，不足 {minimum} 亩，不在评价范围"
    tax = facts.column("tax_wan")
    lacking = ~exempt & (~(land > 0) | np.isnan(tax))  # 亩均 needs the land and the tax at least
    for i in np.flatnonzero(lacking).tolist():
        notes.setdefault(
            i,
            f"{GROUP_LABELS['above' if group[i] == 1 else 'below']}数据不足：缺少用地面积或实缴税金，不参与亩均评价",
        )
    group = np.where(np.isin(np.arange(n), list(notes)), 0, group)
    klass = np.where(exempt, 5, 0)
    score = np.full(n, np.nan)
    values = np.full((n, len(INDICATORS)), np.nan)
    rank_city, rank_district = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    benchmarks, averages, sizes, cut_ranks = {}, {}, {}, {}
    district_codes = np.unique(np.asarray(facts.districts), return_inverse=True)[1] if n else np.zeros(0, int)
    for code, name in ((1, "above"), (2, "below")):
        members = group == code
        group_scheme = scheme.group(name)
        group_score, benchmarks[name], averages[name] = _score(facts, members, group_scheme, scheme, values)
        rows_in = np.flatnonzero(members)
        member_scores = group_score[rows_in]
        rank_city[rows_in] = competition_ranks(member_scores)
        rank_district[rows_in] = competition_ranks(member_scores, district_codes[rows_in])
        sizes[name] = len(rows_in)
        cut_ranks[name] = _cut_ranks(len(rows_in), group_scheme.cutoffs)
        klass[rows_in] = _classes(member_scores, rank_city[rows_in], group_scheme.cutoffs, cut_ranks[name])
        score[rows_in] = member_scores
    carbon = _carbon(facts, scheme)
    kind = _kinds(facts, scheme)
    context = Context(benchmarks, averages, sizes, cut_ranks, carbon.averages)
    return Evaluation(
        facts=facts, scheme=scheme, context=context, group=group, score=score, klass=klass, values=values,
        rank_district=rank_district, rank_city=rank_city, carbon_l=carbon.carbon_l, carbon_level=carbon.level,
        carbon_k=carbon.k, carbon_grade=carbon.grade, carbon_gap=carbon.gap, industries=carbon.industries,
        low=_low_efficiency(facts, scheme, exempt), tax_per_mu=_ratio(facts.column("tax_wan"), land), kind=kind,
        treatment=_treatments(klass, facts, kind, scheme),
        notes=notes,
    )  # fmt: skip


def class_distribution(results: Iterable[Result]) -> dict[str, int]:
    counts = dict.fromkeys((*CLASSES, "T"), 0)
    for r in results:
        if r.klass:
            counts[r.klass] += 1
    return counts


# Reasons -------------------------------------------------------------------------------------------


def indicator_points(
    r: Result, scheme: Scheme, context: Context
) -> list[tuple[str, float | None, float, bool]]:
    """(code, value, points, missing) of each indicator of the result's group, recomputed from the stored
    value exactly as the evaluation computed it."""
    if not r.group:
        return []
    found = []
    for w, value in zip(scheme.group(r.group).indicators, r.values, strict=False):
        benchmark = context.benchmarks.get(r.group, {}).get(w.code)
        if value is None or benchmark is None:
            found.append((w.code, None, context.averages.get(r.group, {}).get(w.code, 0.0), True))
            continue
        points = max(value / benchmark * float(w.weight), 0.0)
        if scheme.cap_multiple is not None:
            points = min(points, float(scheme.cap_multiple * w.weight))
        found.append((w.code, value, points, False))
    return found


def _class_reason(r: Result, scheme: Scheme, context: Context) -> str:
    cutoffs = scheme.group(r.group).cutoffs
    if cutoffs.by == "rank":
        size, cut = context.sizes[r.group], context.cut_ranks[r.group]
        shares = [sum(cutoffs.values[: i + 1]) for i in range(3)]
        position = CLASSES.index(r.klass)
        if position < 3:
            why = f"同类 {size} 家中排第 {r.rank_city} 名，在前 {shares[position]}%（{cut[position]} 名）以内"
        else:
            why = f"同类 {size} 家中排第 {r.rank_city} 名，在前 {shares[2]}%（{cut[2]} 名）之后"
    elif r.klass == "D":
        why = f"得分低于 C 类线 {cutoffs.values[2]} 分"
    else:
        why = f"得分不低于 {r.klass} 类线 {cutoffs.values[CLASSES.index(r.klass)]} 分"
    return f"{GROUP_LABELS[r.group]}得分 {_fmt(r.score or 0)}，{why}，评为 {CLASS_LABELS[r.klass]}"


def result_reasons(r: Result, scheme: Scheme, context: Context) -> tuple[str, ...]:
    """The Chinese reasons of one stored result, from its figures, the scheme and the year's context."""
    reasons = []
    if r.note:
        reasons.append(r.note)
    if r.group and r.klass:
        reasons.append(_class_reason(r, scheme, context))
        label = GROUP_LABELS[r.group]
        for code, _, points, missing in indicator_points(r, scheme, context):
            name = INDICATORS[code].name
            if not missing:
                continue
            if context.benchmarks.get(r.group, {}).get(code) is None:
                reasons.append(f"{name}全市无可用数据，计 0 分")
            elif scheme.missing == "average":
                reasons.append(f"{name}缺数据，按{label}平均得分 {_fmt(points)} 分计")
            else:
                reasons.append(f"{name}缺数据，计 0 分")
    if r.klass and r.previous_class:
        change = f"较上年：{r.previous_class} → {r.klass}"
        if r.score is not None and r.previous_score is not None:
            change += f"，得分 {r.score - r.previous_score:+.2f}"
        reasons.append(change)
    if r.carbon_l is not None:
        reasons.append(
            f"碳效值 L = {r.carbon_l:.4f} 吨CO₂/万元（已扣除零碳电力），{CARBON_LEVELS[r.carbon_level]}"
        )
    if r.carbon_grade is not None:
        average, count = context.industry_carbon.get(r.industry, (None, 0))
        shown = f"{average:.4f}" if average is not None else "—"
        reasons.append(
            f"{INDUSTRY_LEVELS[scheme.carbon_industry_level]} {r.industry} 平均碳效值 {shown}（{count} 家），"
            f"K = {r.carbon_k:.4f}，碳效码 {r.carbon_grade} 级"
        )
    elif r.carbon_gap:
        reasons.append(CARBON_GAPS[r.carbon_gap])
    for flag, label, bound in (
        (LOW_TAX_ABOVE, "规上", scheme.low_above_tax_per_mu),
        (LOW_TAX_BELOW, "规下", scheme.low_below_tax_per_mu),
    ):
        if r.low_efficiency & flag:
            reasons.append(
                f"清三低：{label}企业亩均税收 {_fmt(r.tax_per_mu or 0)} 万元/亩，低于 {bound} 万元/亩"
            )
    if r.low_efficiency & LOW_LAND:
        reasons.append(f"清三低：用地 {_fmt(r.land_mu or 0)} 亩（≥ {scheme.low_below_land_mu} 亩）仍未上规")
    if r.treatment is not None and r.treatment < len(scheme.treatments):
        rule = scheme.treatments[r.treatment]
        basis = f"（依据：{rule.basis}）" if rule.basis else ""
        reasons.append(
            f"分类施策：{CLASS_LABELS.get(r.klass, '未评价')}、扩产意愿{WILLINGNESS[r.willingness or 'unknown']}、"
            f"{ENTERPRISE_TYPES[r.enterprise_type]}企业 → {rule.treatment}{basis}"
        )
    return tuple(reasons)
