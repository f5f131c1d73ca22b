"""Who reads which audit entry: only someone who may see the audited object itself. An enterprise user never
reads the staff's notes about it (visit findings, follow-ups, key-enterprise and exemption reasons) through
the trail page, its export or the API; the auditor reads who did what and when, with business values masked."""

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from kuochan.accounts.services import user_update
from kuochan.audit.models import Source
from kuochan.evaluation.services import exemption_set, key_enterprise_add
from kuochan.outreach.services import TaskInput, followup_add, visit_create
from kuochan.registry.services import contact_add
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

STAFF_NOTES = {
    "visit": "老板透露计划把产线迁往外省",
    "followup": "盯紧外迁动向每周报告",
    "key": "纳税大户须重点盯防",
    "exemption": "厂房列入征收范围",
}


@pytest.fixture
def staff_notes(enterprise_user, users):
    """Staff-only text about the enterprise user's own enterprise, each written through its service."""
    zhili = enterprise_user.enterprise
    visit = visit_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=zhili, date=TODAY, purpose="了解扩产意向",
        findings=STAFF_NOTES["visit"],
    )  # fmt: skip
    followup_add(
        actor=users["wuxing"], source=Source.WEB, visit=visit,
        task=TaskInput(STAFF_NOTES["followup"], users["wuxing"], TODAY + dt.timedelta(days=30)),
    )  # fmt: skip
    key_enterprise_add(
        actor=users["city_staff"], source=Source.WEB, enterprise=zhili, reason=STAFF_NOTES["key"]
    )
    exemption_set(
        actor=users["wuxing"], source=Source.WEB, enterprise=zhili, year=TODAY.year - 1,
        reason=STAFF_NOTES["exemption"],
    )  # fmt: skip
    contact_add(
        actor=users["wuxing"], source=Source.WEB, enterprise=zhili, name="沈厂长", phone="0572-1234567"
    )
    return zhili


def _export_text(client) -> str:
    response = client.get("/audit/", {"export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    return "\n".join("|".join(str(cell) for cell in row) for row in rows)


@pytest.mark.parametrize("kind", sorted(STAFF_NOTES))
def test_enterprise_user_reads_no_staff_notes_about_itself_on_the_trail_page(
    staff_notes, enterprise_user, login, kind
):
    page = login(enterprise_user).get("/audit/").content.decode()
    assert STAFF_NOTES[kind] not in page
    assert "沈厂长" in page  # its own enterprise's records still show


@pytest.mark.parametrize("kind", sorted(STAFF_NOTES))
def test_enterprise_user_reads_no_staff_notes_about_itself_in_the_export(
    staff_notes, enterprise_user, login, kind
):
    text = _export_text(login(enterprise_user))
    assert STAFF_NOTES[kind] not in text and "沈厂长" in text


@pytest.mark.parametrize("kind", sorted(STAFF_NOTES))
def test_enterprise_user_reads_no_staff_notes_about_itself_through_the_api(
    staff_notes, enterprise_user, login, kind
):
    response = login(enterprise_user).get("/api/v1/audit", {"limit": 500})
    assert response.status_code == 200
    body = response.content.decode()
    assert STAFF_NOTES[kind] not in body
    models = {item["model"] for item in response.json()["items"]}
    assert models == {"registry.contact"}


@pytest.mark.parametrize("kind", sorted(STAFF_NOTES))
def test_enterprise_user_reads_no_staff_notes_in_its_enterprise_pages_trail(
    staff_notes, enterprise_user, login, kind
):
    page = login(enterprise_user).get(f"/enterprises/{staff_notes.pk}/").content.decode()
    assert STAFF_NOTES[kind] not in page and "沈厂长" in page


def test_district_staff_still_read_their_notes_about_the_enterprise(staff_notes, users, login):
    page = login(users["wuxing"]).get("/audit/").content.decode()
    assert all(note in page for note in STAFF_NOTES.values())


def test_the_auditor_reads_who_did_what_and_when_but_not_the_business_values(
    staff_notes, users, admins, login
):
    user_update(actor=admins["system"], source=Source.WEB, user=users["nanxun"], phone="13800000000")
    client = login(admins["auditor"])
    page = client.get("/audit/").content.decode()
    assert all(note not in page for note in STAFF_NOTES.values())
    assert "wuxing" in page and "走访" in page and "了解情况" in page  # who, which object, which field
    assert "（已隐去）" in page
    assert "13800000000" in page  # the administrators' own work on accounts is read in full
    text = _export_text(client)
    assert all(note not in text for note in STAFF_NOTES.values()) and "了解情况" in text
    api = client.get("/api/v1/audit", {"limit": 500}).content.decode()
    assert all(note not in api for note in STAFF_NOTES.values()) and "13800000000" in api


@pytest.mark.parametrize(
    "query",
    [
        {"action": "foo"},
        {"source": "²"},
        {"model": "projects.nosuch"},
        {"date_from": "2026-13-45"},
        {"batch_id": "9" * 25},
        {"batch_id": "²"},
        {"page": "²"},
        {"export": "pdf"},
        {"actor": "x" * 500},
    ],
)
def test_odd_filters_show_the_trail_with_a_chinese_message(users, login, query):
    response = login(users["city_admin"]).get("/audit/", query)
    assert response.status_code == 200
    assert "已忽略" in response.content.decode()


@pytest.mark.parametrize("query", [{"action": "foo"}, {"batch_id": "9" * 25}, {"date_from": "2026-13-45"}])
def test_odd_filters_on_the_api_are_refused_not_a_server_error(users, login, query):
    assert login(users["city_admin"]).get("/api/v1/audit", query).status_code == 422
