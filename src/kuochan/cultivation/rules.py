"""Titles' criteria against enterprises' facts: pure functions, no queries.

Criteria are rules of the policy language (`kuochan.policies.rules`), over the policies' enterprise facts and
the figures derived here from the registry's annual metrics (shares, multi-year sums, growth), all exact
`Decimal`. Each criterion is judged met, not met, unknown (a fact is missing) or pending (a placeholder: the
published text gives no figure, or the registry does not hold the data yet). A placeholder is never met: in
`all` it is listed apart and the rest decides; in `any` it is an alternative the data cannot show, so the
other alternatives decide. A not-met numeric comparison carries its gap, in the field's unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from kuochan.policies.rules import (
    DATE_WORDS,
    FIELDS,
    OPERATORS,
    PENDING,
    Field,
    Node,
    bound_note,
    rule_from_data,
)

MET, NOT_MET, UNKNOWN, PENDING_STATUS = "met", "not_met", "unknown", "pending"
VERDICT_LABELS = {MET: "符合", NOT_MET: "不符合", UNKNOWN: "待核实（数据缺失）", PENDING_STATUS: PENDING}
CANDIDATE_MET, CANDIDATE_NEAR = "符合", "接近"
DEFAULT_MARGIN_PCT = Decimal(20)
HUNDRED = Decimal(100)

# Figures derived from the registry's annual metrics (上年 = the as-of year − 1, 近两年 = 上年 and the year
# before, 近三年 = 上年 and the two before), as the titles' documents define them.
DERIVED: dict[str, Field] = {
    "enterprise.years_established": Field("成立年限（至测算日满整年数）", "number", "年"),
    "enterprise.employees": Field("上年年平均职工人数", "number", "人"),
    "enterprise.main_revenue_wan": Field("上年主营业务收入", "number", "万元"),
    "enterprise.output_wan": Field("上年工业总产值", "number", "万元"),
    "enterprise.main_revenue_share_pct": Field("上年主营业务收入占营业收入比重", "number", "%"),
    "enterprise.main_revenue_growth_pct": Field("上年主营业务收入增长率", "number", "%"),
    "enterprise.main_revenue_avg_growth2_pct": Field("近2年主营业务收入平均增长率", "number", "%"),
    "enterprise.main_revenue_avg3_wan": Field("近3年平均主营业务收入", "number", "万元"),
    "enterprise.revenue_cagr2_pct": Field("近两年营业收入复合增长率", "number", "%"),
    "enterprise.rnd_wan": Field("上年研发费用", "number", "万元"),
    "enterprise.rnd_share_pct": Field("上年研发费用占营业收入比重", "number", "%"),
    "enterprise.rnd_min2_wan": Field("近两年研发费用（较低一年）", "number", "万元"),
    "enterprise.rnd_share_min2_pct": Field("近两年研发费用占营业收入比重（较低一年）", "number", "%"),
    "enterprise.rnd_sum2_wan": Field("近两年研发费用合计", "number", "万元"),
    "enterprise.rnd_avg2_wan": Field("近两年研发费用均值", "number", "万元"),
    "enterprise.rnd_share_3y_pct": Field("近三年研发费用总额占同期销售收入总额比重", "number", "%"),
    "enterprise.assets_wan": Field("上年末资产总额", "number", "万元"),
    "enterprise.debt_ratio_pct": Field("上年末资产负债率", "number", "%"),
    "enterprise.tech_staff_share_pct": Field("上年科技人员占职工总数比重", "number", "%"),
    "enterprise.ip_class1": Field("Ⅰ类知识产权", "number", "项"),
    "enterprise.ip_class2": Field("Ⅱ类知识产权", "number", "项"),
    "enterprise.segment_years": Field("截至上年末从事细分市场年限", "number", "年"),
    "enterprise.srdi_score": Field("专精特新发展评价得分", "number", "分"),
}
# The points of the published evaluations (`score_innovative_sme`, `score_tech_sme`), which criteria compare.
SCORES: dict[str, Field] = {
    "score.innovative_sme": Field("创新型中小企业评价得分", "number", "分"),
    "score.innovative_sme.innovation": Field("创新型中小企业评价·创新能力得分", "number", "分"),
    "score.innovative_sme.growth": Field("创新型中小企业评价·成长性得分", "number", "分"),
    "score.innovative_sme.specialisation": Field("创新型中小企业评价·专业化得分", "number", "分"),
    "score.tech_sme": Field("科技型中小企业评价得分", "number", "分"),
    "score.tech_sme.tech_staff": Field("科技型中小企业评价·科技人员得分", "number", "分"),
    "score.tech_sme.rnd": Field("科技型中小企业评价·研发投入得分", "number", "分"),
    "score.tech_sme.ip": Field("科技型中小企业评价·科技成果得分", "number", "分"),
}
# The policies' enterprise facts and the derived ones: what a title's criterion may read today.
TITLE_FIELDS: dict[str, Field] = {
    **{name: spec for name, spec in FIELDS.items() if name.startswith("enterprise.")},
    **DERIVED,
    **SCORES,
}


def criterion_rule(data: Any) -> Node:
    """A criterion's rule; ValueError with every problem, in Chinese. `None` is a placeholder."""
    if data is None:
        return Node("placeholder", text="")
    return rule_from_data(data, fields=TITLE_FIELDS)


# Reading --------------------------------------------------------------------------------------------


