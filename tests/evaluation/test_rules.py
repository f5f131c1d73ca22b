"""The evaluation rules on small examples computed by hand (no database): scores, class cut-offs, the
missing-data rule, exemptions, the carbon code's K and grade boundaries, 清三低 and treatment. The rules as
Zhejiang's counties publish them (county cuts, dated exemptions, tenants, provincial carbon benchmarks, the
carbon-neutral rate) are in test_rules_practice.py."""

import copy
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuochan.evaluation.rules import (
    METRICS,
    EnterpriseYear,
    competition_ranks,
    evaluate,
    indicator_points,
    result_reasons,
    scheme_from_definition,
)
from kuochan.reference import read_json

HUZHOU = read_json("huzhou", "evaluation_scheme.json")["definition"]
YEAR = 2025


def definition(**changes):
    """Huzhou's scheme with top-level sections replaced (and `above=` / `below=` for a group)."""
    data = copy.deepcopy(HUZHOU)
    for name in ("above", "below"):
        if name in changes:
            data["groups"][name] = changes.pop(name)
    data.update(changes)
    return data


def scheme(**changes):
    return scheme_from_definition(definition(**changes))


def group(indicators, *, cutoffs=None, min_land_mu=0):
    return {
        "indicators": [
            {"code": code, "weight": weight, "benchmark": benchmark} for code, weight, benchmark in indicators
        ],
        "min_land_mu": min_land_mu,
        "cutoffs": cutoffs or {"by": "rank", "A": 20, "B": 40, "C": 35, "D": 5},
    }


def firm(pk, *, above=True, district="吴兴区", division="18", section="C", size="medium", established=None,
         exemption=None, new_land=None, honours=(), willingness=None, tenant_of=None, offsets=(),
         **metrics):  # fmt: skip
    """An enterprise with metrics given in their units (万元, 亩, 吨 …); absent ones are missing. `new_land`:
    (grant date, parcel); `tenant_of`: (owner id, owner name, parcel); `offsets`: (kind, amount, source)
    with the amount in its unit (吨CO₂ or 万千瓦时)."""
    values = tuple(
        None if metrics.get(name) is None else int(Decimal(str(metrics[name])) * 100) for name in METRICS
    )
    return EnterpriseYear(
        pk, f"USCC{pk}", f"企业{pk}", district, division, section, size, above,
        established or dt.date(2010, 1, 1), values, exemption=exemption, new_land=new_land,
        honours=frozenset(honours), willingness=willingness, tenant_of=tenant_of,
        offsets=tuple((kind, int(Decimal(str(amount)) * 100), source) for kind, amount, source in offsets),
    )  # fmt: skip


def by_id(evaluation):
    """Each result with its reasons, indicator points, 清三低 reasons and treatment text, by enterprise id."""
    seen = {}
    for r in evaluation.results():
        reasons = result_reasons(r, evaluation.scheme, evaluation.context)
        seen[r.enterprise_id] = SimpleNamespace(
            **r._asdict(),
            reasons=reasons,
            points=indicator_points(r, evaluation.scheme, evaluation.context),
            low=tuple(x.removeprefix("清三低：") for x in reasons if x.startswith("清三低：")),
            treatment_text=evaluation.scheme.treatments[r.treatment].treatment
            if r.treatment is not None
            else "",
        )
    return seen


# Scores, benchmarks and the missing-data rule --------------------------------------------------------

TWO_INDICATORS = group([("tax_per_mu", 60, None), ("value_added_per_mu", 40, 10)])
FOUR_FIRMS = [
    firm(1, tax_wan=120, land_mu=10, value_added_wan=200),  # 12 万元/亩 tax, 20 value added
    firm(2, tax_wan=60, land_mu=10, value_added_wan=100),  # 6, 10
    firm(3, tax_wan=20, land_mu=20, value_added_wan=100),  # 1, 5
    firm(4, tax_wan=100, land_mu=20),  # 5, value added missing
]


