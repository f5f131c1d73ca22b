"""Files as officials make them: titles, merged two-row headers, synonyms, units, spaces, notes rows."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.registry.models import AnnualMetric, Enterprise
from tests.conftest import ENTERPRISE_HEADER
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db


def test_title_rows_synonyms_spaces_and_full_width_are_understood(huzhou, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [
            ["2025年吴兴区增资扩产重点企业名单"],
            ["填报单位：吴兴区经信局", None, None, "填报日期：2025年12月"],
            [
                "社会信用代码",
                "单位名称 ",
                "　区县　",
                "乡镇",
                "成立时间",
                "国民经济行业代码",
                "规模",
                "规上企业",
            ],
            [
                " " + uscc(11).lower() + " ",
                "湖州　某某　机械有限公司",
                "吴兴区",
                "织里镇",
                "2015/6/18",
                "３４４１",
                "中型",
                "是",
            ],
        ],
        merges=((0, 0, 0, 7, "2025年吴兴区增资扩产重点企业名单"),),
    )
    code, result = run_cli("enterprises", path)
    assert code == 0 and result["created"] == 1 and result["errors"] == []
    enterprise = Enterprise.objects.get(uscc=uscc(11))
    assert enterprise.name == "湖州 某某 机械有限公司"
    assert enterprise.town.name == "织里镇" and enterprise.established_on == dt.date(2015, 6, 18)
    assert enterprise.industry_code == "3441" and enterprise.industry_division == "34"
    assert enterprise.size_class == "medium" and enterprise.above_scale is True


def test_two_row_merged_header_with_the_unit_on_the_group(registered, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "指标.xlsx",
        [
            ["2025年度企业主要经济指标"],
            ["统一社会信用代码", "企业名称", "年度", "经济指标（亿元）", None, "能耗", None],
            [None, None, None, "营业收入", "实缴税金", "综合能耗（吨标准煤）", "用地面积（亩）"],
            [registered[0], "湖州织里童装有限公司", 2025, 1.2345, 0.05, "1,234.5", 56],
        ],
        merges=(
            (0, 0, 0, 6, "2025年度企业主要经济指标"),
            (1, 0, 2, 0, "统一社会信用代码"),
            (1, 1, 2, 1, "企业名称"),
            (1, 2, 2, 2, "年度"),
            (1, 3, 1, 4, "经济指标（亿元）"),
            (1, 5, 1, 6, "能耗"),
        ),
    )
    code, result = run_cli("enterprise-metrics", path)
    assert code == 0, result
    metric = AnnualMetric.objects.get(enterprise__uscc=registered[0], year=2025)
    assert metric.revenue_wan == Decimal("12345.00") and metric.tax_wan == Decimal("500.00")
    assert metric.energy_tce == Decimal("1234.50") and metric.land_mu == Decimal("56.00")


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [("营业收入（元）", 12_345_600, "1234.56"), ("营业收入（万元）", "1,200万元", "1200.00"),
     ("营业收入（亿元）", 0.5, "5000.00"), ("营业收入", "１２００", "1200.00"), ("营收（万元）", "1,234.5", "1234.50")],
)  # fmt: skip
def test_money_units_in_headers_and_values_become_wan(registered, tmp_path, run_cli, header, cell, expected):
    path = write_xlsx(
        tmp_path / "m.xlsx", [["统一社会信用代码", "年度", header], [registered[0], "2025年", cell]]
    )
    code, result = run_cli("enterprise-metrics", path)
    assert code == 0, result
    assert AnnualMetric.objects.get(enterprise__uscc=registered[0]).revenue_wan == Decimal(expected)


def test_dates_in_every_spelling_including_real_excel_dates_and_serials(huzhou, tmp_path, run_cli):
    spellings = ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", dt.date(2026, 3, 1), 46082]
    rows = [ENTERPRISE_HEADER[:5]] + [
        [uscc(20 + i), f"日期测试{i}有限公司", "吴兴区", "", spelling] for i, spelling in enumerate(spellings)
    ]
    code, result = run_cli("enterprises", write_xlsx(tmp_path / "d.xlsx", rows))
    assert code == 0, result
    assert set(Enterprise.objects.values_list("established_on", flat=True)) == {dt.date(2026, 3, 1)}


def test_blank_rows_and_a_trailing_notes_row_are_ignored(huzhou, tmp_path, run_cli):
    rows = [
        ENTERPRISE_HEADER[:3],
        [uscc(31), "甲公司", "德清县"],
        [None, None, None],
        [uscc(32), "乙公司", "长兴县"],
        [],
        ["填表说明：1. 统一社会信用代码必须为18位；2. 区县按标准名称填写。"],
    ]
    code, result = run_cli("enterprises", write_xlsx(tmp_path / "n.xlsx", rows))
    assert code == 0 and result["rows"] == 2 and result["created"] == 2


def test_a_file_that_is_not_excel_is_refused_cleanly(db, tmp_path, run_cli):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a workbook")
    code, result = run_cli("enterprises", path)
    assert code == 2 and result["applied"] is False
    assert "不是有效的 Excel" in result["errors"][0]["message"]


def test_a_sheet_without_the_required_columns_says_which_are_missing(huzhou, tmp_path, run_cli):
    path = write_xlsx(tmp_path / "h.xlsx", [["企业名称", "所属区县"], ["甲公司", "吴兴区"]])
    code, result = run_cli("enterprises", path)
    assert code == 2
    assert "统一社会信用代码" in result["errors"][0]["message"]


def test_a_district_merged_down_its_enterprises_applies_to_each_row(huzhou, tmp_path, run_cli):
    rows = [
        ENTERPRISE_HEADER[:3],
        [uscc(35), "甲公司", "安吉县"],
        [uscc(36), "乙公司", None],
        [uscc(37), "丙公司", "长兴县"],
    ]
    path = write_xlsx(tmp_path / "merged.xlsx", rows, merges=((1, 2, 2, 2, "安吉县"),))
    code, result = run_cli("enterprises", path)
    assert code == 0, result
    assert Enterprise.objects.get(uscc=uscc(36)).district.name == "安吉县"
