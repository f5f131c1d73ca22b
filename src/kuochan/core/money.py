"""Sums of money and quantities as the platform stores them: two decimals, finite, within the columns."""

from decimal import Decimal

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
