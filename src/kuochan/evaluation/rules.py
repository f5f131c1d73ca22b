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
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
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
    "main_revenue_wan",
    "rnd_spending_wan",
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
RANKING_LEVELS: dict[str, str] = {"county": "区县内", "city": "全市", "custom": "自定义分组内"}
MISSING_RULES: dict[str, str] = {"average": "按同类企业平均得分", "zero": "计 0 分"}
RND_NUMERATORS: dict[str, str] = {"rnd_wan": "研发费用", "rnd_spending_wan": "R&D经费支出"}
RND_DENOMINATORS: dict[str, str] = {"revenue_wan": "营业收入", "main_revenue_wan": "主营业务收入"}
# Every threshold of a scheme, with what it bounds and the word the rule texts use for it. In Chinese rule
# texts 以上/以下 include their bound (民法典 第一千二百五十九条), so each is inclusive unless the scheme says
# otherwise (`Scheme.inclusive`).
BOUNDS: dict[str, tuple[str, str]] = {
    "min_land": ("参评用地下限", "以上"),
    "score_cutoffs": ("分档得分线", "以上"),
    "low_above_tax": ("清三低规上亩均税收", "以下"),
    "low_below_tax": ("清三低规下亩均税收", "以下"),
    "low_land": ("清三低规下用地", "以上"),
    "carbon_levels": ("碳效等级界值", "以下"),
    "carbon_grades": ("碳效码分级界值", "以下"),
    "neutral_marks": ("碳中和率分档", "以上"),
}
# The sections of a scheme whose source the scheme page shows beside them.
SOURCE_SECTIONS: dict[str, str] = {
    "indicators": "评价指标、权重和基准值",
    "missing": "缺项计分",
    "ranking": "分类范围",
    "cutoffs": "分类方式",
    "exemptions": "不参评",
    "tenants": "承租企业",
    "low_efficiency": "清三低",
    "carbon": "碳效码",
    "carbon_benchmarks": "行业碳效基准",
    "neutral": "碳中和率",
    "rnd": "研发投入强度口径",
    "treatments": "分类施策",
    "key_enterprises": "重点企业",
}


def bound_words(word: str, inclusive: bool) -> str:
    """How a reason states a threshold's bound after its figure ("6 万元/亩以下（含本数）"): "以上（含本数）",
    or, when the bound is excluded, "以上（不含本数）" (以下 likewise), as rule texts write an excluded bound."""
    return f"{word}（含本数）" if inclusive else f"{word}（不含本数）"


@dataclass(frozen=True, slots=True)
class IndicatorDef:
    """An indicator of the per-mu evaluation: numerator / denominator of two annual metrics."""

    code: str
    name: str
    unit: str
    numerator: str
    denominator: str
    multiplier: int = 1  # 100 for a share in %

    def with_rnd(self, numerator: str, denominator: str) -> IndicatorDef:
        """The R&D intensity with the scheme's choice of numerator and denominator."""
        name = f"{RND_NUMERATORS[numerator]}占{RND_DENOMINATORS[denominator]}比重"
        return IndicatorDef(self.code, name, self.unit, numerator, denominator, self.multiplier)


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
    missing: str = "zero"  # MISSING_RULES: what a firm without the indicator scores


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
    cap_multiple: Decimal | None  # an indicator contributes at most this multiple of its weight
    ranking_level: str  # RANKING_LEVELS: where classes are cut (and rank shares counted)
    ranking_groups: tuple[tuple[str, frozenset[str]], ...]  # custom: (name, district codes)
    exempt_younger_than_years: int
    exempt_divisions: frozenset[str]
    exempt_new_land_years: int  # 新供地建设期内新企业: land granted less than this many years before; 0: off
    tenants_follow_owner: bool  # a below-scale tenant takes its land owner's class
    low_above_tax_per_mu: Decimal
    low_below_tax_per_mu: Decimal
    low_below_land_mu: Decimal
    carbon_factor: Decimal  # tCO₂ per 万千瓦时 of zero-carbon power deducted
    carbon_factor_source: str
    carbon_industry_level: str
    carbon_above_scale_only: bool
    carbon_levels: tuple[Decimal, Decimal]  # L at most: low, mid
    carbon_grades: tuple[Decimal, Decimal, Decimal, Decimal]  # K at most: grade 1, 2, 3, 4
    carbon_min_firms: int  # a local industry average from fewer firms is flagged
    neutral_marks: tuple[tuple[Decimal, str], ...]  # (rate in % from, mark), highest first
    rnd_numerator: str
    rnd_denominator: str
    tech_honours: frozenset[str]
    treatments: tuple[TreatmentRule, ...]
    key_min_project_total_wan: Decimal | None
    key_honours: frozenset[str]
    inclusive: Mapping[str, bool]  # BOUNDS: whether each threshold includes its bound
    sources: Mapping[str, str]  # SOURCE_SECTIONS: where each setting comes from

    def group(self, name: str) -> GroupScheme:
        return self.above if name == "above" else self.below

    def indicator(self, code: str) -> IndicatorDef:
        """The indicator as this scheme computes it (the R&D intensity's parts are the scheme's choice)."""
        found = INDICATORS[code]
        return found.with_rnd(self.rnd_numerator, self.rnd_denominator) if code == "rnd_share" else found

    def bound(self, name: str) -> str:
        """A threshold's bound in words, as the rule texts say it: "以下（含本数）"…"""
        return bound_words(BOUNDS[name][1], self.inclusive[name])

    def neutral_mark(self, rate: float | None) -> str:
        """The carbon-neutral rate's mark: the first band the rate reaches (hundredths compared exactly)."""
        if rate is None:
            return ""
        hundredths = round(rate * 100)
        for start, mark in self.neutral_marks:
            edge = _ceil_hundredths(start)
            if hundredths > edge or (hundredths == edge and self.inclusive["neutral_marks"]):
                return mark
        return ""


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


