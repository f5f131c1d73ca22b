"""The evaluation pages: results with charts and export, the scheme editor, carbon, treatment, 清三低,
exemptions, the tracking sheet and the enterprise profile; each scoped and refusing what a role may not do."""

import html
import json

import pytest

from kuochan.audit.models import Source
from kuochan.evaluation.models import EvaluationResult, EvaluationScheme, Exemption, KeyEnterprise
from kuochan.evaluation.rules import scheme_from_definition
from kuochan.evaluation.services import evaluation_run
from kuochan.jobs.models import Job, JobStatus
from kuochan.registry.models import Enterprise, Honour
from tests.xlsx import exported_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(with_metrics):
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    return with_metrics


def test_results_show_classes_with_the_district_chart_and_are_scoped(evaluated, users, login):
    city = login(users["city_staff"]).get("/evaluation/", {"year": 2025})
    page = city.content.decode()
    assert "2025 年评价：共 3 家企业" in page and 'data-class="B"' in page
    chart = json.loads(page.split('id="class-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["districts"][:2] == ["吴兴区", "南浔区"]
    # Cut within each county: the one above-scale and the one below-scale firm of 吴兴 and the one of 南浔
    # are each B (B up to rank round(1 × 60%) = 1).
    b_series = next(s for s in chart["series"] if s["name"].startswith("B类"))
    assert b_series["data"][:2] == [2, 1]
    district = login(users["nanxun"]).get("/evaluation/", {"year": 2025}).content.decode()
    assert "南浔木业有限公司" in district and "湖州织里童装有限公司" not in district


def test_filters_and_the_export_agree(evaluated, users, login):
    client = login(users["city_staff"])
    assert "南浔木业有限公司" in client.get("/evaluation/", {"year": 2025, "class": "B"}).content.decode()
    assert "南浔木业有限公司" not in client.get("/evaluation/", {"year": 2025, "class": "A"}).content.decode()
    rows = exported_rows(client.get("/evaluation/", {"year": 2025, "low": "1", "export": "xlsx"}))
    assert rows[0][:3] == ["统一社会信用代码", "企业名称", "所属区县"]
    assert sorted(row[1] for row in rows[1:]) == ["南浔木业有限公司", "湖州吴兴新材料有限公司"]


def test_city_staff_recompute_from_the_page_in_the_worker_and_district_staff_cannot(
    with_metrics, users, login, run_jobs
):
    refused = login(users["wuxing"]).post("/evaluation/", {"year": 2025}, follow=True).content.decode()
    assert "只有市级工作人员可以计算评价结果" in refused and "重新计算 2025 年" not in refused
    assert not Job.objects.exists() and not EvaluationResult.objects.exists()
    client = login(users["city_staff"])
    started = client.post("/evaluation/", {"year": 2025})
    job = Job.objects.get()
    assert started.status_code == 302 and started["Location"] == job.get_absolute_url()
    assert job.title == "重新计算 2025 年评价" and not EvaluationResult.objects.exists()  # not in the request
    [ended] = run_jobs()
    assert ended.status == JobStatus.DONE and ended.result_url == "/evaluation/?year=2025"
    assert EvaluationResult.objects.filter(year=2025).count() == 3
    done = client.get(ended.result_url).content.decode()
    assert "2025 年评价（湖州市）：共 3 家企业，按2025 年评价方案（第 1 版）" in done


def form_of(definition):
    """The editor's fields for a stored definition, as a browser would post them back unchanged."""
    data = {"year": 2025, "basis": "测试", "note": ""}
    for group, values in definition["groups"].items():
        for item in values["indicators"]:
            data[f"{group}-{item['code']}-weight"] = item["weight"]
            data[f"{group}-{item['code']}-benchmark"] = item["benchmark"] or ""
            data[f"{group}-{item['code']}-missing"] = item["missing"]
        data[f"{group}-min_land_mu"] = values["min_land_mu"]
        data[f"{group}-cutoffs-by"] = values["cutoffs"]["by"]
        for k in "ABCD":
            data[f"{group}-cutoffs-rank-{k}"] = values["cutoffs"].get(k, "")
    for i, (start, mark) in enumerate(definition["carbon"]["neutral_marks"]):
        data |= {f"neutral-{i}-from": start, f"neutral-{i}-label": mark}
    data |= {f"inclusive-{name}": "1" for name, kept in definition["inclusive"].items() if kept}
    data |= {f"source-{name}": text for name, text in definition["sources"].items()}
    data |= {
        "ranking-level": definition["ranking"]["level"], "tenants-follow-owner": "1", "exempt-new-land-years": 3,
        "rnd-numerator": "rnd_wan", "rnd-denominator": "revenue_wan", "carbon-min-firms": 5,
        "exempt-years": 2, "exempt-divisions": "44,45,46",
        "low-above": 6, "low-below": 3, "low-land": 10, "carbon-factor": 5.703, "carbon-factor-source": "因子",
        "carbon-industry-level": "division", "carbon-scope": "above_scale", "carbon-level-low": 0.6,
        "carbon-level-mid": 2.0, "key-min-total": 10000,
        "tech-honours": definition["enterprise_types"]["tech_honours"],
        "key-honours": definition["key_enterprises"]["honours"],
    }  # fmt: skip
    for g, bound in enumerate(definition["carbon"]["grades"], start=1):
        data[f"carbon-grade-{g}"] = bound
    for i, rule in enumerate(definition["treatments"]):
        data |= {f"t-{i}-order": i + 1, f"t-{i}-treatment": rule["treatment"], f"t-{i}-basis": rule["basis"]}
        for name in ("classes", "willingness", "types"):
            data[f"t-{i}-{name}"] = rule.get(name, [])
    return data


def test_the_scheme_editor_saves_a_new_version_that_reads_back_the_same(huzhou, users, login):
    stored = EvaluationScheme.objects.get(year=2025)
    client = login(users["city_admin"])
    data = form_of(stored.definition) | {
        "above-tax_per_mu-weight": 40,
        "above-rnd_share-weight": "",
        "note": "调权重",
    }
    response = client.post("/evaluation/scheme/", data, follow=True)
    assert "已保存湖州市 2025 年评价方案（第 2 版）" in response.content.decode()
    saved = EvaluationScheme.objects.get(year=2025, version=2)
    above = {item["code"]: item["weight"] for item in saved.definition["groups"]["above"]["indicators"]}
    assert above["tax_per_mu"] == 40 and "rnd_share" not in above
    assert (
        scheme_from_definition(saved.definition).treatments
        == scheme_from_definition(stored.definition).treatments
    )
    assert saved.definition["carbon"]["grades"] == [0.6, 0.8, 1.2, 2]
    assert saved.note == "调权重"
    # Every other setting reads back as it was, its source included.
    unchanged = {k: v for k, v in saved.definition.items() if k not in ("groups", "carbon", "treatments")}
    assert unchanged == {key: stored.definition[key] for key in unchanged} | {"cap_multiple": None}
    assert saved.definition["carbon"]["neutral_marks"] == stored.definition["carbon"]["neutral_marks"]
    assert (
        scheme_from_definition(saved.definition).sources == scheme_from_definition(stored.definition).sources
    )


def test_the_scheme_editor_refuses_bad_input_in_chinese_and_keeps_what_was_typed(huzhou, users, login):
    stored = EvaluationScheme.objects.get(year=2025)
    data = form_of(stored.definition) | {"below-cutoffs-rank-D": 50, "above-tax_per_mu-weight": "三十"}
    page = login(users["city_admin"]).post("/evaluation/scheme/", data).content.decode()
    assert "方案未保存" in page
    assert "规上企业指标“亩均税收”的权重：“三十”不是数字。" in page
    assert "规下企业按排名分档时 A、B、C、D 类比例之和应为 100%，现为 145%。" in page
    assert 'value="三十"' in page
    assert EvaluationScheme.objects.filter(year=2025).count() == 1


def test_the_scheme_page_shows_each_settings_source_and_that_the_default_is_for_the_city_to_replace(
    huzhou, users, login
):
    stored = EvaluationScheme.objects.get(year=2025)
    page = login(users["city_staff"]).get("/evaluation/scheme/", {"year": 2025}).content.decode()
    for name, text in stored.definition["sources"].items():
        assert f'data-testid="source-{name}">{text}</textarea>' in html.unescape(page)
    assert "20/40/35/5% 取自江苏某市" in page and "湖州市尚未制定自己的评价方案" in page
    assert "县内" in page and "民法典 第一千二百五十九条" in page


def test_the_editor_saves_a_custom_grouping_and_an_excluded_bound(huzhou, users, login):
    stored = EvaluationScheme.objects.get(year=2025)
    client = login(users["city_admin"])
    data = form_of(stored.definition)
    del data["inclusive-low_above_tax"]
    data |= {
        "ranking-level": "custom", "rank-group-0-name": "市本级", "rank-group-0-districts": ["330502", "330503"],
        "source-ranking": "市本级合并排名（市经信局 2026 年评价办法）",
    }  # fmt: skip
    page = client.post("/evaluation/scheme/", data, follow=True).content.decode()
    saved = EvaluationScheme.objects.get(year=2025, version=2)
    assert saved.org_unit.code == "330500"
    assert saved.definition["ranking"] == {
        "level": "custom", "groups": [{"name": "市本级", "districts": ["330502", "330503"]}]
    }  # fmt: skip
    assert saved.definition["inclusive"]["low_above_tax"] is False
    assert "规上企业亩均税收（万元/亩）以下（不含本数）" in page and "湖州市尚未制定" not in page
    assert "市本级合并排名（市经信局 2026 年评价办法）" in page
    refused = client.post(
        "/evaluation/scheme/", data | {"rank-group-1-name": "外市", "rank-group-1-districts": "B-D9"}
    )
    assert "自定义分组中的区县代码 B-D9 不是本市的区县。" in refused.content.decode()
    assert EvaluationScheme.objects.filter(year=2025).count() == 2


def test_only_city_admins_may_save_the_scheme(huzhou, users, login):
    stored = EvaluationScheme.objects.get(year=2025)
    response = login(users["city_staff"]).post("/evaluation/scheme/", form_of(stored.definition))
    assert response.status_code == 403
    assert (
        "只有市级管理员可以修改评价方案"
        in login(users["city_staff"]).get("/evaluation/scheme/").content.decode()
    )


def test_carbon_page_shows_the_grade_distribution_by_industry(evaluated, users, login):
    page = login(users["city_staff"]).get("/evaluation/carbon/", {"year": 2025}).content.decode()
    assert "18 纺织服装、服饰业" in page and "21 家具制造业" in page
    assert "3 &lt; K ≤" not in page and "0.8 &lt; K ≤ 1.2" in page
    assert "零碳电力排放因子 5.703 吨/万千瓦时" in page


def test_treatment_and_low_efficiency_lists(evaluated, users, login):
    client = login(users["wuxing"])
    treatment = client.get("/evaluation/treatment/", {"year": 2025}).content.decode()
    assert "新锐壮腰" in treatment and "南浔木业有限公司" not in treatment
    low = login(users["city_staff"]).get("/evaluation/low-efficiency/", {"year": 2025}).content.decode()
    assert "规上企业亩均税收 4.00 万元/亩，在 6 万元/亩以下（含本数）" in low and "共 2 家" in low
    assert (
        "规上企业亩均税收 6 万元/亩以下（含本数），规下企业 3 万元/亩以下（含本数），用地 10 亩以上（含本数）仍未上规"
        in low
    )


def test_exemptions_are_entered_on_their_page_and_apply_on_the_next_run(evaluated, users, login):
    client = login(users["wuxing"])
    response = client.post(
        "/evaluation/exemptions/",
        {"year": 2025, "uscc": evaluated[0].lower(), "reason": "停产整顿"},
        follow=True,
    )
    assert "已将“湖州织里童装有限公司”列为 2025 年不参评" in response.content.decode()
    outside = client.post("/evaluation/exemptions/", {"year": 2025, "uscc": evaluated[2], "reason": "x"})
    assert outside.status_code == 404  # 南浔 is outside 吴兴's scope
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    assert EvaluationResult.objects.get(year=2025, enterprise__uscc=evaluated[0]).klass == "T"
    exemption = Exemption.objects.get()
    client.post("/evaluation/exemptions/", {"year": 2025, "remove": exemption.pk})
    assert not Exemption.objects.exists()


def test_tracking_sheet_lists_chosen_and_rule_based_key_enterprises_with_changes(evaluated, users, login):
    Honour.objects.create(
        enterprise=Enterprise.objects.get(uscc=evaluated[2]), kind="golden_bull", year_granted=2023
    )
    client = login(users["city_staff"])
    client.post("/evaluation/tracking/", {"year": 2025, "uscc": evaluated[0], "reason": "龙头企业"})
    assert KeyEnterprise.objects.get().reason == "龙头企业"
    page = client.get("/evaluation/tracking/", {"year": 2025}).content.decode()
    assert "市级确定：龙头企业" in page and "金牛" in page and "共 2 家" in page
    rows = exported_rows(client.get("/evaluation/tracking/", {"year": 2025, "export": "xlsx"}))
    assert {row[0] for row in rows[1:]} == {"湖州织里童装有限公司", "南浔木业有限公司"}
    assert (
        login(users["wuxing"])
        .post("/evaluation/tracking/", {"year": 2025, "uscc": evaluated[1], "reason": "x"}, follow=True)
        .status_code
        == 200
    )
    assert KeyEnterprise.objects.count() == 1  # district staff cannot choose


def test_the_enterprise_profile_shows_its_evaluation(evaluated, users, login):
    enterprise = Enterprise.objects.get(uscc=evaluated[0])
    page = login(users["wuxing"]).get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert "B类（提升发展类）" in page and 'data-grade="3"' in page
    assert "施策建议（中型企业）" in page and "亩均税收" in page


def test_the_above_scale_page_is_the_projects_list(evaluated, users, login):
    page = login(users["city_staff"]).get("/evaluation/above-scale/").content.decode()
    assert "升规培育对象" in page and "湖州吴兴新材料有限公司" in page


def test_the_treatment_export_downloads_and_the_city_list_stays_with_the_city(evaluated, users, login):
    rows = exported_rows(
        login(users["wuxing"]).get("/evaluation/treatment/", {"year": 2025, "export": "xlsx"})
    )
    assert {row[1] for row in rows[1:]} == {"湖州织里童装有限公司", "湖州吴兴新材料有限公司"}
    KeyEnterprise.objects.create(
        enterprise=Enterprise.objects.get(uscc=evaluated[2]), reason="市领导联系企业"
    )
    assert (
        "市领导联系企业"
        not in login(users["wuxing"]).get("/evaluation/tracking/", {"year": 2025}).content.decode()
    )
    assert (
        "市领导联系企业"
        in login(users["city_staff"]).get("/evaluation/tracking/", {"year": 2025}).content.decode()
    )


def test_results_open_a_to_d_with_t_last_and_a_missing_score_says_why(evaluated, users, login):
    Exemption.objects.create(
        year=2025, enterprise=Enterprise.objects.get(uscc=evaluated[0]), reason="停产整顿"
    )
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    page = login(users["city_staff"]).get("/evaluation/", {"year": 2025}).content.decode()
    table = page.split('data-testid="result-table"')[1].split("</table>")[0]
    classes = [row.split('data-class="')[1][0] for row in table.split("<tr>")[2:]]
    assert classes == [*sorted(classes[:-1]), "T"]  # B, C …, and the exempt one last
    exempt = table.split("<tr>")[-1]
    assert "湖州织里童装有限公司" in exempt and "不参评" in exempt and "kc-dash" in exempt


def test_the_exemption_list_pages_and_shows_its_total(evaluated, users, login):
    firm = Enterprise.objects.get(uscc=evaluated[0])
    Exemption.objects.create(year=2025, enterprise=firm, reason="停产整顿")
    page = login(users["city_staff"]).get("/evaluation/exemptions/", {"year": 2025}).content.decode()
    assert "停产整顿" in page and "共 1 条" in page
