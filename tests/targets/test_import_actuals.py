"""The statistics bureau's table imported: official figures by indicator, unit and month, corrected by a
second import, refused with the row, column and value when wrong, and scoped."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.targets.models import Actual
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db
HEADER = ["指标", "单位", "年月", "本年累计值", "说明"]


def test_official_figures_are_imported_and_a_second_file_corrects_them(huzhou, tmp_path, run_cli):
    rows = [
        HEADER,
        ["技改投资增幅", "湖州市", "2026-06", "12.8%", "统计局快报"],
        ["renovation_investment", "吴兴区", "2026年6月", 64.8, ""],
        ["技改投资增幅", "南浔", "2026-06", -3.5, ""],
    ]
    code, result = run_cli("target-actuals", write_xlsx(tmp_path / "stats.xlsx", rows))
    assert code == 0 and result["created"] == 3, result
    assert Actual.objects.get(indicator__code="renovation_growth", org_unit__name="湖州市").value == Decimal(
        "12.8"
    )
    assert Actual.objects.get(org_unit__name="南浔区").value == Decimal("-3.5")
    rows[1][3] = 13.1
    code, result = run_cli("target-actuals", write_xlsx(tmp_path / "stats2.xlsx", rows))
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 2)
    assert Actual.objects.get(
        indicator__code="renovation_growth", month=dt.date(2026, 6, 1), org_unit__name="湖州市"
    ).value == Decimal("13.1")


def test_wrong_rows_are_refused_with_row_column_value_and_nothing_is_written(huzhou, tmp_path, run_cli):
    rows = [
        HEADER,
        ["技改投资增幅", "湖州市", "2026-06", 12.8, ""],
        ["营收增幅", "火星区", "2026-06", 1, ""],
        ["技改投资增幅", "湖州市", "2026-13", "十二", ""],
    ]
    code, result = run_cli("target-actuals", write_xlsx(tmp_path / "bad.xlsx", rows))
    assert code == 2 and not Actual.objects.exists()
    problems = {(e["row"], e["column"], e["value"]) for e in result["errors"]}
    assert (3, "指标", "营收增幅") in problems
    assert (4, "年月", "2026-13") in problems and (4, "本年累计值", "十二") in problems


def test_a_district_imports_only_its_own_figures(huzhou, users, tmp_path, run_cli):
    rows = [HEADER, ["技改投资增幅", "南浔区", "2026-06", 5, ""]]
    code, result = run_cli("target-actuals", write_xlsx(tmp_path / "other.xlsx", rows), "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "“南浔区”不在您的数据范围内"
