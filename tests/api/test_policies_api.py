"""政策直达 writes through the API: city staff complete a policy's rule and budget; applicants edit drafts,
upload documents and submit; 免申即享 award lists are confirmed into approved applications."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kuochan.audit.models import AuditEntry, Source
from kuochan.policies.models import Application, PolicyBudget
from tests.conftest import PDF, THIS_YEAR

pytestmark = pytest.mark.django_db

API = "/api/v1/policies"


def send(client, path, data, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def test_city_staff_complete_a_policy_and_its_budget(grant, users, client_for):
    assert (
        send(client_for(users["wuxing"]), "/equipment-grant", {"publicity_days": 7}, "patch").status_code
        == 403
    )
    city = client_for(users["city_staff"])
    bad = send(
        city, "/equipment-grant", {"rule": {"field": "enterprise.colour", "op": "is", "value": 1}}, "patch"
    )
    assert bad.status_code == 422 and bad.json()["errors"]["__all__"][0].startswith(
        "条件：未知的字段“enterprise.colour”"
    )
    odd = send(city, "/equipment-grant", {"rule": {"field": ["a"], "op": {"b": 1}, "value": 1}}, "patch")
    assert odd.status_code == 422
    saved = send(city, "/equipment-grant", {"publicity_days": 7, "documents": ["发票", "合同"]}, "patch")
    assert saved.status_code == 200 and (saved.json()["documents"], saved.json()["rule_text"]) == (
        ["发票", "合同"],
        "规上企业；技改项目",
    )
    budget = send(city, f"/equipment-grant/budgets/{THIS_YEAR}", {"amount_wan": "200"}, "put")
    assert budget.json() == {"policy": "equipment-grant", "year": THIS_YEAR, "amount_wan": "200.00"}
    assert PolicyBudget.objects.get(year=THIS_YEAR).amount_wan == 200
    assert AuditEntry.objects.filter(content_type__model="policybudget", source=Source.API).exists()


def test_an_applicant_edits_the_draft_uploads_documents_and_submits(
    grant, equipped, enterprise_user, users, client_for
):
    client = client_for(enterprise_user)
    made = send(client, "/applications", {"policy": "equipment-grant", "project_code": equipped["red"].code})
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert send(client, f"/applications/{pk}", {"description": "购置智能吊挂线"}, "patch").status_code == 200
    assert Application.objects.get(pk=pk).description == "购置智能吊挂线"
    assert (
        send(client_for(users["wuxing"]), f"/applications/{pk}", {"description": "x"}, "patch").status_code
        == 403
    )
    upload = f"{API}/applications/{pk}/attachments"
    text = client.post(
        upload, {"document": "设备购置发票清单", "file": SimpleUploadedFile("清单.txt", b"hello")}
    )
    assert text.status_code == 422 and "类型不受理" in text.json()["errors"]["__all__"][0]
    pdf = client.post(
        upload, {"document": "设备购置发票清单", "file": SimpleUploadedFile("发票清单.pdf", PDF)}
    )
    assert pdf.status_code == 201 and [a["name"] for a in pdf.json()["attachments"]] == ["发票清单.pdf"]
    submitted = send(client, f"/applications/{pk}/actions", {"action": "submit"})
    assert submitted.json()["status"] == "district_review"
    assert send(client, f"/applications/{pk}", {"description": "再改"}, "patch").status_code == 403


def test_automatic_awards_are_listed_and_confirmed_by_the_city(grant, equipped, users, client_for):
    city = client_for(users["city_staff"])
    send(city, "/equipment-grant", {"auto_award": True}, "patch")
    listed = city.get(f"{API}/equipment-grant/awards", {"year": THIS_YEAR}).json()
    red = next(m for m in listed if m["project_code"] == equipped["red"].code)
    assert red["status"] == "eligible"
    pick = {"enterprise_id": equipped["red"].enterprise_id, "project_id": equipped["red"].pk}
    refused = send(
        client_for(users["wuxing"]), "/equipment-grant/awards", {"year": THIS_YEAR, "picked": [pick]}
    )
    assert refused.status_code == 403
    made = send(city, "/equipment-grant/awards", {"year": THIS_YEAR, "picked": [pick]})
    assert made.status_code == 201 and [a["status"] for a in made.json()] == ["publicity"]
    assert made.json()[0]["approved_wan"] == "80.00"
    again = send(city, "/equipment-grant/awards", {"year": THIS_YEAR, "picked": [pick]})
    assert again.status_code == 422 and "不在当前免申即享名单中" in again.json()["errors"]["__all__"][0]
