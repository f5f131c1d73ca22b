"""What a workbook may hold before it is read: a sheet's extent (rows, columns, cells) and the zip's
uncompressed size and compression ratio.

The sheet reader builds each sheet as a full grid from A1 to its farthest cell, and reserves the grid the
sheet declares: a 5 KB file with one cell at XFD1048576 asks for 17 billion cells. So before the reader
sees a file, every part of the zip is decompressed here as a stream (its true size counted, whatever the
zip's directory claims) and every sheet's declared `<dimension>` and the references of its rows and cells
are checked against the limits in settings, without building any grid.
"""

from __future__ import annotations

import queue
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from django.conf import settings

CHUNK = 1 << 22  # decompressed bytes scanned at a time
OVERLAP = 256  # bytes of one chunk searched again with the next: more than a cell tag and its reference
AHEAD_FROM_BYTES = 1 << 20  # parts packed larger than this are unpacked on a second thread
RATIO_FROM_BYTES = 1 << 20  # parts smaller than this may compress as well as they like
EXCEL_MAX = (1_048_576, 16_384)  # Excel's own sheet: rows, columns
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip part's local header, before its name and extra field

_NAME = rb"(?:[\w.-]+:)?"  # an optional namespace prefix: <x:c …> is the same element as <c …>
_REF = rb"""\sr\s*=\s*["']\s*([A-Za-z]*)\s*(\d*)\s*["']"""
_DIMENSION = re.compile(rb"<" + _NAME + rb"""dimension\b[^>]*?\sref\s*=\s*["']([^"']*)["']""")
_SHEET_DATA = re.compile(rb"<" + _NAME + rb"sheetData\b")
_PREFIXED_CELL = re.compile(rb":c(?=[\s/>])")  # <x:c …>, a cell in a namespace prefix
_TAG = re.compile(rb"<" + _NAME + rb"(row|c)(?=[\s/>])([^>]*)>")
_ATTRIBUTE_REF = re.compile(_REF)


class LimitError(ValueError):
    """The workbook goes beyond a limit; the message says which, and what the file holds."""


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.KUOCHAN_IMPORT_MAX_ROWS,
            columns=settings.KUOCHAN_IMPORT_MAX_COLUMNS,
            cells=settings.KUOCHAN_IMPORT_MAX_CELLS,
            bytes=settings.KUOCHAN_IMPORT_MAX_BYTES,
            ratio=settings.KUOCHAN_IMPORT_MAX_RATIO,
        )


def column_number(letters: str) -> int:
    """'A' → 1, 'Z' → 26, 'AA' → 27, 'XFD' → 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _up_to_number(limit: int) -> bytes:
    """A regex for a decimal number from 1 to `limit`, written without leading zeros."""
    digits = str(limit)
    choices = [rb"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        rest = len(digits) - i - 1
        if int(digit) > low:
            choices.append(digits[:i].encode() + b"[%d-%d]" % (low, int(digit) - 1) + rb"\d" * rest)
    choices.append(digits.encode())
    return b"(?:" + b"|".join(choices) + b")"


def _up_to_letters(limit: int) -> bytes:
    """A regex for the capital letters of columns A to column `limit`."""
    letters = column_letters(limit)
    choices = [b"[A-Z]{1,%d}" % (len(letters) - 1)] if len(letters) > 1 else []
    for i, letter in enumerate(letters):
        if letter > "A":
            rest = len(letters) - i - 1
            choices.append(letters[:i].encode() + b"[A-%s]" % chr(ord(letter) - 1).encode() + b"[A-Z]" * rest)
    choices.append(letters.encode())
    return b"(?:" + b"|".join(choices) + b")"


def _outside(rows: int, columns: int) -> re.Pattern[bytes]:
    """A cell that might lie outside A1:(columns, rows): any cell tag but one whose first attribute is a
    reference, in Excel's own form, inside the range. A row or cell without a reference, or a reference
    written otherwise, is thus caught too; the caller then places every cell."""
    if rows < 1 or columns < 1:
        return re.compile(rb"<c(?=[\s/>])")
    inside = rb'<c r="' + _up_to_letters(columns) + _up_to_number(rows) + rb'"'
    return re.compile(rb"<c(?=[\s/>])(?!" + inside[2:] + rb")")


class _Extent:
    """The farthest row and column a sheet's references reach, as the reader places cells: a row or cell
    without a reference follows the one before it."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self._row = self._column = 0

    def feed(self, text: bytes) -> None:
        for tag, attributes in _TAG.findall(text):
            ref = _ATTRIBUTE_REF.search(attributes)
            letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
            if tag == b"row":
                self._row = int(digits) if digits else self._row + 1
                self._column = 0
            else:
                row = int(digits) if digits else max(self._row, 1)
                self._column = column_number(letters.decode()) if letters else self._column + 1
                self.rows, self.columns = max(self.rows, row), max(self.columns, self._column)
            self.rows = max(self.rows, self._row)


