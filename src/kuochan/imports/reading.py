"""Finding the table in a workbook as officials make them: title rows above the header, merged or
two-row headers, synonyms, units in headers, blank rows and a trailing notes row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

from kuochan.imports.limits import LimitError, check_workbook
from kuochan.imports.parsing import clean_text, header_key, is_blank, split_unit
from kuochan.imports.specs import Column

HEADER_SEARCH_ROWS = 15
NOTE_MARKERS = ("填表说明", "备注", "说明", "注:", "注：")


class TableError(ValueError):
    """The file, or its header, cannot be read. Carries the row number when one applies."""

    def __init__(self, message: str, row: int = 0) -> None:
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class MappedColumn:
    column: Column
    index: int
    header: str  # as written in the file (both rows of a two-row header joined)
    unit: str


@dataclass
class Table:
    sheet: str
    header_row: int  # Excel row number of the (last) header row
    columns: list[MappedColumn]
    rows: list[tuple[int, list[object]]]  # (Excel row number, cells)


def _sheets(path: Path) -> tuple[CalamineWorkbook, list[str]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise TableError(f"无法读取文件：不是有效的 Excel（.xlsx）文件（{exc.__class__.__name__}）") from exc
    return workbook, list(workbook.sheet_names)


def _fill_merged(rows: list[list[object]], merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Copies each merged range's value into every cell of the range: a group title over its columns, or
    a district merged down the rows of its enterprises, as officials often lay tables out. Ranges covering
    more cells in all than a sheet may hold (overlapping again and again) are refused, not filled."""
    covered = sum(
        max(0, min(bottom, len(rows) - 1) - top + 1) * max(0, right - left + 1)
        for (top, left), (bottom, right) in merged
    )
    if covered > settings.KUOCHAN_IMPORT_MAX_CELLS:
        raise TableError(
            f"工作表的合并单元格共覆盖 {covered:,} 个单元格，超过导入上限 {settings.KUOCHAN_IMPORT_MAX_CELLS:,} 个；"
            "请取消合并后重新上传。"
        )
    for (top, left), (bottom, right) in merged:
        if top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                if is_blank(rows[r][c]):
                    rows[r][c] = value


def _match(headers: list[str], columns: Sequence[Column]) -> list[MappedColumn]:
    names = {}
    for column in columns:
        for name in column.names():
            names.setdefault(header_key(name), column)
    mapped: dict[str, MappedColumn] = {}
    for index, header in enumerate(headers):
        name, unit = split_unit(header_key(header))
        column = names.get(name) or names.get(header_key(header))
        if column is not None and column.key not in mapped:
            mapped[column.key] = MappedColumn(
                column=column, index=index, header=clean_text(header), unit=unit
            )
    return list(mapped.values())


def _two_row_headers(upper: list[object], lower: list[object]) -> list[str]:
    """Lower cells name the columns; an upper group title fills blanks and lends its unit ('指标（万元）')."""
    headers = []
    for top, bottom in zip(upper, lower, strict=False):
        top_text, bottom_text = clean_text(top), clean_text(bottom)
        if not bottom_text:
            headers.append(top_text)
            continue
        _, group_unit = split_unit(header_key(top_text))
        _, own_unit = split_unit(header_key(bottom_text))
        headers.append(f"{bottom_text}（{group_unit}）" if group_unit and not own_unit else bottom_text)
    return headers


def _find_header(
    rows: list[list[object]], columns: Sequence[Column]
) -> tuple[int, int, list[MappedColumn]] | None:
    """(first header row index, rows it spans, mapping) of the best-matching header in the top rows."""
    best: tuple[int, int, int, list[MappedColumn]] | None = None
    for index in range(min(HEADER_SEARCH_ROWS, len(rows))):
        candidates = [(1, [clean_text(cell) for cell in rows[index]])]
        if index + 1 < len(rows):
            candidates.append((2, _two_row_headers(rows[index], rows[index + 1])))
        for span, headers in candidates:
            mapped = _match(headers, columns)
            score = len(mapped)
            if best is None or score > best[0]:
                best = (score, index, span, mapped)
    if best is None or best[0] == 0:
        return None
    return best[1], best[2], best[3]


def _is_skipped(cells: list[object]) -> bool:
    """Blank rows, and a lone 填表说明/备注 line under the table."""
    filled = None
    for cell in cells:
        if cell is not None and cell != "":
            if filled is not None:
                return False  # two filled cells: a data row (the common case, decided early)
            filled = cell
    if filled is None:
        return True
    text = clean_text(filled)
    return not text or text.startswith(NOTE_MARKERS)


def read_table(path: Path, columns: Sequence[Column]) -> Table:
    """The first sheet whose header names every required column; data rows with their Excel numbers.
    A workbook beyond the limits in settings is refused (LimitError) before the sheet reader sees it."""
    try:
        check_workbook(path)
    except LimitError as exc:
        raise TableError(str(exc)) from exc
    workbook, names = _sheets(path)
    required = [column for column in columns if column.required]
    problems = []
    for name in names:
        try:  # a damaged file may open, then fail on a sheet's data
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except (CalamineError, OSError, ValueError) as exc:
            raise TableError(f"无法读取工作表“{name}”：文件已损坏（{exc.__class__.__name__}）") from exc
        _fill_merged(rows, merged)
        found = _find_header(rows, columns)
        if found is None:
            continue
        start, span, mapped = found
        missing = [column.header for column in required if column.key not in {m.column.key for m in mapped}]
        if missing:
            problems.append((name, start + span, missing))
            continue
        first_data = start + span
        data = [
            (number + 1, cells)
            for number, cells in enumerate(rows[first_data:], start=first_data)
            if not _is_skipped(cells)
        ]
        return Table(sheet=name, header_row=first_data, columns=mapped, rows=data)
    if problems:
        sheet, row, missing = problems[0]
        raise TableError(f"工作表“{sheet}”的表头缺少必填列：{'、'.join(missing)}", row=row)
    expected = "、".join(column.header for column in required)
    raise TableError(f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有可识别的列名，应包含：{expected}", row=1)
