"""The statistics bureau's figures on the cockpit and in the monthly report: the city's growth against the
province with its rank, a district's staff their district against the city too, an empty month said so, and
never another city's figures."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document
from python_calamine import CalamineWorkbook

from kuochan.audit.models import Source
from kuochan.cockpit.services import report_generate
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.services import org_units_load
from kuochan.statistics.models import StatFigure, StatIndicator

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MONTH = TODAY.replace(day=1)
PERIOD = "1月" if MONTH.month == 1 else f"1-{MONTH.month}月"

# area code → indicator code → (ytd, growth, rank), as the bureau published them
FIGURES = {
    "330000": {"above-scale-value-added": (None, "6.9", None), "manufacturing-investment": (None, "3.3", None),
               "above-scale-revenue": ("52345.67", "4.1", None)},
    "330500": {"above-scale-value-added": (None, "7.3", 2), "manufacturing-investment": (None, "13.4", 2),
               "above-scale-revenue": ("4321.5", "5.6", 3)},
    "330502": {"above-scale-value-added": (None, "8.1", 2), "manufacturing-investment": (None, "15.0", 3)},
    "330503": {"above-scale-value-added": (None, "6.0", 5), "manufacturing-investment": (None, "-2.5", 7)},
    "330400": {"above-scale-value-added": (None, "9.87", 1), "manufacturing-investment": (None, "21.43", 1)},
    "330402": {"above-scale-value-added": (None, "11.11", 1)},
}  # fmt: skip


@pytest.fixture
def statistics(huzhou, users):
    """A second city of Zhejiang beside Huzhou (嘉兴市, one district), and the month's figures of all."""
    org_units_load(
        rows=[
            {"code": "330400", "name": "嘉兴市", "kind": "city", "parent_code": "330000"},
            {"code": "330402", "name": "南湖区", "kind": "district", "parent_code": "330400"},
        ],
        source=Source.CLI,
    )
    indicators = {i.code: i for i in StatIndicator.objects.all()}
    for code, by_indicator in FIGURES.items():
        area = OrgUnit.objects.get(code=code)
        for indicator, (ytd, growth, rank) in by_indicator.items():
            StatFigure.objects.create(
                indicator=indicators[indicator], area=area, month=MONTH, ytd=ytd and Decimal(ytd),
                growth=Decimal(growth), rank=rank,
            )  # fmt: skip


def _card(page: str) -> str:
    return page.split('data-testid="statistics"')[1].split('<div class="row row-cards')[0]


def test_the_cockpit_shows_the_citys_growth_rank_and_gap_to_the_province(statistics, users, login):
    card = _card(login(users["city_staff"]).get(f"/cockpit/?month={MONTH:%Y-%m}").content.decode())
    assert f"工业经济主要指标（{MONTH.year}年{MONTH.month}月）" in card
    assert f'href="/statistics/?month={MONTH:%Y-%m}"' in card
    assert "7.3%" in card and "全省第2位" in card and "高于全省 0.4 个百分点" in card
    assert "13.4%" in card and "高于全省 10.1 个百分点" in card
    assert "4,321.5 亿元" in card and "全省第3位" in card and "高于全省 1.5 个百分点" in card
    assert "湖州市" in card and "吴兴区" not in card and "南浔区" not in card
    assert "嘉兴" not in card and "9.9%" not in card and "21.4%" not in card  # another city's


def test_district_staff_see_their_district_against_the_city_too(statistics, users, login):
    card = _card(login(users["nanxun"]).get(f"/cockpit/?month={MONTH:%Y-%m}").content.decode())
    assert "全省第2位" in card  # the city's line
    district = card.split('data-testid="statistics-330503"')[1]
    assert "6.0%" in district and "全市第5位" in district and "低于全市 1.3 个百分点" in district
    assert "-2.5%" in district and "低于全市 15.9 个百分点" in district
    assert "吴兴区" not in card and "8.1%" not in card and "嘉兴" not in card


def test_a_month_without_figures_says_they_are_not_imported(statistics, users, login):
    earlier = (MONTH - dt.timedelta(days=1)).replace(day=1)
    card = _card(login(users["city_staff"]).get(f"/cockpit/?month={earlier:%Y-%m}").content.decode())
    assert f"{earlier.year}年{earlier.month}月的统计数据尚未导入" in card and 'href="/imports/"' in card
    leader = _card(login(users["leader"]).get(f"/cockpit/?month={earlier:%Y-%m}").content.decode())
    assert "尚未导入" in leader and 'href="/imports/"' not in leader  # a leader imports nothing


def _docx_text(report) -> tuple[list[str], list]:
    doc = Document(io.BytesIO(report.document.read()))
    return [p.text for p in doc.paragraphs], doc.tables


def test_the_report_cites_the_figures_and_tables_them_by_district(statistics, users):
    report = report_generate(actor=users["city_staff"], source="web", year=MONTH.year, month=MONTH.month)
    text, tables = _docx_text(report)
    assert (
        f"{PERIOD}，全市规上工业增加值同比增长7.3%，高于全省0.4个百分点，居全省第2位；"
        "制造业投资同比增长13.4%，高于全省10.1个百分点，居全省第2位；"
        "规上工业营业收入4,321.5亿元，同比增长5.6%，高于全省1.5个百分点，居全省第3位。"
    ) in text
    table = next(t for t in tables if t.rows[0].cells[0].text == "地区")
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == [
        "地区",
        "规上工业增加值增速（位次）",
        "制造业投资增速（位次）",
        "规上工业营业收入增速（位次）",
    ]
    assert rows[1] == ["浙江省", "6.9%", "3.3%", "4.1%"]
    assert rows[2] == ["湖州市", "7.3%（第2位）", "13.4%（第2位）", "5.6%（第3位）"]
    assert ["南浔区", "6.0%（第5位）", "-2.5%（第7位）", "未发布"] in rows and len(rows) == 5
    book = CalamineWorkbook.from_filelike(io.BytesIO(report.workbook.read()))
    sheet = book.get_sheet_by_name("工业经济指标").to_python()
    assert sheet[2][:4] == ["地区", "规上工业增加值增速", "", "制造业投资增速"]
    assert sheet[3][:5] == ["", "增速（%）", "位次", "增速（%）", "位次"]
    assert "累计（亿元）" in sheet[3]
    assert sheet[5][:5] == ["湖州市", 7.3, 2.0, 13.4, 2.0]
    everything = "\n".join(text) + str(sheet) + str(report.figures)
    assert "嘉兴" not in everything and "南湖区" not in everything and "9.87" not in everything


def test_a_districts_report_cites_its_district_against_the_city(statistics, users):
    report = report_generate(actor=users["nanxun"], source="web", year=MONTH.year, month=MONTH.month)
    text, _ = _docx_text(report)
    assert (
        f"{PERIOD}，南浔区规上工业增加值同比增长6.0%，低于全市1.3个百分点，居全市第5位；"
        "制造业投资同比下降2.5%，低于全市15.9个百分点，居全市第7位。"
    ) in text
    assert "吴兴区" not in "\n".join(text) and "8.1" not in str(report.figures)


def test_a_report_without_figures_says_so(huzhou, users):
    report = report_generate(actor=users["city_staff"], source="web", year=MONTH.year, month=MONTH.month)
    text, _ = _docx_text(report)
    assert "二、工业经济主要指标" in text
    assert f"{MONTH.year}年{MONTH.month}月工业经济统计数据尚未导入，本期暂不通报。" in text
    assert report.figures["statistics"] == {"subject": "全市", "standings": []}
