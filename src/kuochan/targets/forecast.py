"""The forecast: year-end and end-of-period outcomes of the indicators derived from projects, as P10 /
P50 / P90 and the probability of meeting each target, by Monte Carlo over the pipeline.

Pure functions (NumPy, no queries). Each run draws every open project's delay from the platform's own
history of planned against actual milestone dates (or a stated default while that history is short) and
shifts the project's remaining planned investment, and its start if it has not started, by that delay.
Reproducible for a seed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MIN_HISTORY = 30  # observed delays needed before the platform's own history is used
# The stated default: 40 % of milestones on time, the rest one to nine months late.
DEFAULT_DELAYS = (0, 0, 0, 0, 30, 60, 90, 120, 180, 270)
METHOD = (
    "蒙特卡洛模拟：每次模拟为每个在建和储备项目抽取一个延误天数，把该项目尚未完成的分年计划投资按延误顺延"
    "（延误 d 天，当年计划中 d/365 的部分滑入下一年），尚未开工的亿元以上项目的开工日期同样顺延；"
    "延误天数从本平台已发生节点的“实际日期 − 计划日期”中有放回抽取（提前按 0 天计），"
    f"已发生节点不足 {MIN_HISTORY} 个时使用默认分布：{', '.join(map(str, DEFAULT_DELAYS))} 天等概率。"
    "当年结果 = 截至月末已完成值 + 模拟的当年剩余；只计入现有项目库，尚未入库的新项目不计，越往后的年份越偏保守。"
)


@dataclass(frozen=True)
class PipelineProject:
    remaining: Mapping[int, float]  # year → planned investment still to come (亿元)
    large_start: dt.date | None = None  # planned start of a 亿元以上 project not started yet


@dataclass(frozen=True)
class Band:
    p10: float
    p50: float
    p90: float
    target: float | None
    probability: float | None  # of reaching the target


@dataclass(frozen=True)
class Forecast:
    years: list[int]
    investment: dict[int, Band]
    investment_period: Band
    large_projects: dict[int, Band]
    large_projects_period: Band
    delays_used: str
    runs: int
    seed: int


def delays_of(history: Sequence[int]) -> tuple[np.ndarray, str]:
    """The delays to draw from and what they are: the history (early counts as on time) when long enough."""
    if len(history) >= MIN_HISTORY:
        return np.maximum(np.array(history, dtype=float), 0), f"本平台 {len(history)} 个已发生节点的延误"
    return np.array(
        DEFAULT_DELAYS, dtype=float
    ), f"默认分布（本平台仅有 {len(history)} 个已发生节点，不足 {MIN_HISTORY} 个）"


def _band(outcomes: np.ndarray, target: float | None) -> Band:
    p10, p50, p90 = (float(v) for v in np.percentile(outcomes, [10, 50, 90]))
    probability = None if target is None else float(np.mean(outcomes >= target - 1e-9))
    return Band(round(p10, 2), round(p50, 2), round(p90, 2), target, probability)


def forecast(
    projects: Sequence[PipelineProject],
    *,
    as_of: dt.date,
    years: Sequence[int],
    done_investment: Mapping[int, float],
    done_large: Mapping[int, float],
    investment_targets: Mapping[int, float],
    large_targets: Mapping[int, float],
    history: Sequence[int],
    runs: int = 1000,
    seed: int = 2026,
) -> Forecast:
    """Simulate `runs` futures of the pipeline; `done_*` are what each year of the period has achieved
    so far (the as-of year's year to date)."""
    rng = np.random.default_rng(seed)
    pool, used = delays_of(history)
    ahead = [year for year in years if year >= as_of.year]
    index = {year: i for i, year in enumerate(ahead)}
    ahead_years = np.array(ahead, dtype="int64")
    width = len(ahead) + 1  # a last column collects what slips past the period
    investment = np.zeros((runs, width))
    starts = np.zeros((runs, width))
    delays = rng.choice(pool, size=(runs, len(projects))) if projects else np.zeros((runs, 0))
    for p, project in enumerate(projects):
        d = delays[:, p]
        whole, part = np.floor_divide(d, 365).astype(int), np.mod(d, 365) / 365
        for year, amount in project.remaining.items():
            if amount <= 0 or year not in index:
                continue
            first = np.minimum(index[year] + whole, width - 1)
            second = np.minimum(first + 1, width - 1)
            np.add.at(investment, (np.arange(runs), first), amount * (1 - part))
            np.add.at(investment, (np.arange(runs), second), amount * part)
        if project.large_start is not None:
            # each run's start year, all runs at once (whole days of delay, as date arithmetic counts them)
            start = np.datetime64(project.large_start, "D") + d.astype("int64").astype("timedelta64[D]")
            start_years = start.astype("datetime64[Y]").astype("int64") + 1970
            at = np.minimum(np.searchsorted(ahead_years, start_years), len(ahead) - 1)
            columns = np.where(ahead_years[at] == start_years, at, width - 1)
            np.add.at(starts, (np.arange(runs), columns), 1)
    done_before = sum(done_investment.get(y, 0.0) for y in years if y < as_of.year)
    large_before = sum(done_large.get(y, 0.0) for y in years if y < as_of.year)
    investment_years, large_years = {}, {}
    for year, i in index.items():
        inv = investment[:, i] + done_investment.get(year, 0.0)
        big = starts[:, i] + done_large.get(year, 0.0)
        investment_years[year] = _band(inv, investment_targets.get(year))
        large_years[year] = _band(big, large_targets.get(year))
    in_period = slice(0, len(ahead))
    total_investment = (
        investment[:, in_period].sum(axis=1) + done_before + done_investment.get(as_of.year, 0.0)
    )
    total_large = starts[:, in_period].sum(axis=1) + large_before + done_large.get(as_of.year, 0.0)
    period_investment_target = (
        sum(investment_targets.values()) if len(investment_targets) == len(years) else None
    )
    period_large_target = sum(large_targets.values()) if len(large_targets) == len(years) else None
    return Forecast(
        years=ahead,
        investment=investment_years,
        investment_period=_band(total_investment, period_investment_target),
        large_projects=large_years,
        large_projects_period=_band(total_large, period_large_target),
        delays_used=used,
        runs=runs,
        seed=seed,
    )
