"""Figures as officials read them: thousands separators, 万元 or 亿元 by the table's magnitude, one decimal for
percentages, months as 2026年11月, and a dash that says why it is a dash.

Pure functions; the `figures` template library wraps them for pages, and exports keep the numbers themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

WAN = "万元"
YI = "亿元"
WAN_PER_YI = Decimal(10_000)
YI_FROM = Decimal(10_000)  # a table whose typical amount is 1 亿元 (10,000 万元) or more reads in 亿元

# Why a figure is missing. Every dash on a page carries one of these (or a sentence of its own).
NO_DATA = "无数据"
NOT_APPLICABLE = "不适用"
NOT_DUE = "未到期"


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def money_unit(amounts_wan: Iterable[object]) -> str:
    """The unit a table of amounts (stored in 万元) reads best in: 亿元 when the median amount is at least
    1 亿元, else 万元. The median, so that one giant project does not turn every small one into 0.01 亿元."""
    values = sorted(abs(number) for number in map(_decimal, amounts_wan) if number is not None)
    if not values:
        return WAN
    return YI if values[len(values) // 2] >= YI_FROM else WAN


def grouped(number: Decimal | int | float, places: int) -> str:
    """A number with thousands separators and exactly `places` decimals, rounded half up."""
    exponent = Decimal(1).scaleb(-places)
    rounded = Decimal(str(number)).quantize(exponent, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    return f"{rounded:,.{places}f}"


def money_text(amount_wan: object, unit: str = WAN) -> str | None:
    """An amount stored in 万元, in `unit` (万元 or 亿元) with separators and two decimals; None when missing.
    The unit itself is not appended: it stands in the column header."""
    number = _decimal(amount_wan)
    if number is None:
        return None
    return grouped(number / WAN_PER_YI if unit == YI else number, 2)


def money_with_unit(amount_wan: object) -> str | None:
    """A single amount in a sentence, in the unit its own size calls for: "1.74 亿元", "3,200.00 万元"."""
    number = _decimal(amount_wan)
    if number is None:
        return None
    unit = money_unit([number])
    return f"{money_text(number, unit)} {unit}"


def number_text(value: object, places: int = 0) -> str | None:
    """A count or quantity with separators: 12,345 or 1,234.50."""
    number = _decimal(value)
    return None if number is None else grouped(number, places)


def quantity_text(value: object, places: int = 2) -> str | None:
    """A measured figure as a plan writes it, with separators and at most `places` decimals, trailing zeros
    dropped: 3,500 · 513.6 · 3.05 (for columns whose rows have different units)."""
    number = _decimal(value)
    if number is None:
        return None
    text = grouped(number, places)
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_text(value: object, places: int = 1) -> str | None:
    """A percentage already in percent (7.25 → "7.3%"), one decimal by default."""
    number = _decimal(value)
    return None if number is None else f"{grouped(number, places)}%"


def share_text(value: object, places: int = 1) -> str | None:
    """A share as a fraction (0.725 → "72.5%")."""
    number = _decimal(value)
    return None if number is None else percent_text(number * 100, places)


def month_text(value: dt.date | str | None) -> str | None:
    """A month as officials write it: 2026年11月 (from a date or a "2026-11" string)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(f"{value[:7]}-01")
        except ValueError:
            return None
    return f"{value.year}年{value.month}月"
