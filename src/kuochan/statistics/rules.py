"""Pure rules of the monthly statistics: reading a figure as the bureau writes it, the month a table's
title states, which column of a two-row header a sub-heading names, converting units, and citing an area's
figures in the bureau's words. No queries."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kuochan.core.figures import grouped, quantity_text
from kuochan.imports.parsing import NEGATIVE_REFUSED, CellError, clean_text, header_key, is_blank, split_unit

# What the bureau writes in a cell that has no figure (not published, not applicable).
NO_FIGURE = {"—", "-", "--", "——", "/", "…", "...", "－", "/ ", "无", "x", "X"}
LARGEST_FIGURE = Decimal("1e14")
FIGURE_PLACES = Decimal("0.0001")
GROWTH_PLACES = Decimal("0.01")


def _blank(value: object) -> bool:
    return is_blank(value) or (isinstance(value, str) and clean_text(value) in NO_FIGURE)


def to_figure(value: object, *, allow_negative: bool = True) -> Decimal | None:
    """A published figure: a number, '1,234.5', '-3.2', '13.4%', full-width digits; '—' or blank is none.
    Negative figures are common (a fall, a loss)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, float | int):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = clean_text(value).replace(",", "").replace(" ", "").removesuffix("%")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError("应为数字，如 1,234.5、-3.2 或 13.4%；没有数据可留空或填“—”") from exc
    if not number.is_finite():
        raise CellError("应为数字")
    if abs(number) >= LARGEST_FIGURE:
        raise CellError("超出合理范围")
    if number < 0 and not allow_negative:
        raise CellError(NEGATIVE_REFUSED)
    return number


_RANK = re.compile(r"^第?(\d{1,3})(?:位|名)?$")


def to_rank(value: object) -> int | None:
    """A rank: 2, '2', '第2位', '第2名'; '—' or blank is none."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value).replace(" ", "")
    match = _RANK.match(text)
    if match is None or int(match.group(1)) == 0:
        raise CellError("应为位次，如 2 或 第2位")
    return int(match.group(1))


def rounded_figure(number: Decimal) -> Decimal:
    return number.quantize(FIGURE_PLACES, rounding=ROUND_HALF_UP)


def rounded_growth(number: Decimal) -> Decimal:
    return number.quantize(GROWTH_PLACES, rounding=ROUND_HALF_UP)


# "2025年1-6月", "2025年1—6月", "2025年6月", "2025年上半年", "2025年前三季度", "2025年全年".
_RANGE = re.compile(r"(\d{4})年(?:1[-—–~至到]+)?(\d{1,2})月")
_PERIODS = {"一季度": 3, "1季度": 3, "第一季度": 3, "上半年": 6, "前三季度": 9, "三季度": 9, "全年": 12}


def month_in_title(text: str) -> dt.date | None:
    """The last month a title's period covers (the statistics are year to date), or None."""
    text = header_key(text)
    found = _RANGE.search(text)
    if found:
        year, month = int(found.group(1)), int(found.group(2))
        return dt.date(year, month, 1) if 1949 <= year <= 2100 and 1 <= month <= 12 else None
    year = re.search(r"(\d{4})年", text)
    if year:
        for word, month in _PERIODS.items():
            if word in text[year.end() :]:
                return dt.date(int(year.group(1)), month, 1)
    return None


def sub_heading(text: str) -> str | None:
    """Which figure a sub-heading under an indicator names: 'ytd' (累计), 'value' (本月), 'growth' (增速, %),
    'rank' (位次); None for anything else (the month's own growth is not kept)."""
    name = split_unit(header_key(text))[0].replace("%", "")
    if not name or len(name) > 12:  # a heading is a word or two, not a footnote's sentence
        return None
    month = bool(re.search(r"当月|本月", name)) or bool(re.fullmatch(r"\d{1,2}月(份)?", name))
    if re.search(r"位次|排名|排位|名次", name):
        return "rank"
    if re.search(r"增速|增长|增幅|同比|比上年", name):
        return None if month else "growth"
    if month:
        return "value"
    if re.search(r"累计|\d{1,2}-\d{1,2}月|总量|绝对值|数值|金额|总额|总值", name):
        return "ytd"
    return None


# Units with a decimal prefix: 亿元 is 10⁴ 万元, 亿千瓦时 is 10⁴ 万千瓦时; 度 is a 千瓦时.
_PREFIXES = (
    ("亿", Decimal(10) ** 8),
    ("千万", Decimal(10) ** 7),
    ("万", Decimal(10) ** 4),
    ("千", Decimal(1000)),
)
_SAME = {"度": "千瓦时", "kWh": "千瓦时", "千瓦小时": "千瓦时", "元人民币": "元"}


def _scale(unit: str) -> tuple[Decimal, str]:
    unit = unicodedata.normalize("NFKC", unit).strip()
    unit = _SAME.get(unit, unit)
    for prefix, factor in _PREFIXES:
        rest = _SAME.get(unit[len(prefix) :], unit[len(prefix) :])
        if unit.startswith(prefix) and rest in ("元", "千瓦时", "吨", "个", "家", "项", "吨标准煤"):
            return factor, rest
    return Decimal(1), unit


