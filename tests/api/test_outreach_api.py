"""服务企业 writes through the API beyond tickets: a visit's findings and follow-up tasks, done by their owner;
matchmaking events with their participants and outcomes, in scope."""

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.outreach.models import FollowUp
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

API = "/api/v1/outreach"


def send(client, path, data, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def test_a_visit_gets_its_findings_and_follow_ups_done_by_their_owner(registered, users, client_for):
    wuxing = client_for(users["wuxing"])
    task = {"text": "协调用电增容", "due_date": TODAY.isoformat()}
    body = {"uscc": registered[0], "date": TODAY.isoformat(), "purpose": "了解技改进度", "tasks": [task]}
    made = send(wuxing, "/visits", body)
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    detail = wuxing.get(f"{API}/visits/{pk}").json()
    assert [(t["text"], t["owner"]) for t in detail["tasks"]] == [("协调用电增容", "wuxing")]
    patched = send(wuxing, f"/visits/{pk}", {"findings": "设备已到厂"}, "patch")
    assert patched.json()["findings"] == "设备已到厂" and patched.json()["purpose"] == "了解技改进度"
    early = send(wuxing, f"/visits/{pk}/tasks", {"text": "回访", "due_date": "2000-01-01"})
    assert early.status_code == 422 and "早于走访日期" in early.json()["errors"]["__all__"][0]
    nanxun = client_for(users["nanxun"])
    assert send(nanxun, f"/visits/{pk}/tasks", {**task, "owner": "nanxun"}).status_code == 404
    followup = FollowUp.objects.get()
    assert send(nanxun, f"/tasks/{followup.pk}/done", {"note": "已办"}).status_code == 404
    done = send(wuxing, f"/tasks/{followup.pk}/done", {"note": "已增容"})
    assert (done.json()["done_on"], done.json()["light"]) == (TODAY.isoformat(), "none")
    assert wuxing.get(f"{API}/tasks").json()["count"] == 0
    assert wuxing.get(f"{API}/tasks", {"open": False}).json()["count"] == 1
    again = send(wuxing, f"/tasks/{followup.pk}/done", {"note": "x"})
    assert again.json()["errors"]["__all__"] == [f"该事项已于 {TODAY} 完成。"]


def test_an_event_gathers_participants_and_outcomes(registered, users, enterprise_user, client_for):
    wuxing = client_for(users["wuxing"])
    body = {"kind": "finance", "title": "银企对接会", "date": TODAY.isoformat(), "organiser": "吴兴区经信局"}
    assert send(wuxing, "/events", {**body, "organiser": " "}).json()["errors"] == {
        "organiser": ["请填写主办单位。"]
    }
    made = send(wuxing, "/events", body)
    assert made.status_code == 201 and made.json()["unit"] == "吴兴区"
    pk = made.json()["id"]
    send(
        wuxing, f"/events/{pk}/participants", {"role": "bank", "names": ["湖州银行", "湖州银行", "农业银行"]}
    )
    outcome = {"kind": "financing", "uscc": registered[0], "amount_wan": "500", "counterpart": "湖州银行"}
    assert send(wuxing, f"/events/{pk}/outcomes", {**outcome, "amount_wan": "0"}).json()["errors"] == {
        "amount_wan": ["金额应为大于 0 的数（万元），收到“0”。"]
    }
    detail = send(wuxing, f"/events/{pk}/outcomes", outcome).json()
    assert [p["name"] for p in detail["participants"]] == ["湖州银行", "农业银行", "湖州织里童装有限公司"]
    assert detail["outcomes"][0]["amount_wan"] == "500.00"
    listed = wuxing.get(f"{API}/events").json()
    assert [(e["title"], e["financing_wan"]) for e in listed] == [("银企对接会", "500.00")]
    assert client_for(users["nanxun"]).get(f"{API}/events/{pk}").status_code == 404
    assert client_for(enterprise_user).get(f"{API}/events").status_code == 404
    assert send(wuxing, f"/events/{pk}", {"place": "区行政中心"}, "patch").json()["place"] == "区行政中心"
    assert AuditEntry.objects.filter(content_type__model="event", source=Source.API).count() == 3


def test_departments_are_listed_for_assigning_tickets(huzhou, users, client_for):
    departments = {d["code"]: d for d in client_for(users["wuxing"]).get(f"{API}/departments").json()}
    assert (departments["zgj"]["name"], departments["zgj"]["categories"]) == ("市资规局", ["land"])
