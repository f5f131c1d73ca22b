"""The plan pages: the target table laid out like the document with the text's sentences beside it, and
the plan check's findings."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise, Honour
from kuochan.targets.models import Actual, Indicator, Plan
from kuochan.targets.selectors import unit_actuals

pytestmark = pytest.mark.django_db


def test_the_plan_page_shows_the_table_and_the_text_side_by_side(huzhou, users, login):
    page = login(users["wuxing"]).get("/targets/").content.decode()
    assert "表 “十五五”湖州市增资扩产工作目标表" in page
    assert '<td colspan="6">年均增幅11%以上</td>' in page  # a merged cell spans the years, as printed
    assert "规上工业企业研发费用占营业收入比重达到3.14%。" in page  # the text beside the table's 3.5
    assert "国家单项冠军企业" in page and "科技型中小企业" in page  # targets only the text states
    assert page.count("累计完成3500亿元，较“十四五”翻一番。") == 1  # two targets, one sentence shown once


def test_the_check_page_lists_the_findings_with_their_severity(huzhou, users, login):
    page = login(users["leader"]).get("/targets/check/").content.decode()
    assert "错误 1 条，警示 6 条" in page  # 4 warnings of its own, 2 across it and the 2025 work plan
    assert "对照：市经信局2025年工作计划" in page and "一年上升 5.4 个百分点" in page
    assert 'data-severity="error"' in page and "二者不一致，须核定以哪个为准" in page


def test_the_progress_page_shows_lights_sources_and_scope(registered, users, login):
    Honour.objects.create(
        enterprise=Enterprise.objects.get(uscc=registered[2]), kind="listed", year_granted=2024
    )
    Actual.objects.create(
        indicator=Indicator.objects.get(code="renovation_share"), org_unit=OrgUnit.objects.get(code="330500"),
        month=dt.date(2026, 6, 1), value=Decimal("58.9"),
    )  # fmt: skip
    city = login(users["city_staff"]).get("/targets/progress/", {"as_of": "2026-06"}).content.decode()
    assert "湖州市截至 2026年6月的进度" in city
    assert "比重现为 58.9%，底线 60%，低 1.1 个百分点" in city and "统计数据" in city
    assert "推算（企业库推算）" in city
    district = login(users["wuxing"]).get("/targets/progress/", {"as_of": "2026-06"}).content.decode()
    assert "吴兴区截至 2026年6月的进度" in district and "湖州市（全市）" not in district
    assert "目标尚未分解到本单位，只列实际值" in district


def test_a_level_indicator_reads_as_added_against_to_add_and_one_without_data_is_greyed_with_its_source(
    registered, users, login
):
    listed = Enterprise.objects.get(uscc=registered[2])
    Honour.objects.create(enterprise=listed, kind="listed", year_granted=2024)
    Honour.objects.create(
        enterprise=Enterprise.objects.get(uscc=registered[0]), kind="listed", year_granted=2026
    )
    page = login(users["city_staff"]).get("/targets/progress/", {"as_of": "2026-06"})
    html = page.content.decode()
    rows = {
        row.split("</td>")[1]: row for row in html.split('data-testid="progress-table"')[1].split("<tr")[2:]
    }
    listed_row = next(row for name, row in rows.items() if "上市公司" in name)
    # the year began with 1 listed company, 1 more listed in 2026; the 2026 target of 67 means 66 to add
    assert "年内新增 1 / 目标新增 66" in listed_row and "完成 0" not in listed_row
    centres = next(row for name, row in rows.items() if "企业技术中心" in name)
    assert 'class="text-secondary" data-no-data' in centres and "待录入：统计数据" in centres
    smart = next(row for name, row in rows.items() if "智能工厂" in name)  # counted from the honours
    assert "推算（企业库推算）" in smart


def test_staff_enter_an_official_figure_on_the_progress_page_within_their_scope(huzhou, users, login):
    client = login(users["wuxing"])
    wuxing, nanxun = OrgUnit.objects.get(code="330502"), OrgUnit.objects.get(code="330503")
    form = {
        "indicator": "renovation_investment",
        "unit": wuxing.pk,
        "month": "2026-06",
        "value": "64.8",
        "note": "区统计局",
    }
    page = client.post("/targets/progress/", form, follow=True).content.decode()
    assert "已录入吴兴区2026-06“增资扩产投资额（技改投资）”的统计数据。" in page
    assert Actual.objects.get(org_unit=wuxing).value == Decimal("64.8")
    refused = client.post("/targets/progress/", form | {"unit": nanxun.pk}, follow=True).content.decode()
    assert "请选择指标、单位和月份" in refused  # 南浔 is not among 吴兴 staff's units
    bad = client.post("/targets/progress/", form | {"value": "六十"}, follow=True).content.decode()
    assert "“六十”不是数字" in bad


def test_rnd_share_is_derived_as_a_ratio_of_sums_for_the_city(with_metrics):
    plan = Plan.objects.get(code="huzhou-2026-2030")
    values, source = unit_actuals(plan, Indicator.objects.get(code="rnd_share"), 2025, 12)
    # above-scale firms: R&D (300 + 80) / revenue (10,000 + 8,000) = 2.11 %; 吴兴 alone 300 / 10,000 = 3 %
    assert (values["湖州市"], values["吴兴区"], values["南浔区"]) == (
        Decimal("2.11"),
        Decimal("3.00"),
        Decimal("1.00"),
    )
    assert source == "推算（企业库推算）"
