"""The figures the titles' criteria read come in through the usual imports (with the names officials use), show
on the profile, and the segment start is edited with the enterprise."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.registry.models import AnnualMetric, Enterprise, Honour
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db


def test_metrics_take_balance_sheet_staff_ip_and_score_under_their_usual_names(
    registered, tmp_path, run_cli, users, login
):
    rows = [
        ["统一社会信用代码", "年度", "总资产", "负债合计", "职工人数", "科技人员", "一类知识产权", "Ⅱ类知识产权数", "发展评价得分"],
        [registered[0], 2025, "5,000", "3000万元", 120, 14, 0, 2, "66.5"],
    ]  # fmt: skip
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows))
    assert code == 0, result
    metric = AnnualMetric.objects.get(enterprise__uscc=registered[0], year=2025)
    assert (metric.assets_wan, metric.liabilities_wan, metric.tech_staff) == (
        Decimal(5000),
        Decimal(3000),
        14,
    )
    assert (metric.ip_class1, metric.ip_class2, metric.srdi_score) == (0, 2, Decimal("66.5"))
    page = login(users["wuxing"]).get(metric.enterprise.get_absolute_url()).content.decode()
    table = page[page.index('data-testid="cultivation-metrics"') :]
    assert "5,000.00" in table and "60.00%" in table and "11.67%" in table and "66.5" in table


def test_bad_figures_are_refused_with_row_column_and_value(registered, tmp_path, run_cli):
    rows = [
        ["统一社会信用代码", "年度", "资产总额（万元）", "科技人员数", "专精特新发展评价得分"],
        [registered[0], 2025, -1, 3, 60],
        [registered[1], 2025, 100, "2.5", 60],
        [registered[2], 2025, 100, 3, "66.25"],
        [registered[2], 2024, 100, 3, 101],
    ]
    code, result = run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", rows))
    assert code == 2 and not AnnualMetric.objects.exists()
    problems = {(e["row"], e["column"], e["value"]) for e in result["errors"]}
    assert problems == {
        (2, "资产总额(万元)", "-1"), (3, "科技人员数", "2.5"), (4, "专精特新发展评价得分", "66.25"),
        (5, "专精特新发展评价得分", "101"),
    }  # fmt: skip
    score = next(e for e in result["errors"] if e["row"] == 4)
    assert score["message"] == "应为 0–100 的分数，至多一位小数，如 66.5"


def test_honours_take_the_document_number_and_a_date_within_their_year(
    registered, tmp_path, run_cli, users, login
):
    header = ["统一社会信用代码", "荣誉类型", "认定年度", "文号", "认定时间"]
    bad = [header, [registered[0], "国家知识产权示范企业", 2025, "国知发〔2025〕1号", dt.date(2024, 12, 31)]]
    code, result = run_cli("honours", write_xlsx(tmp_path / "bad.xlsx", bad))
    assert code == 2 and not Honour.objects.exists()
    [error] = result["errors"]
    assert (error["row"], error["column"]) == (2, "认定时间")  # the header as the file names it
    assert error["message"] == "认定日期 2024-12-31 不在认定年度 2025 年内"
    good = [header, [registered[0], "国家知识产权示范企业", 2025, "国知发〔2025〕1号", dt.date(2025, 1, 1)]]
    code, result = run_cli("honours", write_xlsx(tmp_path / "good.xlsx", good))
    assert code == 0, result
    honour = Honour.objects.get()
    assert (honour.kind, honour.document_number, honour.granted_on) == (
        "ip_demo",
        "国知发〔2025〕1号",
        dt.date(2025, 1, 1),
    )
    page = login(users["wuxing"]).get(honour.enterprise.get_absolute_url()).content.decode()
    assert "知识产权示范企业" in page and "国知发〔2025〕1号 · 2025-01-01" in page


def test_enterprises_take_the_segment_start_and_the_profile_edits_it(
    registered, tmp_path, run_cli, users, login
):
    rows = [
        ["统一社会信用代码", "企业名称", "所属区县", "细分市场起始日期"],
        [registered[0], "湖州织里童装有限公司", "吴兴区", "2016-03-01"],
    ]
    code, result = run_cli("enterprises", write_xlsx(tmp_path / "e.xlsx", rows))
    assert code == 0 and result["updated"] == 1, result
    enterprise = Enterprise.objects.get(uscc=registered[0])
    assert enterprise.segment_since == dt.date(2016, 3, 1)
    client = login(users["wuxing"])
    assert "2016-03-01 起" in client.get(enterprise.get_absolute_url()).content.decode()
    form = {
        "uscc": enterprise.uscc, "name": enterprise.name, "district": enterprise.district_id,
        "town": enterprise.town_id, "segment_since": "2018-07-01",
    }  # fmt: skip
    assert client.post(f"/enterprises/{enterprise.pk}/edit/", form).status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.segment_since == dt.date(2018, 7, 1)
    bad = client.post(f"/enterprises/{enterprise.pk}/edit/", {**form, "segment_since": "去年"})
    assert bad.status_code == 200 and "有效的日期" in bad.content.decode()


def test_the_api_reads_and_writes_them_by_the_same_rules(registered, users, login):
    own = Enterprise.objects.get(uscc=registered[0])
    client = login(users["wuxing"])
    api = f"/api/v1/enterprises/{own.pk}"
    figures = {
        "assets_wan": "5000",
        "liabilities_wan": "3000",
        "tech_staff": 14,
        "ip_class1": 1,
        "srdi_score": "66.5",
    }
    saved = client.put(f"{api}/metrics/2025", figures, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert {k: saved.json()[k] for k in figures} == {
        "assets_wan": 5000.0, "liabilities_wan": 3000.0, "tech_staff": 14, "ip_class1": 1, "srdi_score": 66.5,
    }  # fmt: skip
    too_fine = client.put(f"{api}/metrics/2025", {"srdi_score": "66.25"}, content_type="application/json")
    assert too_fine.status_code == 422
    honour = {"kind": "ip_advantage", "year_granted": 2025, "document_number": "国知发〔2025〕2号"}
    outside = client.post(
        f"{api}/honours", {**honour, "granted_on": "2026-01-05"}, content_type="application/json"
    )
    assert outside.json()["errors"] == {"granted_on": ["认定日期 2026-01-05 不在认定年度 2025 年内"]}
    made = client.post(
        f"{api}/honours", {**honour, "granted_on": "2025-11-05"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["granted_on"] == "2025-11-05"
    patched = client.patch(api, {"segment_since": "2016-03-01"}, content_type="application/json")
    assert patched.json()["segment_since"] == "2016-03-01"