def test_scores_are_indicator_over_benchmark_times_weight_with_the_benchmark_a_ratio_of_sums():
    evaluation = evaluate(FOUR_FIRMS, year=YEAR, scheme=scheme(above=TWO_INDICATORS))
    # 亩均税收 benchmark = (120 + 60 + 20 + 100) / (10 + 10 + 20 + 20) = 5; 亩均增加值 benchmark entered: 10
    assert evaluation.context.benchmarks["above"] == {"tax_per_mu": 5.0, "value_added_per_mu": 10.0}
    results = by_id(evaluation)
    assert results[1].score == 224.0  # 12/5×60 + 20/10×40 = 144 + 80
    assert results[2].score == 112.0  # 72 + 40
    assert results[3].score == 32.0  # 12 + 20
    assert [(code, value, points) for code, value, points, _ in results[1].points] == [
        ("tax_per_mu", 12.0, 144.0),
        ("value_added_per_mu", 20.0, 80.0),
    ]


def test_a_missing_indicator_scores_nothing_by_default():
    # Indicators without their own rule take the scheme's top-level default, "zero" when it has none
    # (Huzhou's has none): firm 4 scores tax 5/5×60 = 60 and 0 for the missing value added.
    results = by_id(evaluate(FOUR_FIRMS, year=YEAR, scheme=scheme(above=TWO_INDICATORS)))
    assert results[4].score == 60.0
    assert results[4].points[1] == ("value_added_per_mu", None, 0.0, True)
    assert "亩均工业增加值缺数据，计 0 分" in results[4].reasons


def test_a_missing_indicator_scores_the_group_average_where_the_rule_says_so():
    evaluation = evaluate(FOUR_FIRMS, year=YEAR, scheme=scheme(above=TWO_INDICATORS, missing="average"))
    results = by_id(evaluation)
    # tax: 5/5×60 = 60; value added missing: the average of 80, 40 and 20 = 140/3 = 46.67; 60 + 46.67
    assert results[4].score == 106.67
    assert results[4].points[1][3] is True
    assert "亩均工业增加值缺数据，按规上企业平均得分 46.67 分计" in results[4].reasons
    assert evaluation.context.averages["above"]["value_added_per_mu"] == pytest.approx(140 / 3)


def test_an_indicator_score_is_capped_when_the_scheme_says_so():
    results = by_id(evaluate(FOUR_FIRMS, year=YEAR, scheme=scheme(above=TWO_INDICATORS, cap_multiple=2)))
    assert results[1].score == 200.0  # 144 capped at 2 × 60 = 120, plus 80


def test_ranks_and_classes_by_rank_share_with_the_reason():
    results = by_id(evaluate(FOUR_FIRMS, year=YEAR, scheme=scheme(above=TWO_INDICATORS)))
    # 4 firms: A up to round(0.8) = 1, B up to round(2.4) = 2, C up to round(3.8) = 4, no D
    assert [results[pk].rank_city for pk in (1, 2, 3, 4)] == [1, 2, 4, 3]
    assert [results[pk].klass for pk in (1, 2, 3, 4)] == ["A", "B", "C", "C"]
    assert results[1].reasons[0] == (
        "规上企业得分 224.00，吴兴区规上企业 4 家中排第 1 名，在前 20%（1 名）以内，评为 A类（优先发展类）"
    )


# Class cut-offs -------------------------------------------------------------------------------------

ONE_INDICATOR = group([("tax_per_mu", 100, 1)])  # score = 亩均税收 × 100 on 1 亩


def ladder(taxes, land=1):
    return [firm(pk, tax_wan=tax, land_mu=land) for pk, tax in enumerate(taxes, start=1)]


def test_twenty_firms_split_20_40_35_5():
    results = by_id(evaluate(ladder(range(20, 0, -1)), year=YEAR, scheme=scheme(above=ONE_INDICATOR)))
    classes = [results[pk].klass for pk in range(1, 21)]
    assert classes == ["A"] * 4 + ["B"] * 8 + ["C"] * 7 + ["D"]
    assert (
        results[20]
        .reasons[0]
        .endswith("吴兴区规上企业 20 家中排第 20 名，在前 95%（19 名）之后，评为 D类（倒逼整治类）")
    )


