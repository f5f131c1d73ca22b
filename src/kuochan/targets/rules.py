"""The plan check: a plan's targets read the way a careful reviewer at the provincial department would.

Pure functions over the plan as data (no queries): yearly targets against the period total, the growth the
yearly targets imply against the growth the text promises, each target stated in the text against the
table, doubling (翻一番) claims against the previous period, targets below the baseline, missing years,
a result the text reports for the baseline year against the baseline, a yearly average in the table that
the text states as a yearly floor. And across documents (`document_check`): the same figure for the same
year stated differently, a share that jumps from one document's year to the next document's, a count newly
granted in a year that exceeds the count held. Every finding names the indicator, a severity (error /
warning / info), a Chinese message and the figures behind it. Amounts are `Decimal`, so a sum, a doubling
or a change in percentage points is compared exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from itertools import combinations, pairwise
from typing import Any, NamedTuple

from kuochan.projects.rules import reaches, threshold_words

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警示", INFO: "提示"}
CLAIM_LABELS = {
    "level": "到年度达到",
    "period_total": "期间累计",
    "doubling": "较上一规划期翻番",
    "min_avg_growth": "年均增幅不低于",
    "ratio_at_least": "比重不低于",
    "ratio_near": "比重稳定在左右",
    "yearly_at_least": "每年不少于",
    "result": "实际完成",
}
RATIO_KINDS = ("ratio_at_least", "ratio_near")
# A share (in %) stated for two consecutive years in two documents that changes by this many percentage
# points or more (含本数) is flagged: such a jump usually means the two documents count it differently (口径).
SHARE_JUMP_POINTS = Decimal(5)


@dataclass(frozen=True)
class IndicatorData:
    code: str
    name: str
    unit: str
    kind: str
    baseline: Decimal | None = None
    previous_period: Decimal | None = None
    yearly: Mapping[int, Decimal] = field(default_factory=dict)
    period_target: Decimal | None = None
    threshold: Decimal | None = None
    band: Decimal | None = None
    relates_to: str = ""  # a growth target's amount; a newly granted count's held (level) indicator
    in_table: bool = True
    table_text: str = ""  # the target-table row as written, cells joined by "｜"; quoted for its figures


@dataclass(frozen=True)
class StatementData:
    indicator: str
    claim: str
    value: Decimal
    sentence: str
    year: int | None = None


@dataclass(frozen=True)
class PlanData:
    name: str
    years: Sequence[int]
    baseline_year: int
    period_label: str = "规划期"
    previous_period_label: str = "上一规划期"
    indicators: Sequence[IndicatorData] = ()
    statements: Sequence[StatementData] = ()
    code: str = ""


class Finding(NamedTuple):
    indicator: str
    severity: str
    message: str
    figures: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "severity": self.severity,
            "message": self.message,
            "figures": self.figures,
        }


def number(value: Decimal | float | int) -> str:
    """A figure as the plan writes it: 3500, 513.6, 3.05 (no trailing zeros, no exponent)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _json(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _percent(value: float) -> str:
    return f"{value * 100:.2f}%"


# The checks ----------------------------------------------------------------------------------------


def _years(plan: PlanData, i: IndicatorData) -> list[Finding]:
    """Missing years: an indicator followed year by year needs a target for every year of the period."""
    if i.kind not in ("period_total", "level_by_year", "yearly_value") or not i.yearly:
        if i.kind in ("period_total", "yearly_value") and not i.yearly and i.period_target is not None:
            return [
                Finding(
                    i.name, INFO, f"只有{plan.period_label}累计目标，没有分年目标：按时序进度均分到各年跟踪。",
                    {"period_target": _json(i.period_target), "years": list(plan.years)},
                )
            ]  # fmt: skip
        return []
    missing = [year for year in plan.years if year not in i.yearly]
    if not missing:
        return []
    if len(i.yearly) == 1 and plan.years[-1] in i.yearly:
        how = "按从基期到目标年的直线跟踪进度" if i.baseline is not None else "且无基期值：只列实际值，不亮灯"
        return [
            Finding(
                i.name, INFO, f"只有 {plan.years[-1]} 年目标，没有分年目标，{how}。",
                {"yearly": {str(y): _json(v) for y, v in i.yearly.items()}, "missing_years": missing},
            )
        ]  # fmt: skip
    shown = "、".join(f"{year} 年" for year in missing)
    return [
        Finding(
            i.name, ERROR, f"缺少 {shown}的目标。",
            {"yearly": {str(y): _json(v) for y, v in sorted(i.yearly.items())}, "missing_years": missing},
        )
    ]  # fmt: skip


def _sum(plan: PlanData, i: IndicatorData) -> list[Finding]:
    """Yearly targets against the period total."""
    if (
        i.kind != "period_total"
        or i.period_target is None
        or any(year not in i.yearly for year in plan.years)
    ):
        return []
    total = sum((i.yearly[year] for year in plan.years), Decimal(0))
    figures = {
        "yearly": {str(year): _json(i.yearly[year]) for year in plan.years},
        "sum": _json(total),
        "period_target": _json(i.period_target),
    }
    parts = " + ".join(number(i.yearly[year]) for year in plan.years)
    if total == i.period_target:
        message = f"分年目标合计 {parts} = {number(total)}{i.unit}，与{plan.period_label}累计目标一致。"
        return [Finding(i.name, INFO, message, figures)]
    gap = total - i.period_target
    message = (
        f"分年目标合计 {parts} = {number(total)}{i.unit}，与{plan.period_label}累计目标 "
        f"{number(i.period_target)}{i.unit} 不一致（{'多' if gap > 0 else '少'} {number(abs(gap))}{i.unit}）。"
    )
    return [Finding(i.name, ERROR, message, {**figures, "difference": _json(gap)})]


def _growth(plan: PlanData, i: IndicatorData, by_code: Mapping[str, IndicatorData]) -> list[Finding]:
    """The growth the related indicator's yearly targets imply against the growth promised."""
    related = by_code.get(i.relates_to)
    if i.kind != "min_avg_growth" or i.threshold is None or related is None or related.baseline is None:
        return []
    series = [(plan.baseline_year, related.baseline)] + [
        (y, related.yearly[y]) for y in plan.years if y in related.yearly
    ]
    if len(series) < 2 or related.baseline <= 0:
        return []
    steps = {str(year): (float(value) / float(before) - 1) for (_, before), (year, value) in pairwise(series)}
    (first_year, first), (last_year, last) = series[0], series[-1]
    n = last_year - first_year
    average = (float(last) / float(first)) ** (1 / n) - 1
    promised = float(i.threshold) / 100
    slow = [year for year, growth in steps.items() if growth < promised]
    figures = {
        "baseline": _json(first), "target": _json(last), "years": n, "implied_average_growth": round(average, 6),
        "promised_growth": promised, "yearly_growth": {y: round(g, 6) for y, g in steps.items()},
        "years_below": [int(y) for y in slow],
    }  # fmt: skip
    yearly = "，".join(f"{year} 年 {_percent(growth)}" for year, growth in steps.items())
    if average < promised:
        message = (
            f"“{related.name}”按分年目标从 {first_year} 年 {number(first)} 到 {last_year} 年 {number(last)}，"
            f"年均增长 {_percent(average)}，低于承诺的年均 {number(i.threshold)}%（逐年：{yearly}）。"
        )
        return [Finding(i.name, WARNING, message, figures)]
    message = (
        f"“{related.name}”分年目标隐含年均增长 {_percent(average)}，不低于承诺的 {number(i.threshold)}%。"
    )
    if slow:
        message += f"其中 {'、'.join(slow)} 年低于该增幅（逐年：{yearly}）。"
    return [Finding(i.name, INFO, message, figures)]


def _baseline(plan: PlanData, i: IndicatorData) -> list[Finding]:
    """Targets below the baseline, and a level that falls from one year to the next."""
    findings = []
    if i.baseline is None:
        return findings
    if i.kind == "level_by_year":
        below = [year for year in sorted(i.yearly) if i.yearly[year] < i.baseline]
        if below:
            shown = "、".join(f"{year} 年 {number(i.yearly[year])}" for year in below)
            findings.append(
                Finding(
                    i.name, WARNING, f"{shown}{i.unit}低于 {plan.baseline_year} 年基期 {number(i.baseline)}{i.unit}。",
                    {"baseline": _json(i.baseline), "below": {str(y): _json(i.yearly[y]) for y in below}},
                )
            )  # fmt: skip
        years = sorted(i.yearly)
        falls = [(a, b) for a, b in pairwise(years) if i.yearly[b] < i.yearly[a]]
        for a, b in falls:
            findings.append(
                Finding(
                    i.name, WARNING,
                    f"{b} 年目标 {number(i.yearly[b])}{i.unit} 低于 {a} 年的 {number(i.yearly[a])}{i.unit}。",
                    {str(a): _json(i.yearly[a]), str(b): _json(i.yearly[b])},
                )
            )  # fmt: skip
    elif i.kind in ("period_total", "yearly_value") and i.yearly:
        below = [year for year in sorted(i.yearly) if i.yearly[year] < i.baseline]
        if below:
            shown = "、".join(f"{year} 年 {number(i.yearly[year])}" for year in below)
            findings.append(
                Finding(
                    i.name, WARNING,
                    f"{shown}{i.unit}低于 {plan.baseline_year} 年基期 {number(i.baseline)}{i.unit}，即目标低于上年实际水平。",
                    {"baseline": _json(i.baseline), "below": {str(y): _json(i.yearly[y]) for y in below}},
                )
            )  # fmt: skip
    elif i.kind in ("ratio_at_least", "min_avg_growth", "yearly_avg_count") and (
        i.threshold is not None and i.threshold < i.baseline
    ):
        findings.append(
                Finding(
                    i.name, INFO,
                    f"底线 {number(i.threshold)}{i.unit} 低于 {plan.baseline_year} 年基期 {number(i.baseline)}{i.unit}："
                    "保持基期水平即可达到。",
                    {"baseline": _json(i.baseline), "threshold": _json(i.threshold)},
                )
            )  # fmt: skip
    return findings


def _statement(plan: PlanData, s: StatementData, i: IndicatorData) -> list[Finding]:
    """A target stated in the text against the table (or the indicator's own figures)."""
    figures: dict[str, Any] = {"sentence": s.sentence, "text_value": _json(s.value), "claim": s.claim}
    if s.claim == "doubling":
        if i.period_target is None or i.previous_period is None:
            return []
        needed = i.previous_period * s.value
        ratio = i.period_target / i.previous_period
        figures |= {
            "period_target": _json(i.period_target), "previous_period": _json(i.previous_period),
            "multiple": round(float(ratio), 4), "needed": _json(needed),
        }  # fmt: skip
        if i.period_target < needed:
            message = (
                f"正文称较{plan.previous_period_label}翻一番，但{plan.period_label}累计 {number(i.period_target)}{i.unit} "
                f"为{plan.previous_period_label}累计 {number(i.previous_period)}{i.unit} 的 {float(ratio):.2f} 倍，"
                f"翻一番应不少于 {number(needed)}{i.unit}（差 {number(needed - i.period_target)}{i.unit}）。"
            )
            return [Finding(i.name, WARNING, message, figures)]
        message = (
            f"{plan.period_label}累计 {number(i.period_target)}{i.unit} 为{plan.previous_period_label}累计 "
            f"{number(i.previous_period)}{i.unit} 的 {float(ratio):.2f} 倍，符合正文“翻一番”。"
        )
        return [Finding(i.name, INFO, message, figures)]
    if s.claim == "result":
        return _result(plan, s, i, figures)
    if s.claim == "level":
        table = i.yearly.get(s.year) if s.year is not None else None
        where = f"{s.year} 年"
    elif s.claim == "period_total":
        table, where = i.period_target, f"{plan.period_label}累计"
    else:
        table, where = i.threshold, CLAIM_LABELS.get(s.claim, "目标")
    if table is None or not i.in_table:
        return []
    figures["table_value"] = _json(table)
    findings = []
    if table != s.value:
        message = (
            f"正文“{s.sentence}”中{where}为 {number(s.value)}{i.unit}，目标表为 {number(table)}{i.unit}，"
            "二者不一致，须核定以哪个为准。"
        )
        findings.append(Finding(i.name, ERROR, message, figures))
    if s.claim == "yearly_at_least" and i.kind == "yearly_avg_count":
        findings.append(_average_as_floor(plan, s, i, table, figures))
    return findings


def _result(plan: PlanData, s: StatementData, i: IndicatorData, figures: dict[str, Any]) -> list[Finding]:
    """A result the text reports for the baseline year against the indicator's baseline."""
    if s.year != plan.baseline_year or i.baseline is None or s.value == i.baseline:
        return []
    where = "目标表" if i.in_table else "指标"
    message = (
        f"正文“{s.sentence}”中 {s.year} 年实际完成 {number(s.value)}{i.unit}，{where}基期（{plan.baseline_year} 年）"
        f"为 {number(i.baseline)}{i.unit}，二者不一致，须核定以哪个为准。"
    )
    figures |= {"year": s.year, "baseline": _json(i.baseline), "difference": _json(s.value - i.baseline)}
    return [Finding(i.name, ERROR, message, figures)]


def _table_cell(i: IndicatorData, value: Decimal) -> str:
    """The table's cell that states `value` in words ("年均8个"), else the words it stands for."""
    figure = re.compile(rf"(?<![\d.]){re.escape(number(value))}(?![\d.])")
    for cell in reversed(i.table_text.split("｜")):
        if figure.search(cell) and not re.fullmatch(r"[\d.]+", cell.strip()):
            return cell.strip()
    return f"年均{number(value)}{i.unit}"


def _average_as_floor(
    plan: PlanData, s: StatementData, i: IndicatorData, average: Decimal, figures: dict[str, Any]
) -> Finding:
    """The table states a yearly average ("年均8个"), the text a yearly floor ("每年…8个以上")."""
    cell, floor, mean = _table_cell(i, average), f"{number(s.value)}{i.unit}", f"{number(average)}{i.unit}"
    message = (
        f"目标表写“{cell}”，正文“{s.sentence}”写每年不少于 {floor}。二者不是一回事："
        f"按年均，某一年少于 {mean} 可由其他年份多完成补足，只要{plan.period_label}各年平均不少于 {mean}；"
        f"按每年不少于，每一年都不得少于 {floor}。平台亮灯目前按每年不少于理解：每年目标都取 {mean}，"
        "当年完成数单独对照时序进度亮灯，其他年份多完成的不抵补当年。须由市经信局核定以哪一种为准。"
    )
    figures = figures | {"table_cell": cell, "lights_read_as": "yearly_at_least"}
    return Finding(i.name, WARNING, message, figures)


def plan_check(plan: PlanData) -> list[Finding]:
    """Every finding about the plan, indicator by indicator in the plan's order, errors first within each."""
    by_code = {i.code: i for i in plan.indicators}
    order = {code: position for position, code in enumerate(by_code)}
    found: list[tuple[int, Finding]] = []
    for i in plan.indicators:
        for finding in (*_years(plan, i), *_sum(plan, i), *_growth(plan, i, by_code), *_baseline(plan, i)):
            found.append((order[i.code], finding))
    for s in plan.statements:
        if s.indicator in by_code:
            found += [(order[s.indicator], finding) for finding in _statement(plan, s, by_code[s.indicator])]
    rank = {ERROR: 0, WARNING: 1, INFO: 2}
    return [finding for _, finding in sorted(found, key=lambda item: (item[0], rank[item[1].severity]))]


# Across documents ------------------------------------------------------------------------------------


class Stated(NamedTuple):
    """A figure a document states for a year: where ("正文", "目标表" or "" when composed) and as written."""

    year: int
    value: Decimal
    sentence: str
    where: str


def stated_figures(plan: PlanData, i: IndicatorData) -> list[Stated]:
    """An indicator's stated figures in a plan (targets are not): each result the text reports, and the
    baseline for the baseline year unless a result for that year states the same value, quoted from the
    target table's row when there is one."""
    results = [
        Stated(s.year, s.value, s.sentence, "正文")
        for s in plan.statements
        if s.indicator == i.code and s.claim == "result" and s.year is not None
    ]
    if i.baseline is None or any(r.year == plan.baseline_year and r.value == i.baseline for r in results):
        return results
    year = plan.baseline_year
    if i.table_text:
        baseline = Stated(year, i.baseline, i.table_text, "目标表")
    else:
        baseline = Stated(year, i.baseline, f"{i.name} 基期（{year}年）{number(i.baseline)}{i.unit}", "")
    return [baseline, *results]


def _document(name: str) -> str:
    return name if name.startswith("《") else f"《{name}》"


def _quoted(plan: PlanData, figure: Stated) -> str:
    return f"{_document(plan.name)}{figure.where}“{figure.sentence}”"


def _pair_figures(a: tuple[PlanData, Stated], b: tuple[PlanData, Stated], **computed: Any) -> dict[str, Any]:
    (plan_a, first), (plan_b, second) = a, b
    return {
        "documents": [plan_a.name, plan_b.name],
        "sentences": [first.sentence, second.sentence],
        "values": [_json(first.value), _json(second.value)],
        "years": [first.year, second.year],
    } | computed


def _same_year(name: str, unit: str, a: tuple[PlanData, Stated], b: tuple[PlanData, Stated]) -> Finding:
    (plan_a, first), (plan_b, second) = a, b
    message = (
        f"{first.year} 年的同一数字两份文件不一致：{_quoted(plan_a, first)}为 {number(first.value)}{unit}，"
        f"{_quoted(plan_b, second)}为 {number(second.value)}{unit}，须核定以哪个为准。"
    )
    return Finding(name, ERROR, message, _pair_figures(a, b, difference=_json(second.value - first.value)))


def _share_jump(name: str, a: tuple[PlanData, Stated], b: tuple[PlanData, Stated]) -> Finding | None:
    """`a` states the share for one year, `b` for the next."""
    (plan_a, first), (plan_b, second) = a, b
    change = second.value - first.value
    if abs(change) < SHARE_JUMP_POINTS:
        return None
    message = (
        f"{_quoted(plan_a, first)}为 {first.year} 年 {number(first.value)}%，{_quoted(plan_b, second)}为 "
        f"{second.year} 年 {number(second.value)}%，一年{'上升' if change > 0 else '下降'} {number(abs(change))} "
        f"个百分点（一年变动 {number(SHARE_JUMP_POINTS)} 个百分点及以上即提示，含本数）。比重一年变动如此之大，"
        "请核实两份文件的统计口径是否一致。"
    )
    figures = _pair_figures(
        a, b, change_points=_json(change), bound_points=_json(SHARE_JUMP_POINTS), bound_inclusive=True
    )
    return Finding(name, WARNING, message, figures)


def _new_above_held(
    name: str, new: tuple[PlanData, Stated], held: tuple[PlanData, Stated], unit: str
) -> Finding:
    (plan_a, first), (plan_b, second) = new, held
    when = "同年" if second.year == first.year else f"{second.year} 年"
    message = (
        f"{_quoted(plan_a, first)}为 {first.year} 年新认定 {number(first.value)}{unit}，"
        f"{_quoted(plan_b, second)}为 {second.year} 年在册 {number(second.value)}{unit}：一年新认定的就比"
        f"{when}在册总数多 {number(first.value - second.value)}{unit}。或是称号有有效期、期满退出，"
        "或是在册数的统计口径更窄，须核实。"
    )
    return Finding(name, WARNING, message, _pair_figures(new, held, excess=_json(first.value - second.value)))


def document_check(plans: Sequence[PlanData]) -> list[Finding]:
    """Findings across documents, matching indicators by code: the same year's figure stated differently
    (error); a share in % whose figures for consecutive years in two documents differ by
    `SHARE_JUMP_POINTS` or more (warning); a count newly granted in a year (an indicator whose `relates_to`
    is a level_by_year indicator of any of the documents) above the count held in the same or a later year
    (warning). Only stated figures are compared (`stated_figures`), not targets. Errors first, then
    warnings, each in the order of the plans and their indicators."""
    names: dict[str, str] = {}
    for plan in plans:
        for i in plan.indicators:
            names.setdefault(i.code, i.name)
    stated = [{i.code: (i, stated_figures(plan, i)) for i in plan.indicators} for plan in plans]
    found: list[Finding] = []
    for (index_a, plan_a), (index_b, plan_b) in combinations(enumerate(plans), 2):
        for code, (i, figures_a) in stated[index_a].items():
            j, figures_b = stated[index_b].get(code, (None, []))
            if j is None or j.unit != i.unit:  # a figure in 亿元 and one in 万元 are not compared
                continue
            share = i.unit == "%" and (i.kind in RATIO_KINDS or j.kind in RATIO_KINDS)
            for first in figures_a:
                for second in figures_b:
                    a, b = (plan_a, first), (plan_b, second)
                    if first.year == second.year and first.value != second.value:
                        found.append(_same_year(names[code], i.unit, a, b))
                    elif share and abs(first.year - second.year) == 1:
                        earlier, later = (a, b) if first.year < second.year else (b, a)
                        if jump := _share_jump(names[code], earlier, later):
                            found.append(jump)
    for index_a, plan_a in enumerate(plans):
        for i, figures_a in stated[index_a].values():
            if not i.relates_to or i.kind == "min_avg_growth" or i.kind in RATIO_KINDS:
                continue
            for index_b, plan_b in enumerate(plans):
                j, figures_b = stated[index_b].get(i.relates_to, (None, []))
                if j is None or j.kind != "level_by_year" or j.unit != i.unit:
                    continue
                for first in figures_a:
                    for second in figures_b:
                        if second.year >= first.year and first.value > second.value:
                            found.append(
                                _new_above_held(names[i.code], (plan_a, first), (plan_b, second), i.unit)
                            )
    rank = {ERROR: 0, WARNING: 1, INFO: 2}
    return sorted(found, key=lambda finding: rank[finding.severity])


# Progress against time pace --------------------------------------------------------------------------

FLOWS = ("period_total", "yearly_value", "yearly_avg_count")  # amounts or counts that add up over a year
GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
LIGHT_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯", NONE: "不亮灯"}


@dataclass(frozen=True)
class PaceRules:
    """How far behind time pace (percentage points) is yellow and red; how far below a floor or off a
    band is yellow before it is red. Defaults follow the project lights: 10 points and more (含本数)
    yellow, beyond 30 points (不含本数) red, as the cited rule says "10~30个百分点(含10~30个百分点)"."""

    pace_yellow: Decimal = Decimal(10)
    pace_red: Decimal = Decimal(30)
    pace_yellow_inclusive: bool = True
    pace_red_inclusive: bool = False
    floor_yellow: Decimal = Decimal(2)  # points below a ratio floor or a growth floor


@dataclass(frozen=True)
class Standing:
    """One indicator for one reporting unit as of a month."""

    year_target: Decimal | None
    actual: Decimal | None
    completion: Decimal | None  # share of the year's target done (or of the increment, for a level)
    time_pace: Decimal | None  # share of the year elapsed; None where pace does not apply
    light: str
    yoy: Decimal | None  # change on the same month of last year, as a share
    period_target: Decimal | None
    period_actual: Decimal | None
    reasons: tuple[str, ...]


def _share(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def _points(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.1'))}%"


def _pace_light(completion: Decimal, pace: Decimal, rules: PaceRules) -> tuple[str, str]:
    behind = (pace - completion) * 100
    shown = f"落后时序进度 {behind.quantize(Decimal('0.01'))} 个百分点"
    if reaches(behind, rules.pace_red, rules.pace_red_inclusive):
        return (
            RED,
            f"{shown}（{threshold_words('落后', f'{rules.pace_red} 个百分点', rules.pace_red_inclusive)}亮红灯）",
        )
    if reaches(behind, rules.pace_yellow, rules.pace_yellow_inclusive):
        return (
            YELLOW,
            f"{shown}（{threshold_words('落后', f'{rules.pace_yellow} 个百分点', rules.pace_yellow_inclusive)}亮黄灯）",
        )
    return (
        GREEN,
        "进度不落后于时序进度"
        if behind <= 0
        else f"落后时序进度 {behind.quantize(Decimal('0.1'))} 个百分点，未达黄灯线",
    )


def level_progress(actual: Decimal | None, start: Decimal | None, target: Decimal | None) -> str | None:
    """A level indicator's year as officials read it, the count added against the count to add:
    "年内新增 2 / 目标新增 4" (not "65 家, 完成 0%", which hides that the year began at 63)."""
    if actual is None or start is None or target is None:
        return None
    added = actual - start
    done = f"年内新增 {number(added)}" if added >= 0 else f"年内减少 {number(-added)}"
    return f"{done} / 目标新增 {number(max(target - start, Decimal(0)))}"


def versus_baseline(i: IndicatorData, actual: Decimal | None, baseline_year: int, months: int) -> str | None:
    """An indicator without a target for the year read against its baseline (last year's result, for a
    work plan): a rate or share by the points between them; an amount or count so far against the
    baseline year's whole-year figure."""
    if actual is None or i.baseline is None:
        return None
    if i.unit == "%":
        gap = actual - i.baseline
        if gap == 0:
            return f"与 {baseline_year} 年的 {number(i.baseline)}% 持平"
        return f"比 {baseline_year} 年的 {number(i.baseline)}% {'高' if gap > 0 else '低'} {number(abs(gap))} 个百分点"
    if i.kind in FLOWS and months < 12 and i.baseline:
        return f"截至 {months} 月为 {baseline_year} 年全年 {number(i.baseline)}{i.unit} 的 {_points(actual / i.baseline)}"
    return f"{baseline_year} 年为 {number(i.baseline)}{i.unit}，现为 {number(actual)}{i.unit}"


def year_target_of(i: IndicatorData, year: int, years: Sequence[int], baseline_year: int) -> Decimal | None:
    """The indicator's target for `year`: its own, a yearly floor, the period total spread evenly over the
    years when it has no yearly targets, or for a level stated only for its final year the straight line
    from the baseline to it."""
    if year in i.yearly:
        return i.yearly[year]
    if i.kind == "yearly_avg_count":
        return i.threshold
    if i.kind in ("period_total", "yearly_value") and not i.yearly and i.period_target is not None and years:
        return i.period_target / len(years)
    if i.kind == "level_by_year" and i.yearly and i.baseline is not None:
        end = max(i.yearly)
        if baseline_year < year < end:
            return i.baseline + (i.yearly[end] - i.baseline) * (year - baseline_year) / (end - baseline_year)
    return None


def standing(
    indicator: IndicatorData,
    *,
    year: int,
    months: int,
    actual: Decimal | None,
    last_year: Decimal | None = None,
    year_target: Decimal | None = None,
    period_target: Decimal | None = None,
    earlier_years: Decimal = Decimal(0),
    level_start: Decimal | None = None,
    years: Sequence[int] = (),
    baseline_year: int = 0,
    rules: PaceRules | None = None,
) -> Standing:
    """Where an indicator stands after `months` complete months of `year`.

    `actual` is the year-to-date amount or count (flows), the current level (levels), the growth in %
    (growth floors) or the ratio in % (ratios); `last_year` the same figure a year before; `year_target`
    and `period_target` override the city's (a district's share); `earlier_years` is what the period's
    earlier years achieved (flows); `level_start` the level the year started from (levels; default the
    baseline); `years` and `baseline_year` (the plan's) imply a target the plan does not state for the
    year (`year_target_of`)."""
    rules = rules or PaceRules()
    i = indicator
    pace = Decimal(months) / 12
    unit = i.unit
    if year_target is None:
        year_target = year_target_of(i, year, years, baseline_year)
    if period_target is None:
        period_target = i.period_target
    yoy = _share(actual - last_year, last_year) if actual is not None and last_year else None
    reasons: list[str] = []
    if actual is None:
        return Standing(year_target, None, None, pace if i.kind in FLOWS else None, NONE, None, period_target,
                        None, (f"{year} 年尚无实际值",))  # fmt: skip
    if i.kind in FLOWS:
        period_actual = earlier_years + actual
        if year_target is None or year_target == 0:
            return Standing(None, actual, None, pace, NONE, yoy, period_target, period_actual,
                            (f"{year} 年没有目标，不亮灯",))  # fmt: skip
        completion = actual / year_target
        light, why = _pace_light(completion, pace, rules)
        reasons.append(
            f"{year} 年目标 {number(year_target)}{unit}，截至 {months} 月完成 {number(actual)}{unit}，"
            f"完成率 {_points(completion)}，时序进度 {_points(pace)}，{why}"
        )
        if period_target:
            reasons.append(
                f"规划期累计完成 {number(period_actual)}{unit}，为累计目标的 {_points(period_actual / period_target)}"
            )
        return Standing(
            year_target, actual, completion, pace, light, yoy, period_target, period_actual, tuple(reasons)
        )
    if i.kind == "level_by_year":
        start = level_start if level_start is not None else i.baseline
        if year_target is None:
            return Standing(
                None, actual, None, None, NONE, yoy, period_target, actual, (f"{year} 年没有目标，不亮灯",)
            )
        if actual >= year_target:
            reasons.append(f"已达 {year} 年目标 {number(year_target)}{unit}（现为 {number(actual)}{unit}）")
            return Standing(
                year_target, actual, Decimal(1), pace, GREEN, yoy, period_target, actual, tuple(reasons)
            )
        if start is None or year_target <= start:
            completion = actual / year_target
        else:
            completion = max(actual - start, Decimal(0)) / (year_target - start)
        light, why = _pace_light(completion, pace, rules)
        if start is None or year_target <= start:
            done = f"现为 {number(actual)}{unit}，完成率 {_points(completion)}"
        else:
            done = (
                f"年初 {number(start)}{unit}，需新增 {number(year_target - start)}{unit}，"
                f"年内新增 {number(actual - start)}{unit}，新增完成率 {_points(completion)}"
            )
        reasons.append(f"{year} 年目标 {number(year_target)}{unit}，{done}，时序进度 {_points(pace)}，{why}")
        return Standing(
            year_target, actual, completion, pace, light, yoy, period_target, actual, tuple(reasons)
        )
    floor = i.threshold
    if floor is None:
        return Standing(None, actual, None, None, NONE, yoy, None, None, ("没有目标值，不亮灯",))
    if i.kind == "ratio_near":
        band = i.band or Decimal(0)
        off = abs(actual - floor)
        light = GREEN if off <= band else YELLOW if off <= 2 * band else RED
        reasons.append(
            f"现为 {number(actual)}{unit}，目标稳定在 {number(floor)}{unit} 左右（±{number(band)}），偏离 {number(off)} 个百分点"
        )
        return Standing(floor, actual, None, None, light, yoy, None, None, tuple(reasons))
    below = floor - actual
    light = GREEN if below <= 0 else YELLOW if below < rules.floor_yellow else RED
    what = "增幅" if i.kind == "min_avg_growth" else "比重"
    reasons.append(
        f"{what}现为 {number(actual)}{unit}，底线 {number(floor)}{unit}，"
        + ("已达到" if below <= 0 else f"低 {number(below)} 个百分点")
    )
    return Standing(floor, actual, _share(actual, floor), None, light, yoy, None, None, tuple(reasons))


# Decomposition to reporting units --------------------------------------------------------------------


def split_by_share(
    targets: Mapping[int, Decimal], baselines: Mapping[str, Decimal], places: int = 2
) -> dict[str, dict[int, Decimal]]:
    """Each year's city target split among the units in proportion to their baselines, rounded to `places`
    decimals with the largest remainders taking the rounding units, so the shares add up to the target
    exactly."""
    total = sum(baselines.values(), Decimal(0))
    if total <= 0:
        raise ValueError("各单位基期值合计为 0，无法按基期占比分解")
    step = Decimal(1).scaleb(-places)
    split: dict[str, dict[int, Decimal]] = {unit: {} for unit in baselines}
    for year, target in targets.items():
        exact = {unit: target * value / total for unit, value in baselines.items()}
        floors = {
            unit: (share / step).to_integral_value(rounding=ROUND_FLOOR) * step
            for unit, share in exact.items()
        }
        left = int(((target - sum(floors.values(), Decimal(0))) / step).to_integral_value())
        order = {unit: position for position, unit in enumerate(baselines)}  # ties: the unit listed first
        for unit in sorted(exact, key=lambda u: (-(exact[u] - floors[u]), order[u]))[: max(left, 0)]:
            floors[unit] += step
        for unit, value in floors.items():
            split[unit][year] = value
    return split


def reconciliation(
    name: str, unit: str, city: Mapping[int, Decimal], districts: Mapping[str, Mapping[int, Decimal]]
) -> list[Finding]:
    """Whether the units' targets add up to the city's, year by year."""
    findings = []
    for year, target in sorted(city.items()):
        shares = {district: values[year] for district, values in districts.items() if year in values}
        total = sum(shares.values(), Decimal(0))
        figures = {
            "year": year,
            "city": float(target),
            "sum": float(total),
            "units": {k: float(v) for k, v in shares.items()},
        }
        if total == target:
            continue
        missing = "" if shares else "，尚未分解"
        findings.append(
            Finding(
                name,
                ERROR,
                f"{year} 年各单位目标合计 {number(total)}{unit}，与全市目标 {number(target)}{unit} 相差 {number(total - target)}{unit}{missing}。",
                figures,
            )
        )
    return findings


# The district ranking (赛马) ----------------------------------------------------------------------------


class RankRow(NamedTuple):
    unit: str
    score: Decimal | None
    rank: int | None
    parts: tuple[tuple[str, Decimal, Decimal, Decimal], ...]  # indicator, completion, time pace, points
    reasons: tuple[str, ...]


def district_ranking(
    standings: Mapping[str, Sequence[tuple[str, Decimal | None, Decimal | None]]],
    cap: Decimal = Decimal("1.2"),
) -> list[RankRow]:
    """Units ranked by a transparent score: for each indicator with the unit's own target, points =
    min(completion ÷ time pace, cap) × 100; the score is their average. Units with no such indicator are
    listed last without a rank; equal scores share a rank."""
    scored = []
    for unit, rows in standings.items():
        parts = tuple(
            (name, completion, pace, min(completion / pace, cap) * 100)
            for name, completion, pace in rows
            if completion is not None and pace
        )
        if not parts:
            scored.append((unit, None, parts, ("没有分解到本单位且有实际值的指标，不参与排名",)))
            continue
        score = (sum(points for *_, points in parts) / len(parts)).quantize(Decimal("0.01"))
        shown = "、".join(f"{name} {points.quantize(Decimal('0.1'))}" for name, *_, points in parts)
        reasons = (
            f"{len(parts)} 项指标按“完成率 ÷ 时序进度”计分（封顶 {cap * 100:.0f} 分）：{shown}，平均 {score} 分",
        )
        scored.append((unit, score, parts, reasons))
    ranked = sorted((s for s in scored if s[1] is not None), key=lambda s: -s[1])
    rows, previous, rank = [], None, 0
    for position, (unit, score, parts, reasons) in enumerate(ranked, start=1):
        if score != previous:
            rank, previous = position, score
        rows.append(RankRow(unit, score, rank, parts, reasons))
    rows += [
        RankRow(unit, None, None, parts, reasons) for unit, score, parts, reasons in scored if score is None
    ]
    return rows
