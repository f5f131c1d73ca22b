import io

import pytest
from python_calamine import CalamineWorkbook

from kuochan.audit.models import AuditEntry
from kuochan.imports.models import ImportBatch
from kuochan.registry.models import Enterprise
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_data(registered, tmp_path, run_cli):
    metrics = [
        ["统一社会信用代码", "年度", "营业收入（万元）", "实缴税金（万元）"],
        [registered[0], 2024, 900, 40],
        [registered[0], 2025, 1000, 50],
    ]
    honours = [
        ["统一社会信用代码", "荣誉类型", "认定年度"],
        [registered[0], "高新技术企业", 2022],
        [registered[2], "金象", 2021],
    ]
    assert run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", metrics))[0] == 0
    assert run_cli("honours", write_xlsx(tmp_path / "h.xlsx", honours))[0] == 0
    return registered


def test_list_is_scoped_searchable_and_filterable(with_data, users, login):
    client = login(users["wuxing"])
    page = client.get("/enterprises/").content.decode()
    assert "湖州织里童装有限公司" in page and "南浔木业有限公司" not in page
    assert "湖州吴兴新材料有限公司" not in client.get("/enterprises/", {"q": "童装"}).content.decode()
    by_honour = client.get("/enterprises/", {"honour": "high_tech"}).content.decode()
    assert "湖州织里童装有限公司" in by_honour and "湖州吴兴新材料有限公司" not in by_honour
    city = login(users["city_staff"]).get("/enterprises/", {"above_scale": "1"}).content.decode()
    assert "南浔木业有限公司" in city and "湖州吴兴新材料有限公司" not in city


