"""Building real .xlsx files for tests, the way officials' files look."""

import datetime as dt
import io
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from kuochan.registry.rules import uscc_check_char


def uscc(serial: int, area: str = "330502") -> str:
    """A valid USCC (check character computed) for test enterprise number `serial`."""
    first17 = f"91{area}{serial:09d}"
    return first17 + uscc_check_char(first17)


def write_xlsx(path: Path, rows: list[list[object]], *, merges: tuple = (), sheet: str = "Sheet1") -> Path:
    """Rows of cells from A1; datetimes become real Excel dates; `merges` are (r1, c1, r2, c2, text)."""
    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(sheet)
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    for r1, c1, r2, c2, text in merges:
        ws.merge_range(r1, c1, r2, c2, text)
    book.close()
    return path


def exported_rows(response) -> list[list[object]]:
    """The first sheet of an .xlsx download, as rows of values."""
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
