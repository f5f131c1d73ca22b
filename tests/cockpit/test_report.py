"""The monthly report: its figures are the modules' own for the month, it opens in Excel and Word with the
expected tables, the same month gives the same figures, and it is stored and downloadable."""

import io
import json
from dataclasses import asdict

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from python_calamine import CalamineWorkbook

from kuochan.cockpit.models import MonthlyReport
from kuochan.cockpit.selectors import month_end, report_data, report_figures
from kuochan.cockpit.services import report_generate
from kuochan.outreach.selectors import current_rules, ticket_figures
from kuochan.projects.rules import light_summary
from kuochan.projects.selectors import project_board, project_lists
from kuochan.targets.selectors import plan_get, targets_report

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_report_states_the_modules_own_figures_for_the_month(pipeline):
    data = report_data(year=TODAY.year, month=TODAY.month)
    figures = report_figures(data)
    board = project_board(actor=None, as_of=TODAY)
    assert figures["lights"] == light_summary(board.verdicts)
    assert [(p["code"], p["light"]) for p in figures["flagged"]] == [
        (pipeline["red"].code, "red"), (pipeline["yellow"].code, "yellow"),
    ]  # fmt: skip
    assert figures["stalls"]["落地未开工"] == sum(1 for v in board.verdicts if v.stall == "落地未开工") == 2
    lists = project_lists(
        actor=None, start=TODAY.replace(day=1), end=month_end(TODAY.year, TODAY.month), as_of=TODAY
    )
    assert figures["lists"] == {
        "to_start": len(lists.to_start), "to_complete": len(lists.to_complete),
        "to_above_scale": len(lists.to_above_scale),
    }  # fmt: skip
    report = targets_report(plan=plan_get(), year=TODAY.year, month=TODAY.month)["indicators"]
    assert [i["actual"] for i in figures["indicators"]] == [i["actual"] for i in report]
    assert figures["tickets"] == asdict(ticket_figures(actor=None, as_of=TODAY, rules=current_rules()))


def test_the_workbook_and_the_document_open_with_their_tables(pipeline, users):
    report = report_generate(actor=users["city_staff"], source="web", year=TODAY.year, month=TODAY.month)
    book = CalamineWorkbook.from_filelike(io.BytesIO(report.workbook.read()))
    assert book.sheet_names == [
        "目标进度",
        "红黄灯项目",
        "破五未",
        "拟开工清单",
        "竣工清单",
        "升规清单",
        "区县赛马",
        "工业经济指标",
    ]
    flagged = book.get_sheet_by_name("红黄灯项目").to_python()
    assert flagged[0][0].startswith(
        f"湖州市企业增资扩产工作月度通报（{TODAY.year}年{TODAY.month}月）——红灯、黄灯项目"
    )
    assert flagged[2][:4] == ["序号", "区县", "项目代码", "项目名称"]
    assert [row[2] for row in flagged[3:]] == [pipeline["red"].code, pipeline["yellow"].code]
    assert flagged[3][5] == "红灯" and "已逾期" in flagged[3][7]
    targets = book.get_sheet_by_name("目标进度").to_python()
    assert targets[2][2] == "湖州市" and "吴兴区" in targets[2]
    stalls = book.get_sheet_by_name("破五未").to_python()
    assert stalls[2][0] == "区县" and stalls[2][-1] == "合计"
    total_row = next(row for row in stalls if row[0] == "合计")
    assert total_row[2] == 2  # 落地未开工
    doc = Document(io.BytesIO(report.document.read()))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == f"湖州市企业增资扩产工作月度通报（{TODAY.year}年{TODAY.month}月）"
    assert [t for t in text if t[:2] in ("一、", "二、", "三、", "四、", "五、")] == [
        "一、总体情况",
        "二、工业经济主要指标",
        "三、各区县进展",
        "四、存在问题",
        "五、下月工作重点",
    ]
    assert "全市在库增资扩产项目 4 个，其中红灯 1 个、黄灯 1 个、绿灯 1 个，不亮灯 1 个。" in text
    indicators, ranking, red = doc.tables
    assert [c.text for c in indicators.rows[0].cells] == [
        "指标",
        "单位",
        "完成值",
        "年度目标",
        "完成率",
        "时序进度",
        "亮灯",
    ]
    assert len(ranking.rows) == 1 + 7  # the seven reporting units
    assert [c.text for c in red.rows[1].cells][2:4] == [pipeline["red"].code, pipeline["red"].name]


def test_the_same_month_gives_the_same_figures_and_every_generation_is_kept(pipeline, users):
    first = report_generate(actor=None, source="cli", year=TODAY.year, month=TODAY.month)
    second = report_generate(actor=None, source="cli", year=TODAY.year, month=TODAY.month)
    assert first.figures == second.figures
    one, two = (CalamineWorkbook.from_filelike(io.BytesIO(r.workbook.read())) for r in (first, second))
    assert all(
        one.get_sheet_by_name(n).to_python() == two.get_sheet_by_name(n).to_python() for n in one.sheet_names
    )
    assert MonthlyReport.objects.count() == 2


def test_the_command_writes_both_files(pipeline, tmp_path, capsys):
    call_command("report", "monthly", "--month", f"{TODAY:%Y-%m}", "-o", str(tmp_path), "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in tmp_path.iterdir() if "通报" in p.name) == [
        f"湖州市增资扩产月度通报-{TODAY:%Y-%m}.docx", f"湖州市增资扩产月度通报-{TODAY:%Y-%m}.xlsx",
    ]  # fmt: skip
    assert (
        out["lights"] == {"red": 1, "yellow": 1, "green": 1, "none": 1} and out["month"] == f"{TODAY:%Y-%m}"
    )
    with pytest.raises(Exception, match="不在规划期内"):
        call_command("report", "monthly", "--month", "2019-01", "-o", str(tmp_path))


def test_city_staff_generate_and_the_citys_readers_download(pipeline, users, login, run_jobs):
    login(users["city_staff"]).post("/cockpit/reports/", {"month": f"{TODAY:%Y-%m}"})
    run_jobs()
    report = MonthlyReport.objects.get()
    client = login(users["leader"])
    assert f"{TODAY:%Y-%m}" in client.get("/cockpit/reports/").content.decode()
    download = client.get(f"/cockpit/reports/{report.pk}/docx/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert login(users["enterprise"]).get(f"/cockpit/reports/{report.pk}/xlsx/").status_code == 403


def test_the_word_and_excel_files_say_why_a_figure_is_missing_and_hold_numbers_as_numbers(pipeline, users):
    report = report_generate(actor=users["city_staff"], source="web", year=TODAY.year, month=TODAY.month)
    doc = Document(io.BytesIO(report.document.read()))
    indicators, ranking, _ = doc.tables
    cells = [c.text for table in (indicators, ranking) for row in table.rows[1:] for c in row.cells]
    assert "—" not in cells  # a bare dash says nothing: 无数据, 不适用, 本年无目标, 不参与排名
    assert "无数据" in cells or "本年无目标" in cells
    listed = next(row for row in indicators.rows if row.cells[0].text.startswith("上市公司"))
    assert listed.cells[4].text.startswith("年内新增")  # a level indicator: added against to add
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    assert not any(word in text for word in ("DESIGN", "plan_source", ".txt", "#"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(report.workbook.read()))
    flagged = book.get_sheet_by_name("红黄灯项目").to_python()
    assert flagged[2][4] == "总投资（万元）" and flagged[3][4] == 12000.0  # a number, not text
    ranked = book.get_sheet_by_name("区县赛马").to_python()
    assert all(row[0] != "—" for row in ranked[3:])