def test_tied_scores_at_a_cut_off_share_the_better_class():
    taxes = [20, 19, 18, 17, 17, *range(15, 0, -1)]  # firms 4 and 5 tie for 4th
    results = by_id(evaluate(ladder(taxes), year=YEAR, scheme=scheme(above=ONE_INDICATOR)))
    assert (results[4].rank_city, results[5].rank_city) == (4, 4)
    assert results[4].klass == results[5].klass == "A"


def test_classes_by_score_cut_off_compare_exactly_at_the_line():
    by_score = group([("tax_per_mu", 100, 1)], cutoffs={"by": "score", "A": 80, "B": 60, "C": 40})
    taxes = ["80", "79.99", "60", "40", "39.99"]  # on 100 亩: scores 80.00, 79.99, 60.00, 40.00, 39.99
    results = by_id(evaluate(ladder(taxes, land=100), year=YEAR, scheme=scheme(above=by_score)))
    assert [results[pk].klass for pk in range(1, 6)] == ["A", "B", "B", "C", "D"]
    # The line is counted inclusive (以上 includes its bound): 80.00 reaches A, 40.00 reaches C.
    assert (
        results[1].reasons[0]
        == "规上企业得分 80.00，达到 A 类线（80 分以上（含本数）），评为 A类（优先发展类）"
    )
    assert (
        results[5].reasons[0]
        == "规上企业得分 39.99，未达 C 类线（40 分以上（含本数）），评为 D类（倒逼整治类）"
    )


def test_ranks_within_the_district_and_the_city():
    firms = [
        firm(1, district="吴兴区", tax_wan=30, land_mu=1),
        firm(2, district="南浔区", tax_wan=20, land_mu=1),
        firm(3, district="吴兴区", tax_wan=10, land_mu=1),
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(above=ONE_INDICATOR)))
    assert [(results[pk].rank_city, results[pk].rank_district) for pk in (1, 2, 3)] == [
        (1, 1),
        (2, 1),
        (3, 2),
    ]


def test_the_change_from_last_year_is_a_reason():
    evaluation = evaluate(ladder([20, 10, 5, 3, 1]), year=YEAR, scheme=scheme(above=ONE_INDICATOR))
    first, second = evaluation.results()[:2]
    explained = result_reasons(
        first._replace(previous_class="B", previous_score=1500.0), evaluation.scheme, evaluation.context
    )
    assert "较上年：B → A，得分 +500.00" in explained
    assert not any(
        r.startswith("较上年") for r in result_reasons(second, evaluation.scheme, evaluation.context)
    )


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=60))
def test_classes_never_rise_as_scores_fall(scores):
    evaluation = evaluate(ladder([s or "0" for s in scores]), year=YEAR, scheme=scheme(above=ONE_INDICATOR))
    results = evaluation.results()
    ordered = sorted(results, key=lambda r: -r.score)
    classes = [r.klass for r in ordered]
    assert classes == sorted(classes)
    top = int(Decimal(len(scores)) * Decimal("0.2") + Decimal("0.5"))
    assert classes.count("A") >= top  # ties at the line can only add to A


def test_competition_ranks():
    assert competition_ranks(np.array([5.0, 9.0, 9.0, 1.0])).tolist() == [3, 1, 1, 4]
    assert competition_ranks(np.array([5.0, 9.0, 7.0, 9.0]), np.array([1, 2, 1, 2])).tolist() == [2, 1, 1, 1]


# Exemptions and who is evaluated --------------------------------------------------------------------


def test_exempt_firms_are_class_t_with_the_reason_and_do_not_move_the_benchmark():
    firms = [
        *FOUR_FIRMS,
        firm(5, established=dt.date(2024, 1, 1), tax_wan=1000, land_mu=1),
        firm(6, division="44", tax_wan=1000, land_mu=1),
        firm(7, new_land=(dt.date(2024, 3, 1), "330502-2024-017"), tax_wan=1000, land_mu=1),
        firm(8, exemption="搬迁过渡期", tax_wan=1000, land_mu=1),
        firm(9, established=dt.date(2023, 12, 31), tax_wan=1, land_mu=1),  # two years old on 2025-12-31
    ]
    evaluation = evaluate(firms, year=YEAR, scheme=scheme(above=TWO_INDICATORS))
    results = by_id(evaluation)
    assert {pk: results[pk].klass for pk in (5, 6, 7, 8)} == dict.fromkeys((5, 6, 7, 8), "T")
    assert results[5].reasons[0] == "不参评：成立于 2024-01-01，至 2025 年末不满 2 年"
    assert results[6].reasons[0] == "不参评：公用事业（行业大类 44）"
    assert results[7].reasons[0] == (
        "不参评：新供地建设期内新企业（宗地 330502-2024-017 于 2024-03-01 出让，至 2025 年末不满 3 年）"
    )
    assert results[8].reasons[0] == "不参评：搬迁过渡期"
    assert results[5].score is None and results[5].rank_city is None
    assert results[9].klass in "ABCD"
    assert evaluation.context.benchmarks["above"]["tax_per_mu"] == (300 + 1) / (60 + 1)


