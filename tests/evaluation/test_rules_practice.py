"""The evaluation as Zhejiang's counties publish it, on small examples computed by hand (no database):
classes cut within each county (or a custom grouping), missing data scored per indicator, inclusive score
lines, the new-land window, tenants following their land owner, K against the province's industry average,
the carbon-neutral rate with its offsets, and the R&D intensity's parts."""

import copy
import datetime as dt
from decimal import Decimal

import pytest

from kuochan.evaluation.rules import (
    METRICS,
    Context,
    YearFacts,
    evaluate,
    result_reasons,
    scheme_from_definition,
)
from tests.evaluation.test_rules import HUZHOU, YEAR, by_id, definition, firm, group, scheme

ONE_INDICATOR = group([("tax_per_mu", 100, 1)])  # score = 亩均税收 × 100


def classes(results, ids):
    return [results[pk].klass for pk in ids]


# Where classes are cut -------------------------------------------------------------------------------

# Two counties of five above-scale firms on 1 亩 each: 吴兴区 scores 1000…600, 南浔区 500…100.
TWO_COUNTIES = [
    *(
        firm(pk, district="吴兴区", tax_wan=tax, land_mu=1)
        for pk, tax in zip(range(1, 6), (10, 9, 8, 7, 6), strict=True)
    ),
    *(
        firm(pk, district="南浔区", tax_wan=tax, land_mu=1)
        for pk, tax in zip(range(6, 11), (5, 4, 3, 2, 1), strict=True)
    ),
]


def test_classes_are_cut_within_each_county_by_default():
    evaluation = evaluate(TWO_COUNTIES, year=YEAR, scheme=scheme(above=ONE_INDICATOR))
    results = by_id(evaluation)
    # Each county of 5: A to rank round(5 × 20%) = 1, B to round(5 × 60%) = 3, C to round(5 × 95% = 4.75) = 5
    assert classes(results, range(1, 6)) == ["A", "B", "B", "C", "C"]
    assert classes(results, range(6, 11)) == ["A", "B", "B", "C", "C"]
    assert evaluation.context.sizes["above"] == {"吴兴区": 5, "南浔区": 5}
    assert evaluation.context.cut_ranks["above"] == {"吴兴区": [1, 3, 5], "南浔区": [1, 3, 5]}
    # 南浔区's best is 6th in the city and 1st in its county, where its class is cut
    best = results[6]
    assert (best.rank_city, best.rank_district, best.segment, best.segment_rank) == (6, 1, "南浔区", 1)
    assert best.reasons[0] == (
        "规上企业得分 500.00，南浔区规上企业 5 家中排第 1 名，在前 20%（1 名）以内，评为 A类（优先发展类）"
    )
    assert results[2].reasons[0] == (
        "规上企业得分 900.00，吴兴区规上企业 5 家中排第 2 名，在前 60%（3 名）以内，评为 B类（提升发展类）"
    )


def test_a_city_wide_cut_gives_other_classes_for_the_same_scores():
    evaluation = evaluate(
        TWO_COUNTIES, year=YEAR, scheme=scheme(above=ONE_INDICATOR, ranking={"level": "city"})
    )
    results = by_id(evaluation)
    # 10 firms: A to rank round(2.0) = 2, B to round(6.0) = 6, C to round(9.5) = 10 (half up)
    assert classes(results, range(1, 6)) == ["A", "A", "B", "B", "B"]
    assert classes(results, range(6, 11)) == ["B", "C", "C", "C", "C"]
    assert evaluation.context.sizes["above"] == {"": 10}
    best = results[6]
    assert (best.rank_city, best.rank_district, best.segment, best.segment_rank) == (6, 1, "", 6)
    assert best.reasons[0] == (
        "规上企业得分 500.00，全市规上企业 10 家中排第 6 名，在前 60%（6 名）以内，评为 B类（提升发展类）"
    )


