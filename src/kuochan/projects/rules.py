"""The project rules: stage, light (亮灯), stall category (破五未), the three lists (三张清单), data-quality
findings and the roll-ups the targets need.

Pure functions over all projects at once: plain facts in, verdicts with Chinese reasons out; no queries.
Each takes an `as_of` date and counts an actual date only when it is on or before it. Money is in
integers of hundredths of 万元, so a boundary (10 percentage points, 500万元) is compared exactly.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

MILESTONES: tuple[str, ...] = (
    "signed",
    "registered",
    "started",
    "in_stats",
    "completed",
    "producing",
    "at_capacity",
)
MILESTONE_LABELS: dict[str, str] = {
    "signed": "签约",
    "registered": "备案",
    "started": "开工",
    "in_stats": "入库",
    "completed": "竣工",
    "producing": "投产",
    "at_capacity": "达产",
}
STAGE_INDEX = {name: index for index, name in enumerate(MILESTONES)}
STALLS: tuple[str, ...] = ("签约未落地", "落地未开工", "开工未竣工", "竣工未投产", "投产未达产")
TERMINATED, RESERVE = "terminated", "reserve"


class Light(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    NONE = "none"

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self.value]


# The words for a light wherever one is shown: projects, tickets, tasks, the cockpit.
LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "none": "不亮灯"}


LEVELS = (Light.GREEN, Light.YELLOW, Light.RED)
URGENCY = (Light.RED, Light.YELLOW, Light.GREEN, Light.NONE)  # the order lists open in: most urgent first


@dataclass(frozen=True, slots=True)
class LightRules:
    """Thresholds and the milestone order, as stored in a `LightRuleSet` (defaults: DESIGN.md)."""

    milestone_order: tuple[str, ...] = (
        "signed",
        "registered",
        "started",
        "completed",
        "producing",
        "at_capacity",
    )
    stall_labels: Mapping[str, str] = field(
        default_factory=lambda: dict(zip(("registered", "started", "completed", "producing", "at_capacity"), STALLS, strict=True))
    )  # fmt: skip
    # Each threshold says whether it includes its bound (含本数): inclusive fires at value ≥ threshold, not
    # inclusive at value > threshold. Defaults as the sources word them: 逾期 3 个月 red; 10–30 points behind
    # (含10~30个百分点) yellow, 超过30个百分点 red; 入库 超过 30 / 60 天.
    schedule_yellow_days: int = 1
    schedule_yellow_inclusive: bool = True
    schedule_red_days: int = 90
    schedule_red_inclusive: bool = True
    pace_yellow_hundredths: int = 1000  # percentage points × 100: 10.00 points
    pace_yellow_inclusive: bool = True
    pace_red_hundredths: int = 3000
    pace_red_inclusive: bool = False
    in_stats_min_total: int = 50_000  # hundredths of 万元: 500万元 (以上, inclusive)
    in_stats_yellow_after_days: int = 30
    in_stats_yellow_inclusive: bool = False
    in_stats_red_after_days: int = 60
    in_stats_red_inclusive: bool = False
    above_scale_revenue: int = 200_000  # hundredths of 万元: 2,000万元 (inclusive)


class ProjectFacts(NamedTuple):
    """What the rules need to know about one project. `ytd` is the latest year-to-date investment reported
    for a complete month of the as-of year up to the as-of date (the caller fetched only those months).

    Named tuples, not dataclasses: a province builds 150,000 of these per computation."""

    id: int
    code: str
    name: str
    district: str
    status: str
    planned: Mapping[str, dt.date | None]
    actual: Mapping[str, dt.date | None]
    total: int | None = None
    enterprise_id: int | None = None
    is_renovation: bool = False
    year_plan: int | None = None
    ytd: int | None = None
    ytd_month: dt.date | None = None


class Verdict(NamedTuple):
    project_id: int
    stage: str | None
    light: Light
    stall: str | None
    reasons: tuple[str, ...]

    @property
    def stage_label(self) -> str | None:
        return MILESTONE_LABELS[self.stage] if self.stage else None


def wan(hundredths: int) -> str:
    """An amount of hundredths of 万元 as users read it: 1,234.50."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole:,}.{part:02d}"