def test_below_scale_firms_under_the_land_floor_are_outside_the_evaluation():
    below = group([("tax_per_mu", 100, 1)], min_land_mu=3)
    firms = [
        firm(1, above=False, tax_wan=10, land_mu="2.99"),
        firm(2, above=False, tax_wan=10, land_mu=3),
        firm(3, above=False, tax_wan=10),
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(below=below)))
    assert results[1].klass == "" and results[1].group == ""
    assert results[1].reasons[0] == "规下企业用地 2.99 亩，参评须 3 亩以上（含本数），不在评价范围"
    assert results[2].group == "below" and results[2].score == 333.33  # 10 / 3 × 100
    assert results[3].reasons[0] == "规下企业未填报用地面积，参评须 3 亩以上（含本数），不在评价范围"


def test_with_the_land_floor_excluded_exactly_the_floor_is_outside_the_evaluation():
    below = group([("tax_per_mu", 100, 1)], min_land_mu=3)
    firms = [firm(1, above=False, tax_wan=10, land_mu=3), firm(2, above=False, tax_wan=10, land_mu="3.01")]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(below=below, inclusive={"min_land": False})))
    assert results[1].group == "" and results[1].score is None
    assert results[1].reasons[0] == "规下企业用地 3.00 亩，参评须 3 亩以上（不含本数），不在评价范围"
    assert results[2].group == "below" and results[2].score == 332.23  # 10 / 3.01 × 100 = 332.225…


# The carbon-efficiency code -------------------------------------------------------------------------


def carbon_firm(pk, carbon, *, value_added=100, division="26", zero=None, above=True):
    return firm(
        pk,
        division=division,
        above=above,
        carbon_t=carbon,
        value_added_wan=value_added,
        zero_carbon_10k_kwh=zero,
    )


def test_k_is_l_over_the_industry_ratio_of_sums_and_each_boundary_belongs_to_the_better_grade():
    # industry 26: L = 0.6, 0.8, 1.2, 2.0 and 0.4 on equal value added: average (60+80+120+200+40)/500 = 1.0
    firms = [carbon_firm(pk, carbon) for pk, carbon in enumerate((60, 80, 120, 200, 40), start=1)]
    evaluation = evaluate(firms, year=YEAR, scheme=scheme())
    results = by_id(evaluation)
    assert [results[pk].carbon_grade for pk in range(1, 6)] == [1, 2, 3, 4, 1]
    assert [results[pk].carbon_k for pk in range(1, 6)] == [0.6, 0.8, 1.2, 2.0, 0.4]
    # no provincial average entered: the local ratio of sums, from 5 firms (not fewer than 5: no flag)
    assert evaluation.context.industry_carbon["26"] == (1.0, 5, "")
    assert (
        "省级未发布行业大类 26 的平均碳效值，按本市同行业 5 家企业计算为 1.0000，K = 1.2000，碳效码 3 级"
        in results[3].reasons
    )


def test_a_k_above_two_is_grade_five_and_levels_follow_l():
    firms = [
        carbon_firm(1, 500, division="27"),
        carbon_firm(2, 10, division="27"),
        carbon_firm(3, 10, division="27"),
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme()))
    # average 520/300 = 1.7333: K = 5 / 1.7333 = 2.885
    assert results[1].carbon_grade == 5 and results[1].carbon_level == "high"
    assert results[2].carbon_level == "low"