def test_a_custom_grouping_cuts_classes_across_its_counties_and_a_county_outside_stands_alone():
    # Districts as the database gives them (org unit ids), with their codes and names.
    rows = [
        *(firm(pk, district=11, tax_wan=tax, land_mu=1) for pk, tax in ((1, 10), (2, 9), (3, 8))),
        *(firm(pk, district=12, tax_wan=tax, land_mu=1) for pk, tax in ((4, 7), (5, 6))),
        *(firm(pk, district=13, tax_wan=tax, land_mu=1) for pk, tax in ((6, 3), (7, 2), (8, 1))),
    ]
    facts = YearFacts.from_rows(rows)
    facts.district_codes = {11: "330502", 12: "330503", 13: "330521"}
    facts.district_names = {11: "吴兴区", 12: "南浔区", 13: "德清县"}
    ranking = {"level": "custom", "groups": [{"name": "中心城区", "districts": ["330502", "330503"]}]}
    evaluation = evaluate(facts, year=YEAR, scheme=scheme(above=ONE_INDICATOR, ranking=ranking))
    results = by_id(evaluation)
    # 中心城区 (吴兴区 + 南浔区), 5 firms scoring 1000…600: A to rank 1, B to 3, C to round(4.75) = 5
    assert classes(results, (1, 2, 3, 4, 5)) == ["A", "B", "B", "C", "C"]
    # 德清县 alone, 3 firms: A to round(0.6) = 1, B to round(1.8) = 2, C to round(2.85) = 3
    assert classes(results, (6, 7, 8)) == ["A", "B", "C"]
    assert evaluation.context.sizes["above"] == {"中心城区": 5, "德清县": 3}
    # 南浔区's best: 4th of 中心城区, 1st of its county, 4th of the city
    assert (results[4].segment, results[4].segment_rank, results[4].rank_district, results[4].rank_city) == (
        "中心城区",
        4,
        1,
        4,
    )
    assert results[4].reasons[0] == (
        "规上企业得分 700.00，中心城区规上企业 5 家中排第 4 名，在前 95%（5 名）以内，评为 C类（调控帮扶类）"
    )
    assert results[6].reasons[0] == (
        "规上企业得分 300.00，德清县规上企业 3 家中排第 1 名，在前 20%（1 名）以内，评为 A类（优先发展类）"
    )
    # Cut by county instead: 吴兴区 of 3 gives A, B, C; 南浔区 of 2 gives no A (round(0.4) = 0), B, C.
    by_county = by_id(evaluate(facts, year=YEAR, scheme=scheme(above=ONE_INDICATOR)))
    assert classes(by_county, (1, 2, 3, 4, 5)) == ["A", "B", "C", "B", "C"]
    assert by_county[4].reasons[0].startswith("规上企业得分 700.00，南浔区规上企业 2 家中排第 1 名")


def test_counties_keep_their_names_whatever_their_ids_order_as_text():
    # Ids 9 and 10 sort one way as numbers and the other as text: each firm keeps its own county.
    rows = [
        firm(1, district=9, tax_wan=10, land_mu=1),
        *(firm(pk, district=10, tax_wan=5, land_mu=1) for pk in (2, 3)),
    ]
    facts = YearFacts.from_rows(rows)
    facts.district_names = {9: "甲区", 10: "乙区"}
    evaluation = evaluate(facts, year=YEAR, scheme=scheme(above=ONE_INDICATOR))
    results = by_id(evaluation)
    assert [results[pk].segment for pk in (1, 2, 3)] == ["甲区", "乙区", "乙区"]
    assert evaluation.context.sizes["above"] == {"甲区": 1, "乙区": 2}


def test_a_run_stored_before_segments_explains_its_classes_city_wide():
    evaluation = evaluate(
        TWO_COUNTIES, year=YEAR, scheme=scheme(above=ONE_INDICATOR, ranking={"level": "city"})
    )
    stored = evaluation.context.as_json() | {"sizes": {"above": 10}, "cut_ranks": {"above": [2, 6, 10]}}
    stored["industry_carbon"] = {"26": [1.0, 5]}
    context = Context.from_json(stored)
    assert context.industry_carbon == {"26": (1.0, 5, "")}
    first = evaluation.results()[0]._replace(segment="", segment_rank=None)
    assert result_reasons(first, evaluation.scheme, context)[0] == (
        "规上企业得分 1,000.00，全市规上企业 10 家中排第 1 名，在前 20%（2 名）以内，评为 A类（优先发展类）"
    )


# Score lines ----------------------------------------------------------------------------------------

BY_SCORE = group([("tax_per_mu", 100, 1)], cutoffs={"by": "score", "A": 80, "B": 60, "C": 40})
# On 100 亩, a tax of t 万元 scores t: 80.01, 80.00, 60.01, 60.00, 40.00
AT_THE_LINES = [
    firm(pk, tax_wan=tax, land_mu=100) for pk, tax in enumerate(("80.01", "80", "60.01", "60", "40"), 1)
]


def test_score_lines_include_the_line_by_default():
    results = by_id(evaluate(AT_THE_LINES, year=YEAR, scheme=scheme(above=BY_SCORE)))
    assert classes(results, range(1, 6)) == ["A", "A", "B", "B", "C"]
    assert (
        results[5].reasons[0]
        == "规上企业得分 40.00，达到 C 类线（40 分以上（含本数）），评为 C类（调控帮扶类）"
    )


def test_score_lines_excluded_need_more_than_the_line():
    results = by_id(
        evaluate(AT_THE_LINES, year=YEAR, scheme=scheme(above=BY_SCORE, inclusive={"score_cutoffs": False}))
    )
    # 80.00 is not above 80 but above 60: B; 60.00 is C; 40.00 is not above 40: D
    assert classes(results, range(1, 6)) == ["A", "B", "B", "C", "D"]
    assert (
        results[2].reasons[0]
        == "规上企业得分 80.00，达到 B 类线（60 分以上（不含本数）），评为 B类（提升发展类）"
    )
    assert (
        results[5].reasons[0]
        == "规上企业得分 40.00，未达 C 类线（40 分以上（不含本数）），评为 D类（倒逼整治类）"
    )


