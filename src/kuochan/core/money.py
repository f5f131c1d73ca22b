"""Sums of money and quantities as the platform stores them: two decimals, finite, within the columns."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # ten thousand 亿 in 万元: far above any real figure, within 16 digits


def money_problem(amount: Decimal | None, what: str = "金额", unit: str = "万元") -> str | None:
    """Why an amount cannot be stored, in Chinese: not a finite number, negative, absurdly big, or finer
    than two decimals."""
    if amount is None or not amount.is_finite() or amount < 0:
        return f"{what}应为不小于 0 的数字（{unit}），收到“{amount}”。"
    if amount >= MAX_AMOUNT:
        return f"{what} {amount} {unit}超出合理范围。"
    if amount != amount.quantize(CENT):
        return f"{what}最多保留两位小数（{unit}），收到“{amount}”。"
    return None


def money_from_text(value: str | None) -> Decimal | None:
    """An amount (万元) typed into a form, thousands separators allowed; None when empty. Anything that is not
    a number is refused with the value as typed."""
    text = (value or "").strip().replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValidationError(f"金额应为数字（万元），收到“{value}”。")
    return amount