def percent(numerator: int, denominator: int, places: int = 1) -> str:
    """numerator / denominator as a percentage with `places` decimals, rounded half away from zero, exactly."""
    sign = "-" if numerator * denominator < 0 else ""
    scale = 10**places
    units = (abs(numerator) * 200 * scale + abs(denominator)) // (2 * abs(denominator))
    whole, part = divmod(units, scale)
    return f"{sign}{whole}.{part:0{places}d}%"


def reaches(value: int, threshold: int, inclusive: bool) -> bool:
    """Whether a value meets a threshold: at it or beyond when the threshold includes its bound (含本数),
    only beyond it otherwise."""
    return value >= threshold if inclusive else value > threshold


def threshold_words(lead: str, amount: str, inclusive: bool) -> str:
    """A threshold as rule texts word it. 以上 includes its bound (民法典 第1259条) and says so; a bound that
    does not count is 超过: ("落后", "10 个百分点", True) → "落后 10 个百分点以上（含本数）",
    ("", "30 个百分点", False) → "超过 30 个百分点（不含本数）"."""
    if inclusive:
        return f"{lead} {amount}以上（含本数）".lstrip()
    return f"{lead}超过 {amount}（不含本数）"


def points(hundredths: int) -> str:
    """Percentage points kept in hundredths, as a rule states them: 10, 10.5, 10.25."""
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".")


def light_rule_words(rules: LightRules) -> dict[str, str]:
    """Each light rule's thresholds in words, with whether each includes its bound: the reasons end with
    them and the rules page shows them, so both say the same."""
    schedule_yellow = threshold_words(
        "逾期", f"{rules.schedule_yellow_days} 天", rules.schedule_yellow_inclusive
    )
    schedule_red = threshold_words("", f"{rules.schedule_red_days} 天", rules.schedule_red_inclusive)
    pace_yellow = threshold_words(
        "落后", f"{points(rules.pace_yellow_hundredths)} 个百分点", rules.pace_yellow_inclusive
    )
    pace_red = threshold_words("", f"{points(rules.pace_red_hundredths)} 个百分点", rules.pace_red_inclusive)
    in_stats_yellow = threshold_words(
        "开工", f"{rules.in_stats_yellow_after_days} 天", rules.in_stats_yellow_inclusive
    )
    in_stats_red = threshold_words("", f"{rules.in_stats_red_after_days} 天", rules.in_stats_red_inclusive)
    return {
        "schedule": f"{schedule_yellow}亮黄灯；{schedule_red}亮红灯",
        "pace": f"{pace_yellow}亮黄灯；{pace_red}亮红灯",
        "in_stats": f"{in_stats_yellow}未入库亮黄灯；{in_stats_red}亮红灯",
    }


def complete_months(as_of: dt.date) -> int:
    """Months of as_of's year that have ended by as_of: 6 on 30 June, 5 on 29 June."""
    return as_of.month if (as_of + dt.timedelta(days=1)).month != as_of.month else as_of.month - 1


def last_complete_month(as_of: dt.date) -> dt.date | None:
    """The first day of the latest month of as_of's year that has ended by as_of (None in January)."""
    months = complete_months(as_of)
    return dt.date(as_of.year, months, 1) if months else None


def known(actual: Mapping[str, dt.date | None], as_of: dt.date) -> dict[str, dt.date]:
    """The actual dates known on as_of: a date after it had not happened yet."""
    return {name: day for name, day in actual.items() if day is not None and day <= as_of}


def stage_of(reached: Mapping[str, dt.date]) -> str | None:
    """The last milestone reached, in milestone order."""
    return max(reached, key=STAGE_INDEX.__getitem__) if reached else None


def next_milestone(reached: Mapping[str, dt.date], order: Sequence[str]) -> str | None:
    """The milestone after the furthest one reached, in the rules' order (a project that has started is past
    备案 even when no 备案 date was recorded)."""
    furthest = max((index for index, name in enumerate(order) if name in reached), default=-1)
    return order[furthest + 1] if furthest + 1 < len(order) else None


