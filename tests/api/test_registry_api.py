"""The 企业库 through the API: enterprises created and edited with the form's checks and scope; yearly
figures, honours and surveys written by the import's rules as batches that can be rolled back; contacts
and industry tags."""

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.registry.models import AnnualMetric, Contact, Enterprise
from tests.xlsx import uscc

pytestmark = pytest.mark.django_db

API = "/api/v1/enterprises"


def post(client, path, data, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def test_district_staff_create_an_enterprise_in_their_district_only(huzhou, users, client_for):
    client = client_for(users["wuxing"])
    body = {
        "uscc": uscc(50),
        "name": "湖州新建智造有限公司",
        "district": huzhou["330502"].pk,
        "industry_code": "3670",
    }
    made = post(client, "", body)
    assert made.status_code == 201, made.json()
    assert made.json()["district"] == "吴兴区" and made.json()["industry_code"] == "3670"
    assert client.get(f"{API}/{made.json()['id']}").status_code == 200
    entry = AuditEntry.objects.get(content_type__model="enterprise", object_id=str(made.json()["id"]))
    assert (entry.source, entry.actor_name) == (Source.API, "wuxing")
    elsewhere = post(client, "", {**body, "uscc": uscc(51), "district": huzhou["330503"].pk})
    assert elsewhere.status_code == 422 and elsewhere.json()["errors"] == {
        "district": ["请选择您数据范围内的区县。"]
    }
    twice = post(client, "", body)
    assert twice.json()["errors"] == {"uscc": [f"统一社会信用代码 {uscc(50)} 已登记为其他企业。"]}


def test_an_enterprise_is_patched_field_by_field_within_scope(registered, huzhou, users, client_for):
    own = Enterprise.objects.get(uscc=registered[0])
    client = client_for(users["wuxing"])
    patched = post(
        client, f"/{own.pk}", {"address": "织里镇大港路 1 号", "above_scale_since": "2020-01-01"}, "patch"
    )
    assert patched.status_code == 200
    assert Enterprise.objects.get(pk=own.pk).address == "织里镇大港路 1 号"
    assert patched.json()["name"] == "湖州织里童装有限公司"
    town = post(client, f"/{own.pk}", {"town": huzhou["330503-T02"].pk}, "patch")
    assert town.json()["errors"] == {"town": ["请选择您数据范围内的乡镇（园区）。"]}
    other = Enterprise.objects.get(uscc=registered[2])
    assert post(client, f"/{other.pk}", {"address": "x"}, "patch").status_code == 404
    assert post(client_for(users["leader"]), f"/{own.pk}", {"address": "x"}, "patch").status_code == 403


def test_a_years_figures_are_a_one_row_import_that_can_be_rolled_back(
    with_metrics, users, client_for, run_jobs
):
    own = Enterprise.objects.get(uscc=with_metrics[0])
    client = client_for(users["wuxing"])
    saved = post(client, f"/{own.pk}/metrics/2025", {"tax_wan": "420.50", "employees": 210}, "put")
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["tax_wan"], saved.json()["employees"], saved.json()["revenue_wan"]) == (
        420.5,
        210,
        10000.0,
    )
    batch = client.get("/api/v1/imports", {"kind": "enterprise-metrics"}).json()["items"][0]
    assert (batch["source"], batch["updated"], batch["actor_name"]) == ("api", 1, "wuxing")
    changes = client.get(f"/api/v1/imports/{batch['id']}/changes").json()["items"]
    assert changes[0]["changes"]["tax_wan"] == ["400.00", "420.50"]
    refused = post(client, f"/{own.pk}/metrics/2025", {"tax_wan": "-1"}, "put")
    assert refused.status_code == 422 and refused.json()["errors"] == {
        "tax_wan": ["不能为负数：本列应填 0 或正数"]
    }
    rolling = client.post(f"/api/v1/imports/{batch['id']}/rollback")
    run_jobs()
    rolled = client.get(rolling.json()["url"]).json()["result"]
    assert (rolled["batch"], rolled["deleted"], rolled["restored"]) == (batch["id"], 0, 1)
    assert AnnualMetric.objects.get(enterprise=own, year=2025).tax_wan == 400


def test_honours_and_surveys_are_checked_like_the_import(registered, users, client_for):
    own = Enterprise.objects.get(uscc=registered[0])
    client = client_for(users["wuxing"])
    honour = post(client, f"/{own.pk}/honours", {"kind": "high_tech", "year_granted": 2024})
    assert honour.status_code == 201 and honour.json()["kind_label"] == "高新技术企业"
    lost = post(client, f"/{own.pk}/honours", {"kind": "high_tech", "year_granted": 2024, "year_lost": 2023})
    assert lost.json()["errors"] == {"year_lost": ["失去年度不能早于认定年度 2024"]}
    survey = post(client, f"/{own.pk}/surveys/2026", {"willingness": "yes", "needs": ["资金", "用地"]}, "put")
    assert survey.json()["needs"] == ["用地", "资金"] and survey.json()["willingness_label"] == "有"
    assert [s["year"] for s in client.get(f"{API}/{own.pk}/surveys").json()] == [2026]
    assert (
        post(client_for(users["leader"]), f"/{own.pk}/surveys/2026", {"willingness": "no"}, "put").status_code
        == 403
    )


def test_contacts_are_added_and_removed_within_scope(registered, users, client_for):
    own = Enterprise.objects.get(uscc=registered[0])
    client = client_for(users["wuxing"])
    assert post(client, f"/{own.pk}/contacts", {"name": " "}).json()["errors"] == {
        "name": ["请填写联系人姓名。"]
    }
    made = post(client, f"/{own.pk}/contacts", {"name": "李经理", "phone": "0572-1234567"})
    assert made.status_code == 201 and [c["name"] for c in client.get(f"{API}/{own.pk}/contacts").json()] == [
        "李经理"
    ]
    assert (
        client_for(users["nanxun"]).delete(f"{API}/{own.pk}/contacts/{made.json()['id']}").status_code == 404
    )
    assert client.delete(f"{API}/{own.pk}/contacts/{made.json()['id']}").status_code == 204
    assert not Contact.objects.exists()


def test_industry_tags_are_kept_by_city_admins(huzhou, users, client_for):
    assert (
        post(client_for(users["wuxing"]), "/tags", {"kind": "chain", "name": "人工智能"}).status_code == 403
    )
    client = client_for(users["city_admin"])
    made = post(client, "/tags", {"kind": "chain", "name": "人工智能"})
    assert made.status_code == 201
    assert post(client, "/tags", {"kind": "chain", "name": "人工智能"}).json()["errors"] == {
        "name": ["“人工智能”已存在。"]
    }
    assert (
        post(client, f"/tags/{made.json()['id']}", {"name": "人工智能及机器人"}, "patch").json()["name"]
        == "人工智能及机器人"
    )
    assert client.delete(f"{API}/tags/{made.json()['id']}").status_code == 204