def _group(data: Any, name: str, problems: list[str], missing: str) -> GroupScheme:
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
        rule = item.get("missing") or missing
        if rule not in MISSING_RULES:
            problems.append(
                f"{where}的缺项计分“{rule}”应为 average（按同类企业平均得分）或 zero（计 0 分）。"
            )
        if weight is not None and weight > 0:
            indicators.append(Weighted(code, weight, benchmark or None, rule))
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


def _ranking(data: Any, problems: list[str]) -> tuple[str, tuple[tuple[str, frozenset[str]], ...]]:
    data = data if isinstance(data, dict) else {}
    level = data.get("level", "county")
    if level not in RANKING_LEVELS:
        problems.append(f"分类范围“{level}”应为 county（区县内）、city（全市）或 custom（自定义分组）。")
    groups, seen = [], set()
    for position, item in enumerate(data.get("groups") or [], start=1):
        item = item if isinstance(item, dict) else {}
        name = str(item.get("name", "")).strip()
        codes = frozenset(str(code).strip() for code in item.get("districts") or () if str(code).strip())
        if not name or not codes:
            problems.append(f"第 {position} 个自定义分组应有名称和至少一个区县代码。")
            continue
        twice = codes & seen
        if twice:
            problems.append(f"区县 {'、'.join(sorted(twice))} 同时在多个自定义分组中。")
        seen |= codes
        groups.append((name, codes))
    if level == "custom" and not groups:
        problems.append("分类范围为自定义分组时至少需要一个分组。")
    return level, tuple(groups)


def _neutral_marks(value: Any, problems: list[str]) -> tuple[tuple[Decimal, str], ...]:
    marks = []
    for position, item in enumerate(value or (), start=1):
        if not isinstance(item, list | tuple) or len(item) != 2 or not str(item[1]).strip():
            problems.append(f"第 {position} 个碳中和率分档应为 [起点（%）, 标识名称]。")
            continue
        start = _number(item[0], f"碳中和率分档“{item[1]}”的起点", problems)
        if start is not None:
            marks.append((start, str(item[1]).strip()))
    if [m[0] for m in marks] != sorted((m[0] for m in marks), reverse=True):
        problems.append("碳中和率分档应按起点从高到低排列。")
    return tuple(marks)


def scheme_from_definition(definition: Mapping[str, Any]) -> Scheme:
    """The scheme a stored definition describes; ValueError with every problem, in Chinese, when invalid.

    Definitions saved before a setting existed read as the rule texts do: every 以上/以下 inclusive,
    classes cut within each county, the new-land exemption for 3 years after the grant."""
    problems: list[str] = []
    honours = [kind.value for kind in HonourKind]
    groups = definition.get("groups") or {}
    missing = definition.get("missing", "zero")
    above, below = (
        _group(groups.get("above"), "above", problems, missing),
        _group(groups.get("below"), "below", problems, missing),
    )
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
    level, ranking_groups = _ranking(definition.get("ranking"), problems)
    rnd = definition.get("rnd") or {}
    numerator, denominator = rnd.get("numerator", "rnd_wan"), rnd.get("denominator", "revenue_wan")
    if numerator not in RND_NUMERATORS:
        problems.append(
            f"研发投入强度的分子“{numerator}”应为 rnd_wan（研发费用）或 rnd_spending_wan（R&D经费支出）。"
        )
    if denominator not in RND_DENOMINATORS:
        problems.append(
            f"研发投入强度的分母“{denominator}”应为 revenue_wan（营业收入）或 main_revenue_wan（主营业务收入）。"
        )
    stated = definition.get("inclusive") or {}
    inclusive = {name: bool(stated.get(name, True)) for name in BOUNDS}
    new_land = new_land_years(exempt)
    sources = definition.get("sources") or {}
    scheme = Scheme(
        above=above,
        below=below,
        cap_multiple=_number(definition.get("cap_multiple"), "单项得分上限倍数", problems, allow_none=True),
        ranking_level=level,
        ranking_groups=ranking_groups,
        exempt_younger_than_years=int(
            _number(exempt.get("younger_than_years", 2), "不参评成立年限", problems) or 0
        ),
        exempt_divisions=frozenset(str(d) for d in exempt.get("industry_divisions") or ()),
        exempt_new_land_years=int(_number(new_land, "新供地不参评年限", problems) or 0),
        tenants_follow_owner=bool(definition.get("tenants_follow_owner", True)),
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
        carbon_min_firms=int(_number(carbon.get("min_firms", 5), "行业平均最少企业数", problems) or 0),
        neutral_marks=_neutral_marks(carbon.get("neutral_marks", DEFAULT_NEUTRAL_MARKS), problems),
        rnd_numerator=numerator,
        rnd_denominator=denominator,
        tech_honours=_names(
            (definition.get("enterprise_types") or {}).get("tech_honours"), honours, "科创企业荣誉", problems
        ),
        treatments=tuple(treatments),
        key_min_project_total_wan=_number(
            key.get("min_project_total_wan"), "重点企业项目投资门槛", problems, allow_none=True
        ),
        key_honours=_names(key.get("honours"), honours, "重点企业荣誉", problems),
        inclusive=inclusive,
        sources={name: str(sources.get(name, "")).strip() for name in SOURCE_SECTIONS},
    )
    if problems:
        raise ValueError(problems)
    return scheme


