"""Cell values as officials type them."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuochan.imports.parsing import (
    CellError,
    hundredths_text,
    split_unit,
    to_bool,
    to_date,
    to_hundredths,
    to_year,
)
from kuochan.registry.rules import USCC_CHARSET, normalise_code, uscc_check_char, uscc_problem


@pytest.mark.parametrize(
    "value",
    ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", " 2026 - 03 - 01 ", "２０２６－０３－０１", "20260301",
     dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 9, 30), 46082, 46082.0, "46082"],
)  # fmt: skip
def test_every_date_spelling_reads_as_the_same_day(value):
    assert to_date(value) == dt.date(2026, 3, 1)


@pytest.mark.parametrize("value", ["2026-02-30", "下月初", "2026-13-01", 46082.5])
def test_impossible_dates_are_refused_with_what_was_expected(value):
    with pytest.raises(CellError, match="日期"):
        to_date(value)


@pytest.mark.parametrize(
    ("value", "hundredths"),
    [(1200, 120000), (1234.56, 123456), ("1,200", 120000), ("１，２００", 120000), ("1,200万元", 120000),
     ("1200.5 万元", 120050), ("3.05%", 305), ("12000000元", 120000), ("0.12亿元", 120000), (" 7 ", 700)],
)  # fmt: skip
def test_numbers_with_separators_units_and_full_width_digits(value, hundredths):
    assert to_hundredths(value) == hundredths


def test_header_units_convert_to_wan():
    assert to_hundredths(12_000_000, factor=Decimal("0.0001")) == 120000
    assert to_hundredths(1.5, factor=Decimal(10000)) == 1_500_000


@pytest.mark.parametrize("value", ["-5", -5.0, "-1,200万元"])
def test_negative_amounts_are_refused(value):
    with pytest.raises(CellError, match="不能为负数"):
        to_hundredths(value)


@pytest.mark.parametrize("value", ["一千二", "12 吨", "N/A"])
def test_text_that_is_not_a_number_is_refused(value):
    with pytest.raises(CellError):
        to_hundredths(value)


def test_headers_give_their_unit():
    assert split_unit("营业收入（亿元）") == ("营业收入", "亿元")
    assert split_unit("营业收入(元)") == ("营业收入", "元")
    assert split_unit("企业名称") == ("企业名称", "")


def test_years_and_yes_no():
    assert to_year("2025年") == 2025 and to_year(2025.0) == 2025
    with pytest.raises(CellError):
        to_year("25")
    assert to_bool("是") is True and to_bool("否") is False and to_bool("√") is True
    with pytest.raises(CellError, match=r"是.*否"):
        to_bool("大概")


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_hundredths_text_is_exact(hundredths):
    assert Decimal(hundredths_text(hundredths)) * 100 == hundredths


def test_uscc_is_normalised_from_full_width_lower_case_and_spaces():
    assert normalise_code(" ９１３３０５０２ma2b3c4d58 ") == "91330502MA2B3C4D58"
    assert uscc_problem("91330502MA2B3C4D58") is None


def test_uscc_problems_are_explained():
    assert "18 位" in uscc_problem("91330502MA2B3C4D5")
    assert "校验码应为“8”" in uscc_problem("91330502MA2B3C4D59")
    assert "无效字符“O”" in uscc_problem("91330502MA2B3C4DO8")


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17))
def test_any_code_with_its_check_character_is_valid_and_one_changed_character_is_not(first17):
    first17 = first17[:2] + "330502" + first17[8:]
    code = first17 + uscc_check_char(first17)
    assert uscc_problem(code) is None
    wrong = USCC_CHARSET[(USCC_CHARSET.index(code[-1]) + 1) % 31]
    assert uscc_problem(code[:-1] + wrong) is not None


@given(
    st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False), st.booleans()
)
def test_any_two_decimal_amount_reads_exactly_however_it_is_written(amount, with_unit):
    text = f"{amount:,.2f}" + ("万元" if with_unit else "")
    assert to_hundredths(text) == int(amount * 100)
    assert to_hundredths(float(amount)) == int(amount * 100)
    assert Decimal(hundredths_text(to_hundredths(text))) == amount
