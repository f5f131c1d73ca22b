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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
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
}
# The policies' enterprise facts and the derived ones: what a title's criterion may read today.
TITLE_FIELDS: dict[str, Field] = {
    **{name: spec for name, spec in FIELDS.items() if name.startswith("enterprise.")},
    **DERIVED,
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


def _shortfall(node: Node, spec: Field, fact: Any) -> Shortfall:
    reading = describe(node)
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
        return NOT_MET, (_shortfall(node, TITLE_FIELDS[node.field], fact),)
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
        needed = [TITLE_FIELDS[name].label for name in _fields(criterion.rule) if facts.get(name) is None]
        reason = f"待核实：缺少{'、'.join(needed)}数据"
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


# Derived facts ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One year's figures of one enterprise (万元, exact), None where not reported."""

    revenue_wan: Decimal | None = None
    main_revenue_wan: Decimal | None = None
    rnd_wan: Decimal | None = None
    employees: int | None = None


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole is None or whole <= 0:
        return None
    return part * HUNDRED / whole


def _growth(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None or before <= 0:
        return None
    return (now / before - 1) * HUNDRED


def full_years(since: dt.date | None, as_of: dt.date) -> int | None:
    if since is None or since > as_of:
        return None
    return as_of.year - since.year - ((as_of.month, as_of.day) < (since.month, since.day))


def derived_facts(
    years: Mapping[int, YearFigures], *, as_of: dt.date, established_on: dt.date | None = None
) -> dict[str, Any]:
    """The derived figures for the as-of year's criteria from the enterprise's yearly figures: 上年 is
    as_of.year − 1. A figure needing a year that is missing is None (unknown), never 0."""
    last = as_of.year - 1
    one, two, three = (years.get(last - i, YearFigures()) for i in range(3))
    mains = [one.main_revenue_wan, two.main_revenue_wan, three.main_revenue_wan]
    revenues = [one.revenue_wan, two.revenue_wan, three.revenue_wan]
    rnds = [one.rnd_wan, two.rnd_wan, three.rnd_wan]
    shares2 = [_share(one.rnd_wan, one.revenue_wan), _share(two.rnd_wan, two.revenue_wan)]
    growths = [_growth(mains[0], mains[1]), _growth(mains[1], mains[2])]
    cagr = None
    if revenues[0] is not None and revenues[2] is not None and revenues[2] > 0 and revenues[0] >= 0:
        with localcontext() as context:
            context.prec = 28
            cagr = ((revenues[0] / revenues[2]).sqrt() - 1) * HUNDRED
    facts: dict[str, Any] = {
        "enterprise.years_established": full_years(established_on, as_of),
        "enterprise.employees": one.employees,
        "enterprise.main_revenue_wan": one.main_revenue_wan,
        "enterprise.main_revenue_share_pct": _share(one.main_revenue_wan, one.revenue_wan),
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
            None if None in rnds or None in revenues else _share(sum(rnds), sum(revenues))
        ),
    }
    return facts
