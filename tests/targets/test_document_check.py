"""Huzhou's two documents read against each other: the five-year plan 2026—2030 (seed 000) and the bureau's
2024 summary with its 2025 work plan (seed 002), each written here as data with its sentences copied from
the document; and the two single-plan checks that come with a document's results and its yearly floors."""

from dataclasses import replace
from decimal import Decimal as D

from kuochan.targets.rules import (
    ERROR,
    WARNING,
    IndicatorData,
    PlanData,
    StatementData,
    document_check,
    plan_check,
)

PLAN_NAME = "湖州市推动企业增资扩产五年倍增行动实施方案"
WORK_NAME = "湖州市经济和信息化局2024年工作总结和2025年工作计划"

SHARE_ROW = "制造业投资占固定资产投资比重｜%｜39.3｜-｜稳定在40%左右"
SHARE_TARGET = (
    "结构上，带动工业技改投资年均增幅11%以上，技术改造投资占制造业投资比重保持在60%以上，"
    "制造业投资占固定资产投资比重稳定在40%左右。"
)
LARGE_FIRMS = "到2030年，累计培育国家单项冠军企业35家、上市公司80家、“金象金牛”企业40家，每年推动8个以上募投项目落地湖州。"
GOLDEN_ROW = "“金象金牛”企业｜家｜29｜29｜31｜34｜36｜38｜40｜-"
IPO_ROW = "落地湖州募投项目｜个｜3｜32｜年均8个"

SHARE_RESULT = (
    "规上工业增加值同比增长7.3%,全部工业增加值对GDP增长的贡献率达52.2%;制造业投资同比增长13.4%、高于省均"
    "10.1个百分点,全省第2位,占固投的比重达33.9%,较去年同期增加3.2个百分点,工业经济“压舱石、挑大梁”作用充分彰显。"
)
CHAMPIONS = (
    "统筹实施“雄鹰”“凤凰”“双金”培育工程,推动新一轮“金象金牛”企业培育计划落地,新认定2023年度“金象金牛”企业35家;"
    "3家企业入选省第二批雄鹰企业,累计达7家;新增上市企业6家,累计达62家。"
)

FIVE_YEAR = PlanData(
    name=PLAN_NAME, code="huzhou-2026-2030", years=[2026, 2027, 2028, 2029, 2030], baseline_year=2025,
    period_label="“十五五”", previous_period_label="“十四五”",
    indicators=[
        IndicatorData(
            code="manufacturing_share", name="制造业投资占固定资产投资比重", unit="%", kind="ratio_near",
            baseline=D("39.3"), threshold=D(40), band=D(2), table_text=SHARE_ROW,
        ),
        IndicatorData(
            code="listed_companies", name="上市公司", unit="家", kind="level_by_year", baseline=D(64),
            previous_period=D(64), yearly={2026: D(67), 2027: D(70), 2028: D(73), 2029: D(76), 2030: D(80)},
            table_text="上市公司｜家｜64｜64｜67｜70｜73｜76｜80｜-",
        ),
        IndicatorData(
            code="golden_elephant_bull", name="“金象金牛”企业", unit="家", kind="level_by_year", baseline=D(29),
            previous_period=D(29), yearly={2026: D(31), 2027: D(34), 2028: D(36), 2029: D(38), 2030: D(40)},
            table_text=GOLDEN_ROW,
        ),
        IndicatorData(
            code="ipo_projects", name="落地湖州募投项目", unit="个", kind="yearly_avg_count", baseline=D(3),
            previous_period=D(32), threshold=D(8), table_text=IPO_ROW,
        ),
    ],
    statements=[
        StatementData("manufacturing_share", "ratio_near", D(40), SHARE_TARGET),
        StatementData("listed_companies", "level", D(80), LARGE_FIRMS, 2030),
        StatementData("golden_elephant_bull", "level", D(40), LARGE_FIRMS, 2030),
        StatementData("ipo_projects", "yearly_at_least", D(8), LARGE_FIRMS),
    ],
)  # fmt: skip

