"""The pages of 政策直达: catalogue with readable rules, editing by city staff, matching and its export, the
application form through review, the queues and the fund dashboard."""

import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from kuochan.audit.models import Source
from kuochan.policies.models import Application, Policy, PolicyBudget, Status
from kuochan.policies.services import awards_confirm
from tests.conftest import PDF, THIS_YEAR
from tests.xlsx import exported_rows


def test_the_catalogue_reads_each_rule_in_chinese_and_marks_what_is_still_vague(huzhou, users, login):
    client = login(users["wuxing"])
    page = client.get("/policies/").content.decode()
    assert (
        "统筹重大项目要素供给" in page
        and "项目总投资不小于 10000万元（含本数）；不满足：亩均评价分类为D类" in page
    )
    assert "1 项待明确" in page
    rows = exported_rows(client.get("/policies/", {"export": "xlsx"}))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    assert len([r for r in rows[header + 1 :] if r and r[1]]) == 11


def test_an_enterprise_user_sees_its_own_standing_on_each_policy(grant, equipped, enterprise_user, login):
    page = login(enterprise_user).get("/policies/").content.decode()
    row = page.split('data-policy="equipment-grant"')[1].split("</tr>")[0]
    assert 'data-status="eligible"' in row
    mine = login(enterprise_user).get("/policies/mine/", follow=True).content.decode()
    assert "企业找政策：湖州织里童装有限公司" in mine and equipped["red"].code in mine


def test_city_staff_complete_a_vague_condition_and_bad_json_is_refused_in_chinese(huzhou, users, login):
    client = login(users["city_staff"])
    policy = Policy.objects.get(code="resource-pool")
    response = client.post(
        "/policies/resource-pool/",
        {"form": "policy", "rule": '{"all": [', "publicity_days": "5"},
        follow=True,
    )
    assert "申报条件不是有效的 JSON：第 1 行第 10 列" in response.content.decode()
    rule = {"all": [{"field": "project.total_wan", "op": ">=", "value": 30000}]}
    client.post(
        "/policies/resource-pool/",
        {
            "form": "policy",
            "rule": json.dumps(rule),
            "publicity_days": "7",
            "is_active": "1",
            "documents": "项目备案文件\n",
        },
    )
    policy.refresh_from_db()
    assert policy.rule == rule and policy.publicity_days == 7 and policy.documents == ["项目备案文件"]
    assert "项目总投资不小于 30000万元（含本数）" in client.get("/policies/resource-pool/").content.decode()
    refused = login(users["wuxing"]).post("/policies/resource-pool/", {"form": "policy", "rule": "{}"})
    assert "只有市级工作人员可以修改政策" in refused.content.decode()
    policy.refresh_from_db()
    assert policy.rule == rule


def test_a_budget_is_set_on_the_policy_page(huzhou, users, login):
    client = login(users["city_staff"])
    client.post("/policies/open-competition/", {"form": "budget", "year": THIS_YEAR, "amount_wan": "2,000"})
    assert PolicyBudget.objects.get(policy__code="open-competition", year=THIS_YEAR).amount_wan == Decimal(
        2000
    )
    page = client.post(
        "/policies/scene-opening/", {"form": "budget", "year": THIS_YEAR, "amount_wan": "10"}, follow=True
    ).content.decode()
    assert "为非资金支持，无需预算" in page


def test_matching_page_lists_the_eligible_with_reasons_and_exports_them(grant, equipped, users, login):
    client = login(users["city_staff"])
    page = client.get("/policies/equipment-grant/matches/").content.decode()
    assert "符合 2，待核实 0，不符合 1" in page
    assert equipped["red"].code in page and equipped["yellow"].code not in page
    page = client.get("/policies/equipment-grant/matches/", {"status": "not_eligible"}).content.decode()
    assert "不符合：规上企业" in page
    rows = exported_rows(client.get("/policies/equipment-grant/matches/", {"export": "xlsx"}))
    assert {r[4] for r in rows if r and r[0] == "符合"} == {equipped["red"].code, equipped["green"].code}


