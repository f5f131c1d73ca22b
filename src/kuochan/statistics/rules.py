"""Pure rules of the monthly statistics: reading a figure as the bureau writes it, the month a table's
title states, which column of a two-row header a sub-heading names, and converting units. No queries."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
