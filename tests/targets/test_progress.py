"""Progress arithmetic of each indicator kind: target, actual, completion, time pace, light, change on last
year and cumulative progress, with the reasons."""

from decimal import Decimal as D

from kuochan.targets.rules import GREEN, NONE, RED, YELLOW, IndicatorData, district_ranking, standing

YEARS = [2026, 2027, 2028, 2029, 2030]
INVESTMENT = IndicatorData(
    code="inv", name="技改投资", unit="亿元", kind="period_total", baseline=D("513.6"),
    yearly=dict(zip(YEARS, map(D, [555, 615, 700, 770, 860]), strict=True)), period_target=D(3500),
)  # fmt: skip


def test_a_flow_compares_completion_with_time_pace():
    # June: pace 50 %; 222 of 555 is 40 %: 10 points behind, yellow
    s = standing(INVESTMENT, year=2026, months=6, actual=D(222), last_year=D(200))
    assert (s.year_target, s.completion, s.time_pace, s.light) == (D(555), D("0.4"), D("0.5"), YELLOW)
    assert s.yoy == D("0.11")
    assert s.reasons[0] == (
        "2026 年目标 555亿元，截至 6 月完成 222亿元，完成率 40.0%，时序进度 50.0%，落后时序进度 10.00 个百分点（落后 10 个百分点以上（含本数）亮黄灯）"
    )


def test_exactly_thirty_points_behind_is_yellow_beyond_is_red_and_on_pace_is_green():
    # "10~30个百分点(含10~30个百分点)亮黄灯…超过30个百分点亮红灯": 111 / 555 = 20 % against 50 % is 30.00 points
    exactly = standing(INVESTMENT, year=2026, months=6, actual=D("111"))
    assert exactly.light == YELLOW
    # 110.9445 / 555 = 19.99 %: 30.01 points behind
    beyond = standing(INVESTMENT, year=2026, months=6, actual=D("110.9445"))
    assert beyond.light == RED
    assert "落后时序进度 30.01 个百分点（落后超过 30 个百分点（不含本数）亮红灯）" in beyond.reasons[0]
    assert standing(INVESTMENT, year=2026, months=6, actual=D("277.5")).light == GREEN  # exactly 50 %


def test_cumulative_progress_adds_the_earlier_years():
    s = standing(INVESTMENT, year=2027, months=12, actual=D(615), earlier_years=D(555))
    assert (s.period_actual, s.period_target) == (D(1170), D(3500))
    assert s.reasons[1] == "规划期累计完成 1170亿元，为累计目标的 33.4%"


def test_a_districts_share_replaces_the_citys_target():
    s = standing(INVESTMENT, year=2026, months=12, actual=D(100), year_target=D(100), period_target=D(600))
    assert (s.completion, s.light, s.period_target) == (D(1), GREEN, D(600))


def test_a_yearly_average_count_takes_its_floor_as_the_years_target():
    count = IndicatorData(
        code="ipo", name="募投项目", unit="个", kind="yearly_avg_count", baseline=D(3), threshold=D(8)
    )
    s = standing(count, year=2026, months=9, actual=D(3))
    assert (s.year_target, s.completion, s.time_pace, s.light) == (D(8), D("0.375"), D("0.75"), RED)


def test_a_level_counts_the_increment_from_the_start_of_the_year():
    listed = IndicatorData(code="listed", name="上市公司", unit="家", kind="level_by_year", baseline=D(64),
                           yearly=dict(zip(YEARS, map(D, [67, 70, 73, 76, 80]), strict=True)))  # fmt: skip
    # 64 → 67 in 2026; 65 in June is one of three: 33.3 % against 50 %, 16.7 points behind: yellow
    s = standing(listed, year=2026, months=6, actual=D(65))
    assert s.light == YELLOW and s.completion == D(1) / D(3)
    assert standing(listed, year=2026, months=3, actual=D(67)).light == GREEN  # reached early
    assert standing(listed, year=2027, months=6, actual=D(67), level_start=D(67)).light == RED  # none of 3


def test_a_growth_floor_and_a_ratio_floor():
    growth = IndicatorData(code="g", name="技改投资增幅", unit="%", kind="min_avg_growth", threshold=D(11))
    assert standing(growth, year=2026, months=6, actual=D("12.5")).light == GREEN
    assert standing(growth, year=2026, months=6, actual=D("9.5")).light == YELLOW  # 1.5 points below
    low = standing(growth, year=2026, months=6, actual=D(8))
    assert low.light == RED and low.reasons == ("增幅现为 8%，底线 11%，低 3 个百分点",)
    assert low.time_pace is None  # pace does not apply to a rate


def test_a_ratio_kept_near_a_value():
    near = IndicatorData(
        code="m", name="制造业投资占比", unit="%", kind="ratio_near", threshold=D(40), band=D(2)
    )
    assert standing(near, year=2026, months=6, actual=D("41.5")).light == GREEN
    assert standing(near, year=2026, months=6, actual=D("36.5")).light == YELLOW
    assert standing(near, year=2026, months=6, actual=D(35)).light == RED


def test_no_actual_means_no_light_and_says_so():
    s = standing(INVESTMENT, year=2026, months=6, actual=None)
    assert (s.light, s.reasons) == (NONE, ("2026 年尚无实际值",))


def test_a_total_without_yearly_targets_is_spread_evenly_over_the_years():
    new = IndicatorData(
        code="n", name="新增创新型中小企业", unit="家", kind="period_total", period_target=D(2100)
    )
    s = standing(new, year=2026, months=6, actual=D(210), years=YEARS, baseline_year=2025)
    assert (s.year_target, s.completion, s.light) == (D(420), D("0.5"), GREEN)


def test_a_level_stated_for_its_final_year_follows_the_line_from_the_baseline():
    champions = IndicatorData(
        code="c", name="单项冠军", unit="家", kind="level_by_year", baseline=D(25), yearly={2030: D(35)}
    )
    s = standing(
        champions, year=2027, months=12, actual=D(29), level_start=D(27), years=YEARS, baseline_year=2025
    )
    assert s.year_target == D(29) and s.light == GREEN  # 25 + (35 − 25) × 2/5
    unknown = IndicatorData(code="u", name="无基期", unit="家", kind="level_by_year", yearly={2030: D(35)})
    assert (
        standing(unknown, year=2027, months=12, actual=D(10), years=YEARS, baseline_year=2025).light == NONE
    )


def test_the_ranking_scores_completion_against_pace_and_shares_ranks_on_ties():
    rows = district_ranking(
        {
            "吴兴区": [("技改投资", D("0.6"), D("0.5")), ("升规", D("0.25"), D("0.5"))],  # 120 capped, 50: 85
            "南浔区": [("技改投资", D("0.425"), D("0.5"))],  # 85
            "德清县": [("技改投资", D("0.5"), D("0.5"))],  # 100
            "长合区": [("技改投资", None, None)],
        }
    )
    assert [(r.unit, r.score, r.rank) for r in rows] == [
        ("德清县", D("100.00"), 1), ("吴兴区", D("85.00"), 2), ("南浔区", D("85.00"), 2), ("长合区", None, None),
    ]  # fmt: skip
    assert rows[1].reasons == (
        "2 项指标按“完成率 ÷ 时序进度”计分（封顶 120 分）：技改投资 120.0、升规 50.0，平均 85.00 分",
    )
