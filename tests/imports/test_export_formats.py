"""Exports keep numbers as numbers, shown with a number format: amounts 1,234.50, percentages 12.3, counts
1,234, dates as dates; a year or a code stays as it is."""

import datetime as dt
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from kuochan.imports.exporting import header_format, write_table

XML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def formats_by_column(content: bytes) -> dict[str, str]:
    """The number format of each cell of the second row, by column letter."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    codes = {fmt.get("numFmtId"): fmt.get("formatCode") for fmt in styles.iter(f"{XML}numFmt")}
    codes |= {"0": "General"}
    xfs = [xf.get("numFmtId") for xf in next(styles.iter(f"{XML}cellXfs"))]
    return {
        cell.get("r")[0]: codes.get(xfs[int(cell.get("s", 0))], "?")
        for cell in sheet.iter(f"{XML}c")
        if cell.get("r").endswith("2") and cell.get("r")[1:] == "2"
    }


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("预算（万元）", "#,##0.00"),
        ("总投资(万元)", "#,##0.00"),
        ("租金（元/平方米·月）", ""),
        ("售价（亿元）", "#,##0.00"),
        ("完成率", "0.0"),
        ("技改投资增幅（%）", "0.0"),
        ("年度", ""),
        ("申报数", ""),
    ],
)
def test_a_list_exports_column_is_formatted_by_its_header(header, expected):
    assert header_format(header) == expected


def test_a_list_export_writes_numbers_with_their_formats():
    buffer = io.BytesIO()
    headers = ["政策", "年度", "预算（万元）", "完成率", "申报日期"]
    write_table(
        buffer, "政策资金", headers, [["技改补助", 2026, Decimal("1234.5"), 63.25, dt.date(2026, 3, 1)]]
    )
    formats = formats_by_column(buffer.getvalue())
    assert formats == {"A": "General", "B": "General", "C": "#,##0.00", "D": "0.0", "E": "yyyy-mm-dd"}