# Missing data, per indicator and group --------------------------------------------------------------


def huzhou_group(name, benchmarks):
    """Huzhou's group as shipped (weights and missing-data rules) with the benchmarks entered."""
    data = copy.deepcopy(HUZHOU["groups"][name])
    for item in data["indicators"]:
        item["benchmark"] = benchmarks[item["code"]]
    return data


def test_huzhou_gives_the_average_only_to_a_missing_pollutant_figure():
    rules = {item["code"]: item["missing"] for item in HUZHOU["groups"]["above"]["indicators"]}
    assert rules == {
        "tax_per_mu": "zero",
        "value_added_per_mu": "zero",
        "value_added_per_energy": "zero",
        "value_added_per_pollutant": "average",
        "labour_productivity": "zero",
        "rnd_share": "zero",
    }
    assert {item["missing"] for item in HUZHOU["groups"]["below"]["indicators"]} == {"zero"}


def test_missing_data_scores_the_average_for_pollutants_and_zero_elsewhere():
    above = huzhou_group(
        "above",
        {
            "tax_per_mu": 5,  # weight 30
            "value_added_per_mu": 10,  # 20
            "value_added_per_energy": 2,  # 20
            "value_added_per_pollutant": 100,  # 10, missing: average
            "labour_productivity": 20,  # 10
            "rnd_share": 2,  # 10
        },
    )
    below = huzhou_group("below", {"tax_per_mu": 3, "tax_per_electricity": 1})  # 50 each, missing: zero
    full = {"land_mu": 10, "value_added_wan": 100, "employees": 5, "rnd_wan": 2, "revenue_wan": 100}
    firms = [
        firm(1, tax_wan=50, energy_tce=50, pollutant_t=1, **full),
        firm(2, tax_wan=100, energy_tce=50, pollutant_t="0.5", **full),
        firm(3, tax_wan=50, **full),  # no energy, no pollutant figures
        firm(4, tax_wan=50, energy_tce=50, pollutant_t=1, land_mu=10, value_added_wan=100, revenue_wan=100),
        firm(5, above=False, tax_wan=15, land_mu=5),  # no electricity figure
    ]
    evaluation = evaluate(firms, year=YEAR, scheme=scheme(above=above, below=below))
    results = by_id(evaluation)
    # Firm 1: tax 5/5×30 = 30, value added 10/10×20 = 20, energy 100/50 = 2 → 2/2×20 = 20,
    # pollutant 100/1 = 100 → 100/100×10 = 10, labour 100/5 = 20 → 20/20×10 = 10, R&D 2% → 2/2×10 = 10
    assert results[1].score == 100.0
    # Firm 2: tax 10/5×30 = 60, pollutant 100/0.5 = 200 → 20; the rest as firm 1: 60 + 20 + 20 + 20 + 10 + 10
    assert results[2].score == 140.0
    # Pollutant points of the firms that have the figure: 10, 20, 10; average 40/3 = 13.33
    assert evaluation.context.averages["above"]["value_added_per_pollutant"] == pytest.approx(40 / 3)
    assert evaluation.context.averages["above"]["value_added_per_energy"] == 0.0
    # Firm 3: 30 + 20 + energy 0 + pollutant 13.33 + 10 + 10 = 83.33
    assert results[3].score == 83.33
    assert "单位能耗工业增加值缺数据，计 0 分" in results[3].reasons
    assert "单位排放工业增加值缺数据，按规上企业平均得分 13.33 分计" in results[3].reasons
    # Firm 4: no employees, no R&D: 30 + 20 + 20 + 10 + 0 + 0 = 80
    assert results[4].score == 80.0
    assert "全员劳动生产率缺数据，计 0 分" in results[4].reasons
    assert "研发费用占营业收入比重缺数据，计 0 分" in results[4].reasons
    # Firm 5 (below-scale): tax 15/5 = 3 → 3/3×50 = 50, electricity missing: 0
    assert results[5].score == 50.0
    assert "单位电耗税收缺数据，计 0 分" in results[5].reasons


