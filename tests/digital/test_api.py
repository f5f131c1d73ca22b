import datetime as dt

import pytest

from kuochan.audit.models import Source
from kuochan.digital.models import DigitalLevel, DigitalTask
from kuochan.digital.services import task_save
from tests.conftest import TODAY

YEAR = TODAY.year


@pytest.fixture
def listed(pipeline, users):
    return task_save(
        actor=users["city_staff"], source=Source.WEB, enterprise=pipeline["green"].enterprise, year=YEAR,
        target_level="2.0", responsible=users["nanxun"],
    )  # fmt: skip


def test_coverage_route(firms, users, login):
    body = login(users["city_staff"]).get("/api/v1/digital/coverage", {"as_of": "2025-12-31"}).json()
    assert body["total"]["above_scale"] == 4 and body["total"]["share_2"] == 50.0
    assert body["total"]["reasons"][1] == "2.0 覆盖 2 / 4 家，50.00%"
    by_industry = login(users["city_staff"]).get(
        "/api/v1/digital/coverage", {"as_of": "2025-12-31", "by": "industry"}
    )
    assert by_industry.json()["by"] == "industry"
    assert login(users["city_staff"]).get("/api/v1/digital/coverage", {"by": "town"}).status_code == 422


def test_tasks_route_lists_in_scope_only(listed, users, login):
    assert login(users["city_staff"]).get("/api/v1/digital/tasks").json()["count"] == 1
    assert login(users["wuxing"]).get("/api/v1/digital/tasks").json()["count"] == 0


def test_create_task_route_refuses_another_enterprises_project(pipeline, users, login):
    client = login(users["wuxing"])
    body = {
        "uscc": pipeline["red"].enterprise.uscc, "year": YEAR, "target_level": "2.0",
        "responsible_username": "wuxing", "projects": [pipeline["yellow"].code],
    }  # fmt: skip
    refused = client.post("/api/v1/digital/tasks", body, content_type="application/json")
    assert refused.status_code == 422 and "projects" in refused.json()["errors"]
    body["projects"] = [pipeline["red"].code]
    made = client.post("/api/v1/digital/tasks", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["projects"] == [pipeline["red"].code]
    again = client.post("/api/v1/digital/tasks", body, content_type="application/json")
    assert again.status_code == 422 and "year" in again.json()["errors"]


def test_update_task_route(listed, users, login):
    client = login(users["nanxun"])
    response = client.patch(
        f"/api/v1/digital/tasks/{listed.pk}", {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert DigitalTask.objects.get().responsible == users["nanxun"]
    other = login(users["wuxing"]).patch(
        f"/api/v1/digital/tasks/{listed.pk}", {"status": "pending"}, content_type="application/json"
    )
    assert other.status_code == 404


def test_levels_routes(registered, users, login):
    client = login(users["wuxing"])
    made = client.post(
        "/api/v1/digital/levels", {"uscc": registered[0], "level": "1.0", "assessed_on": "2025-03-01"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201 and DigitalLevel.objects.get().assessed_on == dt.date(2025, 3, 1)
    assert client.get("/api/v1/digital/levels", {"uscc": registered[0]}).json()["items"][0]["level"] == "1.0"
    elsewhere = client.post(
        "/api/v1/digital/levels", {"uscc": registered[2], "level": "1.0", "assessed_on": "2025-03-01"},
        content_type="application/json",
    )  # fmt: skip
    assert elsewhere.status_code == 404


def test_another_city_sees_none_of_it(listed, two_cities, login):
    client = login(two_cities["b_staff"])
    assert client.get("/api/v1/digital/tasks").json()["count"] == 0
    assert (
        client.patch(
            f"/api/v1/digital/tasks/{listed.pk}", {"status": "done"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/digital/coverage").json()["total"]["above_scale"] == 1
    )  # its own enterprise only


def test_enterprise_users_are_refused(enterprise_user, login):
    assert login(enterprise_user).get("/api/v1/digital/coverage").status_code == 403