def new_land_years(exemptions: Mapping[str, Any]) -> Any:
    """The new-land window of a definition's exemptions, as typed; a definition saved before the window
    existed ("new_land_in_construction") reads as 3 years when that rule was on."""
    return exemptions.get("new_land_years", 3 if exemptions.get("new_land_in_construction", True) else 0)


DEFAULT_NEUTRAL_MARKS = [[100, "已碳中和"], [50, "高中和率"], [10, "中中和率"], [0, "低中和率"]]


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
    metrics: tuple[int | None, ...]  # METRICS, hundredths (shorter tuples: the rest missing)
    exemption: str | None = None  # a reason entered by staff (不参评)
    new_land: tuple[dt.date, str] | None = None  # its earliest land grant by the year's end: date, parcel
    honours: frozenset[str] = frozenset()
    willingness: str | None = None
    tenant_of: tuple[int, str, str] | None = None  # renting at the year's end: owner id, owner name, parcel
    offsets: tuple[tuple[str, int, str], ...] = ()  # (kind, amount in hundredths, source) of the year


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
    new_land: dict[int, tuple[dt.date, str]]  # by enterprise id: its earliest land grant, date and parcel
    honours: dict[int, frozenset[str]]  # by enterprise id
    willingness: list[str | None]
    tenants: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # by id: owner id, name, parcel
    offsets: dict[int, tuple[tuple[str, int, str], ...]] = field(default_factory=dict)  # by enterprise id
    district_codes: dict[Any, str] = field(default_factory=dict)  # district → its code, for custom groups
    district_names: dict[Any, str] = field(default_factory=dict)  # district → its name, for the reasons
    # The province's industry averages of the year: industry → (average L, source).
    carbon_benchmarks: dict[str, tuple[Decimal, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows: Sequence[EnterpriseYear]) -> YearFacts:
        width = len(METRICS)
        metrics = np.array(
            [(*r.metrics, *[None] * (width - len(r.metrics))) for r in rows], dtype=float
        ).reshape(len(rows), width)
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
            new_land={r.id: r.new_land for r in rows if r.new_land},
            honours={r.id: r.honours for r in rows if r.honours},
            willingness=[r.willingness for r in rows],
            tenants={r.id: r.tenant_of for r in rows if r.tenant_of},
            offsets={r.id: r.offsets for r in rows if r.offsets},
        )

    def column(self, name: str) -> np.ndarray:
        return self.metrics[:, M[name]]