def test_the_same_indicator_can_have_its_own_rule_in_each_group():
    def with_electricity(rule):
        return {
            "indicators": [
                {"code": "tax_per_mu", "weight": 50, "benchmark": 1, "missing": "zero"},
                {"code": "tax_per_electricity", "weight": 50, "benchmark": 1, "missing": rule},
            ],
            "min_land_mu": 0,
            "cutoffs": {"by": "rank", "A": 20, "B": 40, "C": 35, "D": 5},
        }

    firms = [
        firm(1, tax_wan=2, land_mu=1, electricity_10k_kwh=1),  # 2/1×50 + 2/1×50 = 200
        firm(2, tax_wan=2, land_mu=1),  # 100 + the above-scale average for electricity, 100 = 200
        firm(3, above=False, tax_wan=2, land_mu=1, electricity_10k_kwh=1),  # 200
        firm(4, above=False, tax_wan=2, land_mu=1),  # 100 + 0
    ]
    results = by_id(
        evaluate(
            firms, year=YEAR, scheme=scheme(above=with_electricity("average"), below=with_electricity("zero"))
        )
    )
    assert [results[pk].score for pk in (1, 2, 3, 4)] == [200.0, 200.0, 200.0, 100.0]
    assert "单位电耗税收缺数据，按规上企业平均得分 100.00 分计" in results[2].reasons
    assert "单位电耗税收缺数据，计 0 分" in results[4].reasons


# The new-land exemption (新供地建设期内新企业) ---------------------------------------------------------


def test_land_granted_less_than_three_years_before_the_years_end_exempts():
    firms = [
        firm(1, new_land=(dt.date(2022, 12, 31), "G-1"), tax_wan=10, land_mu=1),  # 3 years on 2025-12-31
        firm(2, new_land=(dt.date(2023, 1, 1), "G-2"), tax_wan=10, land_mu=1),  # 3 years on 2026-01-01
        firm(3, new_land=(dt.date(2026, 1, 5), "G-3"), tax_wan=10, land_mu=1),  # granted after the year
    ]
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(above=ONE_INDICATOR)))
    assert results[1].klass in "ABCD" and results[1].score == 1000.0
    assert results[2].klass == "T" and results[2].score is None
    assert (
        results[2].reasons[0]
        == "不参评：新供地建设期内新企业（宗地 G-2 于 2023-01-01 出让，至 2025 年末不满 3 年）"
    )
    assert results[3].klass in "ABCD"


def test_a_grant_on_29_february_runs_to_1_march_and_the_window_is_scheme_data():
    granted = firm(1, new_land=(dt.date(2020, 2, 29), "G-1"), tax_wan=10, land_mu=1)
    # 3 years after 2020-02-29 is 2023-03-01 (no 29 February in 2023): still inside at the end of 2022
    assert by_id(evaluate([granted], year=2022, scheme=scheme(above=ONE_INDICATOR)))[1].klass == "T"
    # evaluated at the end of 2023; alone, it is B (A to rank round(0.2) = 0, B to round(0.6) = 1)
    assert by_id(evaluate([granted], year=2023, scheme=scheme(above=ONE_INDICATOR)))[1].klass == "B"
    # A 4-year window ends on 2024-02-29: inside at the end of 2023, outside at the end of 2024
    four = copy.deepcopy(HUZHOU["exemptions"]) | {"new_land_years": 4}
    results = by_id(evaluate([granted], year=2023, scheme=scheme(above=ONE_INDICATOR, exemptions=four)))
    assert (
        results[1].reasons[0]
        == "不参评：新供地建设期内新企业（宗地 G-1 于 2020-02-29 出让，至 2023 年末不满 4 年）"
    )
    assert (
        by_id(evaluate([granted], year=2024, scheme=scheme(above=ONE_INDICATOR, exemptions=four)))[1].klass
        == "B"
    )
    off = copy.deepcopy(HUZHOU["exemptions"]) | {"new_land_years": 0}  # 0 years: no such exemption
    assert (
        by_id(evaluate([granted], year=2022, scheme=scheme(above=ONE_INDICATOR, exemptions=off)))[1].klass
        == "B"
    )


# Tenants (承租的规模以下工业企业评价等级跟随宗地主) -----------------------------------------------------

BELOW_ONE_INDICATOR = group([("tax_per_mu", 100, 1)], min_land_mu=3)
TENANTS = [
    firm(1, tax_wan=10, land_mu=1),  # above-scale, 1000: the owner
    firm(2, tax_wan=5, land_mu=1),  # 500
    firm(3, tax_wan=1, land_mu=1),  # 100
    firm(4, above=False, tenant_of=(1, "企业1", "330502-0001"), tax_wan="0.5"),  # no land of its own
    firm(5, above=False, tenant_of=(3, "企业3", "330502-0003"), tax_wan=50, land_mu=5),  # 1000 on its own
    firm(6, above=False, tenant_of=(99, "不在本市企业", "330502-0099"), tax_wan=8, land_mu=4),  # 200
    firm(7, tenant_of=(1, "企业1", "330502-0001"), tax_wan=2, land_mu=1),  # above-scale tenant, 200
    firm(8, above=False, tax_wan=3, land_mu=3),  # 100
    firm(9, above=False, tenant_of=(1, "企业1", "330502-0001"), established=dt.date(2025, 3, 1), tax_wan=1),
    firm(10, value_added_wan=100, land_mu=2),  # an owner without tax figures: outside the evaluation
    firm(11, above=False, tenant_of=(10, "企业10", "330502-0010"), tax_wan="1.5", land_mu=3),  # 50
]


