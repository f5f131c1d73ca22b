"""The platform takes back what it gives: for every import kind, 导出当前数据 as a user, imported back by the
same user, has no error and leaves every row unchanged — with losses, negative growth, blank cells and
full-width names (长三角（湖州）产业合作区) in the data, as the demo has them."""

import datetime as dt
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from kuochan.audit.models import Source
from kuochan.cultivation.models import Entry, EntrySource, EntryStatus, Round, Title
from kuochan.digital.models import DigitalLevel, DigitalTask
from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset, OffsetKind
from kuochan.imports.engine import run_import
from kuochan.imports.specs import REGISTRY
from kuochan.orgs.models import OrgUnit
from kuochan.projects import services as project_services
from kuochan.projects.models import Progress
from kuochan.registry.models import (
    AnnualMetric,
    Enterprise,
    Honour,
    HonourKind,
    LandParcel,
    LandTenancy,
    Survey,
)
from kuochan.resources.models import Listing
from kuochan.statistics.models import StatFigure, StatIndicator
from kuochan.targets.models import Actual
from kuochan.targets.selectors import plan_get
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db

ZONE_FIRM = "长三角（湖州）智能装备有限公司"
RESULT_NUMBER = "湖经信〔2025〕（智造）12号"
LIBRARY_SUPPORT = "技改项目补助（设备投入的 10%）；\n专精特新辅导"
XML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
LAST_MONTH = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def world(with_metrics, pipeline, users):
    """The registered enterprises, their figures and projects, and what the demo has that trips a round
    trip: a firm in 长三角（湖州）产业合作区 with a loss and blank figures, its honour, survey, project,
    progress, factory space, parcels (one without a place or date), a tenant's two leases, an offset and
    provincial benchmarks written as people type them (full-width brackets and commas), a fall in an
    indicator (negative growth), a division code with a leading zero."""
    zone = OrgUnit.objects.get(name="长三角（湖州）产业合作区")
    firm = Enterprise.objects.create(
        uscc=uscc(7, "330500"), name=ZONE_FIRM, district=zone, address="湖州市长合区（一期）创业大道 8 号",
        above_scale=True, size_class="medium", established_on=dt.date(2018, 3, 1),
    )  # fmt: skip
    AnnualMetric.objects.create(
        enterprise=firm, year=2025, revenue_wan=Decimal("8200.50"), profit_wan=Decimal("-350.25"),
        tax_wan=Decimal("120"), employees=85,
    )  # fmt: skip
    AnnualMetric.objects.filter(enterprise__uscc=with_metrics[2], year=2025).update(
        profit_wan=Decimal("-12.3")
    )
    Honour.objects.create(enterprise=firm, kind=HonourKind.HIGH_TECH, year_granted=2024)
    result_list(firm, Enterprise.objects.get(uscc=with_metrics[0]))
    Survey.objects.create(
        enterprise=firm, year=2025, willingness="yes", planned_investment_wan=Decimal("5000"),
        notes="计划扩产，需新增用地（约 30 亩）", needs="用地",
    )  # fmt: skip
    project = project_services.project_create(
        actor=users["city_admin"], source=Source.WEB, name="长合区（一期）智能装备扩产项目", enterprise=firm,
        project_type="renovation", is_renovation=True, total_wan=Decimal("12345.67"), status="active",
        code="2026-330500-26-03-000009",
    )  # fmt: skip
    Progress.objects.create(
        project=project, month=LAST_MONTH, ytd_wan=Decimal("2100.5"), progress_note="试生产中，良品率爬坡",
        coordination="需协调：用电增容（10 千伏）",
    )  # fmt: skip
    Progress.objects.create(project=pipeline["red"], month=LAST_MONTH, ytd_wan=Decimal("0"))
    Listing.objects.create(
        code="CHQ-001", area=zone, address="长合区（一期）标准厂房 3 号", floor_area_m2=Decimal("3200.5"),
        owner_name="王经理", owner_phone="13800000000", note="可分割，层高 8 米",
    )  # fmt: skip
    plan = plan_get()
    indicator = plan.indicators.order_by("sort_order").first()
    Actual.objects.create(
        indicator=indicator, org_unit=plan.org_unit, month=LAST_MONTH, value=Decimal("-3.45")
    )
    Actual.objects.create(
        indicator=indicator, org_unit=zone, month=LAST_MONTH, value=Decimal("12.8"), note="同比（按可比价）"
    )
    AnnualMetric.objects.filter(enterprise=firm).update(rnd_spending_wan=Decimal("95.5"))
    parcel = LandParcel.objects.create(
        enterprise=firm, code="CHQ-2019-001", location="长合区（一期）创业大道 8 号", area_mu=Decimal("35.5"),
        granted_on=dt.date(2019, 6, 18),
    )  # fmt: skip
    LandParcel.objects.create(
        enterprise=firm, code="CHQ-2024-002", area_mu=Decimal("12")
    )  # no date, no place
    tenant = Enterprise.objects.get(uscc=with_metrics[1])
    LandTenancy.objects.create(enterprise=tenant, parcel=parcel, started_on=dt.date(2023, 1, 1))
    LandTenancy.objects.create(
        enterprise=tenant, parcel=parcel, started_on=dt.date(2020, 1, 1), ended_on=dt.date(2022, 12, 31)
    )
    CarbonOffset.objects.create(
        enterprise=firm, year=2025, kind=OffsetKind.GREEN_POWER, amount=Decimal("120.5"),
        source="浙江电力交易中心绿电交易凭证（2025）第 00123 号",
    )  # fmt: skip
    CarbonBenchmark.objects.create(
        year=2025, industry="C", average_l=Decimal("1.2345"), source="省经信厅《2025 年度工业行业碳效基准值》"
    )
    CarbonBenchmark.objects.create(
        year=2025, industry="06", average_l=Decimal("3"), source="同上（煤炭开采）"
    )
    StatFigure.objects.create(
        indicator=StatIndicator.objects.get(name="利润总额"), area=zone, month=LAST_MONTH, ytd=Decimal("-3.5"),
        value=Decimal("-0.25"), growth=Decimal("-30.1"), rank=7,
    )  # fmt: skip
    DigitalLevel.objects.create(
        enterprise=firm, level="2.0", assessed_on=dt.date(2025, 6, 30), source="省数字化改造评估（2025）"
    )
    linked = DigitalTask.objects.create(
        enterprise=firm, year=2026, target_level="2.0", responsible_name="王工（长合区）", status="underway"
    )
    linked.projects.set([project])
    DigitalTask.objects.create(
        enterprise=pipeline["red"].enterprise, year=2026, target_level="2.0", responsible=users["wuxing"]
    )
    Entry.objects.create(
        title=Title.objects.get(code="srdi_sme"), year=2026, enterprise=Enterprise.objects.get(uscc=with_metrics[0]),
        source=EntrySource.NOMINATION, entered_on=dt.date(2026, 3, 1), status_on=dt.date(2026, 3, 1),
        responsible=users["wuxing"], planned_support=LIBRARY_SUPPORT, note="区县推荐（第一批）",
    )  # fmt: skip
    return firm