def project_verdicts(rows: Iterable[ProjectFacts], *, as_of: dt.date, rules: LightRules) -> list[Verdict]:
    """Stage, light, stall category and reasons for every project, in one pass."""
    months, words = complete_months(as_of), light_rule_words(rules)
    return [_verdict(facts, as_of, rules, months, words) for facts in rows]


def _verdict(
    f: ProjectFacts, as_of: dt.date, rules: LightRules, months: int, words: Mapping[str, str]
) -> Verdict:
    reached = known(f.actual, as_of)
    stage = stage_of(reached)
    if f.status == TERMINATED:
        return Verdict(f.id, stage, Light.NONE, None, ("项目已终止，不亮灯",))
    if "at_capacity" in reached:
        return Verdict(f.id, stage, Light.NONE, None, (f"已于 {reached['at_capacity']} 达产，不再亮灯",))
    if f.status == RESERVE and "signed" not in reached:
        return Verdict(f.id, stage, Light.NONE, None, ("储备项目，尚未签约，不亮灯",))
    level, reasons, stall = 0, [], None
    upcoming = next_milestone(reached, rules.milestone_order)
    planned = f.planned.get(upcoming) if upcoming else None
    if planned is not None and planned < as_of:
        late = (as_of - planned).days
        stall = rules.stall_labels.get(upcoming)
        fired = (
            2
            if reaches(late, rules.schedule_red_days, rules.schedule_red_inclusive)
            else 1
            if reaches(late, rules.schedule_yellow_days, rules.schedule_yellow_inclusive)
            else 0
        )
        if fired:
            level = max(level, fired)
            label = MILESTONE_LABELS[upcoming]
            reasons.append(
                f"计划{label} {planned}，至 {as_of} 尚未{label}，已逾期 {late} 天（{words['schedule']}）"
            )
    started = "started" in reached
    if started and "completed" not in reached and f.year_plan:
        fired, reason = _pace(f, as_of, rules, months)
        if fired:
            level = max(level, fired)
            reasons.append(f"{reason}（{words['pace']}）")
    if started and "in_stats" not in reached and f.total is not None and f.total >= rules.in_stats_min_total:
        days = (as_of - reached["started"]).days
        fired = (
            2
            if reaches(days, rules.in_stats_red_after_days, rules.in_stats_red_inclusive)
            else 1
            if reaches(days, rules.in_stats_yellow_after_days, rules.in_stats_yellow_inclusive)
            else 0
        )
        if fired:
            level = max(level, fired)
            reasons.append(
                f"已于 {reached['started']} 开工 {days} 天，尚未入库（总投资 {wan(f.total)} 万元；{words['in_stats']}）"
            )
    if level:
        return Verdict(f.id, stage, LEVELS[level], stall, tuple(reasons))
    if planned is not None:
        label = MILESTONE_LABELS[upcoming]
        return Verdict(f.id, stage, Light.GREEN, stall, (f"按计划推进：下一节点{label}，计划 {planned}",))
    if f.year_plan and started:
        return Verdict(f.id, stage, Light.GREEN, stall, ("投资进度符合时序要求",))
    if upcoming is None:
        return Verdict(f.id, stage, Light.GREEN, stall, ("各节点均已完成",))
    label = MILESTONE_LABELS[upcoming]
    return Verdict(f.id, stage, Light.NONE, stall, (f"未填写计划{label}日期，无法判断进度",))


def _pace(f: ProjectFacts, as_of: dt.date, rules: LightRules, months: int) -> tuple[int, str]:
    """Investment pace: time pace p = months/12, completion c = ytd / plan; fires on p − c in points.

    Compared in integers, so exactly 30 points behind is exactly at the bound: gap × 100 (hundredths of a point)
    = 10000 × (months × plan − 12 × ytd) / (12 × plan).
    """
    plan, ytd = f.year_plan or 0, f.ytd or 0
    gap_scaled = 10_000 * (months * plan - 12 * ytd)  # = gap in hundredths of a point × 12 × plan
    denominator = 12 * plan
    if reaches(gap_scaled, rules.pace_red_hundredths * denominator, rules.pace_red_inclusive):
        fired = 2
    elif reaches(gap_scaled, rules.pace_yellow_hundredths * denominator, rules.pace_yellow_inclusive):
        fired = 1
    else:
        return 0, ""
    reported = (
        f"至 {f.ytd_month.year}年{f.ytd_month.month}月累计完成投资 {wan(ytd)} 万元"
        if f.ytd_month is not None
        else f"{as_of.year}年尚未报送完成投资"
    )
    # In hundredths of a point, as thresholds are kept: 30.01 points behind reads 30.01, not 30.0.
    gap = (2 * gap_scaled + denominator) // (2 * denominator)
    return fired, (
        f"{_missing_report(f, as_of)}时序进度 {percent(months, 12, 2)}，{reported}，"
        f"占年度计划 {wan(plan)} 万元的 {percent(ytd, plan, 2)}，落后 {gap // 100}.{gap % 100:02d} 个百分点"
    )