def test_a_below_scale_tenant_takes_its_land_owners_class():
    evaluation = evaluate(TENANTS, year=YEAR, scheme=scheme(above=ONE_INDICATOR, below=BELOW_ONE_INDICATOR))
    results = by_id(evaluation)
    # Above-scale, 4 firms (1, 2, 7, 3 scoring 1000, 500, 200, 100): A to rank round(0.8) = 1,
    # B to round(2.4) = 2, C to round(3.8) = 4
    assert classes(results, (1, 2, 7, 3)) == ["A", "B", "C", "C"]
    follower = results[4]
    assert (follower.klass, follower.follows, follower.score, follower.group) == ("A", 1, None, "below")
    assert follower.rank_city is None and follower.segment_rank is None
    assert (
        follower.reasons[0]
        == "承租“企业1”宗地 330502-0001 的厂房，规下企业评价等级跟随宗地主：A类（优先发展类）"
    )
    assert not any(r.startswith("规下企业得分") for r in follower.reasons)
    # Firm 5 would top the below-scale firms with 1000 but takes its owner's C, outside the ranking
    assert (results[5].klass, results[5].follows, results[5].score) == ("C", 3, None)
    # Below-scale ranked: 6 (owner not in the run, 8/4 = 2 → 200), 8 (100), 11 (owner outside the
    # evaluation, 1.5/3 = 0.5 → 50); 3 firms: A to round(0.6) = 1, B to round(1.8) = 2, C to round(2.85) = 3
    assert evaluation.context.sizes["below"] == {"吴兴区": 3}
    assert [(results[pk].score, results[pk].segment_rank, results[pk].klass) for pk in (6, 8, 11)] == [
        (200.0, 1, "A"),
        (100.0, 2, "B"),
        (50.0, 3, "C"),
    ]
    assert results[6].follows is None and results[11].follows is None
    # The above-scale tenant is evaluated on its own; an exempt tenant keeps its exemption
    assert results[7].follows is None and results[7].score == 200.0
    assert (results[9].klass, results[9].follows) == ("T", None)
    assert results[9].reasons[0] == "不参评：成立于 2025-03-01，至 2025 年末不满 2 年"


def test_tenants_are_evaluated_on_their_own_when_the_scheme_says_so():
    changed = scheme(above=ONE_INDICATOR, below=BELOW_ONE_INDICATOR, tenants_follow_owner=False)
    evaluation = evaluate(TENANTS, year=YEAR, scheme=changed)
    results = by_id(evaluation)
    assert not any(r.follows for r in results.values())
    assert results[4].klass == "" and results[4].reasons[0] == (
        "规下企业未填报用地面积，参评须 3 亩以上（含本数），不在评价范围"
    )
    # Below-scale ranked: 5 (1000), 6 (200), 8 (100), 11 (50): A to round(0.8) = 1, B to round(2.4) = 2,
    # C to round(3.8) = 4
    assert evaluation.context.sizes["below"] == {"吴兴区": 4}
    assert classes(results, (5, 6, 8, 11)) == ["A", "B", "C", "C"]
    assert results[5].score == 1000.0


def test_an_owner_renting_elsewhere_still_passes_on_its_class_and_classes_are_not_passed_down_a_chain():
    firms = [
        firm(1, tenant_of=(9, "企业9", "330502-0009"), tax_wan=10, land_mu=1),  # above-scale: owns and rents
        firm(2, above=False, tenant_of=(1, "企业1", "330502-0001"), tax_wan=1, land_mu=1),  # follows 1
        firm(3, above=False, tenant_of=(2, "企业2", "330502-0002"), tax_wan=4, land_mu=4),  # 2 follows: own
        firm(4, above=False, tax_wan=1, land_mu=4),  # 25
        firm(9, tax_wan=1, land_mu=1),  # 100
    ]
    evaluation = evaluate(firms, year=YEAR, scheme=scheme(above=ONE_INDICATOR, below=BELOW_ONE_INDICATOR))
    results = by_id(evaluation)
    # Above-scale 1 (1000) and 9 (100): A to round(0.4) = 0, B to round(1.2) = 1, C to round(1.9) = 2
    assert classes(results, (1, 9)) == ["B", "C"]
    assert (results[2].klass, results[2].follows) == ("B", 1)
    # Firm 3 rents from a tenant that follows its own owner: it is evaluated on its own, 4/4 × 100 = 100,
    # first of 2 below-scale firms (with firm 4): A to 0, B to 1
    assert (results[3].follows, results[3].score, results[3].klass) == (None, 100.0, "B")
    assert evaluation.context.sizes["below"] == {"吴兴区": 2}