def figure(value: Decimal, places: int = 2) -> str:
    """A figure as shown: two decimals at most, rounded half up, no trailing zeros, thousands separated."""
    shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    return format(shown if shown != 0 else Decimal(0), ",f")


def _shown(spec: Field, value: Any) -> str:
    if spec.kind == "number":
        return f"{figure(Decimal(value))}{spec.unit}"
    if spec.kind == "date":
        return f"{value.year}年{value.month}月{value.day}日"
    return spec.choices.get(value, str(value)) if spec.choices else str(value)


def describe(node: Node) -> str:
    """The rule as read in Chinese, as the policy rules read (placeholders: "…（该条件待主管部门明确）")."""
    if node.kind == "placeholder":
        return f"{node.text}（{PENDING}）" if node.text else PENDING
    if node.kind in ("all", "any"):
        parts = [describe(child) for child in node.children]
        return (
            parts[0] if len(parts) == 1 else f"（{(' 且 ' if node.kind == 'all' else ' 或 ').join(parts)}）"
        )
    if node.kind == "not":
        return f"不满足：{describe(node.children[0])}"
    spec = TITLE_FIELDS[node.field]
    if spec.kind == "bool":
        return spec.label if node.value else f"非{spec.label}"
    word = DATE_WORDS[node.op] if spec.kind == "date" else OPERATORS[node.op][0]
    if isinstance(node.value, tuple):
        return f"{spec.label}{word}{'、'.join(_shown(spec, v) for v in node.value)}"
    gap = " " if spec.kind == "number" else ""
    return f"{spec.label}{word}{gap}{_shown(spec, node.value)}{bound_note(node.op, spec.kind)}"


def placeholders(node: Node) -> list[str]:
    """The readings of the placeholders in a rule."""
    if node.kind == "placeholder":
        return [describe(node)]
    return [text for child in node.children for text in placeholders(child)]


