"""Every problem reported in Chinese; nothing written unless all is valid; batches roll back exactly."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from kuochan.audit.models import AuditEntry
from kuochan.core.bulk import Selecting
from kuochan.imports.models import ImportBatch
from kuochan.registry.importers import prefetch_enterprises
from kuochan.registry.models import AnnualMetric, Enterprise
from tests.conftest import ENTERPRISE_HEADER
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db


def bad_file(tmp_path):
    return write_xlsx(
        tmp_path / "bad.xlsx",
        [
            ENTERPRISE_HEADER,
            [uscc(41), "好公司", "吴兴区", "织里镇", "2020-01-01", "3441", "中", "是"],
            [uscc(42)[:-1] + "0", "校验码错的公司", "吴兴", "", "2020-02-30", "99", "超大", "也许"],
            [uscc(41), "重复的公司", "南浔区", "", "", "", "", ""],
        ],
    )


def test_every_problem_is_reported_with_row_column_value_and_what_was_expected(huzhou, tmp_path, run_cli):
    code, result = run_cli("enterprises", bad_file(tmp_path))
    assert code == 2 and result["applied"] is False and result["batch"] is None
    by_column = {(e["row"], e["column"]): e for e in result["errors"]}
    assert "校验码" in by_column[(3, "统一社会信用代码")]["message"]
    assert by_column[(3, "成立日期")]["value"] == "2020-02-30"
    assert "不存在" in by_column[(3, "成立日期")]["message"]
    assert "应为以下之一" in by_column[(3, "企业规模")]["message"]
    assert "“是”或“否”" in by_column[(3, "是否规上")]["message"]
    assert "与第 2 行重复" in by_column[(4, "统一社会信用代码")]["message"]
    assert set(result) == {
        "kind",
        "file",
        "rows",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "errors",
        "applied",
        "batch",
    }


def test_unknown_district_gets_a_suggestion(huzhou, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "d.xlsx",
        [ENTERPRISE_HEADER[:3], [uscc(43), "甲公司", "吴兴"], [uscc(44), "乙公司", "南寻区"]],
    )
    code, result = run_cli("enterprises", path)
    assert code == 2
    messages = [e["message"] for e in result["errors"]]
    assert "您是否要找：吴兴区？" in messages[0]
    assert "南浔区" in messages[1]


def test_with_any_error_nothing_is_written(huzhou, tmp_path, run_cli):
    run_cli("enterprises", bad_file(tmp_path))
    assert not Enterprise.objects.exists() and not ImportBatch.objects.exists()


def test_skip_invalid_writes_only_the_valid_rows(huzhou, tmp_path, run_cli):
    code, result = run_cli("enterprises", bad_file(tmp_path), "--skip-invalid")
    assert code == 0 and result["applied"] is True
    assert result["created"] == 1 and result["skipped"] == 2
    assert list(Enterprise.objects.values_list("name", flat=True)) == ["好公司"]


METRICS = ["统一社会信用代码", "年度", "营业收入（万元）", "实缴税金（万元）"]


@pytest.fixture(params=["slow", "fast"])
def small_chunks(request, monkeypatch):
    """New rows written two at a time, so a file of a few rows is written in several chunks; and a look-up
    of stored rows that is either slow (every row's amounts are parsed while it runs) or fast (none are)."""
    monkeypatch.setattr("kuochan.registry.importers.CHUNK", 2)
    monkeypatch.setattr(Selecting, "done", lambda self: request.param == "fast")


def test_an_amount_that_fails_after_earlier_rows_were_written_undoes_the_whole_import(
    registered, tmp_path, run_cli, small_chunks
):
    """New rows' amounts are parsed as the rows are written; a bad one in the last chunk still leaves the
    database as it was, and is reported like any other problem."""
    rows = [
        METRICS,
        *([registered[i % 2], 2020 + i, 100 + i, 1] for i in range(5)),
        [registered[2], 2025, "-7", 1],
    ]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows))
    assert code == 2 and result["applied"] is False and result["batch"] is None
    assert result["errors"] == [
        {"row": 7, "column": "营业收入(万元)", "value": "-7", "message": "不能为负数：本列应填 0 或正数"}
    ]
    assert (result["rows"], result["created"], result["skipped"]) == (6, 5, 0)
    assert not AnnualMetric.objects.exists()
    assert not ImportBatch.objects.filter(kind="enterprise-metrics").exists()


