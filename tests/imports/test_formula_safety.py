"""Excel is data here, never code: formula cells in uploads are read as their values, and text that looks
like a formula (= + - @) is written to every export and report as text, not as a formula, with Excel's quote
prefix so that editing the cell does not make it one either."""

import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import xlsxwriter
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.cockpit.services import report_generate
from kuochan.projects import services as project_services
from kuochan.registry.models import AnnualMetric, Enterprise
from tests.conftest import METRIC_HEADER
from tests.xlsx import exported_rows

pytestmark = pytest.mark.django_db
DANGEROUS = ['=HYPERLINK("http://example.com","点击")', "+SUM(1,2)", "-1+2", "@cmd"]


def formulas_in(content: bytes) -> list[str]:
    """Every formula stored in any sheet of an .xlsx file."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return [
            name for name in book.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in book.read(name)
        ]  # fmt: skip


def cell_texts(content: bytes) -> dict[str, bool]:
    """The text of every cell in any sheet, with whether its style carries Excel's quote prefix."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        strings = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)
        ]
        styles = ElementTree.fromstring(book.read("xl/styles.xml")).findall("m:cellXfs/m:xf", ns)
        prefixed = {n for n, xf in enumerate(styles) if xf.get("quotePrefix") == "1"}
        return {
            strings[int(cell.find("m:v", ns).text)]: int(cell.get("s", 0)) in prefixed
            for name in book.namelist() if name.startswith("xl/worksheets/sheet")
            for cell in ElementTree.fromstring(book.read(name)).iter(f"{{{ns['m']}}}c")
            if cell.get("t") == "s"
        }  # fmt: skip


def test_uploaded_formula_cells_are_read_as_their_values(registered, tmp_path, run_cli):
    path = tmp_path / "metrics.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, METRIC_HEADER)
    sheet.write_string(1, 0, registered[0])
    sheet.write_number(1, 1, 2025)
    sheet.write_formula(1, 2, "=1000*2", None, 2000)  # 营业收入: the formula's stored value, 2000
    sheet.write_formula(1, 3, '=WEBSERVICE("http://example.com")', None, 300)
    book.close()
    code, result = run_cli("enterprise-metrics", path)
    assert code == 0 and result["created"] == 1, result
    metric = AnnualMetric.objects.get(enterprise__uscc=registered[0], year=2025)
    assert (metric.revenue_wan, metric.value_added_wan) == (Decimal("2000.00"), Decimal("300.00"))


def test_exports_write_formula_like_text_as_text(registered, users, login):
    enterprise = Enterprise.objects.get(uscc=registered[0])
    enterprise.name = DANGEROUS[0]
    enterprise.address = DANGEROUS[1]
    enterprise.save()
    response = login(users["city_staff"]).get("/enterprises/?export=xlsx")
    assert formulas_in(response.content) == []
    cells = cell_texts(response.content)
    assert {text for text, quoted in cells.items() if quoted} == {DANGEROUS[0], DANGEROUS[1]}
    names = [row[1] for row in exported_rows(response)]
    assert DANGEROUS[0] in names


def test_the_monthly_report_writes_formula_like_names_as_text(pipeline, users):
    for project, name in zip(pipeline.values(), DANGEROUS, strict=True):
        project_services.project_update(
            actor=users["city_admin"], source=Source.WEB, project=project, name=name
        )
    today = timezone.localdate()
    report = report_generate(actor=None, source=Source.CLI, year=today.year, month=today.month)
    content = report.workbook.read()
    assert formulas_in(content) == []
    cells = cell_texts(content)
    shown = [name for name in DANGEROUS if name in cells]
    assert shown and all(cells[name] for name in shown)
    assert not any(quoted for text, quoted in cells.items() if text not in DANGEROUS)
