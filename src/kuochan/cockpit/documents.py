"""The monthly report's two files: the .xlsx workbook in the layout officials use (a titled, printable sheet
per table) and the .docx 通报 (the narrative of `rules.narrative` with its tables). Both are written from the
same ReportData and figures, so the words and the tables never disagree."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from kuochan.cockpit.rules import STATISTICS_TITLE, heading, narrative, number, percent
from kuochan.cockpit.selectors import ReportData
from kuochan.core.figures import percent_text
from kuochan.imports.exporting import formula_like
from kuochan.statistics.rules import subject_name

LIGHTS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "none": "不亮灯"}


def title_of(data: ReportData) -> str:
    return f"{data.unit_name}企业增资扩产工作月度通报（{data.year}年{data.month}月）"


# The workbook ---------------------------------------------------------------------------------------


class _Book:
    """XlsxWriter with the bureau's table look: a merged title, a subtitle with the date and units, bold
    bordered headers repeated on every printed page, A4 landscape fitted to the page width."""

    def __init__(self, buffer: io.BytesIO, title: str, as_of: str) -> None:
        # text stays text: a project named "=HYPERLINK(…)" must not become a formula in the bureau's files
        self.book = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.title, self.as_of = title, as_of
        self.f_title = self.book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
        )
        self.f_sub = self.book.add_format({"font_size": 10, "align": "left", "font_color": "#555555"})
        self.f_head = self.book.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#DDEBF7",
            }
        )
        self.f_cell = self.book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
        self.f_quoted = self.book.add_format(
            {"border": 1, "valign": "vcenter", "text_wrap": True, "quote_prefix": True}
        )
        self.f_num = self.book.add_format({"border": 1, "valign": "vcenter", "num_format": "#,##0.00"})
        self.f_pct = self.book.add_format({"border": 1, "valign": "vcenter", "num_format": "0.0%"})
        self.f_red = self.book.add_format(
            {"border": 1, "font_color": "#C00000", "bold": True, "align": "center"}
        )
        self.f_yellow = self.book.add_format(
            {"border": 1, "font_color": "#B8860B", "bold": True, "align": "center"}
        )
        self.f_green = self.book.add_format({"border": 1, "font_color": "#2E7D32", "align": "center"})

    def sheet(self, name: str, table: str, unit: str, widths: Sequence[int], header_rows: int = 1) -> Any:
        sheet = self.book.add_worksheet(name)
        last = len(widths) - 1
        sheet.merge_range(0, 0, 0, last, f"{self.title}——{table}", self.f_title)
        sheet.set_row(0, 30)
        sheet.merge_range(1, 0, 1, last, f"截至 {self.as_of}　　{unit}", self.f_sub)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(2, 1 + header_rows)
        sheet.freeze_panes(2 + header_rows, 0)
        sheet.set_footer("&C第 &P 页，共 &N 页")
        sheet.center_horizontally()
        return sheet

    def light(self, key: str) -> Any:
        return {"red": self.f_red, "yellow": self.f_yellow, "green": self.f_green}.get(key, self.f_cell)

    def header(self, sheet: Any, row: int, names: Sequence[str]) -> None:
        for column, name in enumerate(names):
            sheet.write(row, column, name, self.f_head)

    def rows(self, sheet: Any, start: int, rows: Sequence[Sequence[Any]], formats: Sequence[Any]) -> None:
        for r, row in enumerate(rows, start=start):
            for c, value in enumerate(row):
                style = self.f_quoted if formula_like(value) else formats[c]
                sheet.write(r, c, "" if value is None else value, style)


def _targets_sheet(book: _Book, data: ReportData) -> None:
    units = [("全市", data.indicators), *data.by_unit]
    widths = [26, 8, 12, 12, 9, 9, 7] + [12, 9] * (len(units) - 1)
    sheet = book.sheet(
        "目标进度",
        "目标进度（分区县）",
        f"目标依据：《{data.plan_name}》；金额单位：见“单位”列；完成率为年度目标完成率（按年增量计的指标为新增完成率）；"
        "空白为无数据或不适用",
        widths,
        header_rows=2,
    )
    sheet.merge_range(2, 0, 3, 0, "指标", book.f_head)
    sheet.merge_range(2, 1, 3, 1, "单位", book.f_head)
    sheet.merge_range(2, 2, 2, 6, data.unit_name, book.f_head)
    book.header(sheet, 3, ["", "", "完成值", "年度目标", "完成率", "时序进度", "亮灯"])
    for n, (name, _) in enumerate(units[1:]):
        column = 7 + 2 * n
        sheet.merge_range(2, column, 2, column + 1, name, book.f_head)
        sheet.write(3, column, "完成值", book.f_head)
        sheet.write(3, column + 1, "完成率", book.f_head)
    for r, row in enumerate(data.indicators, start=4):
        sheet.write(r, 0, row["name"], book.f_cell)
        sheet.write(r, 1, row["unit"], book.f_cell)
        for c, key in ((2, "actual"), (3, "year_target")):
            sheet.write(r, c, "" if row[key] is None else row[key], book.f_num)
        for c, key in ((4, "completion"), (5, "time_pace")):
            sheet.write(r, c, "" if row[key] is None else row[key], book.f_pct)
        sheet.write(r, 6, LIGHTS.get(row["light"], "不亮灯"), book.light(row["light"]))
        for n, (_, rows) in enumerate(units[1:]):
            own = rows[r - 4]
            sheet.write(r, 7 + 2 * n, "" if own["actual"] is None else own["actual"], book.f_num)
            sheet.write(r, 8 + 2 * n, "" if own["completion"] is None else own["completion"], book.f_pct)


def _projects_sheet(book: _Book, data: ReportData) -> None:
    sheet = book.sheet("红黄灯项目", "红灯、黄灯项目及原因", "金额单位：万元", [6, 10, 26, 30, 14, 8, 12, 50])
    book.header(
        sheet, 2, ["序号", "区县", "项目代码", "项目名称", "总投资（万元）", "亮灯", "破五未", "亮灯原因"]
    )
    for r, (f, v) in enumerate(data.flagged, start=3):
        book.rows(
            sheet, r,
            [[r - 2, f.district, f.code, f.name, None if f.total is None else f.total / 100, None, v.stall or "",
              "；".join(v.reasons)]],
            [book.f_cell, book.f_cell, book.f_cell, book.f_cell, book.f_num, book.f_cell, book.f_cell, book.f_cell],
        )  # fmt: skip
        sheet.write(r, 5, LIGHTS[v.light.value], book.light(v.light.value))


def _stalls_sheet(book: _Book, data: ReportData) -> None:
    districts = [name for name, _ in data.by_unit]
    labels = [label for label, _ in data.stalls]
    sheet = book.sheet("破五未", "“破五未”项目（分类别）", "单位：个", [12] + [12] * len(labels) + [10])
    book.header(sheet, 2, ["区县", *labels, "合计"])
    counts = {
        label: {d: sum(1 for f, _ in rows if f.district == d) for d in districts}
        for label, rows in data.stalls
    }
    table = [
        [d, *(counts[label][d] for label in labels), sum(counts[label][d] for label in labels)]
        for d in districts
    ]
    table.append(["合计", *(len(rows) for _, rows in data.stalls), sum(len(rows) for _, rows in data.stalls)])
    book.rows(sheet, 3, table, [book.f_cell] * (len(labels) + 2))
    start = 5 + len(table)
    book.header(sheet, start - 1, ["类别", "区县", "项目代码", "项目名称", "原因", *[""] * (len(labels) - 3)])
    listed = [
        [label, f.district, f.code, f.name, "；".join(v.reasons)]
        for label, rows in data.stalls
        for f, v in rows
    ]
    book.rows(sheet, start, listed, [book.f_cell] * 5)


def _list_sheet(book: _Book, name: str, table: str, entries: Sequence[Any], key: str) -> None:
    sheet = book.sheet(name, table, f"本月 {len(entries)} 个", [6, 10, 26, 34, 50])
    book.header(sheet, 2, ["序号", "区县", key, "名称", "依据"])
    book.rows(
        sheet, 3, [[n, e.district, e.key, e.name, "；".join(e.reasons)] for n, e in enumerate(entries, start=1)],
        [book.f_cell] * 5,
    )  # fmt: skip


def _ranking_sheet(book: _Book, data: ReportData) -> None:
    names = [name for name, *_ in data.ranking[0].parts] if data.ranking else []
    sheet = book.sheet(
        "区县赛马",
        "区县赛马（按年度目标完成率对照时序进度计分）",
        "得分：各指标得分的平均分（分）；未排名的单位见“说明”",
        [8, 12, 10, *([12] * len(names)), 40],
    )
    book.header(sheet, 2, ["名次", "区县", "得分（分）", *names, "说明"])
    rows = []
    for r in data.ranking:
        points = {name: p for name, _, _, p in r.parts}
        rows.append([r.rank or "不参与排名", r.unit, None if r.score is None else float(r.score),
                     *(float(points[n]) if n in points else None for n in names), "；".join(r.reasons)])  # fmt: skip
    book.rows(
        sheet, 3, rows, [book.f_cell, book.f_cell, book.f_num, *([book.f_num] * len(names)), book.f_cell]
    )


STATISTICS_NOTE = (
    "增速为累计同比增速（%）；市的位次为在全省各市中的位次，区县的位次为在全市各区县中的位次；空白为未发布"
)


def statistics_grid(data: ReportData) -> tuple[list[Any], list[Any], dict[tuple[int, int], Any]]:
    """The month's figures laid out as the bureau's table: indicators (in the library's order) across, areas
    down (the province, the city, then the districts in the tree's order), each cell a FigureRow."""
    indicators = sorted({r.indicator for r in data.statistics}, key=lambda i: (i.sort_order, i.code))
    order = {"province": 0, "city": 1}
    areas = sorted(
        {r.area for r in data.statistics}, key=lambda a: (order.get(a.kind, 2), a.sort_order, a.path)
    )
    return indicators, areas, {(r.area.pk, r.indicator.pk): r for r in data.statistics}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _statistics_sheet(book: _Book, data: ReportData) -> None:
    indicators, areas, cells = statistics_grid(data)
    with_ytd = [any(r.ytd is not None for r in data.statistics if r.indicator == i) for i in indicators]
    columns = [w for ytd in with_ytd for w in ([12, 10, 8] if ytd else [10, 8])]
    widths = [14, *(columns or [60])]  # a title merges across two columns at least
    sheet = book.sheet("工业经济指标", "工业经济主要指标（分区县）", STATISTICS_NOTE, widths, header_rows=2)
    if not indicators:
        sheet.write(2, 0, f"{data.year}年{data.month}月工业经济统计数据尚未导入。", book.f_cell)
        return
    sheet.merge_range(2, 0, 3, 0, "地区", book.f_head)
    column = 1
    for indicator, ytd in zip(indicators, with_ytd, strict=True):
        names = ([f"累计（{indicator.unit}）"] if ytd else []) + ["增速（%）", "位次"]
        sheet.merge_range(2, column, 2, column + len(names) - 1, indicator.name, book.f_head)
        for offset, name in enumerate(names):
            sheet.write(3, column + offset, name, book.f_head)
        column += len(names)
    rows = []
    for area in areas:
        row: list[Any] = [area.name]
        for indicator, ytd in zip(indicators, with_ytd, strict=True):
            found = cells.get((area.pk, indicator.pk))
            values = [_float(found.ytd), _float(found.growth), found.rank] if found else [None, None, None]
            row += values if ytd else values[1:]
        rows.append(row)
    formats = [book.f_cell] + [
        f
        for ytd in with_ytd
        for f in ([book.f_num, book.f_num, book.f_cell] if ytd else [book.f_num, book.f_cell])
    ]
    book.rows(sheet, 4, rows, formats)


def workbook(data: ReportData) -> bytes:
    """The report's workbook: 目标进度, 红黄灯项目, 破五未, the three lists, 区县赛马, 工业经济指标."""
    buffer = io.BytesIO()
    book = _Book(buffer, title_of(data), f"{data.as_of.year}年{data.as_of.month}月{data.as_of.day}日")
    _targets_sheet(book, data)
    _projects_sheet(book, data)
    _stalls_sheet(book, data)
    _list_sheet(book, "拟开工清单", "拟开工项目清单", data.lists.to_start, "项目代码")
    _list_sheet(book, "竣工清单", "竣工项目清单", data.lists.to_complete, "项目代码")
    _list_sheet(book, "升规清单", "升规企业清单", data.lists.to_above_scale, "统一社会信用代码")
    _ranking_sheet(book, data)
    _statistics_sheet(book, data)
    book.book.set_properties({"title": title_of(data), "author": data.unit_name, "company": data.unit_name})
    book.book.close()
    return buffer.getvalue()


# The 通报 ------------------------------------------------------------------------------------------

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体"


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)  # CJK text takes the East Asian font


def _paragraph(document: Any, text: str, font: str = BODY_FONT, size: float = 16, indent: bool = True) -> Any:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(size * 2) if indent else None
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), font, size)
    return paragraph


