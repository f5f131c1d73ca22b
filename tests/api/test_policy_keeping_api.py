"""Keeping the policy catalogue through the API, as the policy pages keep it: a new policy is a draft until
published; the whole policy saved; a copy as a new draft; closing with a reason. City staff keep the
city's policies, a district's staff their own district's; others neither find nor change them; a refused
write is a message naming the problem and writes nothing."""

import datetime as dt

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.policies.models import Policy
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

API = "/api/v1/policies"


def send(client, path, data=None, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def whole(**changes) -> dict:
    """A whole policy as the policy page's form has it."""
    return {
        "issuer": "330500", "title": "数字化改造补助", "document_number": "湖经信〔2026〕1号", "number": "（三）",
        "clause": "对数字化改造项目，按设备投资的 10% 给予补助，最高 50 万元。", "lead": "市经信局",
        "co_responsible": ["市财政局"], "subject": "project", "support_kind": "share", "cap_wan": "50",
        "share_pct": "10", "share_base": "equipment_wan",
        "rule": {"all": [{"field": "project.is_renovation", "op": "is", "value": True}]},
        "documents": ["设备购置发票清单"], "period_start": f"{TODAY.year}-01-01",
        "period_end": f"{TODAY.year}-12-31", **changes,
    }  # fmt: skip


def test_city_staff_write_a_draft_then_publish_it(huzhou, users, client_for):
    city = client_for(users["city_staff"])
    made = send(city, "/", whole())
    assert made.status_code == 201, made.json()
    draft = made.json()
    assert (draft["state"], draft["issuer_code"], draft["share_base"], draft["publicity_days"]) == (
        "draft",
        "330500",
        "equipment_wan",
        5,
    )
    assert draft["rule_text"] == "技改项目"
    code = draft["code"]
    assert client_for(users["wuxing"]).get(f"{API}/{code}").status_code == 404  # a city draft is the city's
    published = send(city, f"/{code}/publish")
    assert published.status_code == 200 and published.json()["state"] == "in_force"
    assert client_for(users["wuxing"]).get(f"{API}/{code}").status_code == 200
    again = send(city, f"/{code}/publish")
    assert again.status_code == 422 and again.json()["errors"]["__all__"] == [
        "“数字化改造补助”施行中，不是草稿，无需发布。"
    ]
    assert AuditEntry.objects.filter(content_type__model="policy", source=Source.API).count() == 2


def test_a_policy_with_problems_is_refused_by_name_and_nothing_is_written(huzhou, users, client_for):
    city = client_for(users["city_staff"])
    before = Policy.objects.count()
    refused = send(city, "/", whole(share_pct=None, share_base="", title=" "))
    assert refused.status_code == 422
    assert refused.json()["errors"]["__all__"] == [
        "请填写政策名称。",
        "补助比例应在 0 到 100% 之间。",
        "补助基数应为设备投资或项目总投资。",
    ]
    unknown = send(city, "/", whole(issuer="999999"))
    assert unknown.status_code == 422 and unknown.json()["errors"] == {"issuer": ["没有组织单位“999999”。"]}
    rule = send(city, "/", whole(rule={"field": "enterprise.colour", "op": "is", "value": 1}))
    assert rule.status_code == 422 and rule.json()["errors"]["__all__"][0].startswith("条件：未知的字段")
    typed = send(city, "/", {**whole(subject="anyone", cap_wan="-1"), "clause": None})
    assert typed.status_code == 422 and set(typed.json()["errors"]) == {"subject", "cap_wan", "clause"}
    assert Policy.objects.count() == before


def test_the_whole_policy_is_saved_as_the_edit_page_saves_it(grant, users, client_for):
    city = client_for(users["city_staff"])
    saved = send(
        city,
        "/equipment-grant",
        whole(title="设备购置补助（2026 修订）", support_kind="capped", share_pct=None, share_base=""),
        "put",
    )
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["title"], saved.json()["support_kind"], saved.json()["document_number"]) == (
        "设备购置补助（2026 修订）",
        "capped",
        "湖经信〔2026〕1号",
    )
    assert Policy.objects.get(code="equipment-grant").co_responsible == ["市财政局"]
    assert send(client_for(users["wuxing"]), "/equipment-grant", whole(), "put").status_code == 403
    bad = send(city, "/equipment-grant", whole(period_start="2030-01-01"), "put")
    assert bad.status_code == 422 and bad.json()["errors"]["__all__"] == ["执行截止日期早于起始日期。"]
    assert Policy.objects.get(code="equipment-grant").period_start == dt.date(TODAY.year, 1, 1)


