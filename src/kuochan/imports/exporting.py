"""Writing .xlsx files with XlsxWriter: exports (the import's inverse), list exports and blank templates.

Numbers stay numbers (Excel sums and sorts them) with a number format: an export of an import kind takes
each column's own (`Column.number_format`); a list export's columns are formatted by their header: an
amount in 元/万元/亿元 as 1,234.50, a percentage (a header with % or ending in 率, 增幅, 增速, 比重, 占比)
as 12.3. Dates are dates. A format only changes what is shown: the file still imports back unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.utils import timezone

from kuochan.imports.parsing import split_unit
from kuochan.imports.specs import AMOUNT_FORMAT, Importer

PERCENT_FORMAT = "0.0"  # percentages are carried as their number of points: 12.3 for 12.3%
MONEY_WORDS = ("元", "万元", "亿元")
RATE_ENDINGS = ("率", "增幅", "增速", "比重", "占比")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Text a spreadsheet would take for a formula if someone typed it into a cell (= + - @, or a tab or
    carriage return in front of one).

    Text is always written with write_string, which never makes a formula. Text like this is also given
    Excel's quote prefix (the cell shows as '=…), so that editing the cell in Excel does not turn it into
    a formula either. The stored text is unchanged, so the file still imports back unchanged."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def header_format(header: str) -> str:
    """The number format a list export's column gets from its header: '' for none."""
    name, unit = split_unit(header.strip())
    if unit in MONEY_WORDS or unit.endswith(MONEY_WORDS) or name.endswith(MONEY_WORDS):
        return AMOUNT_FORMAT
    if "%" in header or name.endswith(RATE_ENDINGS):
        return PERCENT_FORMAT
    return ""


def _write_rows(
    sheet: Any,
    start: int,
    rows: Iterable[list[object]],
    formats: dict[str, Any],
    number_formats: list[Any] | None = None,
) -> int:
    count = 0
    number_formats = number_formats or []
    for r, cells in enumerate(rows, start=start):
        for c, value in enumerate(cells):
            value = _number(value)
            if value is None or value == "":
                continue
            if isinstance(value, dt.datetime):
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                sheet.write_datetime(r, c, local.replace(tzinfo=None), formats["datetime"])
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), formats["date"])
            elif isinstance(value, bool):
                sheet.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value, number_formats[c] if c < len(number_formats) else None)
            elif formula_like(value):
                sheet.write_string(r, c, value, formats["quoted"])
            else:
                sheet.write_string(r, c, str(value))
        count += 1
    return count


def _workbook(target: str | IO[bytes]) -> tuple[Any, dict[str, Any]]:
    book = xlsxwriter.Workbook(
        target, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1, "text_wrap": True}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "quoted": book.add_format({"quote_prefix": True}),
    }
    return book, formats


def _header(sheet: Any, headers: list[str], formats: dict[str, Any]) -> None:
    for c, header in enumerate(headers):
        sheet.write_string(0, c, header, formats["header"])
        sheet.set_column(c, c, max(12, len(header) * 2 + 2))
    sheet.freeze_panes(1, 0)


def write_table(
    target: str | IO[bytes],
    title: str,
    headers: list[str],
    rows: Iterable[list[object]],
    number_formats: list[str] | None = None,
) -> int:
    """One sheet: a header row, the rows, a filter on the header; returns the number of rows. Numbers take
    `number_formats` by column when given, else the format their header calls for (`header_format`)."""
    book, formats = _workbook(target)
    sheet = book.add_worksheet(title[:31])
    _header(sheet, headers, formats)
    wanted = number_formats if number_formats is not None else [header_format(h) for h in headers]
    shown = {code: book.add_format({"num_format": code}) for code in set(wanted) if code}
    count = _write_rows(sheet, 1, rows, formats, [shown.get(code) for code in wanted])
    sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    book.close()
    return count


def write_export(target: str | IO[bytes], importer: type[Importer], rows: Iterable[list[object]]) -> int:
    """Objects in the import template's layout, so the file can come back unchanged."""
    return write_table(
        target, importer.title, importer.headers(), rows, [c.number_format for c in importer.columns]
    )


def write_template(target: str | IO[bytes], importer: type[Importer]) -> None:
    """The header users already use, one example row, and a 填表说明 sheet describing every column."""
    book, formats = _workbook(target)
    sheet = book.add_worksheet(importer.title)
    _header(sheet, importer.headers(), formats)
    _write_rows(sheet, 1, [[column.example for column in importer.columns]], formats)
    notes = book.add_worksheet("填表说明")
    notes.write_string(0, 0, f"{importer.title}导入模板 填表说明", formats["title"])
    for c, heading in enumerate(("列名", "是否必填", "说明")):
        notes.write_string(2, c, heading, formats["header"])
    for r, column in enumerate(importer.columns, start=3):
        notes.write_string(r, 0, column.header)
        notes.write_string(r, 1, "必填" if column.required else "选填")
        synonyms = f"（也可写作：{'、'.join(column.synonyms)}）" if column.synonyms else ""
        notes.write_string(r, 2, f"{column.explained()}{synonyms}")
    row = len(importer.columns) + 4
    general = (
        "第 2 行为示例，导入前请删除或覆盖。表头上方可以有标题行，表头可以是两行（合并单元格）。",
        "日期可写 2026-03-01、2026/3/1、2026.3.1 或 2026年3月1日；金额可带千分位和单位（元/万元/亿元会换算为万元）。",
        "任何一行有错时默认整份文件都不导入，并列出所有错误；也可选择跳过错误行、只导入正确的行。",
        *importer.notes,
    )
    for offset, text in enumerate(general):
        notes.write_string(row + offset, 0, text)
    notes.set_column(0, 0, 28)
    notes.set_column(2, 2, 80)
    book.close()
