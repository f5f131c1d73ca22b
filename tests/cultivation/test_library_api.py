"""The 企业培育 API: titles, a library (filters, paged), nomination, update, removal and fill by rule, each in
the caller's scope with Chinese refusals."""

import pytest
from django.test import Client

from kuochan.cultivation.models import Entry
from tests.cultivation.conftest import MUYE_GAP, THIS_YEAR, XINCAILIAO_GAPS, entry_of, fill

pytestmark = pytest.mark.django_db
API = "/api/v1/cultivation"
LIBRARY = f"{API}/titles/srdi_sme/{THIS_YEAR}"


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def send(client, path, data, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def test_titles_are_listed_for_staff_only(srdi, users):
    titles = as_user(users["wuxing"]).get(f"{API}/titles").json()
    srdi_sme = next(t for t in titles if t["code"] == "srdi_sme")
    assert srdi_sme == {
        "code": "srdi_sme", "name": "专精特新中小企业", "ladder": "srdi", "rank_in_ladder": 2, "level": "provincial",
        "honour_kind": "provincial_srdi", "criteria": 11,
    }  # fmt: skip
    refused = as_user(users["enterprise"]).get(f"{API}/titles")
    assert refused.status_code == 403 and refused.json()["detail"] == "企业用户无权查看培育库。"


def test_the_library_with_gaps_filters_and_pages(srdi, users):
    fill(users["city_staff"], srdi["title"], margin="40")
    city = as_user(users["city_staff"])
    body = city.get(LIBRARY).json()
    assert body["count"] == 3
    first, second, third = body["items"]
    assert (first["name"], first["met"], first["gaps"], first["status"], first["status_label"]) == (
        "湖州织里童装有限公司", True, [], "entered", "入库"
    )  # fmt: skip
    assert second["gaps"] == [MUYE_GAP] and second["missing"][0]["threshold"] == 100.0
    assert third["gaps"] == XINCAILIAO_GAPS and third["source"] == "rule"
    assert [i["name"] for i in city.get(LIBRARY, {"met": "false"}).json()["items"]] == [
        "南浔木业有限公司", "湖州吴兴新材料有限公司"
    ]  # fmt: skip
    assert city.get(LIBRARY, {"q": "木业"}).json()["count"] == 1
    assert city.get(LIBRARY, {"limit": 1, "offset": 2}).json()["items"][0]["name"] == "湖州吴兴新材料有限公司"
    assert [i["name"] for i in as_user(users["nanxun"]).get(LIBRARY).json()["items"]] == ["南浔木业有限公司"]
    odd = city.get(LIBRARY, {"status": "lost"})
    assert odd.status_code == 422
    assert odd.json()["errors"] == {
        "status": [
            "应为以下之一：'', 'entered', 'applied', 'recommended', 'granted', 'rejected' or 'removed'。"
        ]
    }
    assert city.get(f"{API}/titles/nope/{THIS_YEAR}").status_code == 404


def test_nominate_update_and_remove_through_the_api(srdi, users):
    wuxing = as_user(users["wuxing"])
    made = send(
        wuxing, f"/titles/srdi_sme/{THIS_YEAR}/entries",
        {"uscc": srdi["xincailiao"].uscc, "responsible": "wuxing", "planned_support": "研发费用补助"},
    )  # fmt: skip
    assert made.status_code == 201, made.json()
    entry = made.json()
    assert (entry["source"], entry["responsible"], entry["gaps_when_entered"]) == (
        "nomination",
        "wuxing",
        XINCAILIAO_GAPS,
    )
    twice = send(wuxing, f"/titles/srdi_sme/{THIS_YEAR}/entries", {"uscc": srdi["xincailiao"].uscc})
    assert twice.status_code == 422 and "已在" in twice.json()["errors"]["enterprise"][0]
    other = send(wuxing, f"/titles/srdi_sme/{THIS_YEAR}/entries", {"uscc": srdi["muye"].uscc})
    assert other.status_code == 422 and "不在您数据范围内的企业库中" in other.json()["errors"]["uscc"][0]
    wrong = send(wuxing, f"/entries/{entry['id']}", {"responsible": "nanxun"}, method="patch")
    assert (
        wrong.status_code == 422
        and "应为“吴兴区”或其上级单位的在岗工作人员" in wrong.json()["errors"]["responsible"][0]
    )
    changed = send(
        wuxing, f"/entries/{entry['id']}", {"responsible": "", "note": "走访"}, method="patch"
    ).json()
    assert (changed["responsible"], changed["note"], changed["planned_support"]) == (None, "走访", "")
    assert (
        send(as_user(users["nanxun"]), f"/entries/{entry['id']}", {"note": "x"}, method="patch").status_code
        == 404
    )
    assert (
        send(as_user(users["leader"]), f"/entries/{entry['id']}", {"note": "x"}, method="patch").status_code
        == 403
    )
    no_reason = send(wuxing, f"/entries/{entry['id']}/remove", {"reason": "  "})
    assert no_reason.status_code == 422 and no_reason.json()["errors"]["reason"] == ["请填写出库原因。"]
    removed = send(wuxing, f"/entries/{entry['id']}/remove", {"reason": "企业放弃"}).json()
    assert removed["status_label"] == "出库"
    back = send(wuxing, f"/entries/{entry['id']}/reenter", {})
    assert back.status_code == 200 and back.json()["status_label"] == "入库"
    again = send(wuxing, f"/entries/{entry['id']}/reenter", {})
    assert again.status_code == 422 and again.json()["errors"]["status"] == [
        "只有出库的条目可以重新入库，该条目为“入库”。"
    ]


def test_fill_by_rule_through_the_api(srdi, users):
    refused = send(as_user(users["wuxing"]), f"/titles/srdi_sme/{THIS_YEAR}/fill", {"margin": 20})
    assert refused.status_code == 403 and refused.json()["detail"] == "按条件遴选入库由市级工作人员进行。"
    city = as_user(users["city_staff"])
    assert send(city, f"/titles/srdi_sme/{THIS_YEAR}/fill", {"margin": 20}).json() == {"added": 2}
    assert send(city, f"/titles/srdi_sme/{THIS_YEAR}/fill", {}).json() == {"added": 0}
    odd = send(city, f"/titles/srdi_sme/{THIS_YEAR}/fill", {"margin": 101})
    assert odd.status_code == 422 and odd.json()["errors"] == {"margin": ["应不大于 100。"]}
    assert Entry.objects.count() == 2
    assert entry_of(srdi["muye"], srdi["title"]).gaps == [MUYE_GAP]
