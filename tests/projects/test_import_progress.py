"""`kuochan import progress`: monthly progress per project and month, the year's plan it sets, and the
checks a district sees when it uploads its monthly file."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from kuochan.audit.models import AuditEntry
from kuochan.imports.models import ImportBatch
from kuochan.projects.models import Progress, YearPlan
from tests.projects.test_import_projects import CODE, OTHER_CODE, project, write_projects
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db

HEADER = [
    "项目代码",
    "项目名称",
    "年月",
    "本年计划投资（万元）",
    "本年累计完成投资（万元）",
    "进展情况",
    "存在问题",
    "需协调事项",
]
RESULT_KEYS = {
    "kind", "file", "rows", "created", "updated", "unchanged", "skipped", "errors", "applied", "batch", "warnings",
}  # fmt: skip


@pytest.fixture
def projects(registered, tmp_path, run_cli):
    """Two projects: one in 吴兴区 (CODE), one in 南浔区 (OTHER_CODE)."""
    path = write_projects(
        tmp_path / "projects.xlsx", project(registered[0]), project(registered[2], 项目代码=OTHER_CODE)
    )
    code, result = run_cli("projects", path)
    assert code == 0 and result["created"] == 2, result
    return [CODE, OTHER_CODE]


def report(month, ytd, *, code=CODE, plan=None, note="", problems="", coordination=""):
    return [code, "年产10万套智能家居扩产项目", month, plan, ytd, note, problems, coordination]


def write_progress(path, *rows, header=HEADER):
    return write_xlsx(path, [header, *rows])


def progress(code=CODE):
    return {
        f"{p.month:%Y-%m}": p.ytd_wan for p in Progress.objects.filter(project__code=code).order_by("month")
    }


def test_monthly_progress_is_created_with_its_notes(projects, tmp_path, run_cli):
    rows = (
        report("2026-05", 2000, note="主体厂房结顶", problems="用电增容未批", coordination="请协调供电公司"),
        report("2026-06", "3,500", code=OTHER_CODE),
    )
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))
    assert code == 0 and result["applied"] is True, result
    assert set(result) == RESULT_KEYS and result["errors"] == [] and result["warnings"] == []
    assert (result["rows"], result["created"], result["updated"], result["unchanged"]) == (2, 2, 0, 0)
    may = Progress.objects.get(project__code=CODE)
    assert (may.month, may.ytd_wan, may.year_plan_wan) == (dt.date(2026, 5, 1), Decimal("2000.00"), None)
    assert (may.progress_note, may.problems, may.coordination) == (
        "主体厂房结顶",
        "用电增容未批",
        "请协调供电公司",
    )
    assert may.created_batch == result["batch"]
    assert progress(OTHER_CODE) == {"2026-06": Decimal("3500.00")}
    assert not YearPlan.objects.exists()


@pytest.mark.parametrize(
    "month", ["2026-06", "2026年6月", "2026年06月份", "2026/6", "2026.06", "202606", 202606, dt.date(2026, 6, 1),
              dt.date(2026, 6, 30), "２０２６－０６"],
)  # fmt: skip
def test_the_month_in_every_spelling_including_a_real_excel_date(projects, tmp_path, run_cli, month):
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", report(month, 100)))
    assert code == 0, result
    assert Progress.objects.get().month == dt.date(2026, 6, 1)


def test_a_month_that_cannot_be_read_is_an_error_with_what_was_expected(projects, tmp_path, run_cli):
    code, result = run_cli(
        "progress", write_progress(tmp_path / "p.xlsx", report("2026-13", 1), report("六月", 2))
    )
    assert code == 2 and not Progress.objects.exists()
    assert [(e["row"], e["column"], e["value"]) for e in result["errors"]] == [
        (2, "年月", "2026-13"),
        (3, "年月", "六月"),
    ]
    assert result["errors"][0]["message"] == "年月“2026-13”不存在"
    assert result["errors"][1]["message"] == "应为年月，如 2026-06 或 2026年6月"


def test_an_unknown_project_code_is_an_error_and_nothing_is_written(projects, tmp_path, run_cli):
    unknown = "2026-330502-26-03-099999"
    rows = report("2026-06", 100), report("2026-06", 100, code=unknown)
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))
    assert code == 2 and result["applied"] is False and result["batch"] is None
    assert result["errors"] == [
        {
            "row": 3,
            "column": "项目代码",
            "value": unknown,
            "message": "项目库中没有该项目代码，请先导入项目清单",
        }
    ]
    assert not Progress.objects.exists() and not ImportBatch.objects.filter(kind="progress").exists()


def test_a_malformed_project_code_is_an_error(projects, tmp_path, run_cli):
    code, result = run_cli(
        "progress", write_progress(tmp_path / "p.xlsx", report("2026-06", 1, code="2026-3305"))
    )
    assert code == 2
    [problem] = result["errors"]
    assert (problem["column"], problem["value"]) == ("项目代码", "2026-3305")
    assert "统一项目代码" in problem["message"]


def test_a_month_that_has_not_come_yet_is_an_error(projects, tmp_path, run_cli):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
    rows = report(f"{this_month:%Y-%m}", 100), report(f"{next_month:%Y年%m月}", 200)
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))
    assert code == 2 and not Progress.objects.exists()
    assert result["errors"] == [
        {
            "row": 3,
            "column": "年月",
            "value": f"{next_month:%Y年%m月}",
            "message": f"{next_month:%Y-%m} 尚未到来",
        }
    ]


def test_two_rows_for_the_same_project_and_month_are_an_error(projects, tmp_path, run_cli):
    rows = report("2026-06", 100), report("2026年6月", 120), report("2026-06", 100, code=OTHER_CODE)
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))
    assert code == 2 and not Progress.objects.exists()
    assert [(e["row"], e["column"], e["message"]) for e in result["errors"]] == [
        (3, "年月", "同一项目同一月份的进展与第 2 行重复")
    ]


def test_a_year_to_date_lower_than_a_stored_earlier_month_is_a_warning_and_still_applies(
    projects, tmp_path, run_cli
):
    run_cli("progress", write_progress(tmp_path / "1.xlsx", report("2026-04", 1000), report("2026-05", 1500)))
    code, result = run_cli("progress", write_progress(tmp_path / "2.xlsx", report("2026-06", 1200)))
    assert code == 0 and result["applied"] is True and result["created"] == 1, result
    assert result["errors"] == []
    assert result["warnings"] == [
        {"row": 2, "column": "本年累计完成投资(万元)", "value": "1200",
         "message": "低于 5 月已报的本年累计 1500.00 万元，请核实"}
    ]  # fmt: skip
    assert progress() == {
        "2026-04": Decimal("1000.00"),
        "2026-05": Decimal("1500.00"),
        "2026-06": Decimal("1200.00"),
    }


def test_a_year_to_date_lower_than_an_earlier_month_of_the_same_file_is_a_warning(
    projects, tmp_path, run_cli
):
    rows = (
        report("2025-12", 8000),
        report("2026-01", 300),  # a new year starts again from zero
        report("2026-03", 900),
        report("2026-02", 1000),
        report("2026-03", 50, code=OTHER_CODE),
    )
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))
    assert code == 0 and result["created"] == 5, result
    assert [(w["row"], w["message"]) for w in result["warnings"]] == [
        (4, "低于 2 月已报的本年累计 1000.00 万元，请核实")
    ]


def test_correcting_a_stored_month_downwards_is_checked_against_the_months_before_it(
    projects, tmp_path, run_cli
):
    run_cli("progress", write_progress(tmp_path / "1.xlsx", report("2026-05", 1000), report("2026-06", 1500)))
    code, result = run_cli("progress", write_progress(tmp_path / "2.xlsx", report("2026-06", 1100)))
    assert code == 0 and result["updated"] == 1 and result["warnings"] == []
    code, result = run_cli("progress", write_progress(tmp_path / "3.xlsx", report("2026-06", 900)))
    assert code == 0 and result["updated"] == 1
    assert [w["message"] for w in result["warnings"]] == ["低于 5 月已报的本年累计 1000.00 万元，请核实"]


def test_a_change_is_updated_with_before_and_after_in_the_audit_trail(projects, tmp_path, run_cli):
    run_cli("progress", write_progress(tmp_path / "1.xlsx", report("2026-06", 1000, note="基础施工")))
    code, result = run_cli(
        "progress", write_progress(tmp_path / "2.xlsx", report("2026-06", 1250.5, note="主体施工"))
    )
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (0, 1, 0)
    entry = AuditEntry.objects.get(batch_id=result["batch"])
    stored = Progress.objects.select_related("project__district").get()
    assert entry.object_id == str(stored.pk) and entry.action == "update"
    assert entry.changes == {"ytd_wan": ["1000.00", "1250.50"], "progress_note": ["基础施工", "主体施工"]}
    assert entry.object_repr == "年产10万套智能家居扩产项目 2026年6月进展"
    assert (
        entry.scope_path == stored.project.district.path
        and entry.enterprise_id == stored.project.enterprise_id
    )
    assert stored.ytd_wan == Decimal("1250.50") and stored.progress_note == "主体施工"


def test_importing_the_same_file_again_changes_nothing(projects, tmp_path, run_cli):
    path = write_progress(
        tmp_path / "p.xlsx",
        report("2026-05", 1000, plan=6000, note="设备进场"),
        report("2026-06", 1234.56, plan=6000),
        report("2026-06", 0.01, code=OTHER_CODE, problems="资金未到位"),
    )
    run_cli("progress", path)
    code, result = run_cli("progress", path)
    assert code == 0, result
    assert (result["rows"], result["created"], result["updated"], result["unchanged"]) == (3, 0, 0, 3)
    assert not AuditEntry.objects.filter(batch_id=result["batch"]).exists()
    assert Progress.objects.count() == 3 and YearPlan.objects.count() == 1


def test_the_year_plan_sets_the_projects_plan_for_that_year(projects, tmp_path, run_cli):
    rows = (
        report("2025-12", 4000, plan=5000),
        report("2026-05", 1000, plan=6000),
        report("2026-06", 1500, plan="6,500"),  # the latest month of the year gives the plan
        report("2026-06", 10, code=OTHER_CODE),
    )
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))
    assert code == 0, result
    plans = {(p.project.code, p.year): p.planned_wan for p in YearPlan.objects.select_related("project")}
    assert plans == {(CODE, 2025): Decimal("5000.00"), (CODE, 2026): Decimal("6500.00")}
    assert YearPlan.objects.filter(created_batch=result["batch"]).count() == 2


def test_rolling_back_a_batch_removes_the_progress_and_year_plan_it_created(projects, tmp_path, run_cli):
    rows = report("2026-05", 1000, plan=6000), report("2026-06", 10, code=OTHER_CODE)
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))
    assert code == 0
    call_command("import_rollback", str(result["batch"]))
    assert not Progress.objects.exists() and not YearPlan.objects.exists()
    assert ImportBatch.objects.get(pk=result["batch"]).status == "rolled_back"


def test_rolling_back_a_batch_restores_the_progress_and_year_plan_it_changed(projects, tmp_path, run_cli):
    first = write_progress(
        tmp_path / "1.xlsx", report("2026-05", 1000, plan=6000, note="甲"), report("2026-06", 1500)
    )
    run_cli("progress", first)
    before = list(Progress.objects.order_by("pk").values()), list(YearPlan.objects.order_by("pk").values())
    second = write_progress(
        tmp_path / "2.xlsx",
        report("2026-05", 1100, plan=8000, note="乙"),
        report("2026-07", 2500),
        report("2026-06", 30, code=OTHER_CODE, plan=100),
    )
    code, result = run_cli("progress", second)
    assert code == 0 and (result["created"], result["updated"], result["unchanged"]) == (2, 1, 0), result
    assert YearPlan.objects.get(project__code=CODE).planned_wan == Decimal("8000.00")
    plan_entry = AuditEntry.objects.get(batch_id=result["batch"], content_type__model="yearplan")
    assert plan_entry.changes == {"planned_wan": ["6000.00", "8000.00"]}
    call_command("import_rollback", str(result["batch"]))
    assert (
        list(Progress.objects.order_by("pk").values()),
        list(YearPlan.objects.order_by("pk").values()),
    ) == before


def test_a_district_user_cannot_report_for_another_districts_project(projects, users, tmp_path, run_cli):
    rows = report("2026-06", 100), report("2026-06", 100, code=OTHER_CODE)
    code, result = run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows), "--user", "wuxing")
    assert code == 2 and not Progress.objects.exists()
    assert [(e["row"], e["column"], e["message"]) for e in result["errors"]] == [
        (3, "项目代码", "不在您的数据范围内")
    ]
    code, result = run_cli("progress", write_progress(tmp_path / "w.xlsx", rows[0]), "--user", "wuxing")
    assert code == 0 and result["created"] == 1


def test_a_messy_monthly_file_with_a_title_synonyms_and_units(projects, tmp_path, run_cli):
    rows = [
        ["2026年6月 吴兴区增资扩产项目进展情况表"],
        ["统一项目代码", "项目名称", "填报月份", "年度计划（亿元）", "本年累计完成投资（亿元）", "项目进展"],
        [
            "２０２６－３３０５０２－２６－０３－０１２３４５",
            "年产10万套智能家居扩产项目",
            "2026年6月",
            0.8,
            0.3512,
            "设备安装",
        ],
        [],
        ["填表说明：金额单位亿元。"],
    ]
    path = write_xlsx(
        tmp_path / "进展.xlsx", rows, merges=((0, 0, 0, 5, "2026年6月 吴兴区增资扩产项目进展情况表"),)
    )
    code, result = run_cli("progress", path)
    assert code == 0 and result["rows"] == 1, result
    stored = Progress.objects.get()
    assert (stored.month, stored.ytd_wan, stored.year_plan_wan) == (
        dt.date(2026, 6, 1),
        Decimal("3512.00"),
        Decimal("8000.00"),
    )
    assert stored.progress_note == "设备安装"
    assert YearPlan.objects.get().planned_wan == Decimal("8000.00")


def test_export_then_import_changes_nothing(projects, tmp_path, run_cli):
    rows = (
        report("2026-05", 1000, plan=6000, note="设备进场"),
        report("2026-06", 0.01, code=OTHER_CODE, problems="资金"),
    )
    assert run_cli("progress", write_progress(tmp_path / "p.xlsx", *rows))[0] == 0
    exported = tmp_path / "export.xlsx"
    call_command("export", "progress", "-o", str(exported))
    code, result = run_cli("progress", exported)
    assert code == 0 and result["rows"] == 2 and result["unchanged"] == 2, result


def test_a_figure_above_a_stored_later_months_is_a_warning_too(projects, tmp_path, run_cli):
    run_cli("progress", write_progress(tmp_path / "1.xlsx", report("2026-05", 1000), report("2026-06", 1500)))
    code, result = run_cli("progress", write_progress(tmp_path / "2.xlsx", report("2026-04", 1800)))
    assert code == 0 and result["created"] == 1
    assert [(w["row"], w["column"], w["message"]) for w in result["warnings"]] == [
        (2, "本年累计完成投资(万元)", "高于 5 月已报的本年累计 1000.00 万元，请核实")
    ]
