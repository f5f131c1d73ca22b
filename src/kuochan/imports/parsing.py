"""Reading cell values as officials type them. Pure functions: a cell value in, a clean value out, or a
CellError saying in Chinese what was expected.

Money and other two-decimal quantities are carried as integer hundredths ("cents" of the target unit),
so comparisons and sums are exact and no Decimal is built per cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Multipliers to 万元 for the units officials write in headers and after numbers.
MONEY_UNITS = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "亿元": Decimal(10000)}
_UNIT_IN_PARENS = re.compile(r"[（(]\s*([^（）()]*?)\s*[）)]\s*$")
_NUMBER_WITH_UNIT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(%|[^\d\s.%]*)$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\r\n]+")  # white space other than a line break


NEGATIVE_REFUSED = "不能为负数：本列应填 0 或正数"


class CellError(ValueError):
    """A value that cannot be read; the message says what was expected."""


def clean_text(value: object) -> str:
    """Full-width to half-width (NFKC), runs of spaces folded, ends trimmed. Numbers read as text lose
    the '.0' Excel gives whole numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def plain_text(value: object) -> str:
    """Text as typed, ends trimmed and runs of spaces on a line (full-width ones too) folded to one: what a
    free-text or name column stores. Line breaks stay (a note's paragraphs). Full-width punctuation is kept
    (Chinese prose and official names use it: 长三角（湖州）产业合作区); names are matched through
    `match_key`, which folds both sides. Numbers read as text lose the '.0' Excel gives whole numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _LINE_SPACES.sub(" ", str(value)).strip()


def match_key(value: object) -> str:
    """A name reduced for look-ups (half-width, spaces folded): a file's 长三角(湖州)产业合作区 finds the
    stored 长三角（湖州）产业合作区. Apply to both the stored names and the file's."""
    return clean_text(value)


def header_key(value: object) -> str:
    """A header reduced for matching: half-width, no spaces, no line breaks."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value or "")))


def split_unit(header: str) -> tuple[str, str]:
    """('营业收入', '万元') from '营业收入（万元）'; ('企业名称', '') when there is no unit."""
    found = _UNIT_IN_PARENS.search(header)
    if not found:
        return header, ""
    return header[: found.start()], found.group(1)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_hundredths(value: object, *, factor: Decimal = Decimal(1), allow_negative: bool = False) -> int | None:
    """A number in hundredths of the target unit. Accepts numbers, '1,200', full-width digits, a trailing
    money unit ('1,200万元', converted), '12.5%'. `factor` converts the header's unit to the target."""
    if type(value) is float and factor == 1 and abs(value) < 1e13:
        hundredths = round(value * 100)  # the common case, a number cell: exact for two decimals
        if hundredths < 0 and not allow_negative:
            raise CellError(NEGATIVE_REFUSED)
        return hundredths
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError("应为数字")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = clean_text(value).replace(",", "").replace(" ", "")
        match = _NUMBER_WITH_UNIT.match(text)
        if not match:
            raise CellError("应为数字，可带千分位逗号或单位，如 1,200 或 1200万元")
        number = Decimal(match.group(1))
        unit = match.group(2)
        if unit in MONEY_UNITS:
            factor = MONEY_UNITS[unit]
        elif unit not in ("", "%"):
            raise CellError(f"无法识别的单位“{unit}”")
    hundredths = int((number * factor * 100).to_integral_value())
    if hundredths < 0 and not allow_negative:
        raise CellError(NEGATIVE_REFUSED)
    return hundredths


def to_int(value: object, *, allow_negative: bool = False) -> int | None:
    hundredths = to_hundredths(value, allow_negative=allow_negative)
    if hundredths is None:
        return None
    if hundredths % 100:
        raise CellError("应为整数")
    return hundredths // 100


def to_year(value: object) -> int | None:
    if is_blank(value):
        return None
    text = clean_text(value).removesuffix("年")
    try:
        year = int(Decimal(text))
    except (InvalidOperation, ValueError, OverflowError) as exc:  # OverflowError: "inf"
        raise CellError("应为四位年份，如 2025") from exc
    if not 1949 <= year <= 2100:
        raise CellError("应为四位年份，如 2025")
    return year


def to_date(value: object) -> dt.date | None:
    """Real Excel dates, serial numbers, 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError("应为日期，如 2026-03-01")
    text = clean_text(value).replace(" ", "")
    if text.isdigit() and len(text) <= 6:  # a serial number typed as text
        return to_date(int(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError as exc:
                raise CellError(f"日期“{text}”不存在") from exc
    raise CellError("应为日期，如 2026-03-01、2026/3/1 或 2026年3月1日")


_MONTH = re.compile(r"^(\d{4})(?:[-/.年])?(\d{1,2})月?(?:份)?$")


def to_month(value: object) -> dt.date | None:
    """A month as its first day: 2026-06, 2026/6, 2026.06, 2026年6月, 202606, or any date in it."""
    if is_blank(value):
        return None
    text = clean_text(value).replace(" ", "") if isinstance(value, str) else ""
    match = _MONTH.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1949 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
        raise CellError(f"年月“{text}”不存在")
    if isinstance(value, float) and value.is_integer() and 194901 <= value <= 210012:
        return to_month(str(int(value)))
    try:
        return to_date(value).replace(day=1)
    except CellError as exc:
        raise CellError("应为年月，如 2026-06 或 2026年6月") from exc


TRUE_WORDS = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "规上"}
FALSE_WORDS = {"否", "N", "NO", "FALSE", "0", "×", "✗", "规下"}


def to_bool(value: object) -> bool | None:
    if is_blank(value):
        return None
    text = clean_text(value).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("应为“是”或“否”")


def to_choice(choices: dict[str, str]) -> Callable[[object], str | None]:
    """A parser for a closed list: `choices` maps each accepted spelling to the stored value."""
    labels = [str(label) for label in choices]  # labels may be lazy translations
    accepted = "、".join(dict.fromkeys(label for label in labels if not label.isascii()))
    choices = {clean_text(label): value for label, value in zip(labels, choices.values(), strict=True)}

    def parse(value: object) -> str | None:
        if is_blank(value):
            return None
        text = clean_text(value)
        if text in choices:
            return choices[text]
        raise CellError(f"应为以下之一：{accepted}")

    return parse


def hundredths_text(value: int | None) -> str | None:
    """Hundredths as exact decimal text for the database ('-1234.05')."""
    if value is None:
        return None
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}{whole}.{part:02d}"


def hundredths_decimal(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def _float_hundredths(value: float) -> int | None:
    return round(value * 100) if 0 <= value < 1e13 else None


def _float_int(value: float) -> int | None:
    return int(value) if value.is_integer() and 0 <= value < 1e15 else None


def _float_year(value: float) -> int | None:
    return int(value) if value.is_integer() and 1949 <= value <= 2100 else None


# For a number cell (calamine gives floats) these readers have a cheap exact path, applied column-wise
# by the importer; anything it cannot vouch for (None) goes through the full reader with its checks.
FLOAT_FAST_PATHS: dict[Callable[[object], object], Callable[[float], object | None]] = {
    to_hundredths: _float_hundredths,
    to_int: _float_int,
    to_year: _float_year,
}