def test_skip_invalid_writes_the_new_rows_around_an_amount_that_fails(
    registered, tmp_path, run_cli, small_chunks
):
    rows = [
        METRICS,
        [registered[0], 2023, 1, 1],
        [registered[0], 2024, "很多", 1],
        [registered[0], 2025, 3, 3],
    ]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows), "--skip-invalid")
    assert code == 0 and result["applied"] is True
    assert (result["created"], result["skipped"]) == (2, 1)
    assert [e["row"] for e in result["errors"]] == [3]
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert (batch.rows, batch.created, batch.updated, batch.unchanged, batch.skipped) == (3, 2, 0, 0, 1)
    stored = dict(AnnualMetric.objects.values_list("year", "revenue_wan"))
    assert stored == {2023: Decimal("1.00"), 2025: Decimal("3.00")}


def test_a_stored_row_with_a_bad_amount_is_refused_and_keeps_its_values(
    registered, tmp_path, run_cli, small_chunks
):
    run_cli("enterprise-metrics", write_xlsx(tmp_path / "1.xlsx", [METRICS, [registered[0], 2025, 10, 1]]))
    rows = [METRICS, [registered[0], 2025, 12, "-1"], [registered[1], 2025, 5, 1]]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "2.xlsx", rows))
    assert code == 2 and [(e["row"], e["column"]) for e in result["errors"]] == [(2, "实缴税金(万元)")]
    assert (result["created"], result["updated"]) == (1, 0)
    stored = AnnualMetric.objects.get()
    assert (stored.enterprise.uscc, stored.revenue_wan, stored.tax_wan) == (
        registered[0],
        Decimal("10.00"),
        Decimal("1.00"),
    )


def test_a_row_refused_for_its_enterprise_also_reports_its_bad_amounts(registered, tmp_path, run_cli):
    rows = [METRICS, [uscc(98), 2025, "-3", "一千"], [registered[0], 2025, 1, 1]]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows))
    assert code == 2
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (2, "统一社会信用代码"),
        (2, "营业收入(万元)"),
        (2, "实缴税金(万元)"),
    ]


def test_dry_run_reports_without_writing(registered, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "m.xlsx", [["统一社会信用代码", "年度", "营业收入（万元）"], [registered[0], 2025, 100]]
    )
    code, result = run_cli("enterprise-metrics", path, "--dry-run")
    assert code == 0 and result["created"] == 1 and result["applied"] is False
    assert not AnnualMetric.objects.exists()


def test_negative_amounts_and_unknown_enterprises_are_errors(registered, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [["统一社会信用代码", "年度", "营业收入（万元）"], [registered[0], 2025, -5], [uscc(99), 2025, 10]],
    )
    code, result = run_cli("enterprise-metrics", path)
    assert code == 2
    assert (
        result["errors"][0]["message"] == "不能为负数：本列应填 0 或正数"
        and result["errors"][0]["value"] == "-5"
    )
    assert "请先导入企业名单" in result["errors"][1]["message"]


def test_a_loss_is_accepted_and_a_negative_area_is_refused_saying_what_was_expected(
    registered, tmp_path, run_cli
):
    header = ["统一社会信用代码", "年度", "利润总额（万元）", "用地面积（亩）"]
    code, result = run_cli(
        "enterprise-metrics",
        write_xlsx(
            tmp_path / "m.xlsx", [header, [registered[0], 2025, -350.25, 12], [registered[1], 2025, 80, -3]]
        ),
    )
    assert code == 2
    assert result["errors"] == [
        {"row": 3, "column": "用地面积(亩)", "value": "-3", "message": "不能为负数：本列应填 0 或正数"}
    ]  # the loss in row 2 is no error
    code, result = run_cli(
        "enterprise-metrics", write_xlsx(tmp_path / "loss.xlsx", [header, [registered[0], 2025, -350.25, 12]])
    )
    assert code == 0 and result["created"] == 1
    assert AnnualMetric.objects.get(enterprise__uscc=registered[0], year=2025).profit_wan == Decimal(
        "-350.25"
    )