# K against the province's industry average ----------------------------------------------------------


def carbon_firm(pk, carbon, *, division="26", value_added=100, zero=None, offsets=()):
    return firm(pk, division=division, carbon_t=carbon, value_added_wan=value_added, zero_carbon_10k_kwh=zero,
                offsets=offsets)  # fmt: skip


PROVINCE = {"26": (Decimal("1.2345"), "浙江省 2025 年工业碳效行业基准值")}
# Industry 26: L = 74.07 / 100 = 0.7407 and 0.7408; industry 27: L = 0.5 and 1.5
AT_K_06 = [carbon_firm(1, "74.07"), carbon_firm(2, "74.08"), carbon_firm(3, 50, division="27"),
           carbon_firm(4, 150, division="27")]  # fmt: skip


def test_k_is_measured_against_the_provinces_industry_average_where_entered():
    evaluation = evaluate(AT_K_06, year=YEAR, scheme=scheme(), carbon_benchmarks=PROVINCE)
    results = by_id(evaluation)
    # K = 0.7407 / 1.2345 = 0.6 exactly (1.2345 × 0.6 = 0.7407): grade 1, the bound included;
    # 0.7408 / 1.2345 = 0.60008…: grade 2
    assert (results[1].carbon_grade, results[2].carbon_grade) == (1, 2)
    assert results[1].carbon_k == pytest.approx(0.6)
    assert (
        "行业大类 26 省级平均碳效值 1.2345（浙江省 2025 年工业碳效行业基准值），K = 0.6000，碳效码 1 级"
        in (results[1].reasons)
    )
    # Industry 27 has no provincial average: (50 + 150) / (100 + 100) = 1.0 from 2 firms, flagged;
    # K = 0.5 (grade 1) and 1.5 (grade 4: above 1.2, at most 2.0)
    assert (results[3].carbon_grade, results[4].carbon_grade) == (1, 4)
    assert (
        "省级未发布行业大类 27 的平均碳效值，按本市同行业 2 家企业计算为 1.0000（不足 5 家，仅供参考），"
        "K = 1.5000，碳效码 4 级" in results[4].reasons
    )
    assert evaluation.context.industry_carbon == {
        "26": (1.2345, 2, "浙江省 2025 年工业碳效行业基准值"),
        "27": (1.0, 2, ""),
    }


def test_without_the_provincial_average_the_local_firms_set_k():
    results = by_id(evaluate(AT_K_06, year=YEAR, scheme=scheme()))
    # (74.07 + 74.08) / 200 = 0.74075: K = 0.99993… and 1.00007…, both grade 3 (above 0.8, at most 1.2)
    assert (results[1].carbon_grade, results[2].carbon_grade) == (3, 3)


def test_k_exactly_at_a_grade_bound_excluded_falls_to_the_next_grade():
    facts = YearFacts.from_rows(AT_K_06)
    facts.carbon_benchmarks = dict(PROVINCE)  # as the database gives them
    results = by_id(evaluate(facts, year=YEAR, scheme=scheme(inclusive={"carbon_grades": False})))
    assert (results[1].carbon_grade, results[2].carbon_grade) == (2, 2)


def test_the_fewer_firms_flag_follows_the_schemes_minimum():
    carbon = copy.deepcopy(HUZHOU["carbon"]) | {"min_firms": 2}
    results = by_id(evaluate(AT_K_06, year=YEAR, scheme=scheme(carbon=carbon), carbon_benchmarks=PROVINCE))
    assert (
        "省级未发布行业大类 27 的平均碳效值，按本市同行业 2 家企业计算为 1.0000，K = 1.5000，碳效码 4 级"
        in (results[4].reasons)
    )


# The carbon-neutral rate and offsets ----------------------------------------------------------------

SINK = ("sink", "28.91", "安吉县林业碳汇收储交易 2025-0012")
CERTIFICATE = ("green_certificate", 20, "绿证核发交易系统 2025 年度")