def test_levels_at_their_boundaries():
    firms = [carbon_firm(1, 60), carbon_firm(2, 61), carbon_firm(3, 200), carbon_firm(4, 201)]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme()))
    assert [results[pk].carbon_level for pk in (1, 2, 3, 4)] == ["low", "mid", "mid", "high"]


def test_zero_carbon_power_is_deducted_with_the_factor():
    carbon = copy.deepcopy(HUZHOU["carbon"]) | {"factor_t_per_10k_kwh": 5}
    firms = [carbon_firm(1, 250, zero=10, division="30"), carbon_firm(2, 100, division="30")]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(carbon=carbon)))
    assert results[1].carbon_l == 2.0  # (250 − 10 × 5) / 100
    assert "碳效值 L = 2.0000 吨CO₂/万元（已扣除零碳电力及碳抵消），中碳" in results[1].reasons  # 2.0 is 中碳
    assert results[1].carbon_offset_t == 50.0  # 10 万千瓦时 × 5 吨/万千瓦时
    assert results[1].neutral_rate == 20.0  # 50 / 250


def test_insufficient_data_gets_no_grade_and_a_reason():
    firms = [
        carbon_firm(1, None),
        carbon_firm(2, 50, value_added=0),
        carbon_firm(3, 50),
        carbon_firm(4, 50, above=False),
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme()))
    assert results[1].carbon_grade is None and "未填报碳排放量，不赋碳效码" in results[1].reasons
    assert results[2].carbon_grade is None and "工业增加值缺失或不为正，无法计算碳效" in results[2].reasons
    assert results[3].carbon_grade == 3  # alone in its industry: K = 1, flagged as fewer than 5 firms
    assert (
        "省级未发布行业大类 26 的平均碳效值，按本市同行业 1 家企业计算为 0.5000（不足 5 家，仅供参考），"
        "K = 1.0000，碳效码 3 级" in results[3].reasons
    )
    assert results[4].carbon_grade is None and "非规上企业，本年度碳效码只评规上企业" in results[4].reasons


# 清三低 ---------------------------------------------------------------------------------------------


def test_low_efficiency_bounds_are_inclusive_and_exact():
    # "6万元以下", "3万元以下" and "10亩以上" include their bound (民法典 第一千二百五十九条).
    firms = [
        firm(1, tax_wan=60, land_mu=10),  # 60 / 10 = 6.00 万元/亩: at the bound, flagged
        firm(2, tax_wan="60.1", land_mu=10),  # 6.01: above it
        firm(3, above=False, tax_wan=30, land_mu=10),  # below-scale: 3.00 万元/亩 and exactly 10 亩
        firm(4, above=False, tax_wan="15.05", land_mu=5),  # 15.05 / 5 = 3.01, on 5 亩
        firm(5, above=False, tax_wan="99.9", land_mu="9.99"),  # 10.00 万元/亩 on 9.99 亩
        firm(6, above=False, tax_wan=2, land_mu=5),  # 0.40 万元/亩
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme()))
    assert results[1].low == ("规上企业亩均税收 6.00 万元/亩，在 6 万元/亩以下（含本数）",)
    assert results[2].low == ()
    assert results[3].low == (
        "规下企业亩均税收 3.00 万元/亩，在 3 万元/亩以下（含本数）",
        "用地 10.00 亩，在 10 亩以上（含本数），仍未上规",
    )
    assert results[4].low == ()
    assert results[5].low == ()
    assert results[6].low == ("规下企业亩均税收 0.40 万元/亩，在 3 万元/亩以下（含本数）",)


def test_low_efficiency_bounds_can_be_excluded():
    excluded = {"low_above_tax": False, "low_below_tax": False, "low_land": False}
    firms = [
        firm(1, tax_wan=60, land_mu=10),  # 6.00: not below 6
        firm(2, tax_wan="59.9", land_mu=10),  # 5.99
        firm(3, above=False, tax_wan=30, land_mu=10),  # 3.00 on exactly 10 亩: neither
        firm(4, above=False, tax_wan="29.9", land_mu=10),  # 2.99 on 10 亩: the tax only
        firm(5, above=False, tax_wan="100.1", land_mu="10.01"),  # 10.00 万元/亩 on 10.01 亩: the land only
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(inclusive=excluded)))
    assert results[1].low == ()
    assert results[2].low == ("规上企业亩均税收 5.99 万元/亩，在 6 万元/亩以下（不含本数）",)
    assert results[3].low == ()
    assert results[4].low == ("规下企业亩均税收 2.99 万元/亩，在 3 万元/亩以下（不含本数）",)
    assert results[5].low == ("用地 10.01 亩，在 10 亩以上（不含本数），仍未上规",)