def test_the_template_says_which_columns_take_negative_numbers(tmp_path):
    from python_calamine import CalamineWorkbook

    from kuochan.imports.exporting import write_template
    from kuochan.registry.importers import MetricsImporter

    path = tmp_path / "template.xlsx"
    write_template(str(path), MetricsImporter)
    notes = {
        row[0]: row[2]
        for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("填表说明").to_python()
    }
    assert "；可填负数" in notes["利润总额（万元）"]
    assert "；不能为负数" in notes["用地面积（亩）"]
    assert "负数" not in notes["企业名称"]


def test_rollback_restores_exactly_the_previous_values(registered, tmp_path, run_cli):
    header = ["统一社会信用代码", "年度", "营业收入（万元）", "实缴税金（万元）"]
    first = write_xlsx(
        tmp_path / "1.xlsx", [header, [registered[0], 2025, 1000, 50], [registered[1], 2025, 200, 5]]
    )
    run_cli("enterprise-metrics", first)
    second = write_xlsx(
        tmp_path / "2.xlsx", [header, [registered[0], 2025, 1100, 50], [registered[1], 2024, 180, 4]]
    )
    code, result = run_cli("enterprise-metrics", second)
    assert code == 0 and (result["created"], result["updated"]) == (1, 1)
    changed = AuditEntry.objects.get(batch_id=result["batch"], action="update")
    assert changed.changes == {"revenue_wan": ["1000.00", "1100.00"]}
    call_command("import_rollback", str(result["batch"]))
    rows = {(m.enterprise.uscc, m.year): (m.revenue_wan, m.tax_wan) for m in AnnualMetric.objects.all()}
    assert rows == {
        (registered[0], 2025): (Decimal("1000.00"), Decimal("50.00")),
        (registered[1], 2025): (Decimal("200.00"), Decimal("5.00")),
    }
    assert ImportBatch.objects.get(pk=result["batch"]).status == "rolled_back"
    restored = AuditEntry.objects.filter(
        content_type__model="annualmetric", batch_id=None, action="update"
    ).get()
    assert restored.changes == {"revenue_wan": ["1100.00", "1000.00"]}
    undone = AuditEntry.objects.get(content_type__model="importbatch", object_id=str(result["batch"]))
    assert undone.changes["status"] == ["applied", "rolled_back"]


def test_rollback_is_refused_when_the_data_changed_again_afterwards(registered, tmp_path, run_cli):
    from django.core.management.base import CommandError

    header = ["统一社会信用代码", "年度", "营业收入（万元）"]
    _, first = run_cli(
        "enterprise-metrics", write_xlsx(tmp_path / "1.xlsx", [header, [registered[0], 2025, 1]])
    )
    run_cli("enterprise-metrics", write_xlsx(tmp_path / "2.xlsx", [header, [registered[0], 2025, 2]]))
    with pytest.raises(CommandError, match="之后又被修改过"):
        call_command("import_rollback", str(first["batch"]))
    assert AnnualMetric.objects.get().revenue_wan == Decimal("2.00")


def test_rolling_back_enterprises_that_now_have_metrics_is_refused(registered, tmp_path, run_cli):
    from django.core.management.base import CommandError

    run_cli(
        "enterprise-metrics",
        write_xlsx(tmp_path / "m.xlsx", [["统一社会信用代码", "年度"], [registered[0], 2025]]),
    )
    enterprise_batch = ImportBatch.objects.filter(kind="enterprises").get()
    with pytest.raises(CommandError, match="已有关联数据"):
        call_command("import_rollback", str(enterprise_batch.pk))
    assert Enterprise.objects.count() == 3


