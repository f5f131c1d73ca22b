"""The rules of 要素保障, as pure functions: who may get elements and how much each unit is worth, the
optimal allocation of a pool across pending requests (HiGHS), and the lights of advance repayments.

The allocation is a knapsack with semi-continuous amounts: each request gets nothing, or between its
minimum viable amount and what it asked for; the pool's balance caps the total; the objective is the total
weighted benefit. A request's weight is its benefit per unit of the element — the project's expected tax and
output at capacity per unit asked for, each relative to the median of the requests in the run (so that tax
and output count alike whatever their scale) — times a factor for the enterprise's evaluation class and one
for its carbon-efficiency grade: 能耗低、效益好的项目优先 (the plan's §三.7). Class D gets nothing, nor does an
enterprise on the 清三低 list unless the city has overridden it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import highspy
import numpy as np

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Weights:
    """How much a unit of element is worth by the enterprise's class and carbon grade (data, with source)."""

    class_factors: Mapping[str, float] = field(
        default_factory=lambda: {"A": 1.3, "B": 1.1, "C": 0.8, "T": 1.0, "": 1.0}
    )
    grade_factors: Mapping[int, float] = field(
        default_factory=lambda: {1: 1.3, 2: 1.15, 3: 1.0, 4: 0.85, 5: 0.7}
    )
    source: str = (
        "《湖州市推动企业增资扩产五年倍增行动实施方案》三.7：对能耗低、效益好的增资扩产项目实施差异化保障；"
        "亩均评价 A/B 类、碳效码 1–2 级优先，D 类不予保障，清三低企业经市级同意方可参与。系数为默认值，可调整。"
    )


@dataclass(frozen=True)
class Claim:
    """A pending request as the optimiser sees it."""

    id: int
    label: str  # the project, for the reasons
    amount: Decimal  # asked for
    minimum: Decimal  # least amount that still lets the project go ahead
    tax_wan: Decimal | None  # expected tax at capacity
    output_wan: Decimal | None  # expected output at capacity
    klass: str = ""  # evaluation class A–D, T, or "" when not evaluated
    carbon_grade: int | None = None
    low_efficiency: bool = False
    override: bool = False  # the city lets a 清三低 enterprise take part


@dataclass(frozen=True)
class Grant:
    claim_id: int
    amount: Decimal
    weight: float | None  # benefit per unit; None when excluded by the rules
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Allocation:
    balance: Decimal
    grants: tuple[Grant, ...]  # in the order of the claims
    total: Decimal
    benefit: float
    threshold: float | None  # the lowest weight that got anything: what an unfunded request would need
    binding: tuple[str, ...]  # the constraints that bind, in Chinese


def _median(values: list[Decimal]) -> float:
    positive = [float(v) for v in values if v is not None and v > 0]
    return statistics.median(positive) if positive else 1.0


def claim_weights(claims: Sequence[Claim], weights: Weights) -> list[tuple[float | None, list[str]]]:
    """Each claim's benefit per unit of element, or None when the rules exclude it, with the reasons."""
    tax_scale = _median([c.tax_wan / c.amount if c.tax_wan else None for c in claims])
    output_scale = _median([c.output_wan / c.amount if c.output_wan else None for c in claims])
    found: list[tuple[float | None, list[str]]] = []
    for c in claims:
        if c.klass == "D":
            found.append((None, ["企业亩均评价为 D 类，不予保障"]))
            continue
        if c.low_efficiency and not c.override:
            found.append((None, ["企业列入清三低，未经市级同意不参与分配"]))
            continue
        reasons = []
        if not c.tax_wan and not c.output_wan:
            reasons.append("缺少达产税收和产值，按零效益计")
        tax = float(c.tax_wan or 0) / float(c.amount) / tax_scale
        output = float(c.output_wan or 0) / float(c.amount) / output_scale
        class_factor = weights.class_factors.get(c.klass, 1.0)
        grade_factor = weights.grade_factors.get(c.carbon_grade, 1.0) if c.carbon_grade else 1.0
        weight = (tax + output) / 2 * class_factor * grade_factor
        reasons.append(
            f"单位要素效益 {weight:.3f}（税收 {tax:.2f}、产值 {output:.2f}，相对本次中位数；"
            f"{c.klass or '未评价'}类系数 {class_factor:g}；"
            f"{f'碳效 {c.carbon_grade} 级' if c.carbon_grade else '无碳效码'}系数 {grade_factor:g}）"
        )
        if c.low_efficiency:
            reasons.append("企业列入清三低，经市级同意参与分配")
        found.append((weight, reasons))
    return found


def _cents(amount: float) -> Decimal:
    """A solver's amount as whole cents, rounded down unless within float noise of the next cent."""
    return Decimal(math.floor(amount * 100 + 1e-4)).scaleb(-2)


