"""The published points tables scored by hand: 创新型中小企业 (工信部企业〔2022〕63号 附件1) and 科技型中小企业
(国科发政〔2017〕115号 附件), examples 甲 and 乙 of docs/research/cultivation/NOTES.md, and every band bound."""

import dataclasses
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kuochan.cultivation.rules import (
    MET,
    NOT_MET,
    UNKNOWN,
    Criterion,
    ScoreInputs,
    assess,
    criterion_rule,
    score_facts,
    score_innovative_sme,
    score_tech_sme,
)
from kuochan.reference import read_json
from kuochan.registry.models import AnnualMetric, Enterprise

TITLES = {t["code"]: t for t in read_json("common", "titles.json")["titles"]}


def criterion(title: str, code: str) -> Criterion:
    found = next(c for c in TITLES[title]["criteria"] if c["code"] == code)
    return Criterion(found["code"], found["text"], criterion_rule(found["rule"]), found["source"])


def d(value) -> Decimal:
    return Decimal(str(value))


# 甲 (小型): 营业收入 3,000万, 主营 2,880万 (前年 2,400万), 研发 84万, 资产 5,000万 负债 3,000万 (60%), 2 项Ⅱ类,
# 主导产品属战略性新兴产业, 无直通条件.
JIA = dict(
    revenue_wan=d(3000), main_revenue_wan=d(2880), main_revenue_before_wan=d(2400), rnd_wan=d(84),
    assets_wan=d(5000), liabilities_wan=d(3000), ip_class1=0, ip_class2=2, strategic_emerging=True,
)  # fmt: skip


def innovative_verdict(**inputs):
    facts = {"enterprise.honours": set(), **score_facts(score_innovative_sme(ScoreInputs(**inputs)))}
    [verdict] = assess([criterion("innovative_sme", "direct_or_score")], facts).verdicts
    return verdict


def test_jia_scores_70_but_misses_the_innovation_part_by_5_points():
    score = score_innovative_sme(ScoreInputs(**JIA))
    # 知识产权 Ⅱ类 → 5; 研发 84 / 3,000 = 2.80% → 10; 增长 2,880 / 2,400 − 1 = 20.00% → 20; 负债率 60% → 5;
    # 领域 10; 主营占比 2,880 / 3,000 = 96.00% → 20.
    assert score.parts == {"innovation": 15, "growth": 25, "specialisation": 30}
    assert score.points == 70
    verdict = innovative_verdict(**JIA)
    assert verdict.status == NOT_MET
    assert verdict.reason == (
        "不符合：创新能力 15 分（知识产权 5 分 + 研发占比 2.80% 得 10 分），差 5 分："
        "取得 1 项Ⅰ类知识产权可得 10 分；或研发费用增至 90 万元（占比 3.00%）可得 15 分"
    )


def test_jia_with_90_wan_of_rnd_meets_it():
    # 90 / 3,000 = 3.00%: “3%-5%” includes 3% → 15 分, 创新能力 20 (not below 20)
    score = score_innovative_sme(ScoreInputs(**{**JIA, "rnd_wan": d(90)}))
    assert score.parts["innovation"] == 20 and score.points == 75
    assert innovative_verdict(**{**JIA, "rnd_wan": d(90)}).status == MET
    # one hundredth short of 3%: 89.99 / 3,000 = 2.9997% → still 10 分
    assert score_innovative_sme(ScoreInputs(**{**JIA, "rnd_wan": d("89.99")})).parts["innovation"] == 15


def test_an_unrecorded_product_field_counts_5_and_says_how_to_get_10():
    score = score_innovative_sme(ScoreInputs(**{**JIA, "strategic_emerging": None}))
    assert score.parts["specialisation"] == 25 and score.points == 65
    explained = score.explanation("specialisation")
    assert "主导产品领域未录，按 5 分计" in explained.detail
    assert explained.steps[0].text == "主导产品经确认属于《战略性新兴产业分类》可得 10 分"