@pytest.mark.parametrize("kind", ["enterprises", "enterprise-metrics", "honours", "surveys"])
def test_export_then_import_changes_nothing(registered, tmp_path, run_cli, kind):
    metrics = write_xlsx(
        tmp_path / "m.xlsx",
        [
            [
                "统一社会信用代码",
                "年度",
                "营业收入（万元）",
                "综合能耗（吨标准煤）",
                "年平均职工人数",
                "用地面积（亩）",
            ],
            [registered[0], 2025, 1234.56, 88.8, 120, 30.25],
            [registered[1], 2024, 0.01, None, None, 12],
        ],
    )
    honours = write_xlsx(
        tmp_path / "h.xlsx",
        [
            ["统一社会信用代码", "荣誉类型", "认定年度", "失去年度"],
            [registered[0], "小巨人", 2023, None],
            [registered[2], "高新技术企业", 2020, 2023],
        ],
    )
    surveys = write_xlsx(
        tmp_path / "s.xlsx",
        [
            ["统一社会信用代码", "年度", "扩产意愿", "计划投资（万元）", "计划开工", "需求"],
            [registered[0], 2026, "有", 5000, "2026-06-01", "用地、资金"],
        ],
    )
    for name, path in (("enterprise-metrics", metrics), ("honours", honours), ("surveys", surveys)):
        assert run_cli(name, path)[0] == 0
    exported = tmp_path / "export.xlsx"
    call_command("export", kind, "-o", str(exported))
    code, result = run_cli(kind, exported)
    assert code == 0 and result["rows"] > 0
    assert result["unchanged"] == result["rows"], result


def test_a_district_user_cannot_import_into_another_district(registered, users, tmp_path, run_cli):
    rows = [ENTERPRISE_HEADER[:3], [uscc(51), "吴兴新公司", "吴兴区"], [uscc(52), "南浔新公司", "南浔区"]]
    code, result = run_cli("enterprises", write_xlsx(tmp_path / "e.xlsx", rows), "--user", "wuxing")
    assert code == 2
    assert [e["message"] for e in result["errors"]] == ["您无权导入“南浔区”的企业"]
    metrics = write_xlsx(
        tmp_path / "m.xlsx", [["统一社会信用代码", "年度", "营业收入（万元）"], [registered[2], 2025, 1]]
    )
    code, result = run_cli("enterprise-metrics", metrics, "--user", "wuxing")
    assert code == 2 and "不在您的数据范围内" in result["errors"][0]["message"]
    assert not AnnualMetric.objects.exists() and not Enterprise.objects.filter(uscc=uscc(51)).exists()


@pytest.mark.parametrize("kind", ["enterprise-metrics", "honours", "enterprises"])
def test_errors_about_another_districts_enterprise_never_name_it(kind, registered, users, tmp_path, run_cli):
    """A district user's file naming another district's enterprise by its code learns only that it is out
    of scope: not its name, nor its district."""
    headers = {
        "enterprise-metrics": (["统一社会信用代码", "年度", "营业收入（万元）"], [registered[2], 2025, 1]),
        "honours": (["统一社会信用代码", "荣誉类型", "认定年度"], [registered[2], "高新技术企业", 2024]),
        "enterprises": (ENTERPRISE_HEADER[:3], [registered[2], "某公司", "吴兴区"]),
    }
    header, row = headers[kind]
    code, result = run_cli(kind, write_xlsx(tmp_path / "x.xlsx", [header, row]), "--user", "wuxing")
    assert code == 2 and [e["message"] for e in result["errors"]] == ["不在您的数据范围内"]
    shown = json.dumps(result, ensure_ascii=False)
    assert "南浔木业" not in shown and "南浔" not in shown


