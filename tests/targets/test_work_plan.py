"""Huzhou's 2025 work plan (seed 002) as a plan like any other: chosen by the month asked for, its
indicators taking their actuals from the monthly statistics, the registry or entered figures, read against
their 2024 results where the plan sets no target; plans of a district and of a province."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kuochan.accounts.models import Role
from kuochan.audit.models import Source
from kuochan.cockpit.models import Measure
from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise, Honour
from kuochan.statistics.models import StatFigure, StatIndicator
from kuochan.targets import services
from kuochan.targets.models import Actual, Indicator, Plan
from kuochan.targets.selectors import plan_get, ranking, targets_report
from tests.conftest import make_user
from tests.xlsx import uscc

pytestmark = pytest.mark.django_db
WORK_PLAN = "huzhou-2025"


def targets(capsys, *options):
    try:
        call_command("targets", *options, "--format", "json")
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, {row["code"]: row for row in json.loads(capsys.readouterr().out)["indicators"]}


def detail(month, code, unit=None):
    plan = Plan.objects.get(code=WORK_PLAN)
    report = targets_report(plan=plan, year=2025, month=month, unit=unit, detail=True)
    return next(row for row in report["indicators"] if row["code"] == code)


def test_the_work_plan_is_loaded_with_its_six_actions_and_its_2024_results(huzhou):
    plan = Plan.objects.get(code=WORK_PLAN)
    assert (plan.period_start, plan.period_end, plan.baseline_year) == (2025, 2025, 2024)
    actions = list(plan.measures.order_by("sort_order").values_list("number", "title"))
    assert len(actions) == 6 and actions[0] == ("一、", "实施“产业创强”攻坚战")
    assert Measure.objects.filter(plan__code="huzhou-2026-2030").count() == 12  # the five-year plan's own
    growth = plan.indicators.get(code="above_scale_value_added_growth")
    assert growth.baseline == Decimal("7.3") and growth.statistic.code == "above-scale-value-added"
    [result] = growth.statements.all()
    assert (
        result.claim == "result" and result.year == 2024 and "规上工业增加值同比增长7.3%" in result.sentence
    )


def test_a_month_of_2025_is_read_against_the_work_plan_and_2026_against_the_five_year_plan(huzhou, capsys):
    code, rows = targets(capsys, "--as-of", "2025-06")
    assert code == 0 and "nev_chain_revenue" in rows and "renovation_investment" not in rows
    code, rows = targets(capsys, "--as-of", "2026-06")
    assert code == 0 and "renovation_investment" in rows
    assert targets(capsys, "--as-of", "2026-06", "--plan", WORK_PLAN) == (
        2,
        "截至月份应在规划期 2025—2025 年内，收到 2026 年。",
    )


def test_the_work_plan_progresses_month_by_month(huzhou, capsys):
    """规上工业增加值 from the statistics bureau's monthly figures against 2024's 7.3 %; the chain's revenue
    entered each month against 1,000 亿元 and time pace; 金象金牛 granted in the year against "有新增"."""
    city = OrgUnit.objects.get(code="330500")
    value_added = StatIndicator.objects.get(code="above-scale-value-added")
    revenue = Indicator.objects.get(plan__code=WORK_PLAN, code="nev_chain_revenue")
    for month, growth, ytd in ((3, "6.8", 240), (6, "7.9", 380), (9, "8.4", 400)):
        StatFigure.objects.create(
            indicator=value_added, area=city, month=dt.date(2025, month, 1), growth=growth
        )
        Actual.objects.create(indicator=revenue, org_unit=city, month=dt.date(2025, month, 1), value=ytd)

    march, june, september = (
        targets(capsys, "--as-of", f"2025-{m:02d}", "--plan", WORK_PLAN)[1] for m in (3, 6, 9)
    )
    assert [m["above_scale_value_added_growth"]["actual"] for m in (march, june, september)] == [
        6.8,
        7.9,
        8.4,
    ]
    assert detail(3, "above_scale_value_added_growth")["reasons"][-1] == "比 2024 年的 7.3% 低 0.5 个百分点"
    assert detail(6, "above_scale_value_added_growth")["reasons"][-1] == "比 2024 年的 7.3% 高 0.6 个百分点"
    assert detail(6, "above_scale_value_added_growth")["source"] == "统计数据（规上工业增加值增速）"

    # 240 of 1,000 by March is 24 % at a 25 % pace; 380 by June is 12 points behind (10 and more: yellow);
    # 400 by September is 35 points behind (beyond 30: red)
    assert [m["nev_chain_revenue"]["light"] for m in (march, june, september)] == ["green", "yellow", "red"]
    assert [m["nev_chain_revenue"]["completion"] for m in (march, june, september)] == [0.24, 0.38, 0.4]

    assert june["golden_elephant_bull_new"]["actual"] == 0
    firm = Enterprise.objects.create(
        uscc=uscc(1, "250101"), name="湖州金象机械有限公司", district=huzhou["330502"]
    )
    Honour.objects.create(enterprise=firm, kind="golden_elephant", year_granted=2025)
    Honour.objects.create(
        enterprise=firm, kind="golden_elephant", year_granted=2024
    )  # a year before: not new
    june = targets(capsys, "--as-of", "2025-06", "--plan", WORK_PLAN)[1]
    assert (
        june["golden_elephant_bull_new"]["actual"] == 1
        and june["golden_elephant_bull_new"]["light"] == "green"
    )


def test_a_district_reads_its_own_statistics_within_the_work_plan(huzhou):
    wuxing = OrgUnit.objects.get(code="330502")
    value_added = StatIndicator.objects.get(code="above-scale-value-added")
    StatFigure.objects.create(indicator=value_added, area=wuxing, month=dt.date(2025, 6, 1), growth="9.2")
    row = detail(6, "above_scale_value_added_growth", unit=wuxing)
    assert row["actual"] == 9.2 and row["light"] == "none"  # the plan sets no target for the growth


def test_a_districts_own_plan_counts_its_own_enterprises_only(huzhou, users):
    wuxing, nanxun = huzhou["330502"], huzhou["330503"]
    content = {
        "code": "wuxing-2026", "name": "吴兴区2026年工作计划", "org_unit": "330502", "period": [2026, 2026],
        "baseline_year": 2025,
        "indicators": [
            {"code": "listed_new", "name": "新增上市公司", "unit": "家", "kind": "period_total",
             "yearly": {"2026": 2}, "actual_source": "registry", "derivation": "honour_new:listed"},
        ],
    }  # fmt: skip
    with pytest.raises(Exception, match="无权新建吴兴区的规划"):
        services.plan_create(actor=users["nanxun"], source=Source.WEB, content=content)
    plan = services.plan_create(actor=users["wuxing"], source=Source.WEB, content=content)
    for n, district in enumerate((wuxing, wuxing, nanxun)):
        firm = Enterprise.objects.create(
            uscc=uscc(2, f"26010{n}"), name=f"上市{n}号有限公司", district=district
        )
        Honour.objects.create(enterprise=firm, kind="listed", year_granted=2026)
    [row] = targets_report(plan=plan, year=2026, month=6)["indicators"]
    assert row["actual"] == 2 and row["completion"] == 1  # 南浔's listing is not 吴兴's
    assert plan_get(actor=users["wuxing"], year=2026) == plan  # its own plan first, for its own staff
    assert plan_get(actor=users["nanxun"], year=2026).code == "huzhou-2026-2030"


def test_a_province_ranks_its_cities_on_a_plan_of_its_own(two_cities):
    province = OrgUnit.objects.get(kind="province")  # the province both cities belong to
    b_district = two_cities["b_district"]
    plan = services.plan_create(
        actor=None, source=Source.CLI,
        content={
            "code": "province-2026", "name": "全省2026年目标", "org_unit": province.code, "period": [2026, 2026],
            "baseline_year": 2025,
            "indicators": [
                {"code": "listed_new", "name": "新增上市公司", "unit": "家", "kind": "period_total",
                 "yearly": {"2026": 4}, "actual_source": "registry", "derivation": "honour_new:listed"},
            ],
        },
    )  # fmt: skip
    staff = make_user("province", Role.CITY_STAFF, province)
    for code in ("330500", "B"):  # each city's share, set by the province
        services.district_target_set(
            actor=staff, source=Source.WEB, indicator=plan.indicators.get(), unit=OrgUnit.objects.get(code=code),
            year=2026, value=2,
        )  # fmt: skip
    firm = two_cities["b_enterprise"]
    Honour.objects.create(enterprise=firm, kind="listed", year_granted=2026)
    a_firm = Enterprise.objects.create(
        uscc=uscc(3, "260101"), name="湖州上市有限公司", district=OrgUnit.objects.get(code="330502")
    )
    Honour.objects.create(enterprise=a_firm, kind="listed", year_granted=2026)
    other = Enterprise.objects.create(uscc=uscc(3, "260102"), name="乙市上市有限公司", district=b_district)
    Honour.objects.create(enterprise=other, kind="listed", year_granted=2026)
    report = targets_report(plan=plan, year=2026, month=6, unit=OrgUnit.objects.get(code="B"))
    assert report["indicators"][0]["actual"] == 2  # 乙市's two, added up from its district
    assert targets_report(plan=plan, year=2026, month=6)["indicators"][0]["actual"] == 3  # the province's
    ranked = ranking(plan=plan, year=2026, month=6)  # 乙市 has its 2, 湖州 1 of 2
    assert [(row.unit, row.rank) for row in ranked] == [
        ("乙市", 1),
        (OrgUnit.objects.get(code="330500").display_name, 2),
    ]


def test_a_plan_is_refused_whole_with_every_problem_named(huzhou):
    content = {
        "code": "bad", "name": "", "org_unit": "330500", "period": [2027, 2026], "baseline_year": 2028,
        "indicators": [
            {"code": "a", "name": "甲", "unit": "个", "kind": "nonsense", "actual_source": "registry",
             "derivation": "honour:nobody"},
            {"code": "b", "name": "乙", "unit": "个", "kind": "period_total", "actual_source": "statistics",
             "yearly": {"2031": 3}, "baseline": "三"},
        ],
        "statements": [{"indicator": "zzz", "claim": "level", "value": 1, "sentence": "到2030年达到1个。"}],
    }  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.plan_create(actor=None, source=Source.CLI, content=content)
    messages = refused.value.messages
    assert "请填写规划名称。" in messages
    assert "规划期 2027—2026 年不正确：截止年应不早于起始年，且跨度不超过 10 年。" in messages
    assert "基期年 2028 年应不晚于规划起始年 2027 年。" in messages
    assert any(m.startswith("指标“甲”的类型“nonsense”不正确") for m in messages)
    assert "指标“甲”的推算口径“honour:nobody”不是平台能推算的口径。" in messages
    assert "指标“乙”：“三”不是数字。" in messages
    assert "正文目标“到2030年达到1个。…”指向未知指标“zzz”。" in messages
    assert not Plan.objects.filter(code="bad").exists()


def test_the_cockpit_and_the_report_of_a_2025_month_read_the_work_plan(huzhou, users):
    from kuochan.cockpit.selectors import cockpit_data, report_data, report_figures

    city = OrgUnit.objects.get(code="330500")
    revenue = Indicator.objects.get(plan__code=WORK_PLAN, code="nev_chain_revenue")
    Actual.objects.create(indicator=revenue, org_unit=city, month=dt.date(2025, 6, 1), value=380)
    headline = {
        row["code"]: row for row in cockpit_data(actor=users["city_staff"], year=2025, month=6).headline
    }
    assert headline["nev_chain_revenue"]["light"] == "yellow" and "renovation_investment" not in headline
    figures = report_figures(report_data(year=2025, month=6))
    assert figures["plan"] == "市经信局2025年工作计划"
    row = next(i for i in figures["indicators"] if i["code"] == "nev_chain_revenue")
    assert (row["actual"], row["year_target"], row["light"]) == (380, 1000, "yellow")
    assert (
        report_figures(report_data(year=2026, month=6))["plan"]
        == "湖州市推动企业增资扩产五年倍增行动实施方案"
    )


def test_the_pages_keep_the_plan_and_say_what_does_not_apply_to_it(huzhou, users, login):
    client = login(users["city_staff"])
    ranking_page = client.get("/targets/ranking/", {"plan": WORK_PLAN, "as_of": "2025-06"}).content.decode()
    assert "《市经信局2025年工作计划》的指标尚未分解到各区县，暂无法赛马。" in ranking_page
    assert f'<input type="hidden" name="plan" value="{WORK_PLAN}">' in ranking_page  # a new month keeps it
    forecast_page = client.get("/targets/forecast/", {"plan": WORK_PLAN, "as_of": "2025-06"}).content.decode()
    assert "没有由项目库推算的技改投资或亿元以上项目指标，无需按项目库预测。" in forecast_page
    progress = client.get("/targets/progress/", {"plan": WORK_PLAN, "as_of": "2026-06"}).content.decode()
    assert (
        "《市经信局2025年工作计划》不含 2026 年，已改看 2026 年的《湖州市推动企业增资扩产五年倍增行动实施方案》。"
        in progress
    )
    assert "增资扩产投资额（技改投资）" in progress
    with pytest.raises(CommandError, match="无需按项目库预测"):
        call_command("forecast", "--as-of", "2025-06", "--plan", WORK_PLAN)