def test_a_direct_condition_meets_it_whatever_the_score():
    facts = {
        "enterprise.honours": {"ip_demo"},
        **score_facts(score_innovative_sme(ScoreInputs(**{**JIA, "rnd_wan": d(10)}))),
    }
    [verdict] = assess([criterion("innovative_sme", "direct_or_score")], facts).verdicts
    assert verdict.status == MET


def test_a_missing_balance_sheet_leaves_the_score_unknown_and_names_it():
    verdict = innovative_verdict(**{**JIA, "assets_wan": None, "rnd_wan": d(90)})
    assert verdict.status == UNKNOWN
    assert verdict.reason == "待核实：缺少上年末资产总额、负债总额数据"


# 乙: 职工 120、科技人员 14; 研发 180万 / 销售收入 4,500万; 2 项Ⅱ类.
YI = dict(revenue_wan=d(4500), rnd_wan=d(180), employees=120, tech_staff=14, ip_class1=0, ip_class2=2)


def tech_verdict(**inputs):
    facts = {"enterprise.honours": set(), **score_facts(score_tech_sme(ScoreInputs(**inputs)))}
    [verdict] = assess([criterion("tech_sme", "score_or_direct")], facts).verdicts
    return verdict


def test_yi_scores_46_and_is_14_points_short_with_the_ways_to_60():
    score = score_tech_sme(ScoreInputs(**YI))
    # 14 / 120 = 11.67% → 4; 180 / 4,500 = 4.00% → 30 (“4%（含）-5%”); 2 项Ⅱ类 → 12
    assert score.parts == {"tech_staff": 4, "rnd": 30, "ip": 12} and score.points == 46
    verdict = tech_verdict(**YI)
    assert verdict.status == NOT_MET
    # Alone closing 14: 科技人员 36 人 = 30% → 20 (+16, 62); 研发 270万 = 6% → 50 (+20, 66); Ⅰ类 → 30 (+18, 64).
    assert verdict.reason == (
        "不符合：科技型中小企业评价 46 分（科技人员 4 分 + 研发投入 30 分 + 科技成果 12 分），差 14 分："
        "科技人员增至 36 人（占比 30.00%）可得 20 分；或研发费用增至 270 万元（占比 6.00%）可得 50 分；"
        "或取得 1 项Ⅰ类知识产权可得 30 分"
    )


@pytest.mark.parametrize(
    ("change", "points"),
    [({"ip_class1": 1}, 64), ({"tech_staff": 36}, 62), ({"tech_staff": 35}, 58)],  # 35 / 120 = 29.17% → 16
)
def test_yi_reaches_60_either_way(change, points):
    score = score_tech_sme(ScoreInputs(**{**YI, **change}))
    assert score.points == points
    assert tech_verdict(**{**YI, **change}).status == (MET if points >= 60 else NOT_MET)


def test_a_high_tech_enterprise_is_confirmed_directly():
    facts = {"enterprise.honours": {"high_tech"}, **score_facts(score_tech_sme(ScoreInputs(**YI)))}
    [verdict] = assess([criterion("tech_sme", "score_or_direct")], facts).verdicts
    assert verdict.status == MET


def test_no_tech_staff_points_fails_even_at_60_or_more():
    # 8 / 100 = 8% → 0 分; 研发 6% → 50, Ⅰ类 → 30: 80 分 but 科技人员指标得分为 0
    inputs = dict(revenue_wan=d(1000), rnd_wan=d(60), employees=100, tech_staff=8, ip_class1=1, ip_class2=0)
    assert score_tech_sme(ScoreInputs(**inputs)).points == 80
    verdict = tech_verdict(**inputs)
    assert verdict.status == NOT_MET
    assert "须高于 0 分：科技人员增至 10 人（占比 10.00%）可得 4 分" in verdict.reason