def test_an_enterprise_applies_uploads_and_submits_and_the_district_passes_it(
    grant, equipped, users, enterprise_user, login
):
    client = login(enterprise_user)
    response = client.post(
        "/policies/equipment-grant/apply/", {"project": equipped["red"].pk, "description": "新增吊挂线"}
    )
    application = Application.objects.get()
    assert response["Location"] == f"/policies/applications/{application.pk}/"
    refused = client.post(response["Location"], {"action": "submit"}, follow=True).content.decode()
    assert "缺少申报材料：设备购置发票清单" in refused
    client.post(
        response["Location"],
        {"document": "设备购置发票清单", "upload": SimpleUploadedFile("发票.pdf", PDF, "application/pdf")},
    )
    client.post(response["Location"], {"action": "submit"})
    application.refresh_from_db()
    assert application.status == Status.DISTRICT_REVIEW
    district = login(users["wuxing"])
    queue = district.get("/policies/applications/", {"queue": "1"}).content.decode()
    assert application.number in queue
    page = district.get(response["Location"]).content.decode()
    assert 'data-testid="action-pass_district"' in page and 'data-testid="action-pass_city"' not in page
    district.post(response["Location"], {"action": "pass_district", "opinion": "同意", "amount_wan": "80.00"})
    application.refresh_from_db()
    assert application.status == Status.CITY_REVIEW
    assert application.number not in district.get("/policies/applications/", {"queue": "1"}).content.decode()


def test_staff_apply_on_behalf_by_project_code_within_scope(grant, equipped, users, login):
    client = login(users["nanxun"])
    page = client.post(
        "/policies/equipment-grant/apply/", {"project_code": equipped["red"].code}, follow=True
    ).content.decode()
    assert "您的数据范围内没有项目代码为" in page and not Application.objects.exists()
    client.post("/policies/equipment-grant/apply/", {"project_code": equipped["green"].code})
    assert Application.objects.get().enterprise.name == "南浔木业有限公司"


def test_the_fund_dashboard_and_application_list_export(grant, equipped, users, login):
    client = login(users["city_staff"])
    page = client.get("/policies/funds/").content.decode()
    row = page.split('data-policy="equipment-grant"')[1].split("</tr>")[0]
    assert "150.00" in row
    rows = exported_rows(client.get("/policies/funds/", {"export": "xlsx"}))
    assert any(r and r[0] == "技改设备补助" and r[1] == 150 for r in rows)
    rows = exported_rows(client.get("/policies/applications/", {"export": "xlsx"}))
    assert any(r and r[0] == "申报编号" for r in rows)


def test_enterprises_see_no_budgets(grant, enterprise_user, login):
    client = login(enterprise_user)
    assert client.get("/policies/funds/").status_code == 403
    assert client.get("/api/v1/policies/funds/2026").status_code == 403
    assert 'data-testid="budget-table"' not in client.get("/policies/equipment-grant/").content.decode()


def test_amounts_that_are_not_numbers_get_a_chinese_message(
    huzhou, users, registered, enterprise_user, login
):
    client = login(enterprise_user)
    page = client.post(
        "/policies/innovation-platform/apply/", {"requested_wan": "NaN"}, follow=True
    ).content.decode()
    assert "申请金额（万元）：应为数字，收到“NaN”" in page
    enterprise_user.enterprise = None
    enterprise_user.save()
    page = client.post(
        "/policies/innovation-platform/apply/", {"requested_wan": "100"}, follow=True
    ).content.decode()
    assert "企业账号须由管理员关联企业" in page and not Application.objects.exists()


def test_only_what_is_still_open_can_be_ticked_for_auto_award(grant, equipped, users, login):
    grant.auto_award = True
    grant.save()
    red = equipped["red"]
    awards_confirm(
        actor=users["city_staff"],
        source=Source.WEB,
        policy=grant,
        year=THIS_YEAR,
        picked=[(red.enterprise_id, red.pk)],
    )
    page = login(users["city_staff"]).get("/policies/equipment-grant/matches/").content.decode()
    assert (
        page.count('name="pick"') == 1
        and f'value="{equipped["green"].enterprise_id}:{equipped["green"].pk}"' in page
    )


def test_large_budgets_read_in_yi_yuan_with_the_unit_in_the_header(grant, users, login):
    from kuochan.policies.services import budget_set

    budget_set(
        actor=users["city_staff"], source=Source.WEB, policy=grant, year=THIS_YEAR, amount_wan=Decimal(125000)
    )
    client = login(users["city_staff"])
    page = client.get("/policies/funds/").content.decode()
    assert "预算（亿元）" in page and "（万元）" not in page.split('data-testid="fund-table"')[1]
    row = page.split('data-policy="equipment-grant"')[1].split("</tr>")[0]
    assert "12.50" in row and "125000" not in row
    rows = exported_rows(client.get("/policies/funds/", {"export": "xlsx"}))
    assert any(r and r[0] == "技改设备补助" and r[1] == 125000 for r in rows)  # the export keeps the number