def test_export_downloads_exactly_what_the_filters_show(with_data, users, login):
    response = login(users["city_staff"]).get("/enterprises/", {"above_scale": "1", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "统一社会信用代码"
    assert sorted(row[1] for row in rows[1:]) == ["南浔木业有限公司", "湖州织里童装有限公司"]


def test_profile_shows_honours_metrics_chart_and_trail(with_data, users, login):
    enterprise = Enterprise.objects.get(uscc=with_data[0])
    page = login(users["wuxing"]).get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "高新技术企业" in page and "2022年" in page
    assert "1,000.00" in page and "营业收入（万元）" in page and "metric-chart-data" in page
    assert "变更记录" in page
    created_by = ImportBatch.objects.get(kind="enterprises")
    assert f'的<a href="/imports/{created_by.pk}/">数据导入</a>' in page
    metrics_batch = ImportBatch.objects.get(kind="enterprise-metrics")
    assert f'<a href="/imports/{metrics_batch.pk}/">' in page
    assert "批次 #" not in page and ".xlsx" not in page  # no ids or file names


def test_another_districts_enterprise_is_not_found(with_data, users, login):
    nanxun = Enterprise.objects.get(uscc=with_data[2])
    client = login(users["wuxing"])
    assert client.get(f"/enterprises/{nanxun.pk}/").status_code == 404
    assert client.get(f"/enterprises/{nanxun.pk}/edit/").status_code == 404


def test_create_form_validates_in_chinese_and_audits(huzhou, users, login):
    client = login(users["wuxing"])
    bad = client.post(
        "/enterprises/new/", {"uscc": "91330502MA2B3C4D59", "name": "新公司", "district": huzhou["330502"].pk}
    )
    assert "校验码应为“8”" in bad.content.decode()
    out_of_scope = client.post(
        "/enterprises/new/", {"uscc": uscc(77), "name": "新公司", "district": huzhou["330503"].pk}
    )
    assert out_of_scope.status_code == 200 and not Enterprise.objects.exists()
    good = client.post(
        "/enterprises/new/",
        {"uscc": uscc(77).lower(), "name": "新公司", "district": huzhou["330502"].pk, "town": huzhou["330502-T08"].pk,
         "industry_code": "3670", "above_scale": "on", "above_scale_since": "2024-01-01"},
    )  # fmt: skip
    assert good.status_code == 302
    created = Enterprise.objects.get(uscc=uscc(77))
    assert created.industry_division == "36" and created.town.name == "织里镇"
    entry = AuditEntry.objects.get(content_type__model="enterprise", object_id=str(created.pk))
    assert entry.source == "web" and entry.enterprise_id == created.pk


def test_edit_form_changes_and_records_before_and_after(with_data, users, login, huzhou):
    enterprise = Enterprise.objects.get(uscc=with_data[1])
    response = login(users["wuxing"]).post(
        f"/enterprises/{enterprise.pk}/edit/",
        {
            "uscc": enterprise.uscc,
            "name": "湖州吴兴新材料股份有限公司",
            "district": huzhou["330502"].pk,
            "size_class": "medium",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(
        content_type__model="enterprise", object_id=str(enterprise.pk), action="update"
    ).get()
    assert entry.changes["name"] == ["湖州吴兴新材料有限公司", "湖州吴兴新材料股份有限公司"]
    assert entry.changes["size_class"] == ["small", "medium"]


def test_leader_cannot_open_the_forms(registered, users, login):
    client = login(users["leader"])
    assert client.get("/enterprises/new/").status_code == 403


def test_an_enterprise_user_sees_only_its_own_enterprise(with_data, users, login):
    own, other = Enterprise.objects.get(uscc=with_data[0]), Enterprise.objects.get(uscc=with_data[1])
    users["enterprise"].enterprise = own
    users["enterprise"].save()
    client = login(users["enterprise"])
    listed = client.get("/enterprises/").content.decode()
    assert own.name in listed and other.name not in listed
    assert client.get(f"/enterprises/{own.pk}/").status_code == 200
    assert client.get(f"/enterprises/{other.pk}/").status_code == 404
    assert own.name in client.get("/", follow=True).content.decode()  # its to-do home names it


def test_api_lists_and_reads_enterprises_within_scope(with_data, users, login):
    client = login(users["wuxing"])
    listed = client.get("/api/v1/enterprises?limit=100").json()
    assert {item["uscc"] for item in listed["items"]} == {with_data[0], with_data[1]}
    own = Enterprise.objects.get(uscc=with_data[0])
    detail = client.get(f"/api/v1/enterprises/{own.pk}").json()
    assert detail["district"] == "吴兴区" and [m["year"] for m in detail["metrics"]] == [2024, 2025]
    assert detail["metrics"][1]["revenue_wan"] == 1000.0
    other = Enterprise.objects.get(uscc=with_data[2])
    assert client.get(f"/api/v1/enterprises/{other.pk}").status_code == 404


def test_long_lists_page_and_keep_their_filters(huzhou, users, login):
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc=uscc(100 + i),
                name=f"翻页测试{i:02d}有限公司",
                district=huzhou["330502"],
                above_scale=True,
            )
            for i in range(55)
        ]
    )
    client = login(users["wuxing"])
    first = client.get("/enterprises/", {"above_scale": "1"}).content.decode()
    assert "共 55 条，第 1/2 页" in first and 'href="?above_scale=1&page=2"' in first
    second = client.get("/enterprises/", {"above_scale": "1", "page": "2"}).content.decode()
    assert second.count("翻页测试") == 5


def test_city_admin_edits_the_tag_dictionary_and_used_tags_are_protected(
    with_data, users, login, tmp_path, run_cli
):
    from kuochan.registry.models import IndustryTag

    rows = [
        ["统一社会信用代码", "企业名称", "所属区县", "所属产业链"],
        [with_data[0], "湖州织里童装有限公司", "吴兴区", "童装"],
    ]
    assert run_cli("enterprises", write_xlsx(tmp_path / "t.xlsx", rows))[0] == 0
    client = login(users["city_admin"])
    client.post("/enterprises/tags/", {"kind": "chain", "name": "人工智能"})
    created = IndustryTag.objects.get(name="人工智能")
    assert created.kind == "chain"
    client.post(f"/enterprises/tags/{created.pk}/", {"name": "人工智能及机器人"})
    assert IndustryTag.objects.filter(name="人工智能及机器人").exists()
    used = IndustryTag.objects.get(name="童装")
    response = client.post(f"/enterprises/tags/{used.pk}/", {"action": "delete"}, follow=True)
    assert "仍标注在 1 家企业上" in response.content.decode()
    assert IndustryTag.objects.filter(name="童装").exists()
    assert AuditEntry.objects.filter(content_type__model="industrytag", action="update").exists()


def test_only_city_admins_change_tags(registered, users, login):
    from kuochan.registry.models import IndustryTag

    client = login(users["wuxing"])
    client.post("/enterprises/tags/", {"kind": "chain", "name": "人工智能"}, follow=True)
    assert not IndustryTag.objects.filter(name="人工智能").exists()
    assert "产业链" in client.get("/enterprises/tags/").content.decode()


def test_contacts_are_added_and_removed_on_the_profile(with_data, users, login):
    enterprise = Enterprise.objects.get(uscc=with_data[0])
    client = login(users["wuxing"])
    client.post(
        f"/enterprises/{enterprise.pk}/contacts/",
        {"name": "王经理", "title": "总经理", "phone": "0572-1234567"},
    )
    contact = enterprise.contacts.get()
    assert "王经理" in client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert login(users["nanxun"]).post(f"/enterprises/contacts/{contact.pk}/remove/").status_code == 404
    client = login(users["wuxing"])
    client.post(f"/enterprises/contacts/{contact.pk}/remove/")
    assert not enterprise.contacts.exists()
    assert AuditEntry.objects.filter(content_type__model="contact", enterprise_id=enterprise.pk).count() == 2


def test_odd_filter_values_show_the_list_with_a_warning(with_data, users, login):
    client = login(users["wuxing"])
    response = client.get(
        "/enterprises/", {"district": "²", "tag": "9" * 25, "size": "foo", "above_scale": "foo"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "湖州织里童装有限公司" in page
    assert "筛选条件「区县」的值“²”无效，已忽略" in page and "筛选条件「企业规模」的值“foo”无效" in page


def test_a_tag_id_too_large_for_the_database_is_refused_on_the_form(huzhou, users, login):
    response = login(users["wuxing"]).post(
        "/enterprises/new/",
        {"uscc": uscc(77), "name": "新公司", "district": huzhou["330502"].pk, "tags": ["9" * 25]},
    )
    assert response.status_code == 200 and "不是一个有效的值" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_a_contact_with_a_phone_too_long_is_refused_with_a_message(with_data, users, login):
    enterprise = Enterprise.objects.get(uscc=with_data[0])
    response = login(users["wuxing"]).post(
        f"/enterprises/{enterprise.pk}/contacts/",
        {"name": "王经理", "phone": "0572-1234567" * 5, "email": "不是邮箱"},
        follow=True,
    )
    page = response.content.decode()
    assert "电话：" in page and "邮箱：" in page
    assert not enterprise.contacts.exists()