# Every bound, exactly on it: the “以上” bound belongs to the higher band; 资产负债率 55% to A, 75% to C.
@pytest.mark.parametrize(
    ("rnd", "points"), [(150, 20), (149.99, 15), (90, 15), (60, 10), (30, 5), (29.99, 0), (0, 0)]
)
def test_innovative_rnd_share_bands(rnd, points):  # of 3,000万: 5% = 150, 3% = 90, 2% = 60, 1% = 30
    score = score_innovative_sme(ScoreInputs(**{**JIA, "rnd_wan": d(rnd)}))
    assert score.parts["innovation"] - 5 == points


@pytest.mark.parametrize(
    ("main", "points"), [(2760, 20), (2759.99, 15), (2640, 15), (2520, 10), (2400, 5), (2399.99, 0)]
)
def test_innovative_growth_bands(
    main, points
):  # of 2,400万: 15% = 2,760, 10% = 2,640, 5% = 2,520, 0% = 2,400
    score = score_innovative_sme(ScoreInputs(**{**JIA, "main_revenue_wan": d(main), "revenue_wan": d(3000)}))
    assert score.parts["growth"] - 5 == points


@pytest.mark.parametrize(("liabilities", "points"), [(2750, 10), (2750.01, 5), (3749.99, 5), (3750, 0)])
def test_innovative_debt_ratio_bands(liabilities, points):  # of 5,000万: 55% = 2,750, 75% = 3,750
    score = score_innovative_sme(ScoreInputs(**{**JIA, "liabilities_wan": d(liabilities)}))
    assert score.parts["growth"] - 20 == points


@pytest.mark.parametrize(
    ("main", "points"), [(2100, 20), (2099.99, 15), (1800, 15), (1650, 10), (1500, 5), (1499.99, 0)]
)
def test_innovative_main_share_bands(
    main, points
):  # of 3,000万: 70% = 2,100, 60% = 1,800, 55% = 1,650, 50% = 1,500
    inputs = {**JIA, "main_revenue_wan": d(main), "main_revenue_before_wan": d(1)}
    assert score_innovative_sme(ScoreInputs(**inputs)).parts["specialisation"] - 10 == points


@pytest.mark.parametrize(("ip1", "ip2", "points"), [(1, 0, 10), (0, 1, 5), (0, 0, 0)])
def test_innovative_ip_bands(ip1, ip2, points):
    score = score_innovative_sme(ScoreInputs(**{**JIA, "ip_class1": ip1, "ip_class2": ip2}))
    assert score.parts["innovation"] - 10 == points


@pytest.mark.parametrize(
    ("staff", "points"), [(30, 20), (29, 16), (25, 16), (20, 12), (15, 8), (10, 4), (9, 0)]
)
def test_tech_staff_bands(staff, points):  # of 100 职工
    assert (
        score_tech_sme(ScoreInputs(**{**YI, "employees": 100, "tech_staff": staff})).parts["tech_staff"]
        == points
    )


@pytest.mark.parametrize(
    ("rnd", "points"), [(270, 50), (269.99, 40), (225, 40), (180, 30), (135, 20), (90, 10), (89.99, 0)]
)
def test_tech_rnd_bands(rnd, points):  # of 4,500万: 6% = 270, 5% = 225, 4% = 180, 3% = 135, 2% = 90
    assert score_tech_sme(ScoreInputs(**{**YI, "rnd_wan": d(rnd)})).parts["rnd"] == points


@pytest.mark.parametrize(
    ("ip1", "ip2", "points"),
    [(1, 0, 30), (0, 5, 24), (0, 4, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0)],
)
def test_tech_ip_bands(ip1, ip2, points):
    assert score_tech_sme(ScoreInputs(**{**YI, "ip_class1": ip1, "ip_class2": ip2})).parts["ip"] == points