WORK_PLAN = PlanData(
    name=WORK_NAME, code="huzhou-2025", years=[2025], baseline_year=2024,
    indicators=[
        IndicatorData(
            code="manufacturing_share", name="制造业投资占固定资产投资比重", unit="%", kind="ratio_near",
            baseline=D("33.9"), in_table=False,
        ),
        IndicatorData(
            code="listed_companies", name="上市公司", unit="家", kind="level_by_year", baseline=D(62),
            in_table=False,
        ),
        IndicatorData(
            code="listed_companies_new", name="新增上市企业", unit="家", kind="yearly_value", baseline=D(6),
            relates_to="listed_companies", in_table=False,
        ),
        IndicatorData(
            code="golden_elephant_bull_new", name="新认定“金象金牛”企业", unit="家", kind="yearly_value",
            baseline=D(35), relates_to="golden_elephant_bull", in_table=False,
        ),
    ],
    statements=[
        StatementData("manufacturing_share", "result", D("33.9"), SHARE_RESULT, 2024),
        StatementData("listed_companies", "result", D(62), CHAMPIONS, 2024),
        StatementData("listed_companies_new", "result", D(6), CHAMPIONS, 2024),
        StatementData("golden_elephant_bull_new", "result", D(35), CHAMPIONS, 2024),
    ],
)  # fmt: skip


def with_indicator(plan: PlanData, code: str, **fields) -> PlanData:
    return replace(plan, indicators=[replace(i, **fields) if i.code == code else i for i in plan.indicators])


def with_result(plan: PlanData, code: str, value: D, year: int | None = None) -> PlanData:
    statements = [
        replace(s, value=value, year=year or s.year) if s.indicator == code and s.claim == "result" else s
        for s in plan.statements
    ]
    return replace(plan, statements=statements)


def share_at(value: str) -> PlanData:
    """The work plan with the 2024 share (its text and its baseline) written as `value`."""
    plan = with_indicator(WORK_PLAN, "manufacturing_share", baseline=D(value))
    return with_result(plan, "manufacturing_share", D(value))


def jumps(plans) -> list:
    return [f for f in document_check(plans) if "个百分点" in f.message]


# Huzhou's two documents ---------------------------------------------------------------------------------


def test_huzhous_two_documents_give_the_share_jump_and_the_new_titles_above_the_held_count():
    share, golden = document_check([FIVE_YEAR, WORK_PLAN])
    assert (share.indicator, share.severity) == ("制造业投资占固定资产投资比重", WARNING)
    assert (golden.indicator, golden.severity) == ("新认定“金象金牛”企业", WARNING)


def test_the_manufacturing_share_rising_5_4_points_in_a_year_asks_to_verify_the_scope():
    [share] = jumps([FIVE_YEAR, WORK_PLAN])
    assert share.message == (
        f"《{WORK_NAME}》正文“{SHARE_RESULT}”为 2024 年 33.9%，《{PLAN_NAME}》目标表“{SHARE_ROW}”为 2025 年 39.3%，"
        "一年上升 5.4 个百分点（一年变动 5 个百分点及以上即提示，含本数）。比重一年变动如此之大，"
        "请核实两份文件的统计口径是否一致。"
    )
    assert share.figures == {
        "documents": [WORK_NAME, PLAN_NAME],
        "sentences": [SHARE_RESULT, SHARE_ROW],
        "values": [33.9, 39.3],
        "years": [2024, 2025],
        "change_points": 5.4,
        "bound_points": 5.0,
        "bound_inclusive": True,
    }


def test_the_jump_reads_the_same_whichever_document_comes_first():
    assert jumps([WORK_PLAN, FIVE_YEAR]) == jumps([FIVE_YEAR, WORK_PLAN])