def test_the_carbon_neutral_rate_counts_sinks_certificates_and_zero_carbon_power_and_offsets_cut_l():
    firms = [
        # 10 万千瓦时 zero-carbon power × 5.703 = 57.03 t, 20 万千瓦时 of certificates × 5.703 = 114.06 t,
        # sink 28.91 t: 200.00 t of 400 = 50.00%; L = (400 − 200) / 100 = 2.0
        carbon_firm(1, 400, zero=10, offsets=(SINK, CERTIFICATE)),
        # green power 10 × 5.703 = 57.03 t, storage 42.97 t: 100.00 t of 100 = 100%; L = 0
        carbon_firm(
            2,
            100,
            division="27",
            offsets=(("green_power", 10, "绿电交易 2025"), ("storage", "42.97", "CCUS")),
        ),
        # a sink larger than the emissions: 60 of 50 = 120%; L stays 0, not negative
        carbon_firm(3, 50, division="28", offsets=(("sink", 60, "竹林碳汇"),)),
        carbon_firm(4, 100, division="29"),  # no offsets: 0%
    ]
    evaluation = evaluate(firms, year=YEAR, scheme=scheme())
    results = by_id(evaluation)
    assert [results[pk].carbon_offset_t for pk in (1, 2, 3, 4)] == [200.0, 100.0, 60.0, 0.0]
    assert [results[pk].neutral_rate for pk in (1, 2, 3, 4)] == [50.0, 100.0, 120.0, 0.0]
    assert [results[pk].carbon_l for pk in (1, 2, 3, 4)] == [2.0, 0.0, 0.0, 1.0]
    assert [results[pk].carbon_level for pk in (1, 2, 3, 4)] == ["mid", "low", "low", "mid"]
    assert "碳中和率 50.00%（抵消 200.00 吨CO₂），高中和率" in results[1].reasons  # 50 reaches 高 (50 以上)
    assert "碳中和率 120.00%（抵消 60.00 吨CO₂），已碳中和" in results[3].reasons
    assert "碳中和率 0.00%（抵消 0.00 吨CO₂），低中和率" in results[4].reasons
    first = next(r for r in evaluation.results() if r.enterprise_id == 1)
    explained = result_reasons(
        first,
        evaluation.scheme,
        evaluation.context,
        offsets=[(SINK[0], 28.91, SINK[2]), (CERTIFICATE[0], 20.0, CERTIFICATE[2])],
    )
    assert "碳效值 L = 2.0000 吨CO₂/万元（已扣除零碳电力及碳抵消），中碳" in explained
    assert "扣除碳汇 28.91 吨CO₂（来源：安吉县林业碳汇收储交易 2025-0012）" in explained
    assert "扣除绿证 20.00 万千瓦时（来源：绿证核发交易系统 2025 年度）" in explained


def test_with_band_starts_excluded_a_rate_at_a_start_takes_the_band_below():
    firms = [carbon_firm(1, 400, zero=10, offsets=(SINK, CERTIFICATE))]  # 50.00%, as above
    results = by_id(evaluate(firms, year=YEAR, scheme=scheme(inclusive={"neutral_marks": False})))
    assert "碳中和率 50.00%（抵消 200.00 吨CO₂），中中和率" in results[1].reasons


def test_the_neutral_marks_at_their_edges():
    # Huzhou's platform default: 100 已碳中和, 50 高, 10 中, 0 低 (each from its start, included)
    included = scheme()
    assert [included.neutral_mark(rate) for rate in (100.0, 99.99, 50.0, 49.99, 10.0, 9.99, 0.0)] == [
        "已碳中和", "高中和率", "高中和率", "中中和率", "中中和率", "低中和率", "低中和率",
    ]  # fmt: skip
    assert included.neutral_mark(None) == ""
    excluded = scheme(inclusive={"neutral_marks": False})
    assert [excluded.neutral_mark(rate) for rate in (100.01, 100.0, 50.01, 50.0, 0.01, 0.0)] == [
        "已碳中和", "高中和率", "高中和率", "中中和率", "低中和率", "",
    ]  # fmt: skip


# R&D intensity --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "name", "score"),
    [
        ("rnd_wan", "revenue_wan", "研发费用占营业收入比重", 150.0),  # 3 / 200 = 1.5% → 1.5/1 × 100
        ("rnd_wan", "main_revenue_wan", "研发费用占主营业务收入比重", 200.0),  # 3 / 150 = 2%
        ("rnd_spending_wan", "revenue_wan", "R&D经费支出占营业收入比重", 200.0),  # 4 / 200 = 2%
        (
            "rnd_spending_wan",
            "main_revenue_wan",
            "R&D经费支出占主营业务收入比重",
            266.67,
        ),  # 4 / 150 = 2.6667%
    ],
)
def test_the_rnd_intensity_uses_the_schemes_numerator_and_denominator(numerator, denominator, name, score):
    rnd = {"numerator": numerator, "denominator": denominator}
    chosen = scheme(above=group([("rnd_share", 100, 1)]), rnd=rnd)  # benchmark 1%, weight 100
    assert chosen.indicator("rnd_share").name == name
    figures = {"rnd_wan": 3, "rnd_spending_wan": 4, "revenue_wan": 200, "main_revenue_wan": 150}
    results = by_id(evaluate([firm(1, tax_wan=10, land_mu=1, **figures)], year=YEAR, scheme=chosen))
    assert results[1].score == score
    # Without the chosen parts the indicator is missing, and scores 0 (the default rule)
    lacking = by_id(evaluate([firm(1, tax_wan=10, land_mu=1)], year=YEAR, scheme=chosen))
    assert lacking[1].score == 0.0
    assert f"{name}缺数据，计 0 分" in lacking[1].reasons


