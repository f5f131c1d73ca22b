"""The statistics bureau's monthly tables imported as they come, wide or long: figures by indicator, area
and month, the month read from the title, corrected by a second import, refused whole with the row, cell
and value when anything is wrong, and rolled back as a batch."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from kuochan.audit.models import AuditEntry
from kuochan.imports.models import ImportBatch, ImportUpload
from kuochan.statistics.models import StatFigure
from tests.statistics.conftest import bureau_rows
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db
JUNE = dt.date(2025, 6, 1)
LONG = ["地区", "月份", "指标", "累计值（亿元）", "本月值", "增速（%）", "位次"]


def figure(indicator: str, area: str, month: dt.date = JUNE) -> StatFigure:
    return StatFigure.objects.get(indicator__name=indicator, area__name=area, month=month)


def test_the_bureau_wide_table_is_read_with_its_title_month_header_units_and_footnotes(
    huzhou, bureau_file, run_cli
):
    code, result = run_cli("statistics", bureau_file)
    assert code == 0, result["errors"]
    # 9 areas; 4 indicators each, but 长合区 has no 技改投资 figure: 9 × 4 − 1
    assert (result["rows"], result["created"], result["applied"]) == (9, 35, True)
    manufacturing = figure("制造业投资增速", "湖州市")
    assert (manufacturing.growth, manufacturing.rank) == (Decimal("13.4"), 2)
    assert figure("制造业投资增速", "南浔区").growth == Decimal("-2.5")
    assert figure("规上工业增加值增速", "浙江省").growth == Decimal("6.9")
    assert figure("规上工业增加值增速", "浙江省").rank is None
    revenue = figure("规上工业营业收入", "湖州市")
    assert (revenue.ytd, revenue.growth, revenue.rank) == (Decimal("4321.5"), Decimal("5.6"), 3)
    assert figure("规上工业营业收入", "吴兴区").ytd == Decimal("812.3")  # "  吴兴区" indented
    assert figure("规上工业营业收入", "安吉县").ytd == Decimal("520.4")  # "安吉" for 安吉县
    assert figure("技改投资增速", "德清县").rank == 3
    assert not StatFigure.objects.filter(indicator__name="技改投资增速", area__short_name="长合区").exists()
    assert not StatFigure.objects.exclude(month=JUNE).exists()


def test_a_second_import_corrects_and_the_first_batch_rolls_back(huzhou, tmp_path, run_cli):
    rows, merges = bureau_rows()
    for r1, c1, *_ in merges:
        rows[r1][c1] = None
    first = write_xlsx(tmp_path / "first.xlsx", rows, merges=merges)
    run_cli("statistics", first)
    rows[5][6] = 13.6  # 湖州市 制造业投资 revised
    code, result = run_cli("statistics", write_xlsx(tmp_path / "second.xlsx", rows, merges=merges))
    assert (code, result["created"], result["updated"], result["unchanged"]) == (0, 0, 1, 34)
    assert figure("制造业投资增速", "湖州市").growth == Decimal("13.6")
    entry = AuditEntry.objects.get(batch_id=result["batch"], action="update")
    assert entry.changes == {"growth": ["13.4", "13.6"]}
    assert entry.object_repr == "制造业投资增速 湖州市 2025-06"


def test_rolling_back_a_first_import_removes_its_figures(huzhou, bureau_file, run_cli):
    _, result = run_cli("statistics", bureau_file)
    call_command("import_rollback", str(result["batch"]))
    assert not StatFigure.objects.exists()
    assert ImportBatch.objects.get(pk=result["batch"]).status == "rolled_back"


def test_month_option_wins_over_the_title(huzhou, bureau_file, run_cli):
    code, result = run_cli("statistics", bureau_file, "--month", "2025-05")
    assert code == 0 and result["created"] == 35
    assert set(StatFigure.objects.values_list("month", flat=True)) == {dt.date(2025, 5, 1)}


def test_a_title_without_a_month_needs_the_option(huzhou, tmp_path, run_cli):
    rows, merges = bureau_rows(title="湖州市分区县主要工业经济指标")
    for r1, c1, *_ in merges:
        rows[r1][c1] = None
    path = write_xlsx(tmp_path / "no-month.xlsx", rows, merges=merges)
    code, result = run_cli("statistics", path, "--dry-run")
    assert code == 2 and result["errors"][0]["column"] == "标题"
    assert "无法确定统计月份" in result["errors"][0]["message"]
    code, result = run_cli("statistics", path, "--month", "2025-06")
    assert code == 0 and result["created"] == 35


def test_dry_run_counts_and_writes_nothing(huzhou, bureau_file, run_cli):
    code, result = run_cli("statistics", bureau_file, "--dry-run")
    assert (code, result["created"], result["applied"], result["batch"]) == (0, 35, False, None)
    assert not StatFigure.objects.exists()


def test_wide_errors_name_the_row_and_cell_and_nothing_is_written(huzhou, tmp_path, run_cli):
    rows, merges = bureau_rows()
    for r1, c1, *_ in merges:
        rows[r1][c1] = None
    rows[7][0] = "火星区"  # an unknown area, row 8
    rows[9][4] = "五点零"  # not a number: 长兴县 revenue growth, row 10, column E
    rows[10][5] = "前列"  # not a rank: 安吉 revenue rank, row 11, column F
    code, result = run_cli("statistics", write_xlsx(tmp_path / "bad.xlsx", rows, merges=merges))
    assert code == 2 and not StatFigure.objects.exists() and not result["applied"]
    problems = {(e["row"], e["column"], e["value"]): e["message"] for e in result["errors"]}
    assert "不是已知的地区" in problems[(8, "地区", "火星区")]
    assert "应为数字" in problems[(10, "E列 规上工业营业收入·增速(%)", "五点零")]
    assert "应为位次" in problems[(11, "F列 规上工业营业收入·位次", "前列")]


def test_an_unknown_indicator_is_named_by_its_header_cell(huzhou, tmp_path, run_cli):
    rows, merges = bureau_rows()
    merges = tuple(m if m[4] != "制造业投资" else (2, 6, 2, 7, "数字经济核心产业增加值") for m in merges)
    for r1, c1, *_ in merges:
        rows[r1][c1] = None
    code, result = run_cli("statistics", write_xlsx(tmp_path / "unknown.xlsx", rows, merges=merges))
    assert code == 2 and not StatFigure.objects.exists()
    problem = result["errors"][0]
    assert (problem["row"], problem["column"], problem["value"]) == (3, "G3 单元格", "数字经济核心产业增加值")
    assert "不是统计指标库中的指标" in problem["message"]


def test_skip_invalid_imports_the_other_rows(huzhou, tmp_path, run_cli):
    rows, merges = bureau_rows()
    for r1, c1, *_ in merges:
        rows[r1][c1] = None
    rows[7][0] = "火星区"
    code, result = run_cli(
        "statistics", write_xlsx(tmp_path / "skip.xlsx", rows, merges=merges), "--skip-invalid"
    )
    assert code == 0 and result["skipped"] == 1 and result["created"] == 31
    assert not StatFigure.objects.filter(area__name="南浔区").exists()


@pytest.fixture
def city_rooted(db):
    """A tree that starts at the city, as a data set without its province would load it."""
    from kuochan.orgs.services import flatten_tree, org_units_load
    from kuochan.reference import read_json
    from kuochan.statistics.services import indicators_load

    (province,) = read_json("huzhou", "org_units.json")["units"]
    org_units_load(rows=flatten_tree(province["children"]))
    indicators_load(data=read_json("common", "stat_indicators.json"))


def test_the_province_row_needs_a_province_in_the_tree(city_rooted, bureau_file, run_cli):
    code, result = run_cli("statistics", bureau_file)
    assert code == 2
    (problem,) = [e for e in result["errors"] if e["value"] == "全省"]
    assert problem["row"] == 5 and "没有上级省级单位" in problem["message"]


def test_the_long_form_with_units_in_the_header_is_converted(huzhou, tmp_path, run_cli):
    rows = [
        ["2025年6月工业经济指标（长表）"],
        LONG,
        ["湖州市", "2025-06", "规上工业营业收入", "4,321.5", 780.2, "5.6%", "第3位"],
        ["吴兴", "2025年6月", "工业用电量", 1520000, None, 3.2, 2],
        ["全省", "2025-06", "制造业投资", None, None, 3.3, None],
        ["湖州市", "2025-05", "利润总额", -12.5, None, -30.1, 11],
    ]
    rows[3][3] = 15.2
    rows[1] = [*LONG, "计量单位"]
    rows[3].append("亿千瓦时")
    rows[2].append("")
    rows[4].append("")
    rows[5].append("万元")
    code, result = run_cli("statistics", write_xlsx(tmp_path / "long.xlsx", rows))
    assert code == 0, result["errors"]
    assert result["created"] == 4
    revenue = figure("规上工业营业收入", "湖州市")
    assert (revenue.ytd, revenue.value, revenue.growth, revenue.rank) == (
        Decimal("4321.5"), Decimal("780.2"), Decimal("5.6"), 3,
    )  # fmt: skip
    assert figure("工业用电量", "吴兴区").ytd == Decimal("15.2")
    assert figure("制造业投资增速", "浙江省").growth == Decimal("3.3")
    profit = figure("利润总额", "湖州市", dt.date(2025, 5, 1))
    assert profit.ytd == Decimal("-0.0013")  # −12.5 万元 in 亿元, four places
    assert profit.growth == Decimal("-30.1")


def test_long_form_errors_and_unconvertible_units(huzhou, tmp_path, run_cli):
    rows = [
        [*LONG, "计量单位"],
        ["湖州市", "2025-06", "营收总额", 1, None, 1, 1, ""],
        ["湖州市", "2025-06", "工业用电量", 12, None, 1, 1, "亿元"],
        ["湖州市", "2026-13", "利润总额", 1, None, 1, 1, ""],
        ["湖州市", "2025-06", "利润总额", None, None, None, None, ""],
        ["湖州市", "2025-06", "规上工业营业收入", 1, None, 1, 1, ""],
        ["全市", "2025-06", "规上工业营收", 2, None, 1, 1, ""],
    ]
    code, result = run_cli("statistics", write_xlsx(tmp_path / "bad-long.xlsx", rows))
    assert code == 2 and not StatFigure.objects.exists()
    problems = {(e["row"], e["column"], e["value"]): e["message"] for e in result["errors"]}
    assert "不是统计指标库中的指标" in problems[(2, "指标", "营收总额")]
    assert "不能换算" in problems[(3, "累计值(亿元)", "12")]
    assert (4, "月份", "2026-13") in problems
    assert "该行没有数据" in problems[(5, "指标", "利润总额")]
    assert "与第 6 行重复" in problems[(7, "指标", "规上工业营收")]


def test_the_long_month_must_agree_with_the_option(huzhou, tmp_path, run_cli):
    rows = [LONG, ["湖州市", "2025-05", "利润总额", 1, None, 1, 1]]
    code, result = run_cli("statistics", write_xlsx(tmp_path / "m.xlsx", rows), "--month", "2025-06")
    assert code == 2 and "不一致" in result["errors"][0]["message"]
    rows = [LONG[:1] + LONG[2:], ["湖州市", "利润总额", 1, None, 1, 1]]
    code, result = run_cli("statistics", write_xlsx(tmp_path / "n.xlsx", rows), "--month", "2025-06")
    assert code == 0 and figure("利润总额", "湖州市").ytd == Decimal("1")


def test_a_district_imports_only_its_own_figures(huzhou, users, tmp_path, run_cli):
    rows = [
        LONG,
        ["吴兴区", "2025-06", "利润总额", 1, None, 1, 1],
        ["南浔区", "2025-06", "利润总额", 1, None, 1, 1],
    ]
    code, result = run_cli("statistics", write_xlsx(tmp_path / "d.xlsx", rows), "--user", "wuxing")
    assert code == 2 and not StatFigure.objects.exists()
    (problem,) = result["errors"]
    assert problem["row"] == 3 and "不在您的数据范围内" in problem["message"]


def test_city_staff_import_the_province_comparison_row(huzhou, users, bureau_file, run_cli):
    code, result = run_cli("statistics", bureau_file, "--user", "city")
    assert code == 0 and result["created"] == 35


def test_a_district_cannot_import_the_city_sheet(huzhou, users, bureau_file, run_cli):
    code, result = run_cli("statistics", bureau_file, "--user", "wuxing")
    assert code == 2 and not StatFigure.objects.exists()
    refused = {e["row"] for e in result["errors"]}
    assert 7 not in refused and {5, 6, 8} <= refused  # 吴兴区 is row 7


def test_the_upload_page_takes_the_month_a_title_does_not_say(huzhou, users, login, tmp_path, run_jobs):
    rows, merges = bureau_rows(title="湖州市分区县主要工业经济指标")
    for r1, c1, *_ in merges:
        rows[r1][c1] = None
    path = write_xlsx(tmp_path / "no-month.xlsx", rows, merges=merges)
    client = login(users["city_staff"])
    with path.open("rb") as stream:
        client.post("/imports/upload/", {"kind": "statistics", "file": stream, "month": "2025年6月"})
    (job,) = run_jobs()
    preview = client.get(job.result_url).content.decode()
    assert "将新增" in preview and not StatFigure.objects.exists()
    client.post(f"/imports/uploads/{ImportUpload.objects.get().pk}/apply/")
    run_jobs()
    assert StatFigure.objects.count() == 35
    assert set(StatFigure.objects.values_list("month", flat=True)) == {JUNE}
    with path.open("rb") as stream:  # an odd month is the page back with a message, nothing kept
        refused = client.post(
            "/imports/upload/", {"kind": "statistics", "file": stream, "month": "六月"}, follow=True
        )
    assert "所属月份" in refused.content.decode() and ImportUpload.objects.count() == 1
