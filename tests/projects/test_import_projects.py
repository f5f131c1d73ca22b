"""`kuochan import projects`: projects with their milestones, checked row by row, written all or nothing,
audited and rolled back exactly; files as officials make them."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from kuochan.audit.models import AuditEntry
from kuochan.imports.models import ImportBatch
from kuochan.projects.models import Project
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = [
    "项目代码", "项目名称", "统一社会信用代码", "企业名称", "所属区县", "所属乡镇（园区）", "项目类型", "建设性质",
    "是否技改", "所属产业链", "总投资（万元）", "设备投资（万元）", "签约日期", "计划备案日期", "实际备案日期",
    "计划开工日期", "实际开工日期", "入库日期", "计划竣工日期", "实际竣工日期", "计划投产日期", "实际投产日期",
    "计划达产日期", "实际达产日期", "项目状态",
]  # fmt: skip
CODE = "2026-330502-26-03-012345"
OTHER_CODE = "2026-330503-26-03-000777"
RESULT_KEYS = {
    "kind", "file", "rows", "created", "updated", "unchanged", "skipped", "errors", "applied", "batch", "warnings",
}  # fmt: skip


def project(enterprise, **cells):
    """One row of the standard template, as a district would fill it; `cells` override by header."""
    return {
        "项目代码": CODE,
        "项目名称": "年产10万套智能家居扩产项目",
        "统一社会信用代码": enterprise,
        "企业名称": "湖州织里童装有限公司",
        "项目类型": "技术改造",
        "建设性质": "改建和技术改造",
        "是否技改": "是",
        "所属产业链": "现代家具与智能家电",
        "总投资（万元）": 12000,
        "设备投资（万元）": 6000,
        "签约日期": dt.date(2025, 10, 8),
        "计划备案日期": dt.date(2025, 12, 1),
        "实际备案日期": dt.date(2025, 12, 10),
        "计划开工日期": dt.date(2026, 3, 1),
        "计划竣工日期": dt.date(2027, 6, 30),
        "计划投产日期": dt.date(2027, 9, 30),
        "计划达产日期": dt.date(2028, 12, 31),
        "项目状态": "推进中",
        **cells,
    }


def write_projects(path, *rows, header=HEADER):
    return write_xlsx(path, [header, *([row.get(name) for name in header] for row in rows)])


def stored(code=CODE):
    return Project.objects.select_related("district", "town", "chain", "enterprise").get(code=code)


def by_column(result):
    return {(problem["row"], problem["column"]): problem for problem in result["errors"]}


def test_new_projects_are_created_with_their_milestones_and_money(registered, tmp_path, run_cli):
    rows = (
        project(registered[0], **{"所属乡镇（园区）": "织里镇"}),
        project(registered[2], 项目代码=OTHER_CODE),
    )
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", *rows))
    assert code == 0 and result["applied"] is True, result
    assert set(result) == RESULT_KEYS
    assert (result["rows"], result["created"], result["updated"], result["unchanged"]) == (2, 2, 0, 0)
    assert result["errors"] == [] and result["warnings"] == []
    p = stored()
    assert p.enterprise.uscc == registered[0] and p.name == "年产10万套智能家居扩产项目"
    assert (p.district.name, p.town.name, p.chain.name) == ("吴兴区", "织里镇", "现代家具与智能家电")
    assert (p.project_type, p.nature, p.is_renovation, p.status) == (
        "renovation",
        "renovation",
        True,
        "active",
    )
    assert (p.total_wan, p.equipment_wan) == (Decimal("12000.00"), Decimal("6000.00"))
    assert p.signed_actual == dt.date(2025, 10, 8) and p.registered_actual == dt.date(2025, 12, 10)
    assert p.started_planned == dt.date(2026, 3, 1) and p.started_actual is None
    assert p.at_capacity_planned == dt.date(2028, 12, 31)
    assert p.created_batch == result["batch"]
    assert ImportBatch.objects.get(pk=result["batch"]).created == 2


def test_importing_the_same_file_again_changes_nothing(registered, tmp_path, run_cli):
    path = write_projects(
        tmp_path / "p.xlsx", project(registered[0]), project(registered[2], 项目代码=OTHER_CODE)
    )
    run_cli("projects", path)
    code, result = run_cli("projects", path)
    assert code == 0, result
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)
    assert not AuditEntry.objects.filter(batch_id=result["batch"]).exists()
    assert Project.objects.count() == 2


def test_a_change_is_updated_with_before_and_after_in_the_audit_trail(registered, tmp_path, run_cli):
    run_cli("projects", write_projects(tmp_path / "1.xlsx", project(registered[0])))
    changed = project(registered[0], **{"总投资（万元）": "15,000", "实际开工日期": "2026-03-05"})
    code, result = run_cli("projects", write_projects(tmp_path / "2.xlsx", changed))
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (0, 1, 0), result
    p = stored()
    assert p.total_wan == Decimal("15000.00") and p.started_actual == dt.date(2026, 3, 5)
    entry = AuditEntry.objects.get(batch_id=result["batch"])
    assert entry.action == "update" and entry.object_id == str(p.pk)
    assert entry.changes == {"total_wan": ["12000.00", "15000.00"], "started_actual": [None, "2026-03-05"]}
    assert entry.object_repr == p.name and entry.scope_path == p.district.path
    assert entry.enterprise_id == p.enterprise_id and entry.source == "cli" and entry.actor_name == "系统"


def test_a_partial_file_leaves_the_fields_it_does_not_have_alone(registered, tmp_path, run_cli):
    run_cli("projects", write_projects(tmp_path / "1.xlsx", project(registered[0])))
    before = Project.objects.values().get()
    header = ["项目代码", "项目名称", "统一社会信用代码", "总投资（万元）"]
    row = {
        "项目代码": CODE,
        "项目名称": before["name"],
        "统一社会信用代码": registered[0],
        "总投资（万元）": 13000,
    }
    code, result = run_cli("projects", write_projects(tmp_path / "2.xlsx", row, header=header))
    assert code == 0 and result["updated"] == 1, result
    after = Project.objects.values().get()
    assert after.pop("total_wan") == Decimal("13000.00")
    assert after.pop("version") == before.pop("version") + 1  # an edit by import, as any other
    before.pop("total_wan")
    assert after == before
    assert AuditEntry.objects.get(batch_id=result["batch"]).changes == {"total_wan": ["12000.00", "13000.00"]}


def test_a_project_without_a_code_gets_a_platform_code_and_is_found_again_by_enterprise_and_name(
    registered, tmp_path, run_cli
):
    year = timezone.localdate().year
    first = project(registered[0], 项目代码=None)
    code, result = run_cli("projects", write_projects(tmp_path / "1.xlsx", first))
    assert code == 0 and result["created"] == 1, result
    assert stored(f"KC-{year}-000001").name == first["项目名称"]
    again = {**first, "总投资（万元）": 20000}
    second = project(registered[0], 项目代码=None, 项目名称="智能仓储二期项目")
    code, result = run_cli("projects", write_projects(tmp_path / "2.xlsx", again, second))
    assert code == 0 and (result["created"], result["updated"]) == (1, 1), result
    assert sorted(Project.objects.values_list("code", "name", "total_wan")) == [
        (f"KC-{year}-000001", first["项目名称"], Decimal("20000.00")),
        (f"KC-{year}-000002", "智能仓储二期项目", Decimal("12000.00")),
    ]
    code, result = run_cli("projects", write_projects(tmp_path / "3.xlsx", again, second))
    assert code == 0 and result["unchanged"] == 2 and Project.objects.count() == 2


def test_two_rows_of_the_same_unregistered_project_are_an_error(registered, tmp_path, run_cli):
    row = project(registered[0], 项目代码=None)
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", row, row))
    assert code == 2 and not Project.objects.exists()
    assert by_column(result)[(3, "项目名称")]["message"] == "同一企业的同名项目与第 2 行重复"


def test_two_rows_with_the_same_code_are_an_error(registered, tmp_path, run_cli):
    rows = project(registered[0]), project(registered[0], 项目名称="另一个项目")
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", *rows))
    assert code == 2 and not Project.objects.exists()
    assert by_column(result)[(3, "项目代码")]["message"] == "项目代码与第 2 行重复"


@pytest.mark.parametrize(
    "bad", ["2026-330502-26-03-01234", "2026330502260301234", "XM-2026-1", "1999-330502-26-03-012345"]
)
def test_an_invalid_project_code_is_an_error_with_what_was_expected(registered, tmp_path, run_cli, bad):
    code, result = run_cli(
        "projects", write_projects(tmp_path / "p.xlsx", project(registered[0], 项目代码=bad))
    )
    assert code == 2 and result["applied"] is False and not Project.objects.exists()
    [problem] = result["errors"]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "项目代码", bad)
    assert "统一项目代码" in problem["message"]


def test_an_unknown_enterprise_is_an_error_and_nothing_is_written(registered, tmp_path, run_cli):
    rows = project(registered[0]), project(uscc(99), 项目代码=OTHER_CODE)
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", *rows))
    assert code == 2 and result["applied"] is False and result["batch"] is None
    assert result["errors"] == [
        {
            "row": 3,
            "column": "统一社会信用代码",
            "value": uscc(99),
            "message": "企业库中没有该统一社会信用代码的企业，请先导入企业名单",
        }
    ]
    assert not Project.objects.exists() and not ImportBatch.objects.filter(kind="projects").exists()


def test_planned_completion_before_planned_start_is_an_error_naming_the_column(registered, tmp_path, run_cli):
    row = project(registered[0], 计划竣工日期="2026/2/1")
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", row))
    assert code == 2 and not Project.objects.exists()
    problem = by_column(result)[(2, "计划竣工日期")]
    assert problem["value"] == "2026/2/1"
    assert problem["message"].startswith("计划竣工日期 2026-02-01 早于计划开工日期 2026-03-01")


def test_a_planned_date_the_file_leaves_out_still_keeps_the_order(registered, tmp_path, run_cli):
    run_cli("projects", write_projects(tmp_path / "1.xlsx", project(registered[0])))
    header = ["项目代码", "项目名称", "统一社会信用代码", "计划开工日期"]
    row = {"项目代码": CODE, "项目名称": "年产10万套智能家居扩产项目", "统一社会信用代码": registered[0],
           "计划开工日期": "2027-08-01"}  # fmt: skip
    code, result = run_cli("projects", write_projects(tmp_path / "2.xlsx", row, header=header))
    assert code == 2
    assert "早于计划开工日期 2027-08-01" in by_column(result)[(2, "计划开工日期")]["message"]
    assert stored().started_planned == dt.date(2026, 3, 1)


def test_actual_dates_out_of_order_or_in_the_future_are_warnings_and_the_import_applies(
    registered, tmp_path, run_cli
):
    later = timezone.localdate() + dt.timedelta(days=40)
    row = project(registered[0], 实际备案日期="2026-04-01", 实际开工日期="2026-03-05", 实际竣工日期=later)
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", row))
    assert code == 0 and result["applied"] is True and result["created"] == 1
    assert result["errors"] == []
    assert [(w["row"], w["column"]) for w in result["warnings"]] == [(2, "实际开工日期"), (2, "实际竣工日期")]
    started, completed = result["warnings"]
    assert started["value"] == "2026-03-05"
    assert started["message"] == "实际开工日期早于实际备案日期 2026-04-01，请核实"
    assert completed["message"] == f"实际竣工日期晚于今天 {timezone.localdate()}，请核实"
    assert set(started) == set(completed) == {"row", "column", "value", "message"}
    assert stored().completed_actual == later


def test_equipment_investment_above_the_total_is_an_error(registered, tmp_path, run_cli):
    row = project(registered[0], **{"总投资（万元）": 5000, "设备投资（万元）": "5000.01"})
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", row))
    assert code == 2 and not Project.objects.exists()
    problem = by_column(result)[(2, "设备投资(万元)")]  # headers are shown half-width
    assert problem["value"] == "5000.01" and problem["message"] == "设备投资超过总投资 5000.00 万元"


def test_the_district_defaults_to_the_enterprises_and_a_given_one_is_kept(registered, tmp_path, run_cli):
    rows = (
        project(registered[2], 项目代码=OTHER_CODE, **{"所属乡镇（园区）": "双林镇"}),
        project(registered[0], 所属区县="德清县"),
    )
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", *rows))
    assert code == 0, result
    assert (stored(OTHER_CODE).district.name, stored(OTHER_CODE).town.name) == ("南浔区", "双林镇")
    assert stored().district.name == "德清县"


def test_an_unknown_district_is_an_error_with_a_suggestion(registered, tmp_path, run_cli):
    code, result = run_cli(
        "projects", write_projects(tmp_path / "p.xlsx", project(registered[0], 所属区县="吴兴"))
    )
    assert code == 2 and not Project.objects.exists()
    assert by_column(result)[(2, "所属区县")]["message"] == "未知的区县“吴兴”；您是否要找：吴兴区？"


def test_a_town_of_another_district_and_an_unknown_chain_are_errors(registered, tmp_path, run_cli):
    row = project(registered[0], 所属产业链="生物医", **{"所属乡镇（园区）": "双林镇"})
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", row))
    assert code == 2 and not Project.objects.exists()
    problems = by_column(result)
    assert problems[(2, "所属乡镇(园区)")]["message"].startswith("吴兴区没有乡镇（园区）“双林镇”")
    assert problems[(2, "所属产业链")]["message"] == "未知的产业链“生物医”；您是否要找：生物医药？"


def test_a_district_user_cannot_import_into_another_district(registered, users, tmp_path, run_cli):
    run_cli("projects", write_projects(tmp_path / "0.xlsx", project(registered[2], 项目代码=OTHER_CODE)))
    rows = (
        project(registered[0], **{"项目代码": "2026-330502-26-03-000001"}),
        project(registered[2], **{"项目代码": "2026-330503-26-03-000002"}),
        project(registered[0], **{"项目代码": "2026-330502-26-03-000003", "所属区县": "南浔区"}),
        project(registered[0], **{"项目代码": OTHER_CODE}),
    )  # fmt: skip
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", *rows), "--user", "wuxing")
    assert code == 2 and result["applied"] is False
    assert [(e["row"], e["column"], e["message"]) for e in result["errors"]] == [
        (3, "所属区县", "不在您的数据范围内"),  # the enterprise's district: not told
        (4, "所属区县", "您无权导入“南浔区”的项目"),  # the district the file names
        (5, "项目代码", "不在您的数据范围内"),
    ]
    assert "南浔" not in json.dumps(result["errors"][0], ensure_ascii=False)
    assert "智能家居" not in json.dumps(result["errors"][2], ensure_ascii=False)
    assert list(Project.objects.values_list("code", "district__name")) == [(OTHER_CODE, "南浔区")]
    code, result = run_cli("projects", write_projects(tmp_path / "w.xlsx", rows[0]), "--user", "wuxing")
    assert code == 0 and result["created"] == 1, result
    assert ImportBatch.objects.get(pk=result["batch"]).actor_name == "wuxing"


def test_title_rows_a_merged_two_row_header_and_units_in_it_are_understood(registered, tmp_path, run_cli):
    rows = [
        ["2026年吴兴区增资扩产项目清单"],
        ["填报单位：吴兴区经信局", None, None, None, None, "填报日期：2026年11月"],
        ["项目代码", "项目名称", "统一社会信用代码", "投资额（亿元）", None, "计划日期", None, "实际开工日期"],
        [None, None, None, "总投资", "设备投资", "计划开工日期", "计划竣工日期", None],
        ["２０２６－３３０５０２－２６－０３－０１２３４５", " 年产10万套 智能家居扩产项目 ", registered[0].lower(),
         1.2, "0.55", "2026/3/1", "2027年6月30日", dt.date(2026, 3, 5)],
        ["kc－2026－000009", "智能仓储项目", registered[1], "0.8亿元", None, 46082, "20270101", None],
        [],
        ["填表说明：日期可写 2026-03-01 或 2026年3月1日。"],
    ]  # fmt: skip
    merges = (
        (0, 0, 0, 7, "2026年吴兴区增资扩产项目清单"),
        (2, 0, 3, 0, "项目代码"),
        (2, 1, 3, 1, "项目名称"),
        (2, 2, 3, 2, "统一社会信用代码"),
        (2, 3, 2, 4, "投资额（亿元）"),
        (2, 5, 2, 6, "计划日期"),
        (2, 7, 3, 7, "实际开工日期"),
    )
    code, result = run_cli("projects", write_xlsx(tmp_path / "清单.xlsx", rows, merges=merges))
    assert code == 0 and result["rows"] == 2 and result["created"] == 2, result
    p = stored()
    assert p.name == "年产10万套 智能家居扩产项目" and p.enterprise.uscc == registered[0]
    assert (p.total_wan, p.equipment_wan) == (Decimal("12000.00"), Decimal("5500.00"))
    assert (p.started_planned, p.completed_planned) == (dt.date(2026, 3, 1), dt.date(2027, 6, 30))
    assert p.started_actual == dt.date(2026, 3, 5)
    other = stored("KC-2026-000009")
    assert other.total_wan == Decimal("8000.00") and other.equipment_wan is None
    assert (other.started_planned, other.completed_planned) == (dt.date(2026, 3, 1), dt.date(2027, 1, 1))


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [("总投资（亿元）", 1.25, "12500.00"), ("总投资（元）", 3_456_700, "345.67"), ("总投资", "1,200万元", "1200.00"),
     ("计划总投资（万元）", "１２００", "1200.00"), ("总投资（万元）", "0.5亿元", "5000.00")],
)  # fmt: skip
def test_money_units_in_headers_and_cells_become_wan(registered, tmp_path, run_cli, header, cell, expected):
    row = {"项目代码": CODE, "项目名称": "甲项目", "统一社会信用代码": registered[0], header: cell}
    path = write_projects(
        tmp_path / "p.xlsx", row, header=["项目代码", "项目名称", "统一社会信用代码", header]
    )
    code, result = run_cli("projects", path)
    assert code == 0, result
    assert stored().total_wan == Decimal(expected)


@pytest.mark.parametrize("spelling", ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", "20260301",
                                      dt.date(2026, 3, 1), 46082])  # fmt: skip
def test_dates_in_every_spelling(registered, tmp_path, run_cli, spelling):
    code, result = run_cli(
        "projects", write_projects(tmp_path / "p.xlsx", project(registered[0], 计划开工日期=spelling))
    )
    assert code == 0, result
    assert stored().started_planned == dt.date(2026, 3, 1)


def test_an_impossible_date_is_an_error_with_its_value(registered, tmp_path, run_cli):
    code, result = run_cli(
        "projects", write_projects(tmp_path / "p.xlsx", project(registered[0], 签约日期="2026-02-30"))
    )
    assert code == 2
    problem = by_column(result)[(2, "签约日期")]
    assert problem["value"] == "2026-02-30" and "不存在" in problem["message"]


def test_rollback_restores_exactly_what_was_there_before(registered, tmp_path, run_cli):
    run_cli("projects", write_projects(tmp_path / "1.xlsx", project(registered[0])))
    before = list(Project.objects.order_by("pk").values())
    rows = (
        project(registered[0], **{"总投资（万元）": 15000, "所属产业链": None, "实际开工日期": "2026-03-05",
                                  "项目类型": "扩建", "是否技改": "否", "所属区县": "德清县"}),
        project(registered[2], 项目代码=OTHER_CODE),
        project(registered[1], 项目代码=None),
    )  # fmt: skip
    code, result = run_cli("projects", write_projects(tmp_path / "2.xlsx", *rows))
    assert code == 0 and (result["created"], result["updated"]) == (2, 1), result
    assert Project.objects.count() == 3
    call_command("import_rollback", str(result["batch"]))
    # every field as it was; the edit counter stays raised, so a form opened before the import stays refused
    after = list(Project.objects.order_by("pk").values())
    assert [row.pop("version") for row in after] == [row.pop("version") + 1 for row in before]
    assert after == before
    assert ImportBatch.objects.get(pk=result["batch"]).status == "rolled_back"
    restored = AuditEntry.objects.get(content_type__model="project", batch_id=None, action="update")
    assert restored.changes["total_wan"] == ["15000.00", "12000.00"]
    assert restored.changes["started_actual"] == ["2026-03-05", None]


def test_export_then_import_changes_nothing(registered, tmp_path, run_cli):
    rows = (
        project(registered[0], **{"实际开工日期": dt.date(2026, 3, 5), "入库日期": dt.date(2026, 4, 2)}),
        project(registered[2], 项目代码=OTHER_CODE, **{"所属乡镇（园区）": "双林镇", "所属产业链": None,
                                                      "项目类型": None, "建设性质": "单纯购置", "项目状态": "储备"}),
        project(registered[1], 项目代码=None, **{"设备投资（万元）": 0.01}),
    )  # fmt: skip
    assert run_cli("projects", write_projects(tmp_path / "p.xlsx", *rows))[0] == 0
    exported = tmp_path / "export.xlsx"
    call_command("export", "projects", "-o", str(exported))
    code, result = run_cli("projects", exported)
    assert code == 0 and result["rows"] == 3 and result["unchanged"] == 3, result


def test_a_project_filed_without_a_code_takes_its_national_code_once_registered(
    registered, tmp_path, run_cli
):
    platform = f"KC-{timezone.localdate().year}-000001"
    run_cli("projects", write_projects(tmp_path / "1.xlsx", project(registered[0], 项目代码=None)))
    assert list(Project.objects.values_list("code", flat=True)) == [platform]
    code, result = run_cli("projects", write_projects(tmp_path / "2.xlsx", project(registered[0])))
    assert code == 0 and (result["created"], result["updated"]) == (0, 1), result
    assert list(Project.objects.values_list("code", flat=True)) == [CODE]
    assert AuditEntry.objects.get(batch_id=result["batch"]).changes == {"code": [platform, CODE]}
    call_command("import_rollback", str(result["batch"]))
    assert list(Project.objects.values_list("code", flat=True)) == [platform]


def test_a_registered_code_and_a_blank_one_naming_the_same_project_are_an_error(
    registered, tmp_path, run_cli
):
    run_cli("projects", write_projects(tmp_path / "1.xlsx", project(registered[0], 项目代码=None)))
    rows = project(registered[0], 项目代码=None), project(registered[0])
    code, result = run_cli("projects", write_projects(tmp_path / "2.xlsx", *rows))
    assert code == 2
    assert (
        by_column(result)[(3, "项目代码")]["message"] == "与第 2 行是同一个项目“年产10万套智能家居扩产项目”"
    )


def test_a_blank_code_never_takes_a_platform_code_the_same_file_gives(registered, tmp_path, run_cli):
    year = timezone.localdate().year
    rows = project(registered[0], 项目代码=f"KC-{year}-000001"), project(registered[1], 项目代码=None)
    code, result = run_cli("projects", write_projects(tmp_path / "p.xlsx", *rows))
    assert code == 0 and result["created"] == 2, result
    assert sorted(Project.objects.values_list("code", "enterprise__uscc")) == [
        (f"KC-{year}-000001", registered[0]),
        (f"KC-{year}-000002", registered[1]),
    ]
