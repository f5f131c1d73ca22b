"""The 服务企业 API under /api/v1/outreach/: tickets with their lights, steps and comments in the same scope and
with the same refusals as the pages, the duplicate-visit warning, and the matchmaking totals."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.audit.models import Source
from kuochan.outreach.models import Ticket, Visit
from kuochan.outreach.selectors import event_totals
from kuochan.outreach.services import event_save, outcome_add, participants_add, ticket_create
from kuochan.registry.models import Enterprise
from tests.outreach.conftest import at

pytestmark = pytest.mark.django_db

API = "/api/v1/outreach"


def post(client, url, data):
    return client.post(f"{API}{url}", data, content_type="application/json")


def test_an_enterprise_raises_a_ticket_and_sees_only_its_own(enterprise_user, users, registered, login):
    other = ticket_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=Enterprise.objects.get(uscc=registered[1]),
        category="land", title="新增用地 20 亩",
    )  # fmt: skip
    client = login(enterprise_user)
    with at("2026-06-01"):
        made = post(
            client,
            "/tickets",
            # an enterprise cannot raise an issue in another firm's name: the uscc is ignored
            {
                "uscc": registered[1],
                "category": "finance",
                "title": "技改贷款授信不足",
                "description": "缺 800 万元",
            },
        )
        assert made.status_code == 201, made.json()
        body = made.json()
        assert (body["enterprise"], body["uscc"], body["district"]) == (
            "湖州织里童装有限公司",
            registered[0],
            "吴兴区",
        )
        assert (body["status"], body["status_label"], body["source"]) == ("accepted", "受理", "enterprise")
        assert body["number"] == f"SQ-2026-{body['id']:06d}"
        assert body["due_date"] == "2026-06-04"  # 受理后 3 日内会商交办
        assert body["light"] == "green" and body["reasons"] == ["交办期限 2026-06-04，未到期"]
        assert [(s["action"], s["label"], s["to_status"]) for s in body["steps"]] == [
            ("create", "提出诉求", "accepted")
        ]
        mine = client.get(f"{API}/tickets").json()
        assert [t["number"] for t in mine] == [body["number"]]
        assert client.get(f"{API}/tickets/{body['id']}").json()["title"] == "技改贷款授信不足"
        assert client.get(f"{API}/tickets/{other.pk}").status_code == 404
        assert post(client, f"/tickets/{other.pk}/comments", {"text": "看看"}).status_code == 404
        assert post(client, f"/tickets/{other.pk}/actions", {"action": "review"}).status_code == 404
        bad = post(client, "/tickets", {"category": "loan", "title": " "})
        assert bad.status_code == 422
        assert bad.json()["errors"]["title"] == ["请写明诉求事项。"]
        assert "诉求类别应为用地、用能、融资" in bad.json()["errors"]["category"][0]
    assert Ticket.objects.filter(enterprise=enterprise_user.enterprise).count() == 1


def test_staff_take_the_steps_and_the_api_refuses_what_the_pages_refuse(
    raised, users, login, enterprise_user
):
    url = f"/tickets/{raised.pk}/actions"
    with at("2026-06-02"):
        refused = post(login(enterprise_user), url, {"action": "consult", "note": "自己研判"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == "诉求当前为“受理”，只有属地服务人员可以会商研判。"

        staff = login(users["wuxing"])
        assert [t["number"] for t in staff.get(f"{API}/tickets", {"queue": "true"}).json()] == [raised.number]
        missing = post(staff, url, {"action": "consult"})
        assert missing.status_code == 422
        assert missing.json()["errors"] == {"note": ["会商研判须填写研判意见。"]}
        too_early = post(staff, url, {"action": "resolve", "note": "已解决"})
        assert too_early.status_code == 403 and too_early.json()["detail"] == "诉求当前为“受理”，不能办结。"
        unknown = post(staff, url, {"action": "approve"})
        assert unknown.status_code == 403 and unknown.json()["detail"] == "没有“approve”这一操作。"
        assert Ticket.objects.get(pk=raised.pk).status == "accepted"  # nothing refused left a trace
        assert [s.action for s in raised.steps.all()] == ["create"]

        consulted = post(staff, url, {"action": "consult", "note": "属融资类，交人行协调"})
        assert consulted.status_code == 200
        assert consulted.json()["status_label"] == "会商研判"
        no_such = post(staff, url, {"action": "assign", "department": "nope"})
        assert no_such.status_code == 404
        wrong_handler = post(staff, url, {"action": "assign", "department": "rmyh", "handler": "nanxun"})
        assert wrong_handler.status_code == 422
        assert wrong_handler.json()["errors"]["handler"] == [
            "承办人应为能看到该企业的在岗工作人员，收到“nanxun”。"
        ]
        assigned = post(staff, url, {"action": "assign", "department": "rmyh"})
        assert assigned.status_code == 200
        body = assigned.json()
        assert (body["status"], body["department"], body["handler"], body["due_date"]) == (
            "coordinating",
            "市人行",
            "wuxing",
            "2026-06-17",  # 融资类 15 天
        )
        assert body["light"] == "green" and body["reasons"] == ["办结期限 2026-06-17，未到期"]
        assert body["steps"][-1]["note"].startswith("交市人行办理，承办人 wuxing")
        assert body["steps"][-1]["due_date"] == "2026-06-17"
        assert [s["label"] for s in body["steps"]] == ["提出诉求", "会商研判", "分类协调（交办部门）"]

        elsewhere = login(users["nanxun"])
        assert elsewhere.get(f"{API}/tickets/{raised.pk}").status_code == 404
        assert post(elsewhere, url, {"action": "start"}).status_code == 404
        assert elsewhere.get(f"{API}/tickets").json() == []
        assert Ticket.objects.get(pk=raised.pk).status == "coordinating"


def test_comments_go_on_the_timeline(raised, users, login, enterprise_user):
    url = f"/tickets/{raised.pk}/comments"
    with at("2026-06-02"):
        by_staff = post(login(users["wuxing"]), url, {"text": "已联系湖州银行"})
        assert by_staff.status_code == 201
        by_firm = post(login(enterprise_user), url, {"text": "请尽快，月底要付设备款"})
        assert by_firm.status_code == 201
        steps = by_firm.json()["steps"]
        assert [(s["label"], s["actor_name"], s["note"]) for s in steps[1:]] == [
            ("留言", "wuxing", "已联系湖州银行"),
            ("留言", "qiye", "请尽快，月底要付设备款"),
        ]
        assert by_firm.json()["status"] == "accepted"  # a comment is not a step of the loop
        empty = post(login(enterprise_user), url, {"text": "  "})
        assert empty.status_code == 422 and empty.json()["errors"] == {"text": ["留言不能为空。"]}
        assert post(login(users["nanxun"]), url, {"text": "路过"}).status_code == 404
    assert raised.steps.filter(action="comment").count() == 2


def test_a_second_visit_within_thirty_days_needs_confirmation(zhili, users, login):
    client = login(users["wuxing"])
    with at("2026-06-15"):
        first = post(
            client,
            "/visits",
            {"uscc": zhili.uscc, "date": "2026-06-01", "purpose": "调研扩产", "departments": ["rmyh"]},
        )
        assert first.status_code == 201, first.json()
        assert (first.json()["enterprise"], first.json()["visitors"], first.json()["departments"]) == (
            "湖州织里童装有限公司",
            ["wuxing"],
            ["rmyh"],
        )
        again = {"uscc": zhili.uscc, "date": "2026-06-11", "purpose": "了解用地需求", "visitors": ["wuxing"]}
        warned = post(client, "/visits", again)
        assert warned.status_code == 422
        [warning] = warned.json()["errors"]["__all__"]
        assert warning.startswith("吴兴区") and warning.endswith(
            "wuxing、市人行已登记 2026-06-01 走访该企业（调研扩产），与本次相隔 10 天，"
            "在 30 天重复走访提醒期内，请先与其沟通。"
        )
        assert Visit.objects.count() == 1
        saved = post(client, "/visits", {**again, "confirmed": True})
        assert saved.status_code == 201 and saved.json()["date"] == "2026-06-11"
        assert [v["date"] for v in client.get(f"{API}/visits").json()] == ["2026-06-11", "2026-06-01"]
        beyond = post(client, "/visits", {"uscc": zhili.uscc, "date": "2026-07-12", "purpose": "回访"})
        assert beyond.status_code == 201  # 31 days after the latest visit: no warning
        assert post(login(users["nanxun"]), "/visits", {**again, "confirmed": True}).status_code == 404
    assert Visit.objects.count() == 3


def test_event_totals_count_each_enterprise_once_and_sum_outcomes(registered, users, huzhou, login):
    city, wuxing = users["city_staff"], users["wuxing"]
    zhili, xincai = (Enterprise.objects.get(uscc=u) for u in registered[:2])
    chain = event_save(actor=city, source=Source.WEB, unit=huzhou["330500"], kind="chain", title="产业链对接会",
                       date=dt.date(2026, 3, 5), organiser="市经信局")  # fmt: skip
    finance = event_save(actor=wuxing, source=Source.WEB, unit=huzhou["330502"], kind="finance", title="银企对接会",
                         date=dt.date(2026, 4, 9), organiser="吴兴区经信局")  # fmt: skip
    later = event_save(actor=wuxing, source=Source.WEB, unit=huzhou["330502"], kind="market", title="年底产销对接",
                       date=dt.date(2026, 12, 1), organiser="吴兴区商务局")  # fmt: skip
    participants_add(
        actor=city, source=Source.WEB, event=chain, role="enterprise", names=[zhili.uscc, "外地配套企业"]
    )
    participants_add(
        actor=wuxing, source=Source.WEB, event=finance, role="enterprise", names=[zhili.name, xincai.name]
    )
    participants_add(actor=wuxing, source=Source.WEB, event=finance, role="bank", names=["湖州银行"])
    participants_add(actor=wuxing, source=Source.WEB, event=later, role="enterprise", names=["别家企业"])
    outcome_add(
        actor=city,
        source=Source.WEB,
        event=chain,
        kind="order",
        enterprise=zhili,
        amount_wan=Decimal("12000"),
    )
    outcome_add(
        actor=wuxing,
        source=Source.WEB,
        event=finance,
        kind="financing",
        enterprise=xincai,
        amount_wan=Decimal("3500.5"),
    )
    outcome_add(
        actor=wuxing,
        source=Source.WEB,
        event=finance,
        kind="order",
        enterprise=zhili,
        amount_wan=Decimal("800"),
    )
    outcome_add(
        actor=wuxing, source=Source.WEB, event=later, kind="order", enterprise=zhili, amount_wan=Decimal("99")
    )

    def figures(row):
        return (row["unit"], row["events"], row["enterprises"], Decimal(row["orders_wan"]),
                Decimal(row["financing_wan"]))  # fmt: skip

    answer = login(city).get(f"{API}/events/totals", {"start": "2026-01-01", "end": "2026-06-30"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["start"], body["end"]) == ("2026-01-01", "2026-06-30")
    assert [figures(r) for r in body["districts"]] == [
        ("湖州市本级", 1, 2, Decimal("12000"), Decimal(0)),
        ("吴兴区", 1, 2, Decimal("800"), Decimal("3500.5")),
    ]
    # 湖州织里童装 attended both events and counts once in all
    assert figures(body["total"]) == ("合计", 2, 3, Decimal("12800"), Decimal("3500.5"))
    assert (body["total"]["orders_wan"], body["total"]["financing_wan"]) == ("12800.00", "3500.50")

    district = login(wuxing).get(f"{API}/events/totals", {"start": "2026-01-01", "end": "2026-12-31"}).json()
    assert [figures(r) for r in district["districts"]] == [
        ("吴兴区", 2, 3, Decimal("899"), Decimal("3500.5"))
    ]
    assert figures(district["total"]) == ("合计", 2, 3, Decimal("899"), Decimal("3500.5"))
    assert login(wuxing).get(f"{API}/events/totals", {"start": "2026-01-01"}).status_code == 422
    # the system (a report run from the command line) sees the province above the city, and still the city's
    # own events as 湖州市本级 beside the districts
    rows, _ = event_totals(actor=None, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    assert [(r.unit, r.events) for r in rows] == [("湖州市本级", 1), ("吴兴区", 1)]


def test_the_openapi_schema_lists_the_outreach_endpoints(users, login):
    paths = login(users["wuxing"]).get("/api/v1/openapi.json").json()["paths"]
    for path, methods in {
        "/api/v1/outreach/tickets": {"get", "post"},
        "/api/v1/outreach/tickets/{pk}": {"get"},
        "/api/v1/outreach/tickets/{pk}/actions": {"post"},
        "/api/v1/outreach/tickets/{pk}/comments": {"post"},
        "/api/v1/outreach/visits": {"get", "post"},
        "/api/v1/outreach/events": {"get", "post"},
        "/api/v1/outreach/events/totals": {"get"},
    }.items():
        assert path in paths, path
        assert set(paths[path]) == methods, path
        assert all("服务企业" in paths[path][m]["tags"] for m in methods), path


def test_the_api_needs_a_login(raised, client):
    assert client.get(f"{API}/tickets").status_code == 401
    assert (
        post(client, f"/tickets/{raised.pk}/actions", {"action": "consult", "note": "x"}).status_code == 401
    )