def _parts(path: Path, limits: Limits) -> Iterator[tuple[zipfile.ZipInfo, Iterator[bytes]]]:
    """Each part of the zip with its decompressed content as a stream of chunks. The sizes the directory
    declares are checked first; then the true sizes as they come out, which a forged directory cannot hide."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LimitError("无法读取文件：不是有效的 Excel（.xlsx）文件") from exc
    with archive:
        parts = archive.infolist()
        declared = sum(info.file_size for info in parts)
        if declared > limits.bytes:
            raise LimitError(
                f"文件解压后达 {declared / 1048576:,.0f} MB，超过导入上限 {limits.bytes / 1048576:,.0f} MB；"
                "请删除多余的工作表、空行和格式，或拆分后分批导入。"
            )
        for info in parts:
            _check_ratio(info.file_size, info.compress_size, limits)
        total = [0]
        with path.open("rb") as stream:
            for info in parts:
                content = _content(stream, info, limits, total)
                yield info, _ahead(content) if info.compress_size > AHEAD_FROM_BYTES else content


_END = object()


def _ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, unpacked on a second thread while the caller searches the ones before: zlib unpacks
    without holding the GIL, so a large part costs about the longer of the two instead of their sum.
    The thread touches nothing but the file, and ends with the caller's loop, however it ends."""
    ready: queue.Queue[object] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not hand_over(chunk):
                    return
            hand_over(_END)
        except Exception as exc:  # handed to the caller, who raises it
            hand_over(exc)

    thread = threading.Thread(target=produce, name="unpack-ahead", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _check_ratio(size: int, compressed: int, limits: Limits) -> None:
    if size > RATIO_FROM_BYTES and size > compressed * limits.ratio:
        raise LimitError(
            f"文件的压缩比异常（{size / max(compressed, 1):,.0f} 倍，上限 {limits.ratio} 倍），"
            "不是正常的 Excel 文件，已拒绝读取。"
        )


def _content(stream: object, info: zipfile.ZipInfo, limits: Limits, total: list[int]) -> Iterator[bytes]:
    stream.seek(info.header_offset)
    header = stream.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise LimitError("无法读取文件：不是有效的 Excel（.xlsx）文件（压缩包已损坏）")
    fields = _LOCAL_HEADER.unpack(header)
    stream.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
    if info.compress_type == zipfile.ZIP_STORED:
        inflate = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
    else:
        raise LimitError("无法读取文件：不是有效的 Excel（.xlsx）文件（不支持的压缩方式）")
    left, size = info.compress_size, 0
    while left > 0 or (inflate is not None and inflate.unconsumed_tail):
        try:
            if inflate is not None and inflate.unconsumed_tail:
                data = inflate.decompress(inflate.unconsumed_tail, CHUNK)
            else:
                raw = stream.read(min(left, 1 << 20))
                if not raw:
                    break
                left -= len(raw)
                data = raw if inflate is None else inflate.decompress(raw, CHUNK)
            if inflate is not None and left <= 0 and not inflate.unconsumed_tail:
                data += inflate.flush()
        except zlib.error as exc:
            raise LimitError("无法读取文件：不是有效的 Excel（.xlsx）文件（压缩数据已损坏）") from exc
        size += len(data)
        total[0] += len(data)
        if total[0] > limits.bytes:
            raise LimitError(
                f"文件解压后超过导入上限 {limits.bytes / 1048576:,.0f} MB；请删除多余的工作表、空行和格式，或拆分后分批导入。"
            )
        _check_ratio(size, info.compress_size, limits)
        if data:
            yield data


def _aligned(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks re-cut before a "<", so that no tag is split between two pieces."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        cut = buffer.rfind(b"<")
        if cut > 0:
            yield buffer[:cut]
            buffer = buffer[cut:]
        elif cut < 0:
            yield buffer
            buffer = b""
    if buffer:
        yield buffer


def _sheet_extent(chunks: Iterator[bytes], limits: Limits) -> tuple[int, int] | None:
    """(rows, columns) a part's rows and cells reach ((0, 0) for a part with none), or None when a
    reference lies outside the range the sheet declares. The declared `<dimension>` is checked first; when
    every reference lies inside it (files from Excel and every usual writer) one search per piece proves
    it. Without a declared range, each row and cell is placed."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= CHUNK or _SHEET_DATA.search(head):
            break
    data = _SHEET_DATA.search(head)
    dimension = _DIMENSION.search(head[: data.start()] if data else head)
    box = _declared(dimension.group(1).decode("ascii", "replace")) if dimension else None
    if box is None:
        extent = _Extent()
        for piece in _aligned(chain([head], chunks)):
            extent.feed(piece)
        return extent.rows, extent.columns
    _refuse_beyond(*box, f"声明的数据范围为 {dimension.group(1).decode('ascii', 'replace')[:40]}", limits)
    if _searched(chain([head], chunks), _outside(*box), _PREFIXED_CELL):
        return None
    return box


def _searched(chunks: Iterator[bytes], *patterns: re.Pattern[bytes]) -> bool:
    """Whether any pattern matches the concatenated chunks. Each chunk is searched with the last bytes
    of the one before in front (no copy of the whole); a match starting in those last bytes is left for
    the next search, which sees what follows it. A match must start within `OVERLAP` bytes of its end."""
    tail = b""
    for chunk in chunks:
        text = tail + chunk
        for pattern in patterns:
            found = pattern.search(text)
            if found and found.start() < len(text) - OVERLAP:
                return True
        tail = text[-OVERLAP:]
    return any(pattern.search(tail) for pattern in patterns)


def _declared(ref: str) -> tuple[int, int] | None:
    """(rows, columns) of a dimension such as "A1:R100001" or "A1"; None when unreadable."""
    corner = ref.split(":")[-1].strip()
    match = re.fullmatch(r"\$?([A-Za-z]+)\$?(\d+)", corner)
    if match is None:
        return None
    return int(match.group(2)), column_number(match.group(1))


def _refuse_beyond(rows: int, columns: int, stated: str, limits: Limits) -> None:
    corner = f"{column_letters(columns)}{rows}" if 0 < columns < 10**6 and 0 < rows < 10**12 else "很远处"
    where = f"工作表{stated or f'的数据延伸到 {corner}'}（{rows:,} 行 × {columns:,} 列）"
    if rows > limits.rows:
        problem = f"超过导入上限 {limits.rows:,} 行"
    elif columns > limits.columns:
        problem = f"超过导入上限 {limits.columns:,} 列"
    elif rows * columns > limits.cells:
        problem = f"共 {rows * columns:,} 个单元格，超过导入上限 {limits.cells:,} 个"
    else:
        return
    raise LimitError(f"{where}，{problem}。请删除多余的空行、空列后重新上传，或拆分后分批导入。")


def check_workbook(path: Path, limits: Limits | None = None) -> None:
    """Refuse, with LimitError, a workbook beyond the limits: checked on the decompressed stream of every
    part, a sheet's grid is never built. Costs about a tenth of reading a normal file."""
    limits = limits or Limits.from_settings()
    try:
        _check(path, limits)
    except LimitError:  # a ValueError itself: already the user's message
        raise
    # What a damaged or forged archive raises while it is unpacked (a truncated stream, a bad header, an
    # unknown compression method): one Chinese message instead of a server error.
    except (OSError, ValueError, EOFError, NotImplementedError, struct.error, zipfile.BadZipFile) as exc:
        raise LimitError("无法读取文件：不是有效的 Excel（.xlsx）文件（压缩包已损坏）") from exc


def _check(path: Path, limits: Limits) -> None:
    for info, chunks in _parts(path, limits):
        extent = _sheet_extent(chunks, limits)
        if extent is None:  # a reference outside the declared range: place every row and cell
            placed = _Extent()
            with path.open("rb") as stream:
                for piece in _aligned(_content(stream, info, limits, [0])):
                    placed.feed(piece)
            extent = (placed.rows, placed.columns)
        _refuse_beyond(*extent, "", limits)