def _missing_report(f: ProjectFacts, as_of: dt.date) -> str:
    """ "2026年11月进展未填报；" when the last complete month's report is missing (the pace then counts an
    older figure, or none), so a light that fires for it says so first; else ""."""
    due = last_complete_month(as_of)
    if due is None or (f.ytd_month is not None and f.ytd_month >= due):
        return ""
    return f"{due.year}年{due.month}月进展未填报；"


def light_summary(verdicts: Iterable[Verdict]) -> dict[str, int]:
    counts = Counter(v.light.value for v in verdicts)
    return {light.value: counts.get(light.value, 0) for light in URGENCY}


# Codes and date order, checked the same way by imports, forms and the API -------------------------

_PROJECT_CODE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
_PLATFORM_CODE = re.compile(r"^KC-(\d{4})-(\d{6})$")
_DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-", "_": "-"})


def normalise_project_code(value: object) -> str:
    """Full-width characters, odd dashes and spaces as users type them; upper case."""
    text = unicodedata.normalize("NFKC", str(value or "")).translate(_DASHES)
    return "".join(text.split()).upper()


def project_code_problem(code: str) -> str | None:
    """Why a code is not a national project code (统一项目代码) nor a platform code, or None."""
    if _PLATFORM_CODE.match(code):
        return None
    match = _PROJECT_CODE.match(code)
    if match is None:
        return "应为统一项目代码（如 2026-330502-26-03-012345）或平台编号（如 KC-2026-000001）"
    if not 2000 <= int(match.group(1)) <= 2099:
        return f"统一项目代码的年份“{match.group(1)}”不正确"
    return None


def platform_code(year: int, serial: int) -> str:
    """The code a project gets before it is registered with the approval platform."""
    return f"KC-{year}-{serial:06d}"


PLANNED_ORDER = ("registered", "started", "completed", "producing", "at_capacity")


def planned_order_problems(planned: Mapping[str, dt.date | None]) -> list[tuple[str, str]]:
    """(milestone, message) for each planned date earlier than a planned date of an earlier milestone."""
    problems, previous = [], None
    for name in PLANNED_ORDER:
        day = planned.get(name)
        if day is None:
            continue
        if previous is not None and day < previous[1]:
            problems.append(
                (
                    name,
                    f"计划{MILESTONE_LABELS[name]}日期 {day} 早于计划{MILESTONE_LABELS[previous[0]]}日期 "
                    f"{previous[1]}，节点顺序应为 备案→开工→竣工→投产→达产",
                )
            )
        else:
            previous = (name, day)
    return problems


# The three lists (三张清单) -------------------------------------------------------------------------


class EnterpriseFacts(NamedTuple):
    """An enterprise for the 升规 list: its above-scale state and main revenue by year (hundredths)."""

    id: int
    uscc: str
    name: str
    district: str
    above_scale: bool
    above_scale_since: dt.date | None
    revenue: Mapping[int, int]
    revenue_label: str = "主营业务收入"  # or 营业收入, when that is all the enterprise reported


@dataclass(frozen=True, slots=True)
class ListEntry:
    key: str  # project code, or USCC on the 升规 list
    name: str
    district: str
    reasons: tuple[str, ...]
    project_id: int | None = None
    enterprise_id: int | None = None


@dataclass(frozen=True, slots=True)
class ThreeLists:
    to_start: list[ListEntry]
    to_complete: list[ListEntry]
    to_above_scale: list[ListEntry]


