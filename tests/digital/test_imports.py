import datetime as dt

from kuochan.digital.models import DigitalLevel, DigitalTask
from kuochan.imports.models import ImportBatch
from tests.conftest import TODAY
from tests.xlsx import uscc, write_xlsx

YEAR = TODAY.year
LEVEL_HEADER = ["统一社会信用代码", "企业名称", "数字化改造水平", "评定日期", "来源"]
TASK_HEADER = ["统一社会信用代码", "企业名称", "年度", "目标水平", "责任人", "联系电话", "项目代码", "状态"]


def test_levels_import_by_uscc_or_name(registered, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "levels.xlsx",
        [
            LEVEL_HEADER,
            [registered[0], "", "1.0", dt.date(2024, 3, 1), "省数字化改造评估"],
            ["", "南浔木业有限公司", "数字化改造2.0", "2025年6月30日", ""],
        ],
    )
    code, result = run_cli("digital-levels", path)
    assert code == 0 and result["created"] == 2, result
    assert DigitalLevel.objects.get(enterprise__name="南浔木业有限公司").level == "2.0"
    code, again = run_cli("digital-levels", path)
    assert again["unchanged"] == 2


def test_bad_level_rows_name_row_column_value_and_write_nothing(registered, tmp_path, run_cli):
    path = write_xlsx(
        tmp_path / "levels.xlsx",
        [
            LEVEL_HEADER,
            [registered[0], "", "1.0", "2024-03-01", ""],
            [registered[1], "", "3.5", "2024-03-01", ""],
            [uscc(77), "", "1.0", "2024-03-01", ""],
            ["", "没有这家公司", "2.0", "2024-03-01", ""],
            [registered[2], "", "2.0", "下个月", ""],
        ],
    )
    code, result = run_cli("digital-levels", path)
    assert code == 2 and not result["applied"]
    problems = {(e["row"], e["column"]): e for e in result["errors"]}
    assert problems[(3, "数字化改造水平")]["value"] == "3.5"
    assert "1.0、2.0" in problems[(3, "数字化改造水平")]["message"]
    assert "企业库中没有" in problems[(4, "统一社会信用代码")]["message"]
    assert problems[(5, "企业名称")]["value"] == "没有这家公司"
    assert problems[(6, "评定日期")]["value"] == "下个月"
    assert (
        DigitalLevel.objects.count() == 0 and not ImportBatch.objects.filter(kind="digital-levels").exists()
    )


def test_tasks_import_links_projects_and_the_district_user(pipeline, users, tmp_path, run_cli):
    red, yellow = pipeline["red"], pipeline["yellow"]
    path = write_xlsx(
        tmp_path / "tasks.xlsx",
        [
            TASK_HEADER,
            [red.enterprise.uscc, "", YEAR, "2.0", "wuxing", "", red.code, "改造中"],
            [yellow.enterprise.uscc, "", YEAR, "1.0", "王工", "13900000000", "", ""],
        ],
    )
    code, result = run_cli("digital-tasks", path)
    assert code == 0 and result["created"] == 2, result
    linked = DigitalTask.objects.get(enterprise=red.enterprise)
    assert linked.responsible == users["wuxing"] and list(linked.projects.all()) == [red]
    assert linked.status == "underway" and linked.created_batch == result["batch"]
    outside = DigitalTask.objects.get(enterprise=yellow.enterprise)
    assert (outside.responsible, outside.responsible_name, outside.status) == (None, "王工", "pending")


def test_bad_task_rows_are_refused_whole(pipeline, users, tmp_path, run_cli):
    red, yellow = pipeline["red"], pipeline["yellow"]
    path = write_xlsx(
        tmp_path / "tasks.xlsx",
        [
            TASK_HEADER,
            [red.enterprise.uscc, "", YEAR, "2.0", "wuxing", "", f"{red.code}、{yellow.code}", "改造中"],
            [red.enterprise.uscc, "", YEAR, "2.0", "wuxing", "", "", "改造中"],
            [yellow.enterprise.uscc, "", YEAR, "2.0", "张三", "", "", "做完了"],
        ],
    )
    code, result = run_cli("digital-tasks", path, "--user", "wuxing")
    assert code == 2
    problems = {(e["row"], e["column"]): e for e in result["errors"]}
    assert "不是湖州织里童装有限公司的项目" in problems[(2, "项目代码")]["message"]
    assert (
        "待改造、改造中、已完成" in problems[(4, "状态")]["message"]
        and problems[(4, "状态")]["value"] == "做完了"
    )
    assert DigitalTask.objects.count() == 0


def test_district_staff_cannot_import_another_districts_enterprise(pipeline, tmp_path, run_cli):
    muye = pipeline["green"].enterprise
    path = write_xlsx(
        tmp_path / "tasks.xlsx", [TASK_HEADER, [muye.uscc, "", YEAR, "2.0", "李四", "", "", ""]]
    )
    code, result = run_cli("digital-tasks", path, "--user", "wuxing")
    assert code == 2 and result["errors"][0]["message"] == "不在您的数据范围内"


def test_a_tasks_batch_rolls_back_to_what_was_there(pipeline, users, tmp_path, run_cli):
    from kuochan.audit.models import Source
    from kuochan.imports.engine import batch_rollback

    red = pipeline["red"]
    first = write_xlsx(
        tmp_path / "a.xlsx", [TASK_HEADER, [red.enterprise.uscc, "", YEAR, "1.0", "赵工", "", red.code, ""]]
    )
    second = write_xlsx(
        tmp_path / "b.xlsx", [TASK_HEADER, [red.enterprise.uscc, "", YEAR, "2.0", "赵工", "", "", "已完成"]]
    )
    assert run_cli("digital-tasks", first)[0] == 0
    code, result = run_cli("digital-tasks", second)
    assert code == 0 and result["updated"] == 1
    task = DigitalTask.objects.get()
    assert (task.target_level, task.status, list(task.projects.all())) == ("2.0", "done", [])
    batch_rollback(actor=None, source=Source.CLI, batch=ImportBatch.objects.get(pk=result["batch"]))
    task.refresh_from_db()
    assert (task.target_level, task.status, list(task.projects.all())) == ("1.0", "pending", [red])


def test_a_platform_user_of_another_district_is_refused_as_responsible(pipeline, users, tmp_path, run_cli):
    red = pipeline["red"]
    path = write_xlsx(
        tmp_path / "t.xlsx", [TASK_HEADER, [red.enterprise.uscc, "", YEAR, "2.0", "nanxun", "", "", ""]]
    )
    code, result = run_cli("digital-tasks", path)
    assert (
        code == 2 and result["errors"][0]["column"] == "责任人" and result["errors"][0]["value"] == "nanxun"
    )
    assert "吴兴区" in result["errors"][0]["message"] and not DigitalTask.objects.exists()