def result_list(firm, other):
    """2025's 基础级智能工厂 round of Huzhou: its list granted the firm, and took the title of another."""
    smart = Title.objects.get(code="smart_factory_basic")
    Round.objects.create(
        title=smart, year=2025, city=OrgUnit.objects.get(code="330500"), opens_on=dt.date(2025, 3, 1),
        nomination_deadline=dt.date(2025, 5, 31), review_deadline=dt.date(2025, 6, 30),
        result_document_number=RESULT_NUMBER, result_published_on=dt.date(2025, 9, 15),
    )  # fmt: skip
    Honour.objects.create(enterprise=firm, kind="smart_factory_basic", year_granted=2025,
                          document_number=RESULT_NUMBER, granted_on=dt.date(2025, 9, 15))  # fmt: skip
    Entry.objects.create(
        title=smart, year=2025, enterprise=firm, status=EntryStatus.GRANTED, source=EntrySource.IMPORT,
        entered_on=dt.date(2025, 9, 15), status_on=dt.date(2025, 9, 15),
    )  # fmt: skip
    Honour.objects.create(enterprise=other, kind="smart_factory_basic", year_granted=2023, year_lost=2025,
                          document_number="湖经信〔2023〕5号", granted_on=dt.date(2023, 9, 1))  # fmt: skip


def export_as(client, user, kind):
    client.force_login(user)
    response = client.get(reverse("imports:export", args=[kind]))
    assert response.status_code == 200
    return response.content


def cells(content):
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def import_back(tmp_path, kind, content, user):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(content)
    return run_import(kind, path, actor=user, source=Source.WEB, dry_run=True)


# What each kind's export must hold for the round trip to prove anything (a value of one of its cells).
HARD_CASES = {
    "enterprises": "长三角（湖州）产业合作区",
    "enterprise-metrics": -350.25,
    "honours": ZONE_FIRM,
    "surveys": "计划扩产，需新增用地（约 30 亩）",
    "projects": "长合区（一期）智能装备扩产项目",
    "progress": "试生产中，良品率爬坡",
    "factory-spaces": "长合区（一期）标准厂房 3 号",
    "target-actuals": -3.45,
    "land-parcels": "长合区（一期）创业大道 8 号",
    "land-tenancies": "CHQ-2019-001",
    "carbon-offsets": "浙江电力交易中心绿电交易凭证（2025）第 00123 号",
    "carbon-benchmarks": "省经信厅《2025 年度工业行业碳效基准值》",
    "statistics": -30.1,
    "title-results": RESULT_NUMBER,
    "title-library": LIBRARY_SUPPORT,
    "digital-levels": "省数字化改造评估（2025）",
    "digital-tasks": "王工（长合区）",
}


def test_every_import_kind_is_covered():
    assert set(HARD_CASES) == set(REGISTRY)


@pytest.mark.parametrize("kind", sorted(HARD_CASES))
def test_an_export_imports_back_with_no_error_and_every_row_unchanged(world, users, client, tmp_path, kind):
    user = users["city_staff"]
    content = export_as(client, user, kind)
    rows = cells(content)
    assert any(HARD_CASES[kind] in row for row in rows[1:]), rows
    result = import_back(tmp_path, kind, content, user)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(rows) - 1)