# Judging --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A condition not met. For a numeric comparison: the fact, the bound and how far it is (in the field's
    unit, positive), `relative` = gap ÷ |bound|; otherwise only the reading."""

    criterion: str
    text: str
    value: Decimal | None = None
    threshold: Decimal | None = None
    gap: Decimal | None = None
    relative: Decimal | None = None

    def within(self, margin_pct: Decimal) -> bool:
        return self.relative is not None and self.relative * HUNDRED <= margin_pct


def _unit_words(spec: Field) -> str:
    return " 个百分点" if spec.unit == "%" else f" {spec.unit}" if spec.unit else ""


def _shortfall(node: Node, spec: Field, fact: Any, explained: Explanation | None = None) -> Shortfall:
    reading = describe(node)
    if explained is not None and node.op in (">=", ">"):
        return _score_shortfall(node, reading, Decimal(str(fact)), explained)
    if spec.kind != "number" or node.op not in (">=", ">", "<=", "<"):
        shown = (
            _shown(spec, fact)
            if not isinstance(fact, (set, frozenset))
            else "、".join(_shown(spec, v) for v in sorted(fact)) or "无"
        )
        return Shortfall(reading, f"不满足：{reading}（现为{shown}）")
    value, bound = Decimal(str(fact)), node.value
    gap = bound - value if node.op in (">=", ">") else value - bound
    relative = gap / abs(bound) if bound else None
    places = 2 if figure(value) != figure(bound) else 4  # 2.995% is not shown as the 3% it misses
    held = f"{spec.label} {figure(value, places)}{spec.unit}"
    if gap == 0:  # a strict bound met exactly
        text = f"{held}，须{'高于' if node.op == '>' else '低于'} {figure(bound)}{spec.unit}"
    else:
        text = (
            f"{held}，{'差' if node.op in ('>=', '>') else '超出'} {figure(gap, places)}{_unit_words(spec)}"
        )
    return Shortfall(reading, text, value, bound, gap, relative)


def _holds(node: Node, fact: Any) -> bool:
    op, value = node.op, node.value
    if op == "is":
        return bool(fact) is value
    if op in ("contains", "contains_any"):
        return value in fact if op == "contains" else bool(set(fact) & set(value))
    if op in ("in", "not_in"):
        return (fact in value) == (op == "in")
    if TITLE_FIELDS[node.field].kind == "number":
        fact = Decimal(str(fact))
    return {
        "==": fact == value, "!=": fact != value, ">=": fact >= value, ">": fact > value, "<=": fact <= value,
        "<": fact < value,
    }[op]  # fmt: skip


def _closeness(shortfalls: tuple[Shortfall, ...]) -> tuple:
    """How far an alternative is: reachable by figures at all, how many conditions, how far in total."""
    numeric = all(s.relative is not None for s in shortfalls)
    return (not numeric, len(shortfalls), sum((s.relative or 0 for s in shortfalls), Decimal(0)))


def judge(node: Node, facts: Mapping[str, Any]) -> tuple[str, tuple[Shortfall, ...]]:
    """The rule's status against the facts, and the conditions that keep it from being met (for `any`, those
    of its closest alternative)."""
    if node.kind == "placeholder":
        return PENDING_STATUS, ()
    if node.kind == "condition":
        fact = facts.get(node.field)
        if fact is None:
            return UNKNOWN, ()
        if _holds(node, fact):
            return MET, ()
        explained = facts.get(SCORE_DETAILS, {}).get(node.field)
        return NOT_MET, (_shortfall(node, TITLE_FIELDS[node.field], fact, explained),)
    if node.kind == "not":
        status, _ = judge(node.children[0], facts)
        if status == MET:
            return NOT_MET, (Shortfall(describe(node), f"不满足：{describe(node)}"),)
        return {NOT_MET: MET}.get(status, status), ()
    results = [judge(child, facts) for child in node.children]
    decided = [(status, gaps) for status, gaps in results if status != PENDING_STATUS]
    if not decided:
        return PENDING_STATUS, ()
    statuses = {status for status, _ in decided}
    if node.kind == "all":
        if NOT_MET in statuses:
            return NOT_MET, tuple(s for status, gaps in decided if status == NOT_MET for s in gaps)
        return (UNKNOWN if UNKNOWN in statuses else MET), ()
    if MET in statuses:
        return MET, ()
    if UNKNOWN in statuses:
        return UNKNOWN, ()
    return NOT_MET, min((gaps for _, gaps in decided), key=_closeness)


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    text: str
    rule: Node
    source: str = ""

    @property
    def computable(self) -> bool:
        """Whether any part of the criterion can be judged from data (not all placeholders)."""
        return _has_condition(self.rule)


def _has_condition(node: Node) -> bool:
    return node.kind == "condition" or any(_has_condition(child) for child in node.children)


@dataclass(frozen=True, slots=True)
class CriterionVerdict:
    code: str
    status: str
    reason: str  # Chinese
    shortfalls: tuple[Shortfall, ...] = ()
    pending: tuple[str, ...] = ()  # placeholders within the criterion, listed apart


@dataclass(frozen=True, slots=True)
class Assessment:
    """One enterprise against one title: `met` when every computable criterion is met; `missing` the
    not-met conditions (with their gaps); `unknown` the criteria whose facts are missing; `pending` the
    placeholders, never counted as met."""

    verdicts: tuple[CriterionVerdict, ...]
    met: bool
    missing: tuple[Shortfall, ...]
    unknown: tuple[str, ...]
    pending: tuple[str, ...]

    def near(self, margin_pct: Decimal) -> bool:
        """Every criterion the data can judge is met, or missed by at most `margin_pct` % of its bound."""
        return not self.unknown and all(s.within(margin_pct) for s in self.missing)

    def distance(self) -> tuple:
        """Most promising first: fewest missing conditions, then the smallest gaps relative to their bounds."""
        return (len(self.missing), sum((s.relative or HUNDRED for s in self.missing), Decimal(0)))


def _verdict(criterion: Criterion, facts: Mapping[str, Any]) -> CriterionVerdict:
    pending = tuple(placeholders(criterion.rule))
    status, shortfalls = judge(criterion.rule, facts)
    if status == PENDING_STATUS:
        return CriterionVerdict(criterion.code, status, f"{criterion.text}（{PENDING}）", (), pending)
    if status == MET:
        reason = f"符合：{describe(criterion.rule)}"
    elif status == NOT_MET:
        reason = "不符合：" + "；".join(s.text for s in shortfalls)
    else:
        details = facts.get(SCORE_DETAILS, {})
        needed = [
            label
            for name in _fields(criterion.rule)
            if facts.get(name) is None
            for label in (details[name].missing if name in details else (TITLE_FIELDS[name].label,))
        ]
        reason = f"待核实：缺少{'、'.join(dict.fromkeys(needed))}数据"
    return CriterionVerdict(criterion.code, status, reason, shortfalls, pending)


def _fields(node: Node) -> list[str]:
    if node.kind == "condition":
        return [node.field]
    return list(dict.fromkeys(name for child in node.children for name in _fields(child)))


def assess(criteria: Sequence[Criterion], facts: Mapping[str, Any]) -> Assessment:
    """One enterprise's facts against a title's criteria."""
    verdicts = tuple(_verdict(criterion, facts) for criterion in criteria)
    judged = [v for v in verdicts if v.status != PENDING_STATUS]
    return Assessment(
        verdicts=verdicts,
        met=bool(judged) and all(v.status == MET for v in judged),
        missing=tuple(s for v in judged if v.status == NOT_MET for s in v.shortfalls),
        unknown=tuple(v.reason for v in judged if v.status == UNKNOWN),
        pending=tuple(text for v in verdicts for text in v.pending),
    )


def assess_all(criteria: Sequence[Criterion], subjects: Iterable[Mapping[str, Any]]) -> list[Assessment]:
    """Every enterprise against a title in one pass."""
    return [assess(criteria, facts) for facts in subjects]


def status_counts(node: Node, subjects: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many subjects a rule finds met, not met, to verify (a fact missing) and pending, in one pass."""
    counts = dict.fromkeys((MET, NOT_MET, UNKNOWN, PENDING_STATUS), 0)
    for facts in subjects:
        counts[judge(node, facts)[0]] += 1
    return counts


# Derived facts ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One year's figures of one enterprise (万元, exact), None where not reported."""

    revenue_wan: Decimal | None = None
    main_revenue_wan: Decimal | None = None
    rnd_wan: Decimal | None = None
    employees: int | None = None
    assets_wan: Decimal | None = None
    liabilities_wan: Decimal | None = None
    tech_staff: int | None = None
    ip_class1: int | None = None
    ip_class2: int | None = None
    srdi_score: Decimal | None = None
    output_wan: Decimal | None = None