def is_above_scale(e: EnterpriseFacts, as_of: dt.date) -> bool:
    return e.above_scale and (e.above_scale_since is None or e.above_scale_since <= as_of)


def three_lists(
    projects: Sequence[ProjectFacts],
    enterprises: Sequence[EnterpriseFacts],
    *,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    rules: LightRules,
) -> ThreeLists:
    """拟开工, 竣工 and 升规 for the period [start, end], knowing what was known on as_of."""
    to_start, to_complete, producing_by_enterprise = [], [], defaultdict(list)
    for f in projects:
        if f.status == TERMINATED:
            continue
        reached = known(f.actual, as_of)
        planned_start = f.planned.get("started")
        began = reached.get("started")
        if planned_start is not None and start <= planned_start <= end and (began is None or began >= start):
            reasons = [f"计划 {planned_start} 开工"]
            reasons.append(f"已于 {began} 开工" if began else "尚未开工")
            to_start.append(ListEntry(f.code, f.name, f.district, tuple(reasons), project_id=f.id))
        planned_end = f.planned.get("completed")
        if planned_end is not None and start <= planned_end <= end:
            done = reached.get("completed")
            reasons = [f"计划 {planned_end} 竣工", f"已于 {done} 竣工" if done else "尚未竣工"]
            to_complete.append(ListEntry(f.code, f.name, f.district, tuple(reasons), project_id=f.id))
        producing = _production_in(f, reached, start, end)
        if producing is not None:
            verb = "已于" if "producing" in reached else "计划"
            producing_by_enterprise[f.enterprise_id].append(f"项目“{f.name}”{verb} {producing} 投产")
    return ThreeLists(
        to_start=to_start,
        to_complete=to_complete,
        to_above_scale=_above_scale_candidates(enterprises, producing_by_enterprise, as_of, rules),
    )


def _production_in(
    f: ProjectFacts, reached: Mapping[str, dt.date], start: dt.date, end: dt.date
) -> dt.date | None:
    """The date a project of a known enterprise reaches (or plans to reach) production, if in the period."""
    producing = reached.get("producing") or f.planned.get("producing")
    if f.enterprise_id is not None and producing is not None and start <= producing <= end:
        return producing
    return None


def enterprises_producing(
    projects: Iterable[ProjectFacts], *, start: dt.date, end: dt.date, as_of: dt.date
) -> set[int]:
    """Enterprises with a project reaching production in the period: 升规 candidates whatever their revenue."""
    return {
        f.enterprise_id
        for f in projects
        if f.status != TERMINATED and _production_in(f, known(f.actual, as_of), start, end) is not None
    }


def _above_scale_candidates(
    enterprises: Sequence[EnterpriseFacts],
    producing: Mapping[int, list[str]],
    as_of: dt.date,
    rules: LightRules,
) -> list[ListEntry]:
    """Below-scale enterprises expected to reach the revenue bar this year, or with a project reaching
    production in the period. Annual revenue counts for years before as_of's (a year's figures are only
    known after it ends); the projection applies the latest year-on-year growth once per year."""
    year, bar = as_of.year, rules.above_scale_revenue
    entries = []
    for e in enterprises:
        if is_above_scale(e, as_of):
            continue
        reasons = []
        years = sorted(y for y in e.revenue if y < year)
        if years:
            latest = years[-1]
            revenue = e.revenue[latest]
            previous = e.revenue.get(latest - 1)
            projected = revenue
            if previous and previous > 0 and revenue > 0:
                for _ in range(year - latest):
                    projected = projected * revenue // previous
                growth = f"，较上年增长 {percent(revenue - previous, previous)}"
            else:
                growth = ""
            if revenue >= bar:
                reasons.append(
                    f"{latest}年{e.revenue_label} {wan(revenue)} 万元，已达规上标准 {wan(bar)} 万元，尚未纳规"
                )
            elif projected >= bar:
                reasons.append(
                    f"{latest}年{e.revenue_label} {wan(revenue)} 万元{growth}，"
                    f"按此增速预计 {year} 年 {wan(projected)} 万元，可达规上标准 {wan(bar)} 万元"
                )
        reasons += producing.get(e.id, [])
        if reasons:
            entries.append(ListEntry(e.uscc, e.name, e.district, tuple(reasons), enterprise_id=e.id))
    return entries


