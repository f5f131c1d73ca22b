"""The 政策直达 API: the same matching as the command, applications through their steps with the same scope,
permissions and refusals as the pages."""

import json

import pytest
from django.core.management import call_command

from kuochan.policies.models import Application
from tests.conftest import THIS_YEAR, attach

pytestmark = pytest.mark.django_db


def test_the_catalogue_and_matching_match_the_command(grant, equipped, users, login, capsys):
    client = login(users["city_staff"])
    catalogue = client.get("/api/v1/policies/").json()
    assert len(catalogue) == 12
    assert next(p for p in catalogue if p["code"] == "equipment-grant")["rule_text"] == "规上企业；技改项目"
    call_command("match", "--policy", "equipment-grant", "--as-of", "2026-11-30", "--format", "json")
    expected = json.loads(capsys.readouterr().out)
    assert client.get("/api/v1/policies/equipment-grant/matches", {"as_of": "2026-11-30"}).json() == expected
    assert client.get("/api/v1/policies/no-such").status_code == 404


def test_an_application_through_the_api_keeps_scope_and_refusals(
    grant, equipped, users, login, enterprise_user
):
    client = login(users["wuxing"])
    made = client.post(
        "/api/v1/policies/applications",
        {"policy": "equipment-grant", "project_code": equipped["red"].code},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["computed_wan"] == "80.00"
    pk = made.json()["id"]
    refused = client.post(
        f"/api/v1/policies/applications/{pk}/actions", {"action": "submit"}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["errors"]["__all__"] == [
        "缺少申报材料：设备购置发票清单。"
    ]
    attach(users["wuxing"], Application.objects.get(pk=pk))
    done = client.post(
        f"/api/v1/policies/applications/{pk}/actions", {"action": "submit"}, content_type="application/json"
    )
    assert done.json()["status"] == "district_review"
    wrong = client.post(
        f"/api/v1/policies/applications/{pk}/actions",
        {"action": "pass_city"},
        content_type="application/json",
    )
    assert wrong.status_code == 403 and "不能复审通过并公示" in wrong.json()["detail"]
    assert login(users["nanxun"]).get(f"/api/v1/policies/applications/{pk}").status_code == 404
    assert [a["number"] for a in login(enterprise_user).get("/api/v1/policies/applications").json()] == [
        made.json()["number"]
    ]
    assert login(users["nanxun"]).get("/api/v1/policies/applications").json() == []
    funds = {
        f["policy"]: f for f in login(users["city_staff"]).get(f"/api/v1/policies/funds/{THIS_YEAR}").json()
    }
    assert (funds["equipment-grant"]["budget_wan"], funds["equipment-grant"]["requested_wan"]) == (
        "150.00",
        "80.00",
    )


def test_the_api_refuses_a_budget_year_far_from_now(grant, equipped, users, login):
    made = login(users["wuxing"]).post(
        "/api/v1/policies/applications",
        {"policy": "equipment-grant", "project_code": equipped["red"].code, "year": 1999},
        content_type="application/json",
    )
    assert made.status_code == 422 and "预算年度应为" in made.json()["errors"]["year"][0]