def test_35_golden_titles_granted_in_2024_above_the_29_held_in_2025_is_a_warning():
    [golden] = [f for f in document_check([FIVE_YEAR, WORK_PLAN]) if f.indicator == "新认定“金象金牛”企业"]
    assert golden.message == (
        f"《{WORK_NAME}》正文“{CHAMPIONS}”为 2024 年新认定 35家，《{PLAN_NAME}》目标表“{GOLDEN_ROW}”为 "
        "2025 年在册 29家：一年新认定的就比2025 年在册总数多 6家。或是称号有有效期、期满退出，"
        "或是在册数的统计口径更窄，须核实。"
    )
    assert golden.figures == {
        "documents": [WORK_NAME, PLAN_NAME],
        "sentences": [CHAMPIONS, GOLDEN_ROW],
        "values": [35.0, 29.0],
        "years": [2024, 2025],
        "excess": 6.0,
    }


# The same year stated twice ----------------------------------------------------------------------------


def test_the_same_years_figure_stated_alike_in_two_documents_is_not_reported():
    summary = with_result(WORK_PLAN, "listed_companies", D(64), 2025)  # as if the summary were a year later
    assert [f for f in document_check([FIVE_YEAR, summary]) if f.indicator == "上市公司"] == []


def test_the_same_years_figure_stated_differently_is_an_error_quoting_both():
    summary = with_result(WORK_PLAN, "listed_companies", D(62), 2025)
    [error] = [f for f in document_check([FIVE_YEAR, summary]) if f.severity == ERROR]
    assert error.indicator == "上市公司"
    assert error.message == (
        f"2025 年的同一数字两份文件不一致：《{PLAN_NAME}》目标表“上市公司｜家｜64｜64｜67｜70｜73｜76｜80｜-”为 64家，"
        f"《{WORK_NAME}》正文“{CHAMPIONS}”为 62家，须核定以哪个为准。"
    )
    assert (error.figures["years"], error.figures["values"], error.figures["difference"]) == (
        [2025, 2025],
        [64.0, 62.0],
        -2.0,
    )
    assert document_check([FIVE_YEAR, summary])[0] == error  # errors come before warnings


def test_figures_in_different_units_are_not_compared():
    summary = with_indicator(
        with_result(WORK_PLAN, "listed_companies", D(62), 2025), "listed_companies", unit="个"
    )
    assert [f for f in document_check([FIVE_YEAR, summary]) if f.severity == ERROR] == []


def test_a_baseline_without_a_table_row_is_quoted_as_composed():
    plan = with_indicator(FIVE_YEAR, "listed_companies", table_text="")
    summary = with_result(WORK_PLAN, "listed_companies", D(62), 2025)
    [error] = [f for f in document_check([plan, summary]) if f.severity == ERROR]
    assert f"《{PLAN_NAME}》“上市公司 基期（2025年）64家”为 64家" in error.message


# The share's change between consecutive years -------------------------------------------------------------


def test_a_share_changing_by_4_9_points_is_not_reported():
    assert jumps([FIVE_YEAR, share_at("34.4")]) == []


def test_a_share_changing_by_exactly_5_points_is_reported():
    [jump] = jumps([FIVE_YEAR, share_at("34.3")])
    assert "一年上升 5 个百分点" in jump.message and jump.figures["change_points"] == 5.0


def test_a_share_falling_by_5_points_or_more_is_reported_as_a_fall():
    [jump] = jumps([FIVE_YEAR, share_at("45")])
    assert "一年下降 5.7 个百分点" in jump.message


def test_counts_in_consecutive_years_are_not_read_as_shares():
    summary = with_result(WORK_PLAN, "listed_companies", D(50))  # 50 in 2024, 64 in 2025: not a share in %
    assert [f for f in document_check([FIVE_YEAR, summary]) if f.indicator == "上市公司"] == []


# Newly granted against held ----------------------------------------------------------------------------------


def test_a_new_count_not_above_the_held_count_is_not_reported():
    summary = with_result(
        with_indicator(WORK_PLAN, "golden_elephant_bull_new", baseline=D(29)),
        "golden_elephant_bull_new",
        D(29),
    )
    assert [f for f in document_check([FIVE_YEAR, summary]) if f.indicator == "新认定“金象金牛”企业"] == []


def test_six_new_listings_against_62_held_the_same_year_are_not_reported():
    assert [f for f in document_check([FIVE_YEAR, WORK_PLAN]) if f.indicator == "新增上市企业"] == []