# Data quality --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    project_id: int
    kind: str
    message: str


QUALITY_KINDS = {
    "actual_order": "实际日期顺序颠倒",
    "future": "实际日期晚于今天",
    "planned_order": "计划竣工早于计划开工",
    "missing_planned": "缺少计划日期",
}


def quality_findings(rows: Iterable[ProjectFacts], *, today: dt.date, rules: LightRules) -> list[Finding]:
    """What is wrong or missing in the milestone dates; never raises, whatever the data."""
    findings = []
    for f in rows:
        previous = None
        for name in MILESTONES:
            day = f.actual.get(name)
            if day is None:
                continue
            label = MILESTONE_LABELS[name]
            if day > today:
                findings.append(Finding(f.id, "future", f"实际{label}日期 {day} 晚于今天 {today}"))
            # 入库 follows 开工 but may come before or after 竣工: it is checked against 开工 only.
            before = ("started", f.actual.get("started")) if name == "in_stats" else previous
            if before is not None and before[1] is not None and day < before[1]:
                earlier = MILESTONE_LABELS[before[0]]
                findings.append(
                    Finding(f.id, "actual_order", f"实际{label}日期 {day} 早于实际{earlier}日期 {before[1]}")
                )
            if name != "in_stats":
                previous = (name, day)
        begin, end = f.planned.get("started"), f.planned.get("completed")
        if begin is not None and end is not None and end < begin:
            findings.append(Finding(f.id, "planned_order", f"计划竣工日期 {end} 早于计划开工日期 {begin}"))
        if f.status != TERMINATED:
            missing = [
                MILESTONE_LABELS[name]
                for name in rules.milestone_order
                if name != "signed" and f.actual.get(name) is None and f.planned.get(name) is None
            ]
            if missing:
                findings.append(Finding(f.id, "missing_planned", f"缺少计划{'、'.join(missing)}日期"))
    return findings


# Roll-ups for the targets --------------------------------------------------------------------------


def renovation_investment_by_month(
    reports: Iterable[tuple[str, int, dt.date, int]], *, year: int, as_of: dt.date
) -> dict[str, list[int]]:
    """Renovation investment completed in `year`, by district: the year-to-date total at the end of each
    month 1–12 (hundredths). `reports` are (district, project id, month, year-to-date) of renovation
    projects; a project that skipped a month counts its previous report (year to date carries forward).
    Months after the last complete month on as_of stay at the last known total."""
    last = complete_months(as_of) if as_of.year == year else (12 if as_of.year > year else 0)
    latest: dict[int, tuple[str, list[int | None]]] = {}
    for district, project, month, ytd in reports:
        if month.year != year or month.month > last:
            continue
        latest.setdefault(project, (district, [None] * 12))[1][month.month - 1] = ytd
    totals: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    for district, months in latest.values():
        carried, row = 0, totals[district]
        for index in range(12):
            if months[index] is not None:
                carried = months[index]
            row[index] += carried
    return dict(totals)


def large_projects_started(
    rows: Iterable[ProjectFacts], *, as_of: dt.date, minimum: int = 1_000_000
) -> dict[tuple[str, int], int]:
    """(district, year) → number of projects of at least `minimum` hundredths (default 亿元以上) that
    started in that year, as known on as_of."""
    counts: Counter[tuple[str, int]] = Counter()
    for f in rows:
        began = f.actual.get("started")
        if began is not None and began <= as_of and f.total is not None and f.total >= minimum:
            counts[(f.district, began.year)] += 1
    return dict(counts)


def milestones_reached(
    rows: Iterable[ProjectFacts], *, start: dt.date, end: dt.date, as_of: dt.date
) -> dict[str, dict[str, int]]:
    """milestone → district → projects that reached it in [start, end], as known on as_of."""
    result: dict[str, Counter[str]] = {name: Counter() for name in MILESTONES}
    until = min(end, as_of)
    for f in rows:
        for name, day in f.actual.items():
            if day is not None and start <= day <= until:
                result[name][f.district] += 1
    return {name: dict(counts) for name, counts in result.items()}
