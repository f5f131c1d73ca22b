"""Pure rules of the registry: the USCC (统一社会信用代码, GB 32100-2015) and industry codes (GB/T 4754-2017)."""

from __future__ import annotations

import re
import unicodedata

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