def test_a_held_count_of_an_earlier_year_is_not_compared():
    later = replace(WORK_PLAN, baseline_year=2026)  # the 35 new titles now stated for 2026, after the 29
    later = with_result(later, "golden_elephant_bull_new", D(35), 2026)
    assert [f for f in document_check([FIVE_YEAR, later]) if f.indicator == "新认定“金象金牛”企业"] == []


def test_the_new_count_is_checked_against_the_held_count_of_the_same_document():
    held = IndicatorData(code="golden_elephant_bull", name="“金象金牛”企业", unit="家", kind="level_by_year")
    summary = replace(
        WORK_PLAN,
        indicators=[*WORK_PLAN.indicators, held],
        statements=[
            *WORK_PLAN.statements,
            StatementData("golden_elephant_bull", "result", D(30), CHAMPIONS, 2024),
        ],
    )
    [golden] = [f for f in document_check([summary]) if f.indicator == "新认定“金象金牛”企业"]
    assert golden.figures["documents"] == [WORK_NAME, WORK_NAME]
    assert "一年新认定的就比同年在册总数多 5家" in golden.message


# Single plan: a result for the baseline year, and an average stated as a floor ----------------------------


def test_a_result_for_the_baseline_year_equal_to_the_baseline_is_not_reported():
    assert [f for f in plan_check(WORK_PLAN) if f.indicator == "制造业投资占固定资产投资比重"] == []


def test_a_result_for_the_baseline_year_that_differs_from_the_baseline_is_an_error():
    plan = with_indicator(WORK_PLAN, "manufacturing_share", baseline=D("33.5"))
    [error] = [f for f in plan_check(plan) if f.severity == ERROR]
    assert error.indicator == "制造业投资占固定资产投资比重"
    assert error.message == (
        f"正文“{SHARE_RESULT}”中 2024 年实际完成 33.9%，指标基期（2024 年）为 33.5%，二者不一致，须核定以哪个为准。"
    )
    assert error.figures["difference"] == 0.4


def test_a_result_for_another_year_is_not_compared_with_the_baseline():
    plan = with_result(WORK_PLAN, "manufacturing_share", D("30.7"), 2023)
    assert [f for f in plan_check(plan) if f.indicator == "制造业投资占固定资产投资比重"] == []


def test_an_average_in_the_table_stated_as_a_yearly_floor_is_a_warning():
    [warning] = [f for f in plan_check(FIVE_YEAR) if f.indicator == "落地湖州募投项目"]
    assert warning.severity == WARNING
    assert warning.message == (
        f"目标表写“年均8个”，正文“{LARGE_FIRMS}”写每年不少于 8个。二者不是一回事："
        "按年均，某一年少于 8个 可由其他年份多完成补足，只要“十五五”各年平均不少于 8个；"
        "按每年不少于，每一年都不得少于 8个。平台亮灯目前按每年不少于理解：每年目标都取 8个，"
        "当年完成数单独对照时序进度亮灯，其他年份多完成的不抵补当年。须由市经信局核定以哪一种为准。"
    )
    assert (
        warning.figures["table_cell"] == "年均8个" and warning.figures["lights_read_as"] == "yearly_at_least"
    )


def test_without_the_table_row_the_average_is_quoted_from_the_threshold():
    plan = with_indicator(FIVE_YEAR, "ipo_projects", table_text="")
    [warning] = [f for f in plan_check(plan) if f.indicator == "落地湖州募投项目"]
    assert warning.message.startswith("目标表写“年均8个”，正文“")


def test_an_average_and_a_floor_of_different_values_are_an_error_and_the_warning():
    statements = [
        replace(s, value=D(10)) if s.indicator == "ipo_projects" else s for s in FIVE_YEAR.statements
    ]
    error, warning = [
        f for f in plan_check(replace(FIVE_YEAR, statements=statements)) if f.indicator == "落地湖州募投项目"
    ]
    assert (error.severity, warning.severity) == (ERROR, WARNING)
    assert "每年不少于为 10个，目标表为 8个" in error.message
    assert "写每年不少于 10个" in warning.message and "每年目标都取 8个" in warning.message
