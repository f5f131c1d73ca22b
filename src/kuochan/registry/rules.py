"""Pure rules of the registry: the USCC (统一社会信用代码, GB 32100-2015), industry codes (GB/T 4754-2017), and
what makes a parcel, a tenancy or an amount sane."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_DOWN, Decimal

# GB 32100-2015: 31 characters, no I, O, Z, S, V; weights of positions 1-17 for the check character.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {char: index for index, char in enumerate(USCC_CHARSET)}
_SPACES = re.compile(r"\s+")


def normalise_code(raw: object) -> str:
    """Full-width to half-width, no spaces of any kind, upper case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(raw))).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(uscc: str) -> str | None:
    """Why a normalised code is not a valid USCC, in Chinese; None when it is valid."""
    if len(uscc) != 18:
        return f"统一社会信用代码应为 18 位，实际为 {len(uscc)} 位"
    bad = [char for char in uscc if char not in _USCC_VALUE]
    if bad:
        return f"含有无效字符“{''.join(dict.fromkeys(bad))}”（可用数字和除 I、O、Z、S、V 外的大写字母）"
    if not uscc[2:8].isdigit():
        return f"第 3–8 位应为行政区划代码（6 位数字），实际为“{uscc[2:8]}”"
    expected = uscc_check_char(uscc[:17])
    if uscc[17] != expected:
        return f"第 18 位校验码应为“{expected}”，实际为“{uscc[17]}”，请核对代码是否抄错"
    return None


def industry_division(code: str) -> str | None:
    """The 2-digit 大类 of a GB/T 4754 code of 2-4 digits, or None if the code is not of that shape."""
    code = normalise_code(code)
    if code.isdigit() and 2 <= len(code) <= 4:
        return code[:2]
    return None


# Land (宗地, 租用厂房) -----------------------------------------------------------------------------------

PARCEL_CODE_LENGTH = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parcel_code_problem(code: str) -> str | None:
    """Why a normalised parcel code (宗地编号) cannot be stored, in Chinese; None when it can. Codes are kept
    as the land office writes them (不动产单元号, or a number like 吴土储〔2019〕12号), so only emptiness,
    length and control characters are refused."""
    if not code:
        return "宗地编号不能为空"
    if len(code) > PARCEL_CODE_LENGTH:
        return f"宗地编号不能超过 {PARCEL_CODE_LENGTH} 个字符，实际为 {len(code)} 个"
    if _CONTROL.search(code):
        return "宗地编号含有不可见的控制字符"
    return None


def periods_overlap(
    first: tuple[dt.date | None, dt.date | None], second: tuple[dt.date | None, dt.date | None]
) -> bool:
    """Whether two periods (start, end) meet, both ends included; a missing start or end is open."""
    (a_start, a_end), (b_start, b_end) = first, second
    return (a_end is None or b_start is None or b_start <= a_end) and (
        b_end is None or a_start is None or a_start <= b_end
    )


def tenancy_dates_problem(started_on: dt.date | None, ended_on: dt.date | None) -> str | None:
    """Why a tenancy's dates are not sane, in Chinese; None when they are."""
    if started_on is not None and ended_on is not None and ended_on < started_on:
        return f"止租日期 {ended_on} 早于起租日期 {started_on}"
    return None


def grant_date_problem(granted_on: dt.date | None, today: dt.date) -> str | None:
    """A grant date (出让日期) is a past event: not after today."""
    if granted_on is not None and granted_on > today:
        return f"出让日期 {granted_on} 晚于今天（{today}）"
    return None


def amount_problem(value: Decimal | None, *, places: int = 2, digits: int = 16) -> str | None:
    """Why an amount stored with `places` decimals in `digits` digits is refused, in Chinese: it must be a
    finite number greater than 0 that fits."""
    if value is None:
        return "不能为空"
    if not value.is_finite():
        return "应为数字"
    if value <= 0:
        return "应大于 0"
    if value >= Decimal(10) ** (digits - places):
        return f"超出合理范围，应小于 {10 ** (digits - places):,}"
    if value != value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN):
        return f"最多 {places} 位小数"
    return None