def _table(document: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(name), HEADING_FONT, 10.5)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 10.5)


def _growth_cell(row: Any) -> str:
    """A district's figure in the 通报's table: its growth and rank, "7.3%（第2位）"."""
    if row is None or row.growth is None:
        return "未发布"
    return f"{percent_text(row.growth)}（第{row.rank}位）" if row.rank else percent_text(row.growth) or ""


def _statistics_table(doc: Any, data: ReportData) -> None:
    indicators, areas, cells = statistics_grid(data)
    _table(
        doc, ["地区", *(f"{subject_name(i.name, i.kind)}增速（位次）" for i in indicators)],
        [[a.name, *(_growth_cell(cells.get((a.pk, i.pk))) for i in indicators)] for a in areas],
    )  # fmt: skip


def document(data: ReportData, figures: dict[str, Any]) -> bytes:
    """The 通报: title, the five sections of the narrative, the headline indicators, the statistics by
    district and the ranking in tables, and the red projects as an attachment."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(title_of(data)), TITLE_FONT, 22)
    line = _paragraph(
        doc, f"（数据截至 {data.as_of.year}年{data.as_of.month}月{data.as_of.day}日）", indent=False
    )
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, part in enumerate(narrative(figures)):
        _paragraph(doc, heading(index, part), HEADING_FONT)
        for text in part.paragraphs:
            _paragraph(doc, text)
        if part.title == "总体情况" and data.indicators:
            _paragraph(doc, f"目标依据：《{data.plan_name}》。")
            _table(
                doc, ["指标", "单位", "完成值", "年度目标", "完成率", "时序进度", "亮灯"],
                [[i["name"], i["unit"], number(i["actual"]), number(i["year_target"], missing="本年无目标"),
                  i.get("level_text") or percent(i["completion"]), percent(i["time_pace"]),
                  LIGHTS.get(i["light"], "不亮灯")] for i in data.indicators],
            )  # fmt: skip
        if part.title == STATISTICS_TITLE and data.statistics:
            _statistics_table(doc, data)
        if part.title == "各区县进展" and data.ranking:
            _table(
                doc, ["名次", "区县", "得分（分）", "红灯项目（个）"],
                [[r.rank or "不参与排名", r.unit, number(r.score, missing="无可计分指标"), figures["red_by_district"].get(data.unit_names.get(r.unit, r.unit), 0)]
                 for r in data.ranking],
            )  # fmt: skip
    red = [(f, v) for f, v in data.flagged if v.light.value == "red"]
    attachment = doc.add_section()
    attachment.orientation = WD_ORIENT.LANDSCAPE
    attachment.page_width, attachment.page_height = Cm(29.7), Cm(21)
    _paragraph(doc, f"附件：红灯项目清单（{len(red)} 个）", HEADING_FONT, indent=False)
    _table(
        doc, ["序号", "区县", "项目代码", "项目名称", "亮灯原因"],
        [[n, f.district, f.code, f.name, "；".join(v.reasons)] for n, (f, v) in enumerate(red, start=1)],
    )  # fmt: skip
    doc.core_properties.title = title_of(data)
    doc.core_properties.author = data.unit_name
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
