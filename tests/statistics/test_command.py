"""`kuochan statistics`: the month's figures for scripts, scoped to what the user may see."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def statistics(capsys, *options: str) -> dict:
    call_command("statistics", "--format", "json", *options)
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def imported(huzhou, bureau_file, run_cli):
    code, result = run_cli("statistics", bureau_file)
    assert code == 0, result["errors"]


def test_the_month_figures_by_indicator_then_province_city_and_districts_by_rank(imported, capsys):
    report = statistics(capsys, "--month", "2025-06")
    assert report["month"] == "2025-06" and len(report["rows"]) == 35
    manufacturing = [row for row in report["rows"] if row["indicator"] == "制造业投资增速"]
    assert [row["area"] for row in manufacturing][:4] == ["浙江省", "湖州市", "德清县", "长兴县"]
    assert manufacturing[1] == {
        "indicator": "制造业投资增速", "indicator_code": "manufacturing-investment", "unit": "亿元",
        "area": "湖州市", "area_code": "330500", "value": None, "ytd": None, "growth": 13.4, "rank": 2,
    }  # fmt: skip


def test_one_area_by_code_or_name(imported, capsys):
    by_code = statistics(capsys, "--month", "2025-06", "--area", "330502")
    by_name = statistics(capsys, "--month", "2025-06", "--area", "吴兴区")
    assert by_code == by_name and {row["area"] for row in by_code["rows"]} == {"吴兴区"}
    revenue = next(row for row in by_code["rows"] if row["indicator"] == "规上工业营业收入")
    assert (revenue["ytd"], revenue["growth"], revenue["rank"], revenue["unit"]) == (812.3, 6.2, 2, "亿元")


def test_a_month_without_figures_is_empty(imported, capsys):
    assert statistics(capsys, "--month", "2025-07") == {"month": "2025-07", "rows": []}


def test_district_staff_see_their_district_the_city_and_the_province(imported, users, capsys):
    report = statistics(capsys, "--month", "2025-06", "--user", "wuxing")
    assert {row["area"] for row in report["rows"]} == {"浙江省", "湖州市", "吴兴区"}
    city = statistics(capsys, "--month", "2025-06", "--user", "city")
    assert len(city["rows"]) == 35
    assert statistics(capsys, "--month", "2025-06", "--user", "qiye")["rows"] == []


def test_bad_options_are_refused_in_chinese(imported):
    with pytest.raises(CommandError, match="--month 应为月份"):
        call_command("statistics", "--month", "六月")
    with pytest.raises(CommandError, match="未知的地区"):
        call_command("statistics", "--month", "2025-06", "--area", "火星区")


def test_the_text_form_gives_units_and_ranks(imported, capsys):
    call_command("statistics", "--month", "2025-06", "--area", "湖州市")
    out = capsys.readouterr().out
    assert "规上工业营业收入\t湖州市\t累计 4,321.5亿元\t增速 5.6%\t第3位" in out


def test_the_library_ships_with_load_reference_and_loads_once(huzhou, capsys):
    from kuochan.statistics.models import StatIndicator

    assert list(StatIndicator.objects.values_list("name", flat=True)) == [
        "规上工业增加值增速", "工业投资增速", "制造业投资增速", "技改投资增速", "规上工业营业收入", "利润总额", "工业用电量",
    ]  # fmt: skip
    call_command("load_reference", format="json")
    assert json.loads(capsys.readouterr().out)["stat_indicators"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 7,
    }