# Results -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What the year's evaluation derived for everyone: each group's benchmarks, the average points that
    stand in for a missing indicator, the size and class cut-off ranks of each group within each ranking
    segment (a county, the city, or a custom group; by the segment's name), and each industry's carbon
    average with the number of firms and its source ("" when computed from the local firms). Stored with
    the run, so every stored result can be explained."""

    benchmarks: dict[str, dict[str, float | None]]
    averages: dict[str, dict[str, float]]
    sizes: dict[str, dict[str, int]]
    cut_ranks: dict[str, dict[str, list[int]]]  # by rank: the last rank of A, B and C
    industry_carbon: dict[str, tuple[float | None, int, str]]

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
        """Also reads runs stored before classes were cut per segment (one city-wide segment, "")."""
        sizes = {g: v if isinstance(v, dict) else {"": v} for g, v in data.get("sizes", {}).items()}
        cuts = {g: v if isinstance(v, dict) else {"": v} for g, v in data.get("cut_ranks", {}).items()}
        return cls(
            benchmarks=data.get("benchmarks", {}),
            averages=data.get("averages", {}),
            sizes=sizes,
            cut_ranks=cuts,
            industry_carbon={
                k: (v[0], v[1], v[2] if len(v) > 2 else "")
                for k, v in data.get("industry_carbon", {}).items()
            },
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
    note: str  # why not evaluated (exemption, land floor), or whose class a tenant follows
    segment: str = ""  # where the class was cut: a county's or custom group's name, "" for the city
    segment_rank: int | None = None  # the rank within it
    carbon_offset_t: float | None = None  # tonnes of CO₂ offset (zero-carbon power included)
    neutral_rate: float | None = None  # 碳中和率, % of the gross emissions offset
    follows: int | None = None  # a tenant following its land owner's class: the owner's id


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
    segments: list[str]  # by row: where its class was cut ("" outside the evaluation, or the city)
    segment_rank: np.ndarray  # int, 0 outside
    offset_t: np.ndarray  # float: tonnes of CO₂ offset, NaN without emissions figures
    neutral_rate: np.ndarray  # float: % of gross emissions offset, NaN without emissions figures
    follows: dict[int, int]  # by row: the land owner's enterprise id, for a tenant following it

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
        extra = zip(
            self.segments,
            self.segment_rank.tolist(),
            _none(self.offset_t),
            _none(self.neutral_rate),
            strict=True,
        )
        rows = []
        for i, ((g, score, k, rd, rc, cl, lv, ck, cg, gap, low, kind, t), (seg, sr, off, rate)) in enumerate(
            zip(zip(*columns, strict=True), extra, strict=True)
        ):
            pk = f.ids[i]
            group = GROUP_CODES[g]
            rows.append(
                Result(
                    pk, group, score, CLASS_CODES[k],
                    tuple(_none_if_nan(values[i][j]) for j in order[group]) if group else (),
                    rd or None, rc or None, "", None, cl, LEVEL_CODES[lv], ck, cg or None, gap,
                    self.industries[i], _none_if_nan(tax[i]), _none_if_nan(land[i]), low, TYPE_CODES[kind],
                    f.willingness[i] or "", None if t < 0 else t, self.notes.get(i, ""), seg, sr or None, off,
                    rate, self.follows.get(i),
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
    top: np.ndarray,
    bottom: np.ndarray,
    bound: Decimal,
    exact: Callable[[int], tuple[int, int]],
    inclusive: bool = True,
) -> np.ndarray:
    """top / bottom ≤ bound (< bound when the bound is excluded) for whole columns: in floating point, and
    where the ratio is within rounding of the bound, again exactly with `exact(i)`, row i's (top, bottom)
    as integers."""
    ratio = top / bottom
    limit = float(bound)
    result = ratio <= limit if inclusive else ratio < limit
    num, den = bound.as_integer_ratio()
    for i in np.flatnonzero(np.abs(ratio - limit) <= 1e-9 * max(1.0, abs(limit))).tolist():
        n, d = exact(i)
        result[i] = n * den <= num * d if inclusive else n * den < num * d
    return result


def _ceil_hundredths(bound: Decimal) -> int:
    """The least integer of hundredths that is ≥ bound: a figure in hundredths h is ≥ bound iff h ≥ this."""
    return int((bound * 100).to_integral_value(rounding=ROUND_CEILING))


def _least_hundredths(bound: Decimal, inclusive: bool) -> int:
    """The least figure in hundredths that reaches the bound: ≥ it when inclusive, > it otherwise."""
    return (
        _ceil_hundredths(bound)
        if inclusive
        else int((bound * 100).to_integral_value(rounding=ROUND_FLOOR)) + 1
    )


def _years_after(day: dt.date, years: int) -> dt.date:
    """The day `years` years on (29 February: 1 March in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


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
    utility, or a new firm on land granted less than the scheme's years before the year's end (新供地建设期内
    新企业); the first that applies."""
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
    years, year_end = scheme.exempt_new_land_years, dt.date(year, 12, 31)
    if years:
        for pk, (granted, parcel) in facts.new_land.items():
            if granted <= year_end < _years_after(granted, years):
                found.setdefault(
                    rows[pk],
                    f"不参评：新供地建设期内新企业（宗地 {parcel} 于 {granted} 出让，至 {year} 年末不满 {years} 年）",
                )
    return found


def _followers(
    facts: YearFacts, scheme: Scheme, rows: Mapping[int, int], exempt: np.ndarray, notes: Mapping[int, str]
) -> dict[int, tuple[int, str]]:
    """Below-scale tenants that take their land owner's class (承租的规模以下工业企业评价等级跟随宗地主), by
    row: the owner's row and the reason. Only where the scheme says so, for a tenant not itself exempt,
    whose owner is evaluated in the same run (exempt, or in a group) and is not itself following."""
    if not scheme.tenants_follow_owner:
        return {}
    found = {}
    for pk, (owner, name, parcel) in facts.tenants.items():
        i, j = rows[pk], rows.get(owner)
        if j is None or facts.above_scale[i] or exempt[i]:
            continue
        if exempt[j] or j not in notes:
            found[i] = (j, f"承租“{name}”宗地 {parcel} 的厂房，规下企业评价等级跟随宗地主")
    return {i: follows for i, follows in found.items() if follows[0] not in found}


def _score(
    facts: YearFacts, members: np.ndarray, group: GroupScheme, scheme: Scheme, values: np.ndarray
) -> tuple[np.ndarray, dict[str, float | None], dict[str, float]]:
    """Scores of a group's members (zero elsewhere), the benchmarks and the average points a missing
    indicator scores where its rule gives the average (0 where it gives nothing); fills the catalogue's
    `values` columns the group uses."""
    score = np.zeros(len(facts))
    benchmarks: dict[str, float | None] = {}
    averages: dict[str, float] = {}
    catalogue = list(INDICATORS)
    for w in group.indicators:
        d = scheme.indicator(w.code)
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
        average = float(points[valid].mean()) if valid.any() and w.missing == "average" else 0.0
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


def _classes(
    score: np.ndarray, rank: np.ndarray, cutoffs: Cutoffs, cut: list[int], inclusive: bool
) -> np.ndarray:
    """CLASS_CODES of one segment's members of a group: by rank (ties share the better class) or by score
    line (reached: ≥ the line, or > it when the line is excluded)."""
    if cutoffs.by == "rank":
        conditions = [rank <= cut[0], rank <= cut[1], rank <= cut[2]]
    else:
        hundredths = np.rint(score * 100)
        conditions = [hundredths >= _least_hundredths(line, inclusive) for line in cutoffs.values[:3]]
    return np.select(conditions, [1, 2, 3], 4)


def _segments(facts: YearFacts, scheme: Scheme, districts: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Where each row's class is cut: its county (区县), the whole city (""), or the custom group its
    county belongs to (a county in none stays on its own). The segments' names and each row's segment
    index, worked out once per county (`districts`: each row's county index, as np.unique gives them)."""
    counties = np.unique(np.asarray(facts.districts)).tolist() if len(districts) else []  # as indexed
    names, codes = facts.district_names, facts.district_codes
    grouped = {code: name for name, group in scheme.ranking_groups for code in group}
    if scheme.ranking_level == "city":
        labels = [""] * len(counties)
    elif scheme.ranking_level == "county":
        labels = [names.get(d, str(d)) for d in counties]
    else:
        labels = [grouped.get(codes.get(d, str(d)), names.get(d, str(d))) for d in counties]
    segment_names = sorted(set(labels))
    position = {name: i for i, name in enumerate(segment_names)}
    by_county = np.array([position[label] for label in labels], dtype=int)
    return segment_names, by_county[districts] if len(districts) else np.zeros(0, dtype=int)


# The carbon-efficiency code ------------------------------------------------------------------------

CARBON_GAPS: dict[int, str] = {
    1: "非规上企业，本年度碳效码只评规上企业",
    2: "未填报碳排放量，不赋碳效码",
    3: "工业增加值缺失或不为正，无法计算碳效",
    4: "缺少行业代码，无法与行业平均比较，不定碳效码等级",
    5: "所属行业平均碳效值为 0，无法计算 K 值",
}
POWER_OFFSETS = frozenset({"green_power", "green_certificate"})  # in 万千瓦时, turned into tonnes


@dataclass
class _Carbon:
    carbon_l: np.ndarray
    level: np.ndarray
    k: np.ndarray
    grade: np.ndarray
    gap: np.ndarray
    industries: list[str]
    averages: dict[str, tuple[float | None, int, str]]
    offset_t: np.ndarray
    neutral_rate: np.ndarray


def _offsets(facts: YearFacts, rows: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's offsets of the year in hundredths: power (绿电, 绿证: 万千瓦时) and tonnes (碳汇, 碳封存)."""
    power, tonnes = np.zeros(len(facts)), np.zeros(len(facts))
    for pk, items in facts.offsets.items():
        for kind, amount, _ in items:
            (power if kind in POWER_OFFSETS else tonnes)[rows[pk]] += amount
    return power, tonnes


def _carbon(facts: YearFacts, scheme: Scheme, rows: Mapping[int, int]) -> _Carbon:
    """L after every deduction (zero-carbon power, 绿电, 绿证, 碳汇, 碳封存), its level, and K against the
    province's industry average where one is published for the year, else the local ratio of sums."""
    n = len(facts)
    carbon, value_added = facts.column("carbon_t"), facts.column("value_added_wan")
    power, tonnes = _offsets(facts, rows)
    zero = np.nan_to_num(facts.column("zero_carbon_10k_kwh")) + power
    scope = facts.above_scale if scheme.carbon_above_scale_only else np.ones(n, dtype=bool)
    gap = np.select([~scope, np.isnan(carbon), ~(value_added > 0)], [1, 2, 3], 0)
    factor = _half_up(scheme.carbon_factor * 1_000_000)  # tCO₂ per 万千瓦时, in millionths
    offset = zero * factor + tonnes * 1_000_000  # millionths of hundredths of a tonne
    net = np.maximum(carbon * 1_000_000 - offset, 0.0)
    emitting = carbon > 0
    offset_t = np.where(np.isnan(carbon), np.nan, np.round(offset / 100_000_000, 2))
    neutral_rate = np.full(n, np.nan)
    neutral_rate[emitting] = np.round(offset[emitting] / carbon[emitting] / 10_000, 2)
    scaled_value = value_added * 1_000_000
    graded = gap == 0
    carbon_l = np.full(n, np.nan)
    carbon_l[graded] = net[graded] / scaled_value[graded]
    industries = facts.sections if scheme.carbon_industry_level == "section" else facts.divisions
    exact_net: dict[int, int] = {}
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    carbons, zeros, held, added = carbon.tolist(), zero.tolist(), tonnes.tolist(), value_added.tolist()
    for i in np.flatnonzero(graded).tolist():
        exact_net[i] = max(int(carbons[i]) * 1_000_000 - int(zeros[i]) * factor - int(held[i]) * 1_000_000, 0)
        if industries[i]:
            total = sums[industries[i]]
            total[0] += exact_net[i]
            total[1] += int(added[i])
            total[2] += 1

    def exact_l(i: int) -> tuple[int, int]:
        return exact_net[i], int(added[i]) * 1_000_000

    inclusive = scheme.inclusive["carbon_levels"]
    level = np.zeros(n, dtype=int)
    if graded.any():
        graded_rows = np.flatnonzero(graded)
        low_bound, mid_bound = scheme.carbon_levels

        def exact_graded(j: int) -> tuple[int, int]:
            return exact_l(int(graded_rows[j]))

        low = _at_most(net[graded_rows], scaled_value[graded_rows], low_bound, exact_graded, inclusive)
        mid = _at_most(net[graded_rows], scaled_value[graded_rows], mid_bound, exact_graded, inclusive)
        level[graded_rows] = np.select([low, mid], [1, 2], 3)
    # K = L / average: top / bottom with top = net × a, bottom = value added × b, where a / b is 1 / average
    # in integers: the province's q / (10⁶ p) for an average p / q, or the local value added / net sums.
    province = {
        ind: (average.as_integer_ratio(), average, source)
        for ind, (average, source) in facts.carbon_benchmarks.items()
    }
    multipliers: dict[str, tuple[int, int]] = {}
    averages: dict[str, tuple[float | None, int, str]] = {}
    for ind, (net_sum, value_sum, count) in sums.items():
        if ind in province:
            (p, q), average, source = province[ind]
            multipliers[ind] = (q, 1_000_000 * p)
            averages[ind] = (float(average), count, source)
        else:
            multipliers[ind] = (value_sum, net_sum)
            averages[ind] = (net_sum / (value_sum * 1_000_000) if value_sum else None, count, "")
    a = np.array([multipliers.get(ind, (0, 0))[0] for ind in industries], dtype=float)
    b = np.array([multipliers.get(ind, (0, 0))[1] for ind in industries], dtype=float)
    no_industry = graded & np.array([not ind for ind in industries], dtype=bool)
    no_average = graded & ~no_industry & (b == 0)
    gap = np.where(no_industry, 4, np.where(no_average, 5, gap))
    with_k = graded & ~no_industry & ~no_average
    carbon_k = np.full(n, np.nan)
    grade = np.zeros(n, dtype=int)
    if with_k.any():
        k_rows = np.flatnonzero(with_k)
        top = net[k_rows] * a[k_rows]
        bottom = value_added[k_rows] * b[k_rows]
        carbon_k[k_rows] = top / bottom

        def exact_k(j: int) -> tuple[int, int]:
            i = int(k_rows[j])
            mult = multipliers[industries[i]]
            return exact_net[i] * mult[0], int(added[i]) * mult[1]

        inclusive = scheme.inclusive["carbon_grades"]
        at_most = [_at_most(top, bottom, bound, exact_k, inclusive) for bound in scheme.carbon_grades]
        grade[k_rows] = np.select(at_most, [1, 2, 3, 4], 5)
    return _Carbon(carbon_l, level, carbon_k, grade, gap, list(industries), averages, offset_t, neutral_rate)


# 清三低, type and treatment -------------------------------------------------------------------------


def _low_efficiency(facts: YearFacts, scheme: Scheme, exempt: np.ndarray) -> np.ndarray:
    """LOW_TAX_ABOVE / LOW_TAX_BELOW | LOW_LAND flags: 亩均税收 at or below the group's bound (below it when
    the bound is excluded); land at or above the bound (above it when excluded) and still below-scale."""
    tax, land = facts.column("tax_wan"), facts.column("land_mu")
    above = facts.above_scale
    known = ~exempt & ~np.isnan(tax) & (land > 0)
    flags = np.zeros(len(facts), dtype=int)
    for members, bound, flag, name in (
        (above, scheme.low_above_tax_per_mu, LOW_TAX_ABOVE, "low_above_tax"),
        (~above, scheme.low_below_tax_per_mu, LOW_TAX_BELOW, "low_below_tax"),
    ):
        num, den = bound.as_integer_ratio()  # tax / land vs num / den, in integers held exactly by floats
        low = tax * den <= land * num if scheme.inclusive[name] else tax * den < land * num
        flags[known & members & low] |= flag
    reach = _least_hundredths(scheme.low_below_land_mu, scheme.inclusive["low_land"])
    flags[~exempt & ~above & (land >= reach)] |= LOW_LAND
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
    carbon_benchmarks: Mapping[str, tuple[Decimal, str]] | None = None,
) -> Evaluation:
    """Evaluate every enterprise with the year's figures: per-mu score, class and ranks, carbon code,
    清三低, type and treatment, on whole columns; `result_reasons` explains each result.
    `carbon_benchmarks` (the province's industry averages of the year) replace those the facts carry."""
    if not isinstance(facts, YearFacts):
        facts = YearFacts.from_rows(facts)
    if carbon_benchmarks is not None:
        facts.carbon_benchmarks = dict(carbon_benchmarks)
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
            reach = _least_hundredths(minimum, scheme.inclusive["min_land"])
            short = (group == code) & ~exempt & ~(land >= reach)
            for i in np.flatnonzero(short).tolist():
                shown = "未填报用地面积" if land[i] != land[i] else f"用地 {_fmt(land[i] / 100)} 亩"
                need = f"参评须 {minimum} 亩{scheme.bound('min_land')}"
                notes[i] = f"{GROUP_LABELS[name]}{shown}，{need}，不在评价范围"
    tax = facts.column("tax_wan")
    lacking = ~exempt & (~(land > 0) | np.isnan(tax))  # 亩均 needs the land and the tax at least
    for i in np.flatnonzero(lacking).tolist():
        notes.setdefault(
            i,
            f"{GROUP_LABELS['above' if group[i] == 1 else 'below']}数据不足：缺少用地面积或实缴税金，不参与亩均评价",
        )
    followers = _followers(facts, scheme, rows, exempt, notes)
    for i, (_, why) in followers.items():
        notes[i] = why
    group = np.where(np.isin(np.arange(n), list(notes)), 0, group)
    klass = np.where(exempt, 5, 0)
    score = np.full(n, np.nan)
    values = np.full((n, len(INDICATORS)), np.nan)
    rank_city, rank_district, segment_rank = (np.zeros(n, dtype=int) for _ in range(3))
    benchmarks, averages, sizes, cut_ranks = {}, {}, {}, {}
    district_codes = np.unique(np.asarray(facts.districts), return_inverse=True)[1] if n else np.zeros(0, int)
    segment_names, segment_codes = _segments(facts, scheme, district_codes)
    for code, name in ((1, "above"), (2, "below")):
        members = group == code
        group_scheme = scheme.group(name)
        group_score, benchmarks[name], averages[name] = _score(facts, members, group_scheme, scheme, values)
        rows_in = np.flatnonzero(members)
        member_scores = group_score[rows_in]
        rank_city[rows_in] = competition_ranks(member_scores)
        rank_district[rows_in] = competition_ranks(member_scores, district_codes[rows_in])
        segment_rank[rows_in] = competition_ranks(member_scores, segment_codes[rows_in])
        sizes[name], cut_ranks[name] = {}, {}
        for position, segment in enumerate(segment_names):
            inside = rows_in[segment_codes[rows_in] == position]
            if not len(inside):
                continue
            sizes[name][segment] = len(inside)
            cut = cut_ranks[name][segment] = _cut_ranks(len(inside), group_scheme.cutoffs)
            klass[inside] = _classes(
                group_score[inside],
                segment_rank[inside],
                group_scheme.cutoffs,
                cut,
                scheme.inclusive["score_cutoffs"],
            )
        score[rows_in] = member_scores
    for i, (owner, _) in followers.items():
        klass[i], group[i] = klass[owner], 2
    carbon = _carbon(facts, scheme, rows)
    kind = _kinds(facts, scheme)
    context = Context(benchmarks, averages, sizes, cut_ranks, carbon.averages)
    scored = group > 0
    return Evaluation(
        facts=facts, scheme=scheme, context=context, group=group, score=score, klass=klass, values=values,
        rank_district=rank_district, rank_city=rank_city, carbon_l=carbon.carbon_l, carbon_level=carbon.level,
        carbon_k=carbon.k, carbon_grade=carbon.grade, carbon_gap=carbon.gap, industries=carbon.industries,
        low=_low_efficiency(facts, scheme, exempt), tax_per_mu=_ratio(facts.column("tax_wan"), land), kind=kind,
        treatment=_treatments(klass, facts, kind, scheme), notes=notes,
        segments=np.where(scored, np.array([*segment_names, ""], dtype=object)[segment_codes], "").tolist(),
        segment_rank=segment_rank, offset_t=carbon.offset_t, neutral_rate=carbon.neutral_rate,
        follows={i: facts.ids[owner] for i, (owner, _) in followers.items()},
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
    value exactly as the evaluation computed it (none for a tenant following its land owner)."""
    if not r.group or r.follows:
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


def segment_label(segment: str) -> str:
    return segment or "全市"


def _class_reason(r: Result, scheme: Scheme, context: Context) -> str:
    cutoffs = scheme.group(r.group).cutoffs
    label = GROUP_LABELS[r.group]
    if cutoffs.by == "rank":
        segment = r.segment if r.segment in context.sizes.get(r.group, {}) else ""
        size, cut = context.sizes[r.group][segment], context.cut_ranks[r.group][segment]
        rank = r.segment_rank or r.rank_city
        shares = [sum(cutoffs.values[: i + 1]) for i in range(3)]
        position = CLASSES.index(r.klass)
        where = f"{segment_label(segment)}{label} {size} 家中排第 {rank} 名"
        if position < 3:
            why = f"{where}，在前 {shares[position]}%（{cut[position]} 名）以内"
        else:
            why = f"{where}，在前 {shares[2]}%（{cut[2]} 名）之后"
    else:
        bound = scheme.bound("score_cutoffs")
        if r.klass == "D":
            why = f"未达 C 类线（{cutoffs.values[2]} 分{bound}）"
        else:
            why = f"达到 {r.klass} 类线（{cutoffs.values[CLASSES.index(r.klass)]} 分{bound}）"
    return f"{label}得分 {_fmt(r.score or 0)}，{why}，评为 {CLASS_LABELS[r.klass]}"


def _carbon_reasons(
    r: Result, scheme: Scheme, context: Context, offsets: Sequence[tuple[str, float, str]] | None
) -> list[str]:
    reasons = []
    if r.carbon_l is not None:
        reasons.append(
            f"碳效值 L = {r.carbon_l:.4f} 吨CO₂/万元（已扣除零碳电力及碳抵消），{CARBON_LEVELS[r.carbon_level]}"
        )
    if r.carbon_grade is not None:
        average, count, source = context.industry_carbon.get(r.industry, (None, 0, ""))
        shown = f"{average:.4f}" if average is not None else "—"
        industry = f"{INDUSTRY_LEVELS[scheme.carbon_industry_level]} {r.industry}"
        if source:
            basis = f"{industry} 省级平均碳效值 {shown}（{source}）"
        else:
            basis = f"省级未发布{industry} 的平均碳效值，按本市同行业 {count} 家企业计算为 {shown}"
            if count < scheme.carbon_min_firms:
                basis += f"（不足 {scheme.carbon_min_firms} 家，仅供参考）"
        reasons.append(f"{basis}，K = {r.carbon_k:.4f}，碳效码 {r.carbon_grade} 级")
    elif r.carbon_gap:
        reasons.append(CARBON_GAPS[r.carbon_gap])
    if r.neutral_rate is not None:
        mark = scheme.neutral_mark(r.neutral_rate)
        reasons.append(
            f"碳中和率 {r.neutral_rate:.2f}%（抵消 {_fmt(r.carbon_offset_t or 0)} 吨CO₂），{mark}"
            if mark
            else f"碳中和率 {r.neutral_rate:.2f}%（抵消 {_fmt(r.carbon_offset_t or 0)} 吨CO₂）"
        )
    for kind, amount, source in offsets or ():
        unit = "万千瓦时" if kind in POWER_OFFSETS else "吨CO₂"
        reasons.append(f"扣除{OFFSET_LABELS[kind]} {_fmt(amount)} {unit}（来源：{source}）")
    return reasons


OFFSET_LABELS: dict[str, str] = {
    "sink": "碳汇",
    "green_power": "绿电",
    "green_certificate": "绿证",
    "storage": "碳封存",
}


def result_reasons(
    r: Result, scheme: Scheme, context: Context, offsets: Sequence[tuple[str, float, str]] | None = None
) -> tuple[str, ...]:
    """The Chinese reasons of one stored result, from its figures, the scheme and the year's context;
    `offsets` (kind, amount in its unit, source) name each deduction of the year with its source."""
    reasons = []
    if r.note:
        reasons.append(r.note + (f"：{CLASS_LABELS[r.klass]}" if r.follows and r.klass else ""))
    if r.group and r.klass and not r.follows:
        reasons.append(_class_reason(r, scheme, context))
        label = GROUP_LABELS[r.group]
        for code, _, points, missing in indicator_points(r, scheme, context):
            name = scheme.indicator(code).name
            if not missing:
                continue
            rule = next(w.missing for w in scheme.group(r.group).indicators if w.code == code)
            if context.benchmarks.get(r.group, {}).get(code) is None:
                reasons.append(f"{name}全市无可用数据，计 0 分")
            elif rule == "average":
                reasons.append(f"{name}缺数据，按{label}平均得分 {_fmt(points)} 分计")
            else:
                reasons.append(f"{name}缺数据，计 0 分")
    if r.klass and r.previous_class:
        change = f"较上年：{r.previous_class} → {r.klass}"
        if r.score is not None and r.previous_score is not None:
            change += f"，得分 {r.score - r.previous_score:+.2f}"
        reasons.append(change)
    reasons.extend(_carbon_reasons(r, scheme, context, offsets))
    for flag, label, bound, name in (
        (LOW_TAX_ABOVE, "规上", scheme.low_above_tax_per_mu, "low_above_tax"),
        (LOW_TAX_BELOW, "规下", scheme.low_below_tax_per_mu, "low_below_tax"),
    ):
        if r.low_efficiency & flag:
            reasons.append(
                f"清三低：{label}企业亩均税收 {_fmt(r.tax_per_mu or 0)} 万元/亩，在 {bound} 万元/亩{scheme.bound(name)}"
            )
    if r.low_efficiency & LOW_LAND:
        reasons.append(
            f"清三低：用地 {_fmt(r.land_mu or 0)} 亩，在 {scheme.low_below_land_mu} 亩{scheme.bound('low_land')}，仍未上规"
        )
    if r.treatment is not None and r.treatment < len(scheme.treatments):
        rule = scheme.treatments[r.treatment]
        basis = f"（依据：{rule.basis}）" if rule.basis else ""
        reasons.append(
            f"分类施策：{CLASS_LABELS.get(r.klass, '未评价')}、扩产意愿{WILLINGNESS[r.willingness or 'unknown']}、"
            f"{ENTERPRISE_TYPES[r.enterprise_type]}企业 → {rule.treatment}{basis}"
        )
    return tuple(reasons)