def test_figures_read_before_the_new_metrics_existed_count_them_as_missing():
    old = METRICS.index("main_revenue_wan")  # the two new metrics come last
    row = firm(1, tax_wan=10, land_mu=1, rnd_wan=3, revenue_wan=200, main_revenue_wan=150, rnd_spending_wan=4)
    short = row._replace(metrics=row.metrics[:old])
    chosen = scheme(above=group([("rnd_share", 100, 1)]), rnd={"numerator": "rnd_spending_wan"})
    assert by_id(evaluate([short], year=YEAR, scheme=chosen))[1].score == 0.0
    assert (
        by_id(evaluate([short], year=YEAR, scheme=scheme(above=group([("rnd_share", 100, 1)]))))[1].score
        == 150.0
    )


# The scheme as data ---------------------------------------------------------------------------------


def test_a_definition_saved_before_the_new_settings_reads_as_the_rule_texts_do():
    old = definition()
    for key in ("ranking", "inclusive", "tenants_follow_owner", "rnd", "sources"):
        del old[key]
    old["exemptions"] = {
        "younger_than_years": 2,
        "industry_divisions": ["44"],
        "new_land_in_construction": True,
    }
    del old["carbon"]["neutral_marks"], old["carbon"]["min_firms"]
    parsed = scheme_from_definition(old)
    assert parsed.ranking_level == "county"
    assert all(parsed.inclusive.values())
    assert parsed.exempt_new_land_years == 3
    assert parsed.tenants_follow_owner is True
    assert (parsed.rnd_numerator, parsed.rnd_denominator) == ("rnd_wan", "revenue_wan")
    assert parsed.carbon_min_firms == 5
    assert [mark for _, mark in parsed.neutral_marks] == ["已碳中和", "高中和率", "中中和率", "低中和率"]
    assert parsed.bound("low_above_tax") == "以下（含本数）"


def marks(value):
    return {"carbon": copy.deepcopy(HUZHOU["carbon"]) | {"neutral_marks": value}}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"ranking": {"level": "province"}},
            "分类范围“province”应为 county（区县内）、city（全市）或 custom（自定义分组）。",
        ),
        ({"ranking": {"level": "custom", "groups": []}}, "分类范围为自定义分组时至少需要一个分组。"),
        (
            {"ranking": {"level": "custom", "groups": [{"name": " ", "districts": ["330502"]}]}},
            "第 1 个自定义分组应有名称和至少一个区县代码。",
        ),
        (
            {"ranking": {"level": "custom", "groups": [{"name": "南片", "districts": []}]}},
            "第 1 个自定义分组应有名称和至少一个区县代码。",
        ),
        (
            {
                "ranking": {
                    "level": "custom",
                    "groups": [
                        {"name": "中心城区", "districts": ["330502", "330503"]},
                        {"name": "东片", "districts": ["330503", "330521"]},
                    ],
                }
            },
            "区县 330503 同时在多个自定义分组中。",
        ),
        (
            {"rnd": {"numerator": "profit_wan"}},
            "研发投入强度的分子“profit_wan”应为 rnd_wan（研发费用）或 rnd_spending_wan（R&D经费支出）。",
        ),
        (
            {"rnd": {"denominator": "sales_wan"}},
            "研发投入强度的分母“sales_wan”应为 revenue_wan（营业收入）或 main_revenue_wan（主营业务收入）。",
        ),
        (marks([[10, "中中和率"], [50, "高中和率"]]), "碳中和率分档应按起点从高到低排列。"),
        (marks([[50]]), "第 1 个碳中和率分档应为 [起点（%）, 标识名称]。"),
        (marks([[50, " "]]), "第 1 个碳中和率分档应为 [起点（%）, 标识名称]。"),
        (marks([["-5", "负"]]), "碳中和率分档“负”的起点：“-5”应为不小于 0 的数字。"),
        (marks([["一半", "高"]]), "碳中和率分档“高”的起点：“一半”不是数字。"),
        (
            {"exemptions": {"new_land_years": "三"}},
            "新供地不参评年限：“三”不是数字。",
        ),
    ],
)
def test_bad_ranking_rnd_and_neutral_settings_are_refused_in_chinese(changes, problem):
    with pytest.raises(ValueError) as refused:
        scheme(**changes)
    assert problem in refused.value.args[0], refused.value.args[0]


def test_a_bad_missing_rule_on_an_indicator_is_refused():
    above = copy.deepcopy(HUZHOU["groups"]["above"])
    above["indicators"][3]["missing"] = "median"
    with pytest.raises(ValueError) as refused:
        scheme(above=above)
    assert refused.value.args[0] == [
        "规上企业指标“单位排放工业增加值”的缺项计分“median”应为 average（按同类企业平均得分）或 zero（计 0 分）。"
    ]