def test_low_efficiency_thresholds_are_configurable():
    low = {"above_tax_per_mu_below": 8, "below_tax_per_mu_below": 3, "below_scale_land_mu_from": 20}
    results = by_id(evaluate([firm(1, tax_wan=70, land_mu=10)], year=YEAR, scheme=scheme(low_efficiency=low)))
    assert results[1].low == ("规上企业亩均税收 7.00 万元/亩，在 8 万元/亩以下（含本数）",)


# Enterprise type and treatment ----------------------------------------------------------------------


def test_treatment_is_the_first_matching_rule_of_the_matrix_with_its_basis():
    firms = [
        firm(1, size="large", willingness="yes", tax_wan=100, land_mu=1),
        firm(2, size="small", honours={"high_tech"}, tax_wan=1, land_mu=1),
        firm(3, size="micro", tax_wan=2, land_mu=1),
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(above=ONE_INDICATOR)))
    assert results[1].klass == "A" and results[1].treatment_text.startswith("兼并重组扩规模")
    assert results[2].enterprise_type == "tech" and results[2].klass == "C"
    assert results[2].treatment_text.startswith("调控帮扶")  # class C comes before type in the matrix
    reason = next(r for r in results[1].reasons if r.startswith("分类施策"))
    assert reason.startswith("分类施策：A类（优先发展类）、扩产意愿有、大型企业 → 兼并重组扩规模")
    assert "（依据：实施方案 三、1" in reason
    assert results[3].enterprise_type == "small_micro"


def test_an_unevaluated_tech_firm_gets_the_tech_treatment():
    results = by_id(
        evaluate([firm(1, above=False, size="small", honours={"tech_sme"})], year=YEAR, scheme=scheme())
    )
    assert results[1].klass == ""
    assert results[1].treatment_text.startswith("科创孵化与产业化")
    assert any(
        r.startswith("分类施策：未评价、扩产意愿未调查、科创企业 → 科创孵化") for r in results[1].reasons
    )


# The scheme as data ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {
                "above": group(
                    [("tax_per_mu", 30, None)], cutoffs={"by": "rank", "A": 20, "B": 40, "C": 30, "D": 5}
                )
            },
            "规上企业按排名分档时 A、B、C、D 类比例之和应为 100%，现为 95%。",
        ),
        ({"above": group([("tax_per_head", 30, None)])}, "规上企业第 1 个指标：未知指标“tax_per_head”"),
        (
            {"below": group([("tax_per_mu", "-5", None)])},
            "规下企业指标“亩均税收”的权重：“-5”应为不小于 0 的数字。",
        ),
        (
            {"below": group([("tax_per_mu", 50, 0)])},
            "规下企业指标“亩均税收”的基准值不能为 0（留空则按当年数据计算）。",
        ),
        (
            {"above": group([("tax_per_mu", 30, None)]), "missing": "guess"},
            "规上企业指标“亩均税收”的缺项计分“guess”应为 average（按同类企业平均得分）或 zero（计 0 分）。",
        ),
        ({"treatments": [{"classes": ["E"], "treatment": "x"}]}, "第 1 条施策规则的评价类别：未知取值 E。"),
    ],
)
def test_invalid_schemes_are_refused_with_a_chinese_message(changes, problem):
    with pytest.raises(ValueError) as refused:
        scheme(**changes)
    assert any(message.startswith(problem) for message in refused.value.args[0]), refused.value.args[0]


def test_a_firm_without_land_or_tax_is_not_classed_on_averages():
    firms = [*FOUR_FIRMS, firm(5, value_added_wan=100)]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(above=TWO_INDICATORS)))
    assert results[5].klass == "" and results[5].score is None
    assert results[5].reasons[0] == "规上企业数据不足：缺少用地面积或实缴税金，不参与亩均评价"