@pytest.mark.django_db
def test_the_registry_figures_score_jia_in_the_candidates_command(registered, capsys):
    # 甲 as stored: 新材料 (小型), 上年 3,000 / 2,880 / 84万, 前年主营 2,400万, 资产 5,000 负债 3,000, 2 项Ⅱ类; its
    # product field is not recorded, so 专业化 counts 5 + 20 and the total is 65; 创新能力 still 15.
    enterprise = Enterprise.objects.get(uscc=registered[1])
    last = timezone.localdate().year - 1
    AnnualMetric.objects.create(
        enterprise=enterprise, year=last, revenue_wan=3000, main_revenue_wan=2880, rnd_wan=84, assets_wan=5000,
        liabilities_wan=3000, ip_class1=0, ip_class2=2,
    )  # fmt: skip
    AnnualMetric.objects.create(enterprise=enterprise, year=last - 1, revenue_wan=2500, main_revenue_wan=2400)
    call_command("cultivation", "candidates", "--title", "innovative_sme", "--year", str(last + 1), "--margin", "30",
                 "--format", "json")  # fmt: skip
    [found] = json.loads(capsys.readouterr().out)["enterprises"]
    assert found["uscc"] == registered[1] and found["met"] is False
    assert found["missing"] == [
        {
            "criterion": "创新型中小企业评价·创新能力得分不小于 20分（含本数）",
            "value": 15.0,
            "threshold": 20.0,
            "gap": "创新能力 15 分（知识产权 5 分 + 研发占比 2.80% 得 10 分），差 5 分："
            "取得 1 项Ⅰ类知识产权可得 10 分；或研发费用增至 90 万元（占比 3.00%）可得 15 分",
        }
    ]


hundredths = st.integers(min_value=1, max_value=10**9).map(lambda n: Decimal(n) / 100)


@given(revenue=hundredths, rnd=st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n) / 100))
def test_each_rnd_step_names_the_least_figure_that_reaches_its_band(revenue, rnd):
    """Whatever the figures: the 研发费用 a step names gives exactly the points it promises, and one hundredth
    of 万元 less does not (both evaluations)."""
    for score, part in ((score_innovative_sme, "innovation"), (score_tech_sme, "rnd")):
        inputs = ScoreInputs(**{**JIA, "revenue_wan": revenue, "rnd_wan": rnd})
        evaluation = score(inputs)
        for step in evaluation.explanation(part).steps:
            if step.needed is None:
                continue
            at = score(_with(inputs, rnd_wan=step.needed))
            below = score(_with(inputs, rnd_wan=step.needed - Decimal("0.01")))
            assert at.parts[part] - evaluation.parts[part] == step.gain
            assert below.parts[part] < at.parts[part]


@given(employees=st.integers(min_value=1, max_value=5000), staff=st.integers(min_value=0, max_value=5000))
def test_each_staff_step_names_the_least_headcount_that_reaches_its_band(employees, staff):
    inputs = ScoreInputs(**{**YI, "employees": employees, "tech_staff": min(staff, employees)})
    evaluation = score_tech_sme(inputs)
    for step in evaluation.explanation("tech_staff").steps:
        at = score_tech_sme(_with(inputs, tech_staff=int(step.needed)))
        below = score_tech_sme(_with(inputs, tech_staff=int(step.needed) - 1))
        assert at.parts["tech_staff"] == step.points and below.parts["tech_staff"] < step.points


def _with(inputs: ScoreInputs, **changes) -> ScoreInputs:
    return dataclasses.replace(inputs, **changes)


@given(before=hundredths, now=hundredths)
def test_each_growth_step_names_the_least_main_revenue_that_reaches_its_band(before, now):
    inputs = _with(ScoreInputs(**JIA), main_revenue_before_wan=before, main_revenue_wan=now)
    evaluation = score_innovative_sme(inputs)
    for step in evaluation.explanation("growth").steps:
        if step.indicator != "main_growth":
            continue
        at = score_innovative_sme(_with(inputs, main_revenue_wan=step.needed))
        below = score_innovative_sme(_with(inputs, main_revenue_wan=step.needed - Decimal("0.01")))
        assert at.parts["growth"] - evaluation.parts["growth"] == step.gain
        assert below.parts["growth"] < at.parts["growth"]