@pytest.mark.parametrize("kind", ["enterprises", "enterprise-metrics", "projects", "progress"])
def test_a_district_exports_its_own_rows_and_takes_them_back_unchanged(world, users, client, tmp_path, kind):
    user = users["wuxing"]
    content = export_as(client, user, kind)
    rows = cells(content)
    assert len(rows) > 1
    assert not any(ZONE_FIRM in row or "南浔木业有限公司" in row for row in rows)
    result = import_back(tmp_path, kind, content, user)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(rows) - 1)


def test_half_width_brackets_find_the_full_width_names(world, users, client, tmp_path):
    """The file's 长三角(湖州)产业合作区, as Excel users and the old normalisation wrote it, still names the
    zone, and nothing changes."""
    user = users["city_staff"]
    for kind, column in (
        ("enterprises", "所属区县"),
        ("projects", "所属区县"),
        ("factory-spaces", "所在园区（乡镇）"),
    ):
        rows = cells(export_as(client, user, kind))
        at = rows[0].index(column)
        for row in rows[1:]:
            row[at] = row[at].replace("（", "(").replace("）", ")")
        assert any(row[at] == "长三角(湖州)产业合作区" for row in rows[1:])
        path = write_xlsx(tmp_path / f"{kind}-typed.xlsx", rows)
        result = run_import(kind, path, actor=user, source=Source.WEB, dry_run=True)
        assert (result.errors, result.created, result.updated) == ([], 0, 0), kind


def number_formats(content: bytes) -> dict[str, str]:
    """Each number cell's value → its number format, read from the file's XML."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    codes = {fmt.get("numFmtId"): fmt.get("formatCode") for fmt in styles.iter(f"{XML}numFmt")}
    codes |= {"0": "General", "3": "#,##0", "4": "#,##0.00"}
    xfs = [xf.get("numFmtId") for xf in next(styles.iter(f"{XML}cellXfs"))]
    return {
        cell.find(f"{XML}v").text: codes.get(xfs[int(cell.get("s", 0))], "?")
        for cell in sheet.iter(f"{XML}c")
        if cell.get("t") is None and cell.find(f"{XML}v") is not None
    }


def test_amounts_are_numbers_with_a_number_format(world, users, client):
    formats = number_formats(export_as(client, users["city_staff"], "enterprise-metrics"))
    assert formats["-350.25"] == "#,##0.00"  # the loss, a number with its format
    assert formats["85"] == "#,##0"  # employees
    assert formats["2025"] == "General"  # a year stays 2025, not 2,025


@pytest.mark.parametrize(
    ("page", "kinds"),
    [
        (
            "registry:list",
            [
                "enterprises",
                "enterprise-metrics",
                "honours",
                "surveys",
                "land-parcels",
                "land-tenancies",
                "carbon-offsets",
            ],
        ),
        ("evaluation:benchmarks", ["carbon-benchmarks"]),
        ("projects:list", ["projects"]),
        ("projects:progress-month", ["progress"]),
        ("resources:listings", ["factory-spaces"]),
        ("targets:progress", ["target-actuals"]),
        ("imports:list", sorted(REGISTRY)),
    ],
)
def test_each_kinds_page_offers_its_current_data_for_export(world, users, client, page, kinds):
    client.force_login(users["wuxing"])
    html = client.get(reverse(page)).content.decode()
    assert "导出当前数据" in html
    for kind in kinds:
        assert f'href="{reverse("imports:export", args=[kind])}"' in html


def test_an_unknown_kind_has_no_export(users, client):
    client.force_login(users["wuxing"])
    assert client.get("/imports/export/nothing.xlsx").status_code == 404


def test_a_large_export_is_written_by_the_worker_and_still_imports_back_unchanged(
    world, users, client, tmp_path, run_jobs, monkeypatch
):
    from kuochan.imports import views

    monkeypatch.setattr(views, "EXPORT_IN_WORKER_ROWS", 3)  # as 10,000 rows would
    user = users["city_staff"]
    client.force_login(user)
    queued = client.get(reverse("imports:export", args=["enterprise-metrics"]))
    assert queued.status_code == 302 and queued["Location"].startswith("/jobs/")
    (job,) = run_jobs()
    assert job.result_url == reverse("imports:export-file", args=[job.pk]) and job.step.startswith("已导出")
    download = client.get(job.result_url)
    content = b"".join(download.streaming_content)
    result = import_back(tmp_path, "enterprise-metrics", content, user)
    assert (result.errors, result.created, result.updated) == ([], 0, 0) and result.unchanged == 7
    client.force_login(users["wuxing"])  # the file is its asker's
    assert client.get(job.result_url).status_code == 404


def test_an_enterprise_exports_only_its_own_rows(world, enterprise_user, client):
    rows = cells(export_as(client, enterprise_user, "enterprise-metrics"))
    assert {row[1] for row in rows[1:]} == {"湖州织里童装有限公司"}