def test_a_copy_is_a_new_draft_for_a_unit_the_caller_issues_for(grant, users, client_for):
    copy = send(client_for(users["city_staff"]), "/equipment-grant/copy", {})
    assert copy.status_code == 201
    assert (copy.json()["title"], copy.json()["state"], copy.json()["issuer_code"]) == (
        "技改设备补助（复制）",
        "draft",
        "330500",
    )
    wuxing = client_for(users["wuxing"])
    own = send(wuxing, "/equipment-grant/copy", {"issuer": users["wuxing"].org_unit_id})  # by id
    assert own.status_code == 201 and own.json()["issuer_name"] == "吴兴区"
    refused = send(wuxing, "/equipment-grant/copy", {"issuer": "330500"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "只有市级工作人员可以复制政策（本政策由湖州市发布）。"
    nanxun = client_for(users["nanxun"])
    assert send(nanxun, f"/{own.json()['code']}/copy", {}).status_code == 404  # wuxing's draft is wuxing's
    assert Policy.objects.filter(title="技改设备补助（复制）").count() == 2


def test_closing_asks_for_the_reason_and_a_date_not_past(grant, users, enterprise_user, client_for):
    city = client_for(users["city_staff"])
    no_reason = send(city, "/equipment-grant/close", {"reason": " "})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"] == {"reason": ["请填写关闭原因，告知企业和审核人员。"]}
    yesterday = TODAY - dt.timedelta(days=1)
    past = send(city, "/equipment-grant/close", {"reason": "资金用完", "closed_on": yesterday.isoformat()})
    assert past.status_code == 422 and past.json()["errors"] == {
        "closed_on": [f"关闭日期不能早于今天（{TODAY}），收到“{yesterday}”。"]
    }
    refused = send(client_for(enterprise_user), "/equipment-grant/close", {"reason": "不想要了"})
    assert refused.status_code == 403 and refused.json()["detail"] == "只有市级和区县工作人员可以关闭政策。"
    assert Policy.objects.get(code="equipment-grant").state == "in_force"
    closed = send(city, "/equipment-grant/close", {"reason": "资金用完"})
    assert closed.status_code == 200
    assert (closed.json()["state"], closed.json()["is_active"], closed.json()["closed_reason"]) == (
        "closed",
        False,
        "资金用完",
    )
    assert closed.json()["closed_on"] == TODAY.isoformat()
    kept = send(city, "/equipment-grant", whole(), "put")
    assert kept.status_code == 422 and "已关闭，不能再修改" in kept.json()["errors"]["__all__"][0]


def test_another_citys_staff_find_none_of_huzhous_policies(grant, users, other_city, client_for):
    client = client_for(other_city["staff"])
    assert send(client, "/equipment-grant", whole(), "put").status_code == 404
    for action in ("copy", "publish", "close"):
        assert send(client, f"/equipment-grant/{action}", {"reason": "x"}).status_code == 404, action
    refused = send(client, "/", whole())  # issuing in Huzhou's name
    assert refused.status_code == 403 and "不在您的范围内" in refused.json()["detail"]
    own = send(client, "/", whole(issuer=other_city["city"].pk))
    assert own.status_code == 201 and own.json()["issuer_name"] == "乙市"
