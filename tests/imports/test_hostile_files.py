"""Small files that would make the sheet reader build an enormous grid, or unpack to gigabytes, are refused
before it reads them: on the command line (exit 2, a Chinese message) within seconds and a few hundred MB,
and on the upload page. The files are real .xlsx packages, their XML written here by hand."""

import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from kuochan.imports.limits import LimitError, check_workbook
from tests.imports.test_killed_import import database_url
from tests.xlsx import write_xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
        'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>统一社会信用代码</t></is></c></row>'


def workbook(path: Path, dimension: str | None, rows: str, filler: str = "") -> Path:
    """A one-sheet .xlsx whose sheet XML is exactly `dimension` and `rows` (and `filler` after the data)."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{declared}'
        f"<sheetData>{rows}</sheetData>{filler}</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, text in PACKAGE.items():
            package.writestr(name, text)
        package.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def far_cell(path: Path) -> Path:
    """One cell, at Excel's very last cell XFD1048576, declared so."""
    return workbook(path, "A1:XFD1048576", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def lying_dimension(path: Path) -> Path:
    """Declares A1 only, but holds a cell at GR200000 (200 columns × 200,000 rows)."""
    return workbook(path, "A1", HEADER_ROW + '<row r="200000"><c r="GR200000"><v>1</v></c></row>')


def zip_bomb(path: Path) -> Path:
    """A sheet that unpacks a thousandfold: 200 MB of blanks in a file of some 200 KB."""
    return workbook(path, "A1", HEADER_ROW, filler=" " * (200 << 20))


def forged_sizes(path: Path) -> Path:
    """The bomb again, its directory claiming each part unpacks to no more than it takes packed."""
    zip_bomb(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        parts = package.infolist()
    central = data.rfind(b"PK\x05\x06")
    directory = struct.unpack_from("<L", data, central + 16)[0]
    for info in parts:
        struct.pack_into("<L", data, info.header_offset + 22, info.compress_size)  # local header
    at = directory
    while data[at : at + 4] == b"PK\x01\x02":
        compressed = struct.unpack_from("<L", data, at + 20)[0]
        struct.pack_into("<L", data, at + 24, compressed)  # central directory: uncompressed = compressed
        name, extra, comment = struct.unpack_from("<3H", data, at + 28)
        at += 46 + name + extra + comment
    path.write_bytes(bytes(data))
    return path


HOSTILE = {
    "far_cell": (far_cell, "1,048,576 行"),
    "lying_dimension": (lying_dimension, "GR200000"),
    "zip_bomb": (zip_bomb, "压缩比异常"),
}

# Runs `kuochan import …` as a child and prints its exit code and peak memory (KB); the child's own
# output goes to stderr.
MEASURED = (
    "import resource, subprocess, sys, time; start = time.monotonic(); "
    "done = subprocess.run(sys.argv[1:], stdout=sys.stderr); "
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - start)"
)


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.django_db(transaction=True)
def test_the_command_line_refuses_a_hostile_file_quickly_and_in_little_memory(kind, tmp_path):
    make, shown = HOSTILE[kind]
    path = make(tmp_path / f"{kind}.xlsx")
    assert path.stat().st_size < 400_000
    env = {**os.environ, "DATABASE_URL": database_url()}
    command = [sys.executable, "-m", "kuochan", "import", "enterprise-metrics", str(path)]
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *command], env=env, capture_output=True, text=True, timeout=120
    )
    code, peak_kb, seconds = done.stdout.split()
    assert int(code) == 2, done.stderr[-2000:]
    assert shown in done.stderr
    assert int(peak_kb) < 300 * 1024, f"peak {int(peak_kb) // 1024} MB"
    assert float(seconds) < 30


@pytest.mark.parametrize("kind", HOSTILE)
def test_the_upload_page_refuses_a_hostile_file_with_the_limit_named(
    kind, huzhou, users, login, tmp_path, run_jobs
):
    make, shown = HOSTILE[kind]
    path = make(tmp_path / f"{kind}.xlsx")
    client = login(users["wuxing"])
    with path.open("rb") as stream:
        queued = client.post("/imports/upload/", {"kind": "enterprise-metrics", "file": stream})
    started = time.monotonic()
    (job,) = run_jobs()
    assert time.monotonic() - started < 5
    assert job.status == "failed" and shown in job.error
    page = client.get(queued["Location"]).content.decode()
    assert (shown in page and "超过导入上限" in page) or "压缩比异常" in page


def test_a_directory_that_understates_the_unpacked_sizes_is_caught_as_the_parts_unpack(tmp_path):
    path = forged_sizes(tmp_path / "forged.xlsx")
    with zipfile.ZipFile(path) as package:
        assert sum(info.file_size for info in package.infolist()) < 400_000
    started = time.monotonic()
    with pytest.raises(LimitError, match="压缩比异常"):
        check_workbook(path)
    assert time.monotonic() - started < 5


def test_the_limits_come_from_the_settings(settings, tmp_path):
    path = write_xlsx(tmp_path / "wide.xlsx", [[f"列{n}" for n in range(30)], list(range(30))])
    check_workbook(path)
    settings.KUOCHAN_IMPORT_MAX_COLUMNS = 20
    with pytest.raises(LimitError, match="超过导入上限 20 列"):
        check_workbook(path)
    settings.KUOCHAN_IMPORT_MAX_COLUMNS, settings.KUOCHAN_IMPORT_MAX_ROWS = 200, 1
    with pytest.raises(LimitError, match="超过导入上限 1 行"):
        check_workbook(path)


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="2"><c r="B2"><v>1</v></c><c><v>2</v></c></row>',  # a cell with no reference follows B2
        '<row r="2"><c s="0" r="b400000"><v>1</v></c></row>',  # the reference written otherwise
        '<row r="2"><x:c r="B400000" xmlns:x="' + MAIN + '"><v>1</v></x:c></row>',  # a namespace prefix
    ],
)
def test_cells_placed_outside_the_declared_range_in_any_spelling_are_found(rows, settings, tmp_path):
    settings.KUOCHAN_IMPORT_MAX_COLUMNS = 2
    path = workbook(tmp_path / "odd.xlsx", "A1:B2", HEADER_ROW + rows)
    with pytest.raises(LimitError, match="超过导入上限"):
        check_workbook(path)


def test_a_sheet_without_a_declared_range_is_measured_by_its_cells(tmp_path):
    path = workbook(tmp_path / "undeclared.xlsx", None, HEADER_ROW + '<row r="400000"><c r="A400000"/></row>')
    with pytest.raises(LimitError, match="A400000（400,000 行 × 1 列），超过导入上限 300,000 行"):
        check_workbook(path)


def test_a_cell_outside_the_range_is_found_wherever_the_unpacked_chunks_split_it():
    from kuochan.imports.limits import _outside, _searched

    honest = b'<row r="2"><c r="B2" s="1"><v>7</v></c></row>' * 20
    far = honest + b'<row r="3"><c r="GR200000"><v>1</v></c></row>' + honest
    pattern = _outside(3, 2)
    for cut in range(1, len(far)):
        assert _searched(iter([far[:cut], far[cut:]]), pattern)
        assert not _searched(iter([honest[: cut % len(honest)], honest[cut % len(honest) :]]), pattern)