def share_pct(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    if part is None or whole is None or whole <= 0:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def _growth(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None or before <= 0:
        return None
    return (now / before - 1) * HUNDRED


def full_years(since: dt.date | None, as_of: dt.date) -> int | None:
    if since is None or since > as_of:
        return None
    return as_of.year - since.year - ((as_of.month, as_of.day) < (since.month, since.day))


def segment_years(since: dt.date | None, as_of: dt.date) -> int | None:
    """Whole years in the segment by the end of the year before the as-of year (“截至上年末”, that day
    included: from 2023-01-01 it is 3 years); 0 when it started after that; unknown when not recorded or later
    than the as-of date."""
    if since is None or since > as_of:
        return None
    end = dt.date(as_of.year, 1, 1)
    return 0 if since >= end else full_years(since, end)


def derived_facts(
    years: Mapping[int, YearFigures],
    *,
    as_of: dt.date,
    established_on: dt.date | None = None,
    segment_since: dt.date | None = None,
    strategic_emerging: bool | None = None,
) -> dict[str, Any]:
    """The derived figures for the as-of year's criteria from the enterprise's yearly figures: 上年 is
    as_of.year − 1. A figure needing a year that is missing is None (unknown), never 0. The SRDI
    evaluation score is the as-of year's, else the year before's (the platform scores in the year of
    application). The two published evaluations are scored here too (`score.*`, with their reasons)."""
    last = as_of.year - 1
    one, two, three = (years.get(last - i, YearFigures()) for i in range(3))
    mains = [one.main_revenue_wan, two.main_revenue_wan, three.main_revenue_wan]
    revenues = [one.revenue_wan, two.revenue_wan, three.revenue_wan]
    rnds = [one.rnd_wan, two.rnd_wan, three.rnd_wan]
    shares2 = [share_pct(one.rnd_wan, one.revenue_wan), share_pct(two.rnd_wan, two.revenue_wan)]
    growths = [_growth(mains[0], mains[1]), _growth(mains[1], mains[2])]
    cagr = None
    if revenues[0] is not None and revenues[2] is not None and revenues[2] > 0 and revenues[0] >= 0:
        with localcontext() as context:
            context.prec = 28
            cagr = ((revenues[0] / revenues[2]).sqrt() - 1) * HUNDRED
    this_year = years.get(as_of.year, YearFigures())
    facts: dict[str, Any] = {
        "enterprise.years_established": full_years(established_on, as_of),
        "enterprise.employees": one.employees,
        "enterprise.main_revenue_wan": one.main_revenue_wan,
        "enterprise.output_wan": one.output_wan,
        "enterprise.main_revenue_share_pct": share_pct(one.main_revenue_wan, one.revenue_wan),
        "enterprise.main_revenue_growth_pct": growths[0],
        "enterprise.main_revenue_avg_growth2_pct": None if None in growths else sum(growths) / 2,
        "enterprise.main_revenue_avg3_wan": None if None in mains else sum(mains) / 3,
        "enterprise.revenue_cagr2_pct": cagr,
        "enterprise.rnd_wan": one.rnd_wan,
        "enterprise.rnd_share_pct": shares2[0],
        "enterprise.rnd_min2_wan": None if None in rnds[:2] else min(rnds[:2]),
        "enterprise.rnd_share_min2_pct": None if None in shares2 else min(shares2),
        "enterprise.rnd_sum2_wan": None if None in rnds[:2] else sum(rnds[:2]),
        "enterprise.rnd_avg2_wan": None if None in rnds[:2] else sum(rnds[:2]) / 2,
        "enterprise.rnd_share_3y_pct": (
            None if None in rnds or None in revenues else share_pct(sum(rnds), sum(revenues))
        ),
        "enterprise.assets_wan": one.assets_wan,
        "enterprise.debt_ratio_pct": share_pct(one.liabilities_wan, one.assets_wan),
        "enterprise.tech_staff_share_pct": share_pct(one.tech_staff, one.employees),
        "enterprise.ip_class1": one.ip_class1,
        "enterprise.ip_class2": one.ip_class2,
        "enterprise.segment_years": segment_years(segment_since, as_of),
        "enterprise.srdi_score": this_year.srdi_score if this_year.srdi_score is not None else one.srdi_score,
    }
    inputs = ScoreInputs.of(one, two, strategic_emerging=strategic_emerging)
    return facts | score_facts(score_innovative_sme(inputs), score_tech_sme(inputs))


# Points scorers --------------------------------------------------------------------------------------
#
# The two published evaluations whose points decide a title, band by band. Each band says whether its bound
# belongs to it: “以上/以下” include the bound (民法典 第1259条); a range “3%-5%” is its lower bound up to,
# not including, the next band's. Where the registry cannot tell a band (主导产品领域, whether a Ⅰ类 IP is
# 自主研发 or 高价值, the cost-based R&D ratio) the lowest band it can prove counts and the reason says so.

SCORE_DETAILS = "score.details"  # facts key: {score field: Explanation}; not a field a rule may name
INNOVATIVE_SOURCE = "《优质中小企业梯度培育管理暂行办法》（工信部企业〔2022〕63号）附件1"
TECH_SOURCE = "《科技型中小企业评价办法》（国科发政〔2017〕115号）附件"


@dataclass(frozen=True, slots=True)
class Band:
    """Points for a value at or beyond `bound` (higher is better: value ≥ bound, or > when the bound is not
    included; lower is better: value ≤ bound, or <). The last band has no bound: everything else."""

    points: int
    bound: Decimal | None = None
    included: bool = True


def _bands(*pairs: tuple[str, int], rest: int = 0, included: bool = True) -> tuple[Band, ...]:
    return (*(Band(points, Decimal(bound), included) for bound, points in pairs), Band(rest))


# 63号 附件1: 研发占比 “A.5%以上 B.3%-5% C.2%-3% D.1%-2% E.1%以下”, and the same shape for the others.
INNOVATIVE_RND_SHARE = _bands(("5", 20), ("3", 15), ("2", 10), ("1", 5))
INNOVATIVE_MAIN_GROWTH = _bands(("15", 20), ("10", 15), ("5", 10), ("0", 5))
# “A.55%以下（10分）B.55%-75%（5分）C.75%以上（0分）”: 55% is in A, 75% in C.
INNOVATIVE_DEBT_RATIO = (Band(10, Decimal(55), True), Band(5, Decimal(75), False), Band(0))
INNOVATIVE_MAIN_SHARE = _bands(("70", 20), ("60", 15), ("55", 10), ("50", 5))
INNOVATIVE_PARTS = {"innovation": "创新能力", "growth": "成长性", "specialisation": "专业化"}
# 115号 附件: “A.30%（含）以上 B.25%（含）-30% …”: the bound is in the higher band.
TECH_STAFF_SHARE = _bands(("30", 20), ("25", 16), ("20", 12), ("15", 8), ("10", 4))
TECH_RND_SHARE = _bands(("6", 50), ("5", 40), ("4", 30), ("3", 20), ("2", 10))
TECH_PARTS = {"tech_staff": "科技人员", "rnd": "研发投入", "ip": "科技成果"}
TECH_IP_CLASS2 = {1: 6, 2: 12, 3: 18, 4: 24}  # Ⅱ类 项数 → 分 (4 项及以上 24); 1 项及以上Ⅰ类 30


def band_words(
    bands: Sequence[Band], unit: str = "%", *, higher_is_better: bool = True
) -> list[tuple[str, int]]:
    """The bands as a table shows them: ("≥ 3%", 15) … ("其余", 0); ≥ / ≤ when the bound is the band's."""
    words = []
    for band in bands:
        if band.bound is None:
            words.append(("其余", band.points))
            continue
        sign = ("≥" if band.included else ">") if higher_is_better else ("≤" if band.included else "<")
        words.append((f"{sign} {figure(band.bound)}{unit}", band.points))
    return words


def scoring_table(code: str) -> tuple[str, list[tuple[str, str, list[tuple[str, int]]]]] | None:
    """The published points table a title's criteria score by, as the title's page shows it: its source and
    (part, indicator, bands) rows; None for a title scored otherwise."""
    if code == "innovative_sme":
        return INNOVATIVE_SOURCE, [
            ("创新能力", "与主导产品相关的有效知识产权", [
                ("Ⅰ类高价值知识产权 1 项以上", 20), ("自主研发Ⅰ类知识产权 1 项以上", 15),
                ("Ⅰ类知识产权 1 项以上（是否自主研发、高价值未录时按此计）", 10), ("Ⅱ类知识产权 1 项以上", 5), ("无", 0),
            ]),
            ("创新能力", "上年研发费用占营业收入比重", band_words(INNOVATIVE_RND_SHARE)),
            ("成长性", "上年主营业务收入增长率", band_words(INNOVATIVE_MAIN_GROWTH)),
            ("成长性", "上年末资产负债率", band_words(INNOVATIVE_DEBT_RATIO, higher_is_better=False)),
            ("专业化", "主导产品所属领域", [("属于《战略性新兴产业分类》", 10), ("其他领域（未录时按此计）", 5)]),
            ("专业化", "上年主营业务收入占营业收入比重", band_words(INNOVATIVE_MAIN_SHARE)),
        ]  # fmt: skip
    if code == "tech_sme":
        return TECH_SOURCE, [
            ("科技人员", "科技人员占职工总数比例", band_words(TECH_STAFF_SHARE)),
            ("研发投入", "研发费用占销售收入比例（占成本费用比例的算法未录）", band_words(TECH_RND_SHARE)),
            ("科技成果", "与主要产品相关的有效知识产权", [
                ("Ⅰ类知识产权 1 项及以上", 30),
                *((f"Ⅱ类知识产权 {count} 项{'及以上' if count == 4 else ''}", points)
                  for count, points in sorted(TECH_IP_CLASS2.items(), reverse=True)),
                ("没有知识产权", 0),
            ]),
        ]  # fmt: skip
    return None


def band_points(bands: Sequence[Band], value: Decimal, *, higher_is_better: bool = True) -> int:
    """The points of the first band the value reaches."""
    for band in bands:
        if band.bound is None:
            return band.points
        if higher_is_better:
            reached = value >= band.bound if band.included else value > band.bound
        else:
            reached = value <= band.bound if band.included else value < band.bound
        if reached:
            return band.points
    return 0


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    """The figures both evaluations read: 上年 (sales = 营业收入, staff = 年平均职工人数) and the year before's
    main revenue for its growth. `strategic_emerging`: the leading product is in 《战略性新兴产业分类》."""

    revenue_wan: Decimal | None = None
    main_revenue_wan: Decimal | None = None
    main_revenue_before_wan: Decimal | None = None
    rnd_wan: Decimal | None = None
    assets_wan: Decimal | None = None
    liabilities_wan: Decimal | None = None
    employees: int | None = None
    tech_staff: int | None = None
    ip_class1: int | None = None
    ip_class2: int | None = None
    strategic_emerging: bool | None = None

    @classmethod
    def of(cls, last: YearFigures, before: YearFigures, *, strategic_emerging: bool | None) -> ScoreInputs:
        return cls(
            revenue_wan=last.revenue_wan, main_revenue_wan=last.main_revenue_wan,
            main_revenue_before_wan=before.main_revenue_wan, rnd_wan=last.rnd_wan, assets_wan=last.assets_wan,
            liabilities_wan=last.liabilities_wan, employees=last.employees, tech_staff=last.tech_staff,
            ip_class1=last.ip_class1, ip_class2=last.ip_class2, strategic_emerging=strategic_emerging,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Step:
    """A change that lifts an indicator to a better band: the points it would then give, and how."""

    points: int
    gain: int
    text: str  # "研发费用增至 90 万元（占比 3.00%）可得 15 分"
    indicator: str = ""  # set by `Evaluation.explanation`
    needed: Decimal | None = (
        None  # the figure the text names (研发费用 90 万元, 科技人员 36 人), where it names one
    )


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    code: str
    part: str
    points: int | None  # None: a figure it needs is missing
    text: str  # "研发占比 2.80% 得 10 分"
    steps: tuple[Step, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    """How a score was made up, for a criterion's reason: its name, its parts in words, the steps that
    would raise it, and the figures missing when it cannot be scored."""

    name: str
    detail: str
    steps: tuple[Step, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    code: str  # innovative_sme, tech_sme
    name: str
    points: int | None
    parts: dict[str, int | None]  # part code → points
    indicators: tuple[IndicatorScore, ...]
    part_names: Mapping[str, str]

    def explanation(self, part: str | None = None) -> Explanation:
        """The score (or one part of it) explained."""
        chosen = [i for i in self.indicators if part is None or i.part == part]
        missing = tuple(dict.fromkeys(m for i in chosen for m in i.missing))
        steps = tuple(replace(step, indicator=i.code) for i in chosen for step in i.steps)
        if part is None:
            detail = " + ".join(
                f"{name} {'—' if self.parts[code] is None else self.parts[code]} 分"
                for code, name in self.part_names.items()
            )
            return Explanation(self.name, detail, steps, missing)
        return Explanation(self.part_names[part], " + ".join(i.text for i in chosen), steps, missing)


def pct(value: Decimal) -> str:
    """A share as shown beside a figure: always two decimals ("3.00%")."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def _wan_at_least(value: Decimal) -> Decimal:
    """The smallest amount in whole hundredths of 万元 (as stored) not below `value`."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def _better(bands: Sequence[Band], points: int) -> list[Band]:
    """The bands above the one reached, nearest first."""
    return [band for band in reversed(bands) if band.bound is not None and band.points > points]


def _share_indicator(
    code: str, part: str, name: str, bands: Sequence[Band], part_wan: Decimal | None,
    whole_wan: Decimal | None, *, missing: tuple[str, ...], raise_text: str,
) -> IndicatorScore:  # fmt: skip
    """An indicator scored on part ÷ whole (研发占比): the step names the part that reaches a band."""
    share = share_pct(part_wan, whole_wan)
    if share is None or whole_wan is None:
        return IndicatorScore(code, part, None, f"{name}未知", missing=missing)
    points = band_points(bands, share)
    steps: list[Step] = []
    for band in _better(bands, points):
        needed = _wan_at_least(band.bound * whole_wan / HUNDRED)
        if not band.included and needed * HUNDRED / whole_wan <= band.bound:
            needed += Decimal("0.01")
        reached = band_points(bands, needed * HUNDRED / whole_wan)  # a small whole may leap past the band
        if steps and reached <= steps[-1].points:
            continue
        steps.append(
            Step(
                reached, reached - points,
                f"{raise_text}增至 {figure(needed)} 万元（占比 {pct(needed * HUNDRED / whole_wan)}）可得 {reached} 分",
                needed=needed,
            )
        )  # fmt: skip
    return IndicatorScore(code, part, points, f"{name} {pct(share)} 得 {points} 分", tuple(steps))


def _innovative_ip(ip1: int | None, ip2: int | None) -> IndicatorScore:
    if ip1 is None or (ip1 == 0 and ip2 is None):
        return IndicatorScore("ip", "innovation", None, "知识产权未知", missing=("上年Ⅰ类、Ⅱ类知识产权",))
    if ip1 >= 1:
        return IndicatorScore(
            "ip", "innovation", 10, "知识产权 10 分（Ⅰ类，是否自主研发、高价值未录）",
            (
                Step(15, 5, "Ⅰ类知识产权经确认为自主研发可得 15 分"),
                Step(20, 10, "Ⅰ类知识产权经确认为高价值知识产权可得 20 分"),
            ),
        )  # fmt: skip
    points = 5 if ip2 and ip2 >= 1 else 0
    steps = [Step(10, 10 - points, "取得 1 项Ⅰ类知识产权可得 10 分")]
    if points == 0:
        steps.insert(0, Step(5, 5, "取得 1 项Ⅱ类知识产权可得 5 分"))
    return IndicatorScore("ip", "innovation", points, f"知识产权 {points} 分", tuple(steps))


def _main_growth(now: Decimal | None, before: Decimal | None) -> IndicatorScore:
    growth = _growth(now, before)
    if growth is None or before is None:
        missing = ("上年及前年主营业务收入",)
        return IndicatorScore("main_growth", "growth", None, "主营业务收入增长率未知", missing=missing)
    points = band_points(INNOVATIVE_MAIN_GROWTH, growth)
    steps: list[Step] = []
    for band in _better(INNOVATIVE_MAIN_GROWTH, points):
        needed = _wan_at_least(before * (HUNDRED + band.bound) / HUNDRED)
        grown = _growth(needed, before)
        reached = band_points(INNOVATIVE_MAIN_GROWTH, grown) if grown is not None else band.points
        if steps and reached <= steps[-1].points:
            continue
        steps.append(
            Step(
                reached, reached - points,
                f"上年主营业务收入增至 {figure(needed)} 万元（增长 {pct(grown or band.bound)}）可得 {reached} 分",
                needed=needed,
            )
        )  # fmt: skip
    text = f"主营业务收入增长率 {pct(growth)} 得 {points} 分"
    return IndicatorScore("main_growth", "growth", points, text, tuple(steps))


def _debt_ratio(liabilities: Decimal | None, assets: Decimal | None) -> IndicatorScore:
    ratio = share_pct(liabilities, assets)
    if ratio is None or assets is None:
        return IndicatorScore(
            "debt_ratio", "growth", None, "资产负债率未知", missing=("上年末资产总额、负债总额",)
        )
    points = band_points(INNOVATIVE_DEBT_RATIO, ratio, higher_is_better=False)
    steps = []
    for band in _better(INNOVATIVE_DEBT_RATIO, points):
        ceiling = (band.bound * assets / HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        if band.included:
            how = f"负债降至 {figure(ceiling)} 万元（资产负债率 {pct(ceiling * HUNDRED / assets)}）"
        else:
            how = f"负债降至 {figure(band.bound * assets / HUNDRED)} 万元以下（资产负债率低于 {figure(band.bound)}%）"
        steps.append(Step(band.points, band.points - points, f"{how}可得 {band.points} 分"))
    return IndicatorScore(
        "debt_ratio", "growth", points, f"资产负债率 {pct(ratio)} 得 {points} 分", tuple(steps)
    )


def _product_field(strategic_emerging: bool | None) -> IndicatorScore:
    if strategic_emerging:
        return IndicatorScore("field", "specialisation", 10, "主导产品属战略性新兴产业 10 分")
    step = (Step(10, 5, "主导产品经确认属于《战略性新兴产业分类》可得 10 分"),)
    if strategic_emerging is None:
        return IndicatorScore("field", "specialisation", 5, "主导产品领域未录，按 5 分计", step)
    return IndicatorScore("field", "specialisation", 5, "主导产品属其他领域 5 分")


def _main_share(main: Decimal | None, revenue: Decimal | None) -> IndicatorScore:
    share = share_pct(main, revenue)
    if share is None:
        missing = ("上年营业收入、主营业务收入",)
        return IndicatorScore("main_share", "specialisation", None, "主营业务收入占比未知", missing=missing)
    points = band_points(INNOVATIVE_MAIN_SHARE, share)
    steps = tuple(
        Step(
            band.points,
            band.points - points,
            f"主营业务收入占比达到 {figure(band.bound)}% 可得 {band.points} 分",
        )
        for band in _better(INNOVATIVE_MAIN_SHARE, points)
    )
    return IndicatorScore(
        "main_share", "specialisation", points, f"主营业务收入占比 {pct(share)} 得 {points} 分", steps
    )


def _evaluation(
    code: str, name: str, part_names: Mapping[str, str], indicators: tuple[IndicatorScore, ...]
) -> Evaluation:
    parts: dict[str, int | None] = {}
    for part in part_names:
        points = [i.points for i in indicators if i.part == part]
        parts[part] = None if None in points else sum(p for p in points if p is not None)
    total = None if None in parts.values() else sum(p for p in parts.values() if p is not None)
    return Evaluation(code, name, total, parts, indicators, part_names)


def score_innovative_sme(inputs: ScoreInputs) -> Evaluation:
    """创新型中小企业评价 (63号 附件1): 创新能力 40 (知识产权 20, 研发占比 20), 成长性 30 (主营业务收入增长率 20,
    资产负债率 10), 专业化 30 (主导产品领域 10, 主营业务收入占比 20). The criterion asks ≥ 60 in all, with
    创新能力 ≥ 20 and 成长性, 专业化 ≥ 15 each."""
    rnd = _share_indicator(
        "rnd_share", "innovation", "研发占比", INNOVATIVE_RND_SHARE, inputs.rnd_wan, inputs.revenue_wan,
        missing=("上年研发费用、营业收入",), raise_text="研发费用",
    )  # fmt: skip
    return _evaluation(
        "innovative_sme", "创新型中小企业评价", INNOVATIVE_PARTS,
        (
            _innovative_ip(inputs.ip_class1, inputs.ip_class2), rnd,
            _main_growth(inputs.main_revenue_wan, inputs.main_revenue_before_wan),
            _debt_ratio(inputs.liabilities_wan, inputs.assets_wan),
            _product_field(inputs.strategic_emerging), _main_share(inputs.main_revenue_wan, inputs.revenue_wan),
        ),
    )  # fmt: skip


def _tech_staff(staff: int | None, employees: int | None) -> IndicatorScore:
    share = share_pct(staff, employees)
    if share is None or employees is None:
        return IndicatorScore(
            "tech_staff", "tech_staff", None, "科技人员占比未知", missing=("上年科技人员数、职工人数",)
        )
    points = band_points(TECH_STAFF_SHARE, share)
    steps: list[Step] = []
    for band in _better(TECH_STAFF_SHARE, points):
        needed = int((band.bound * employees / HUNDRED).to_integral_value(rounding=ROUND_CEILING))
        reached = band_points(TECH_STAFF_SHARE, Decimal(needed) * HUNDRED / employees)  # 1 of 3 is 33%
        if steps and reached <= steps[-1].points:
            continue
        text = (
            f"科技人员增至 {needed} 人（占比 {pct(Decimal(needed) * HUNDRED / employees)}）可得 {reached} 分"
        )
        steps.append(Step(reached, reached - points, text, needed=Decimal(needed)))
    return IndicatorScore(
        "tech_staff", "tech_staff", points, f"科技人员占比 {pct(share)} 得 {points} 分", tuple(steps)
    )


def _tech_ip(ip1: int | None, ip2: int | None) -> IndicatorScore:
    if ip1 is None or (ip1 == 0 and ip2 is None):
        return IndicatorScore("ip", "ip", None, "知识产权未知", missing=("上年Ⅰ类、Ⅱ类知识产权",))
    if ip1 >= 1:
        return IndicatorScore("ip", "ip", 30, f"Ⅰ类知识产权 {ip1} 项 得 30 分")
    held = min(ip2 or 0, 4)
    points = TECH_IP_CLASS2.get(held, 0)
    steps = [
        Step(more, more - points, f"Ⅱ类知识产权增至 {count} 项可得 {more} 分")
        for count, more in TECH_IP_CLASS2.items()
        if count > held
    ]
    steps.append(Step(30, 30 - points, "取得 1 项Ⅰ类知识产权可得 30 分"))
    text = f"Ⅱ类知识产权 {ip2} 项 得 {points} 分" if ip2 else "无知识产权 得 0 分"
    return IndicatorScore("ip", "ip", points, text, tuple(steps))


def score_tech_sme(inputs: ScoreInputs) -> Evaluation:
    """科技型中小企业评价 (115号 附件): 科技人员 20, 研发投入 50 (占销售收入; 占成本费用的另一算法未录, so
    the sales one counts), 科技成果 30. The criterion asks ≥ 60 with the 科技人员 points above 0."""
    rnd = _share_indicator(
        "rnd", "rnd", "研发占比", TECH_RND_SHARE, inputs.rnd_wan, inputs.revenue_wan,
        missing=("上年研发费用、营业收入",), raise_text="研发费用",
    )  # fmt: skip
    return _evaluation(
        "tech_sme", "科技型中小企业评价", TECH_PARTS,
        (_tech_staff(inputs.tech_staff, inputs.employees), rnd, _tech_ip(inputs.ip_class1, inputs.ip_class2)),
    )  # fmt: skip


def score_facts(*evaluations: Evaluation) -> dict[str, Any]:
    """The evaluations as facts criteria compare (`score.<code>`, `score.<code>.<part>`), and their
    explanations under `SCORE_DETAILS` for the reasons."""
    facts: dict[str, Any] = {}
    details: dict[str, Explanation] = {}
    for evaluation in evaluations:
        key = f"score.{evaluation.code}"
        facts[key] = None if evaluation.points is None else Decimal(evaluation.points)
        details[key] = evaluation.explanation()
        for part, points in evaluation.parts.items():
            facts[f"{key}.{part}"] = None if points is None else Decimal(points)
            details[f"{key}.{part}"] = evaluation.explanation(part)
    facts[SCORE_DETAILS] = details
    return facts


def _score_shortfall(node: Node, reading: str, value: Decimal, explained: Explanation) -> Shortfall:
    """A score below its bound: the points as made up, the gap, and the changes that would close it on
    their own (else the nearest change of each indicator)."""
    bound = node.value
    gap = bound - value
    needed = gap if node.op == ">=" else gap + 1  # points are whole
    closing = _closing(explained.steps, needed)
    head = f"{explained.name} {figure(value)} 分（{explained.detail}）"
    text = f"{head}，差 {figure(gap)} 分" if gap else f"{head}，须高于 {figure(bound)} 分"
    if closing:
        text += "：" + "；或".join(step.text for step in closing)
    relative = gap / abs(bound) if bound else Decimal(1)  # below a bound of 0 points: not near
    return Shortfall(reading, text, value, bound, gap, relative)


def _closing(steps: Sequence[Step], needed: Decimal) -> list[Step]:
    """For each indicator the smallest step that closes the gap alone; if none does, every first step."""
    alone: dict[str, Step] = {}
    for step in steps:
        if step.gain >= needed:
            alone.setdefault(step.indicator, step)
    if alone:
        return list(alone.values())
    firsts: dict[str, Step] = {}
    for step in steps:
        firsts.setdefault(step.indicator, step)
    return list(firsts.values())