def unit_factor(file_unit: str, unit: str) -> Decimal | None:
    """What a figure in `file_unit` is multiplied by to be in `unit` (亿元 → 万元: 10000); None when the two
    measure different things. A file that names no unit uses the indicator's."""
    if not file_unit or not unit or file_unit == unit:
        return Decimal(1)
    file_factor, file_base = _scale(file_unit)
    factor, base = _scale(unit)
    if file_base != base:
        return None
    return file_factor / factor


_AREA_PREFIX = re.compile(r"^(?:其中[:：]?|#|△|\*|\d+[.、．])+")


def area_key(value: object) -> str:
    """An area's name as a table writes it, reduced for look-ups: '  其中：吴兴区' and '吴 兴 区' → '吴兴区'."""
    return _AREA_PREFIX.sub("", header_key(value))


def figure_text(value: Decimal | None) -> str | None:
    """A stored figure as the audit trail keeps it: exact, without trailing zeros ('13.4', '-2')."""
    if value is None:
        return None
    return format(value.normalize(), "f")


# Citing the figures ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """An area's year-to-date figures for one indicator in a month, beside the growth of the area it is
    ranked within (`peers`: 全省 for a city, 全市 for a district; empty for the province itself)."""

    indicator: str
    kind: str
    unit: str
    ytd: Decimal | None
    growth: Decimal | None
    rank: int | None
    peers: str
    peers_growth: Decimal | None

    @property
    def rank_text(self) -> str | None:
        return rank_words(self)

    @property
    def gap_text(self) -> str | None:
        return gap_words(self, spaced=True)


def subject_name(indicator: str, kind: str) -> str:
    """The indicator as a sentence names it: a growth indicator without its '增速' (规上工业增加值增速 →
    规上工业增加值, which then '同比增长7.3%')."""
    return indicator.removesuffix("增速") if kind == "growth" else indicator


def period_words(month: int) -> str:
    """The months a year-to-date figure covers, as the bureau heads it: 1月, 1-6月."""
    return "1月" if month == 1 else f"1-{month}月"


def _figure(value: Decimal) -> str:
    return quantity_text(value, 2) or ""


def _points(value: Decimal) -> str:
    """A growth or a gap in percent as the bureau prints it: one decimal (6.0), two where published (10.25)."""
    return grouped(value, 1) if value == value.quantize(Decimal("0.1")) else _figure(value)


def growth_words(growth: Decimal) -> str:
    if growth > 0:
        return f"同比增长{_points(growth)}%"
    if growth < 0:
        return f"同比下降{_points(-growth)}%"
    return "与上年同期持平"


def gap(standing: Standing) -> Decimal | None:
    """Percentage points above (positive) or below the peers' growth; None when either is missing."""
    if standing.growth is None or standing.peers_growth is None or not standing.peers:
        return None
    return standing.growth - standing.peers_growth


def gap_words(standing: Standing, *, spaced: bool = False) -> str | None:
    """高于全省1.2个百分点, 低于全市0.5个百分点, 与全省持平 (with spaces round the figure on a page)."""
    points = gap(standing)
    if points is None:
        return None
    if points == 0:
        return f"与{standing.peers}持平"
    space = " " if spaced else ""
    return f"{'高于' if points > 0 else '低于'}{standing.peers}{space}{_points(abs(points))}{space}个百分点"


def rank_words(standing: Standing) -> str | None:
    """全省第2位; None without a rank or without peers to be ranked among."""
    if standing.rank is None or not standing.peers:
        return None
    return f"{standing.peers}第{standing.rank}位"


def standing_clause(standing: Standing) -> str | None:
    """One indicator as the bureau writes it: 规上工业营业收入4,321.5亿元，同比增长5.6%，高于全省1.5个百分点，
    居全省第3位. None when the month has neither an amount nor a growth for it."""
    name = subject_name(standing.indicator, standing.kind)
    parts = []
    if standing.ytd is not None:
        parts.append(f"{name}{_figure(standing.ytd)}{standing.unit}")
    if standing.growth is not None:
        words = growth_words(standing.growth)
        parts.append(words if parts else f"{name}{words}")
    if not parts:
        return None
    if (compared := gap_words(standing)) is not None:
        parts.append(compared)
    if (ranked := rank_words(standing)) is not None:
        parts.append(f"居{ranked}")
    return "，".join(parts)


def standings_sentence(standings: Sequence[Standing], *, month: int, subject: str) -> str | None:
    """The month's figures of one area in one sentence, indicator by indicator: "1-6月，全市规上工业增加值
    同比增长7.3%，高于全省0.4个百分点，居全省第2位；制造业投资同比增长13.4%……。" None when nothing is
    published for the area."""
    clauses = [clause for s in standings if (clause := standing_clause(s)) is not None]
    if not clauses:
        return None
    return f"{period_words(month)}，{subject}{'；'.join(clauses)}。"
