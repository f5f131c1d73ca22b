"""Coverage of above-scale enterprises by 数字化改造 level: plain rows in, counts, shares and Chinese
sentences out. No queries: the caller read what was known on the as-of date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from kuochan.digital.models import Level

# The levels counted, lowest first; a level reaches every level at or below it.
LEVELS: tuple[str, ...] = tuple(Level.values)
RANK = {level: index for index, level in enumerate(LEVELS)}


def level_as_of(assessments: Iterable[tuple[dt.date, str]], as_of: dt.date) -> str | None:
    """The level of the latest assessment on or before `as_of` (a later one was not known yet)."""
    known = [(day, level) for day, level in assessments if day <= as_of]
    return max(known)[1] if known else None


def reaches(level: str | None, wanted: str) -> bool:
    return level is not None and RANK[level] >= RANK[wanted]


class Firm(NamedTuple):
    """An enterprise above scale on the as-of date, with its level then (None: never assessed by then)."""

    id: int
    group: str  # the district or industry it is counted under
    level: str | None


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with two decimals, rounded half up; None for an empty group."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class CoverageRow:
    group: str
    above_scale: int
    reached: dict[str, int]  # level → enterprises at that level or above

    def share(self, level: str) -> Decimal | None:
        return share(self.reached[level], self.above_scale)

    def sentence(self, level: str) -> str:
        """ "2.0 覆盖 312 / 1,250 家，24.96%"."""
        pct = self.share(level)
        rate = "无规上企业" if pct is None else f"{pct}%"
        return f"{level} 覆盖 {self.reached[level]:,} / {self.above_scale:,} 家，{rate}"

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(self.sentence(level) for level in LEVELS)


def coverage(firms: Sequence[Firm], order: Sequence[str] = ()) -> tuple[list[CoverageRow], CoverageRow]:
    """Rows per group (in `order`, then any other group by name) and the total over all firms."""
    counts: dict[str, list[int]] = {group: [0] * (len(LEVELS) + 1) for group in order}
    total = [0] * (len(LEVELS) + 1)
    for firm in firms:
        row = counts.setdefault(firm.group, [0] * (len(LEVELS) + 1))
        for tally in (row, total):
            tally[0] += 1
            for index, level in enumerate(LEVELS, 1):
                if reaches(firm.level, level):
                    tally[index] += 1
    rank = {group: index for index, group in enumerate(order)}
    groups = sorted(counts, key=lambda group: (rank.get(group, len(rank)), group))
    return [_row(group, counts[group]) for group in groups], _row("合计", total)


def _row(group: str, tally: list[int]) -> CoverageRow:
    return CoverageRow(group, tally[0], {level: tally[i] for i, level in enumerate(LEVELS, 1)})