def test_moving_an_enterprise_out_of_scope_is_refused(registered, users, tmp_path, run_cli):
    rows = [ENTERPRISE_HEADER[:3], [registered[2], "南浔木业有限公司", "吴兴区"]]
    code, result = run_cli("enterprises", write_xlsx(tmp_path / "e.xlsx", rows), "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "不在您的数据范围内"
    assert Enterprise.objects.get(uscc=registered[2]).district.name == "南浔区"


def test_a_read_only_user_cannot_import_from_the_command_line(huzhou, users, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "e.xlsx",
        [ENTERPRISE_HEADER, [uscc(1), "湖州织里童装有限公司", "吴兴区", "", "", "", "", "是"]],
    )
    code, result = run_cli("enterprises", path, "--user", "leader")
    assert code == 2 and result["applied"] is False
    assert result["errors"][0]["message"] == "用户 leader 无权导入数据（领导（只读）只能查看）"
    assert not Enterprise.objects.exists()


def test_the_largest_and_smallest_amounts_are_stored_exactly(registered, tmp_path, run_cli):
    header = ["统一社会信用代码", "年度", "营业收入（万元）", "实缴税金（万元）", "用地面积（亩）"]
    path = write_xlsx(
        tmp_path / "m.xlsx", [header, [registered[0], 2025, 9999999999999.99, 0.01, 1234567.89]]
    )
    assert run_cli("enterprise-metrics", path)[0] == 0
    stored = AnnualMetric.objects.get(enterprise__uscc=registered[0], year=2025)
    assert (stored.revenue_wan, stored.tax_wan, stored.land_mu) == (
        Decimal("9999999999999.99"),
        Decimal("0.01"),
        Decimal("1234567.89"),
    )


def test_a_large_file_prefetches_the_enterprises_in_scope_and_still_finds_the_others(
    registered, users, tmp_path, run_cli, monkeypatch
):
    """While a large file is read, every enterprise in the user's scope is fetched at once; enterprises the
    prefetch does not hold (another district's, unknown ones) are still told apart."""
    wuxing = users["wuxing"]
    assert prefetch_enterprises(wuxing, file_bytes=1) is None  # small file: looked up by its USCCs
    assert set(prefetch_enterprises(wuxing, file_bytes=10**9)) == {registered[0], registered[1]}
    assert set(prefetch_enterprises(None, file_bytes=10**9)) == set(registered)
    assert prefetch_enterprises(users["enterprise"], file_bytes=10**9) is None
    monkeypatch.setattr("kuochan.registry.importers.PREFETCH_BYTES_PER_ENTERPRISE", 0)
    header = ["统一社会信用代码", "年度", "营业收入（万元）"]
    rows = [header, [registered[0], 2025, 10], [registered[2], 2025, 20], [uscc(99), 2025, 30]]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows), "--user", "wuxing")
    assert code == 2
    assert [(e["row"], e["message"]) for e in result["errors"]] == [
        (3, "不在您的数据范围内"),
        (4, "企业库中没有该统一社会信用代码的企业，请先导入企业名单"),
    ]
    code, result = run_cli(
        "enterprise-metrics", write_xlsx(tmp_path / "ok.xlsx", rows[:2]), "--user", "wuxing"
    )
    assert code == 0 and result["created"] == 1
    assert AnnualMetric.objects.get(enterprise__uscc=registered[0]).revenue_wan == Decimal("10.00")


def test_a_row_with_a_bad_amount_is_no_duplicate_of_a_good_one(registered, tmp_path, run_cli):
    """A row whose cells fail is left out of the duplicate check, as a row with a bad key cell always was:
    with --skip-invalid its good twin below is still written."""
    rows = [METRICS, [registered[0], 2025, "很多", 1], [registered[0], 2025, 100, 1]]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows), "--skip-invalid")
    assert code == 0 and (result["created"], result["skipped"]) == (1, 1)
    assert [(e["row"], e["message"]) for e in result["errors"]] == [(2, result["errors"][0]["message"])]
    assert "重复" not in result["errors"][0]["message"]
    assert AnnualMetric.objects.get().revenue_wan == Decimal("100.00")


def test_an_import_undone_by_a_late_bad_amount_keeps_no_copy_of_the_file(
    registered, tmp_path, run_cli, small_chunks, settings
):
    def stored_files():
        return {
            str(path.relative_to(settings.MEDIA_ROOT)) for path in Path(settings.MEDIA_ROOT).rglob("*.xlsx")
        }

    before = stored_files()
    rows = [METRICS, [registered[0], 2024, 1, 1], [registered[0], 2025, "-1", 1]]
    code, _ = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows))
    assert code == 2 and stored_files() == before
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "ok.xlsx", rows[:2]))
    assert code == 0 and stored_files() == before | {ImportBatch.objects.get(pk=result["batch"]).stored_file}