def allocate(claims: Sequence[Claim], balance: Decimal, weights: Weights | None = None) -> Allocation:
    """The allocation of `balance` across the claims that maximises the total weighted benefit, each claim
    getting nothing or between its minimum and its amount (exact, by HiGHS's branch and bound on
    semi-continuous amounts; the answer is then taken down to whole cents)."""
    weights = weights or Weights()
    weighed = claim_weights(claims, weights)
    eligible = [i for i, (w, _) in enumerate(weighed) if w is not None and claims[i].amount > 0]
    amounts = np.zeros(len(claims))
    if eligible and balance > 0:
        amounts = _solve(claims, weighed, eligible, balance)
    granted = [
        _granted(claim, amounts[i]) if weighed[i][0] is not None else Decimal(0)
        for i, claim in enumerate(claims)
    ]
    _fill_left(claims, weighed, granted, balance)
    benefit = sum((w or 0.0) * float(amount) for (w, _), amount in zip(weighed, granted, strict=True))
    total = sum(granted, Decimal(0))
    funded = [w for (w, _), amount in zip(weighed, granted, strict=True) if amount > 0 and w is not None]
    threshold = min(funded) if funded else None
    grants = tuple(
        _explained(Grant(c.id, amount, w, tuple(reasons)), c, threshold, balance - total)
        for c, (w, reasons), amount in zip(claims, weighed, granted, strict=True)
    )
    binding = []
    left_out = [
        c.minimum for c, g in zip(claims, grants, strict=True) if g.weight is not None and g.amount == 0
    ]
    if left_out and balance - total < min(left_out):
        binding.append(
            f"要素池余额：本次分配 {total}，余额 {balance} 仅剩 {balance - total}，不足任一未获分配申请的最低可行量"
        )
    full = sum(1 for g, c in zip(grants, claims, strict=True) if g.amount and g.amount == c.amount)
    if full:
        binding.append(f"申请量上限：{full} 个项目按申请量足额分配")
    return Allocation(balance, grants, total, benefit, threshold, tuple(binding))


def _granted(claim: Claim, solved: float) -> Decimal:
    """The solver's amount as whole cents within the claim's bounds."""
    if solved <= 0:
        return Decimal(0)
    amount = min(_cents(solved), claim.amount)
    return max(amount, claim.minimum)  # within a cent of the minimum, by float rounding


def _fill_left(claims: Sequence[Claim], weighed: list, granted: list[Decimal], balance: Decimal) -> None:
    """What the solver's tolerances left over (cents, or requests a billion times smaller than the largest)
    goes to the best unfunded requests whose minimum still fits: never a worse answer."""
    left = balance - sum(granted, Decimal(0))
    order = sorted(
        (i for i, (w, _) in enumerate(weighed) if w is not None and granted[i] == 0),
        key=lambda i: -weighed[i][0],
    )
    for i in order:
        if claims[i].minimum <= left:
            granted[i] = min(claims[i].amount, left)
            left -= granted[i]


def _highs() -> highspy.Highs:
    """A silent solver. Nothing process-wide is touched here: this runs in web processes, on every view of a
    pool's page. HiGHS 1.16 prints its banner on standard output once per process, as the first solver is
    made and before any option can stop it; a web process lets it go to its log, and a command whose output
    is data first calls `solver_banner_to_devnull`."""
    h = highspy.Highs()
    h.silent()
    return h


