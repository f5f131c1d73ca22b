"""Reading the bureau's tables: the month a title states, what a sub-heading names, units, ranks, figures."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.imports.parsing import CellError
from kuochan.statistics.rules import area_key, month_in_title, sub_heading, to_figure, to_rank, unit_factor


@pytest.mark.parametrize(
    ("title", "month"),
    [
        ("2025年1-6月湖州市分区县主要工业经济指标", dt.date(2025, 6, 1)),
        ("2025年1—11月全市工业经济运行情况", dt.date(2025, 11, 1)),
        ("2025 年 3 月 主要指标", dt.date(2025, 3, 1)),
        ("2024年上半年分区县指标", dt.date(2024, 6, 1)),
        ("2024年前三季度", dt.date(2024, 9, 1)),
        ("湖州市分区县主要工业经济指标", None),
        ("2025年1-13月", None),
    ],
)
def test_the_month_a_title_states(title, month):
    assert month_in_title(title) == month


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("累计", "ytd"), ("1-6月累计", "ytd"), ("本年累计（亿元）", "ytd"), ("本月", "value"), ("6月", "value"),
        ("增速(%)", "growth"), ("累计增速", "growth"), ("同比增长（%）", "growth"), ("位次", "rank"),
        ("全省位次", "rank"), ("排名", "rank"), ("本月增速", None), ("备注", None),
        ("注：增速按可比价计算，位次为全省排位。", None),
    ],
)  # fmt: skip
def test_what_a_sub_heading_names(heading, kind):
    assert sub_heading(heading) == kind


def test_units_convert_within_their_measure_only():
    assert unit_factor("万元", "亿元") == Decimal("0.0001")
    assert unit_factor("亿元", "万元") == Decimal(10000)
    assert unit_factor("万千瓦时", "亿千瓦时") == Decimal("0.0001")
    assert unit_factor("亿度", "亿千瓦时") == 1
    assert unit_factor("", "亿元") == 1
    assert unit_factor("亿元", "亿千瓦时") is None


def test_ranks_and_figures_as_the_bureau_writes_them():
    assert [to_rank(v) for v in (2.0, "2", "第2位", "第 11 名", "—", None)] == [2, 2, 2, 11, None, None]
    with pytest.raises(CellError):
        to_rank("前列")
    with pytest.raises(CellError):
        to_rank(2.5)
    assert [to_figure(v) for v in ("1,234.5", "-2.5", "13.4%", "１２.５", 7.3, "—", "")] == [
        Decimal("1234.5"), Decimal("-2.5"), Decimal("13.4"), Decimal("12.5"), Decimal("7.3"), None, None,
    ]  # fmt: skip
    with pytest.raises(CellError):
        to_figure("五点零")


def test_area_names_lose_their_indent_and_prefixes():
    assert area_key("  其中：吴兴区") == area_key("吴 兴 区") == area_key("1.吴兴区") == "吴兴区"
