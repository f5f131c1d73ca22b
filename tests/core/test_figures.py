"""Figures as officials read them: separators, 万元 or 亿元 by the table, one-decimal percentages, months in
Chinese, and a dash that says why."""

import datetime as dt
from decimal import Decimal

from django.template import Context, Template

from kuochan.core import figures


def render(source: str, **context) -> str:
    return Template("{% load figures %}" + source).render(Context(context))


def test_a_table_of_large_amounts_reads_in_yi_and_a_table_of_small_ones_in_wan():
    assert figures.money_unit([Decimal("17430.00"), Decimal("52000"), Decimal("800")]) == "亿元"
    assert figures.money_unit([Decimal("800"), Decimal("3200"), Decimal("990000")]) == "万元"
    assert figures.money_unit([None, None]) == "万元"


def test_amounts_have_separators_and_two_decimals_in_the_tables_unit():
    assert render("{{ v|money }}", v=Decimal("17430")) == "17,430.00"
    assert render("{{ v|money:'亿元' }}", v=Decimal("17430")) == "1.74"
    assert render("{{ v|money }}", v=Decimal("-1234.5")) == "-1,234.50"
    assert render("{{ v|money_unit }}", v=Decimal("174300")) == "17.43 亿元"
    assert render("{{ v|money_unit }}", v=Decimal("3200")) == "3,200.00 万元"


def test_percentages_have_one_decimal_and_months_read_in_chinese():
    assert render("{{ v|percent }}", v=Decimal("7.25")) == "7.3%"
    assert render("{{ v|share }}", v=0.4) == "40.0%"
    assert render("{{ v|month }}", v=dt.date(2026, 11, 30)) == "2026年11月"
    assert render("{{ v|month }}", v="2026-03") == "2026年3月"
    assert render("{{ v|number }}", v=24000) == "24,000"


def test_a_missing_figure_is_a_dash_that_says_why():
    assert "无数据" in render("{{ v|money }}", v=None)
    shown = render("{{ v|percent|or_dash:'未到期' }}", v=None)
    assert "—" in shown and "未到期" in shown and "无数据" not in shown
    assert render("{{ v|or_dash:'不适用' }}", v=3) == "3"


def test_the_table_unit_tag_reads_an_attribute_of_each_row():
    class Row:
        def __init__(self, total):
            self.total_wan = total

    rows = [Row(Decimal("20000")), Row(Decimal("15000")), Row(None)]
    assert render("{% table_money_unit rows 'total_wan' as unit %}{{ unit }}", rows=rows) == "亿元"
