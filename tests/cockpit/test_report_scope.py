"""The monthly report is cut to the reader's scope: a district generates and reads its own district's report;
the city-wide report, with every district's projects and figures, reaches a district only once city staff
publish it, and the publishing is in the audit trail."""

import io

import pytest
from django.utils import timezone
from docx import Document
from python_calamine import CalamineWorkbook

from kuochan.audit.models import Action, AuditEntry
from kuochan.cockpit.models import MonthlyReport
from kuochan.cockpit.services import report_generate
from kuochan.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MONTH = f"{TODAY:%Y-%m}"
WUXING_PROJECTS = ("童装智能工厂技改项目", "新材料扩产项目")  # red and yellow, in 吴兴区


def _text(content: bytes, kind: str) -> str:
    """Every cell of every sheet of a downloaded .xlsx, or every paragraph and table cell of a .docx."""
    if kind == "xlsx":
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return "\n".join(
            "|".join(str(cell) for cell in row)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
        )
    doc = Document(io.BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _generate(client, run_jobs) -> MonthlyReport:
    response = client.post("/cockpit/reports/", {"month": MONTH})
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    (done,) = run_jobs()
    assert done.status == JobStatus.DONE, done.error
    return MonthlyReport.objects.latest("pk")


@pytest.fixture
def city_report(pipeline, with_metrics, users):
    return report_generate(actor=users["city_staff"], source="web", year=TODAY.year, month=TODAY.month)


def test_generating_from_the_page_runs_in_the_worker_and_the_report_then_exists(
    pipeline, users, login, run_jobs
):
    client = login(users["city_staff"])
    report = _generate(client, run_jobs)
    assert report.unit.name == "湖州市" and report.generated_by == users["city_staff"]
    assert Job.objects.get().result_url == "/cockpit/reports/"
    assert MONTH in client.get("/cockpit/reports/").content.decode()


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_district_user_gets_report_cut_to_its_scope(pipeline, with_metrics, users, login, run_jobs, kind):
    client = login(users["nanxun"])
    report = _generate(client, run_jobs)
    assert report.unit.name == "南浔区"
    download = client.get(f"/cockpit/reports/{report.pk}/{kind}/")
    assert download.status_code == 200
    text = _text(b"".join(download.streaming_content), kind)
    assert "南浔区" in text
    for other in (*WUXING_PROJECTS, "湖州织里童装有限公司", "湖州吴兴新材料有限公司", "吴兴区"):
        assert other not in text
    assert report.figures["flagged"] == [] and set(report.figures["red_by_district"]) <= {"南浔区"}


def test_a_district_cut_holds_its_own_red_and_yellow_projects(pipeline, users, login, run_jobs):
    client = login(users["wuxing"])
    report = _generate(client, run_jobs)
    text = _text(b"".join(client.get(f"/cockpit/reports/{report.pk}/xlsx/").streaming_content), "xlsx")
    assert all(name in text for name in WUXING_PROJECTS)
    assert "木业新建厂房项目" not in text and "南浔区" not in text


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_district_user_cannot_read_the_unpublished_city_report(city_report, users, login, kind):
    client = login(users["nanxun"])
    assert client.get(f"/cockpit/reports/{city_report.pk}/{kind}/").status_code == 404
    assert client.get("/api/v1/cockpit/reports/").json() == []
    assert MONTH not in client.get("/cockpit/reports/").content.decode()


def test_after_publish_the_district_gets_the_city_wide_report(city_report, users, login):
    city = login(users["city_staff"])
    published = city.post("/cockpit/reports/", {"action": "publish", "report": city_report.pk}, follow=True)
    assert "已发布" in published.content.decode()
    client = login(users["nanxun"])
    download = client.get(f"/cockpit/reports/{city_report.pk}/xlsx/")
    assert download.status_code == 200
    text = _text(b"".join(download.streaming_content), "xlsx")
    assert all(name in text for name in WUXING_PROJECTS)
    [listed] = client.get("/api/v1/cockpit/reports/").json()
    assert listed["id"] == city_report.pk and listed["unit"] == "湖州市" and listed["published_at"]


def test_publish_by_anyone_but_city_staff_is_refused(city_report, users, login, client):
    own_cut = report_generate(actor=users["wuxing"], source="web", year=TODAY.year, month=TODAY.month)
    wuxing = login(users["wuxing"])
    refused = wuxing.post("/cockpit/reports/", {"action": "publish", "report": own_cut.pk}, follow=True)
    assert "只有市级工作人员可以发布月度通报" in refused.content.decode()
    unseen = wuxing.post("/cockpit/reports/", {"action": "publish", "report": city_report.pk}, follow=True)
    assert "没有该月度通报" in unseen.content.decode()
    assert wuxing.post(f"/api/v1/cockpit/reports/{city_report.pk}/publish").status_code == 404
    assert wuxing.post(f"/api/v1/cockpit/reports/{own_cut.pk}/publish").status_code == 403
    leader = login(users["leader"])
    assert leader.post(f"/api/v1/cockpit/reports/{city_report.pk}/publish").status_code == 403
    city = login(users["city_staff"])
    assert city.post(f"/api/v1/cockpit/reports/{own_cut.pk}/publish").status_code == 422  # a district's cut
    assert not MonthlyReport.objects.filter(published_at__isnull=False).exists()


def test_the_publish_is_in_the_audit_trail(city_report, users, login):
    response = login(users["city_staff"]).post(f"/api/v1/cockpit/reports/{city_report.pk}/publish")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(content_type__model="monthlyreport", action=Action.UPDATE)
    assert entry.actor == users["city_staff"] and entry.object_id == str(city_report.pk)
    assert entry.changes["published_at"][0] is None and entry.changes["published_by"] == [
        None,
        users["city_staff"].pk,
    ]
    page = login(users["city_admin"]).get("/audit/", {"model": "cockpit.monthlyreport"}).content.decode()
    assert "发布时间" in page and "city" in page
    again = login(users["city_staff"]).post(f"/api/v1/cockpit/reports/{city_report.pk}/publish")
    assert again.status_code == 422 and "已于" in again.json()["errors"]["__all__"][0]