def solver_banner_to_devnull() -> None:
    """Makes the process's first solver with file descriptor 1 pointed at /dev/null, so that HiGHS's
    once-per-process banner does not spoil `kuochan allocate --format json`. It swaps a process-wide file
    descriptor: for command-line processes only, never a web process."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _solve(claims: Sequence[Claim], weighed: list, eligible: list[int], balance: Decimal) -> np.ndarray:
    """The optimal amounts, by HiGHS. Amounts are scaled so the largest request is 1,000: HiGHS keeps
    semi-continuous bounds below 100,000."""
    n = len(eligible)
    upper = np.array([float(claims[i].amount) for i in eligible])
    scale = max(float(upper.max()) / 1000, 1e-2)
    lower = np.array([float(claims[i].minimum) for i in eligible]) / scale
    columns = np.arange(n, dtype=np.int32)
    h = _highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    # HiGHS 1.16's presolve, given a first answer on semi-continuous columns, can stop at a worse one
    # (found by the exhaustive-search test); without presolve the branch and bound proves the best.
    h.setOptionValue("presolve", "off")
    h.addVars(n, lower, upper / scale)
    cost_per_unit = np.array([weighed[i][0] for i in eligible])
    h.changeColsCost(n, columns, -cost_per_unit)  # HiGHS minimises
    h.changeColsIntegrality(n, columns, np.full(n, highspy.HighsVarType.kSemiContinuous, dtype=np.uint8))
    h.addRow(-highspy.kHighsInf, float(balance) / scale, n, columns, np.ones(n))
    start = highspy.HighsSolution()
    start.col_value = list(_greedy(upper, lower * scale, cost_per_unit, float(balance)) / scale)
    start.value_valid = True
    h.setSolution(start)  # a good first answer lets the branch and bound prove the best one quickly
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        values = np.array(h.getSolution().col_value) * scale
    else:  # HiGHS 1.16 sometimes fails on semi-continuous columns: the same model with on/off switches
        values = _solve_with_switches(upper / scale, lower, cost_per_unit, float(balance) / scale) * scale
    amounts = np.zeros(len(claims))
    # a semi-continuous amount is 0 or at least its minimum, up to the solver's tolerance
    amounts[eligible] = np.where(values > np.maximum(lower * scale / 2, 1e-9), values, 0.0)
    return amounts


def _solve_with_switches(
    upper: np.ndarray, lower: np.ndarray, weight: np.ndarray, balance: float
) -> np.ndarray:
    """The same allocation as a textbook mixed-integer model: amount x and a 0/1 switch y per request,
    lower·y ≤ x ≤ upper·y, the total within the balance."""
    n = len(upper)
    h = _highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.addVars(2 * n, np.zeros(2 * n), np.concatenate([upper, np.ones(n)]))
    h.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.concatenate([-weight, np.zeros(n)]))
    switches = np.arange(n, 2 * n, dtype=np.int32)
    h.changeColsIntegrality(n, switches, np.full(n, highspy.HighsVarType.kInteger, dtype=np.uint8))
    for i in range(n):
        pair = np.array([i, n + i], dtype=np.int32)
        h.addRow(-highspy.kHighsInf, 0.0, 2, pair, np.array([1.0, -upper[i]]))
        h.addRow(0.0, highspy.kHighsInf, 2, pair, np.array([1.0, -lower[i]]))
    h.addRow(-highspy.kHighsInf, balance, n, np.arange(n, dtype=np.int32), np.ones(n))
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {h.modelStatusToString(status)}")
    return np.array(h.getSolution().col_value)[:n]


def _greedy(upper: np.ndarray, lower: np.ndarray, weight: np.ndarray, balance: float) -> np.ndarray:
    """Best weight first: the whole request while it fits, else what is left if that reaches the minimum."""
    amounts, left = np.zeros(len(upper)), balance
    for j in np.argsort(-weight, kind="stable"):
        if upper[j] <= left:
            amounts[j], left = upper[j], left - upper[j]
        elif lower[j] <= left:
            amounts[j], left = left, 0.0
    return amounts


def _explained(grant: Grant, claim: Claim, threshold: float | None, left: Decimal) -> Grant:
    """The grant with what decided it, in Chinese: full, partial, or what it would have needed."""
    reasons = list(grant.reasons)
    if grant.weight is None:
        return grant
    if grant.amount == claim.amount:
        reasons.append(f"足额分配 {grant.amount}")
    elif grant.amount > 0:
        reasons.append(f"部分分配 {grant.amount}（申请 {claim.amount}，不低于最低可行量 {claim.minimum}）")
    else:
        need = claim.minimum - left
        parts = [f"需池中再有 {need} 方可获得最低可行量 {claim.minimum}"] if need > 0 else []
        if threshold is not None and grant.weight < threshold:
            parts.append(f"单位要素效益须高于 {threshold:.3f}（本次获配项目的最低值）")
        if not parts:
            parts.append(
                "单位要素效益为 0，分配给它不增加总效益" if grant.weight == 0 else "在最优方案中未被选中"
            )
        reasons.append("未获分配：" + "，或".join(parts))
    return Grant(grant.claim_id, grant.amount, grant.weight, tuple(reasons))


# Advances ------------------------------------------------------------------------------------------

YELLOW_DAYS, RED_DAYS = 1, 30


LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "none": "已还清"}


@dataclass(frozen=True)
class RepaymentLight:
    light: str  # red, yellow, green, none (repaid)
    overdue: Decimal
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self.light]


def repayment_light(
    schedule: Sequence[tuple[dt.date, Decimal]], repaid: Decimal, amount: Decimal, as_of: dt.date
) -> RepaymentLight:
    """An advance's light on as_of: what was due by then against what was repaid by then. Overdue for 1–29
    days is yellow, 30 or more red; fully repaid has no light."""
    if repaid >= amount:
        return RepaymentLight("none", Decimal(0), (f"已还清 {amount}",))
    due, first_missed = Decimal(0), None
    for day, part in sorted(schedule):
        if day >= as_of:
            break
        due += part
        if first_missed is None and repaid < due:
            first_missed = day
    overdue = max(due - repaid, Decimal(0))
    if overdue <= 0:
        return RepaymentLight("green", overdue, (f"按计划偿还：截至 {as_of} 应还 {due}，已还 {repaid}",))
    days = (as_of - first_missed).days
    light = "red" if days >= RED_DAYS else "yellow"
    return RepaymentLight(
        light,
        overdue,
        (f"逾期 {days} 天：{first_missed} 起应还未还，截至 {as_of} 应还 {due}，已还 {repaid}，欠 {overdue}",),
    )


# Factory-space market -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Space:
    """A listing as the matching sees it."""

    id: int
    district_id: int | None
    area: Decimal
    height: Decimal | None
    load: Decimal | None
    crane: Decimal | None
    power: Decimal | None
    rent: Decimal | None
    available_from: dt.date | None


@dataclass(frozen=True)
class Need:
    min_area: Decimal | None = None
    max_area: Decimal | None = None
    min_height: Decimal | None = None
    min_load: Decimal | None = None
    min_crane: Decimal | None = None
    min_power: Decimal | None = None
    max_rent: Decimal | None = None
    district_id: int | None = None
    needed_by: dt.date | None = None


@dataclass(frozen=True)
class Fit:
    space_id: int
    score: int  # 0–100
    fits: bool  # every stated requirement met
    area_ok: bool  # the stated area range is met (a listing that is too small or too big is no match)
    reasons: tuple[str, ...]


# Points out of 100 for each requirement; a requirement the enterprise did not state counts as met.
POINTS = {
    "area": 30,
    "height": 15,
    "load": 15,
    "crane": 10,
    "power": 10,
    "district": 10,
    "rent": 5,
    "date": 5,
}


def _minimum(label: str, unit: str, have: Decimal | None, want: Decimal | None) -> tuple[bool, str | None]:
    if want is None:
        return True, None
    if have is None:
        return False, f"{label}未知（要求不低于 {want}{unit}）"
    if have >= want:
        return True, f"{label} {have}{unit} ≥ 要求 {want}{unit}"
    return False, f"{label} {have}{unit} 低于要求 {want}{unit}"


def space_fit(space: Space, need: Need) -> Fit:
    """How well a listing meets a need: points for each requirement met, with a reason for each."""
    checks: list[tuple[str, bool, str | None]] = []
    if need.min_area is None and need.max_area is None:
        checks.append(("area", True, "未填面积要求"))
    else:
        low, high = need.min_area or Decimal(0), need.max_area
        ok = space.area >= low and (high is None or space.area <= high)
        wanted = f"{low}–{high}" if high is not None else f"≥ {low}"
        checks.append(("area", ok, f"面积 {space.area}㎡{'符合' if ok else '不符合'}要求 {wanted}㎡"))
    for key, label, unit, have, want in (
        ("height", "层高", "米", space.height, need.min_height),
        ("load", "承重", "吨/㎡", space.load, need.min_load),
        ("crane", "行车", "吨", space.crane, need.min_crane),
        ("power", "配电", "千伏安", space.power, need.min_power),
    ):
        ok, reason = _minimum(label, unit, have, want)
        checks.append((key, ok, reason))
    if need.district_id is None:
        checks.append(("district", True, None))
    else:
        ok = space.district_id == need.district_id
        checks.append(("district", ok, "位于意向区县" if ok else "不在意向区县"))
    if need.max_rent is None:
        checks.append(("rent", True, None))
    elif space.rent is None:
        checks.append(("rent", False, "租金未公布"))
    else:
        ok = space.rent <= need.max_rent
        said = "在可承受的" if ok else "超出可承受的"
        checks.append(("rent", ok, f"租金 {space.rent} 元/㎡·月，{said} {need.max_rent} 元/㎡·月"))
    if need.needed_by is None or space.available_from is None:
        checks.append(("date", True, None))
    else:
        ok = space.available_from <= need.needed_by
        checks.append(
            (
                "date",
                ok,
                f"{space.available_from} 可入驻{'，早于' if ok else '，晚于'}需要的 {need.needed_by}",
            )
        )
    score = sum(POINTS[key] for key, ok, _ in checks if ok)
    fits = all(ok for _, ok, _ in checks)
    reasons = tuple(reason for _, _, reason in checks if reason)
    return Fit(space.id, score, fits, checks[0][1], reasons)


def best_spaces(spaces: Sequence[Space], need: Need, limit: int = 10) -> list[Fit]:
    """The listings that meet the need's area (when stated), best first: every requirement met before any
    miss, then by points, then the smaller surplus of area."""
    found = [space_fit(space, need) for space in spaces]
    by_id = {space.id: space for space in spaces}
    kept = sorted(
        (f for f in found if f.area_ok), key=lambda f: (not f.fits, -f.score, by_id[f.space_id].area)
    )
    return kept[:limit]
