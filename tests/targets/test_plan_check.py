"""The plan check, each on a small plan written for the test, and on Huzhou's plan as shipped."""

import json
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from kuochan.targets.rules import ERROR, INFO, WARNING, IndicatorData, PlanData, StatementData, plan_check

YEARS = [2026, 2027, 2028, 2029, 2030]


def plan(*indicators, statements=()):
    return PlanData(
        name="测试规划", years=YEARS, baseline_year=2025, period_label="“十五五”", previous_period_label="“十四五”",
        indicators=indicators, statements=statements,
    )  # fmt: skip


def amounts(values, **fields):
    return IndicatorData(
        code="investment", name="技改投资", unit="亿元", kind="period_total",
        yearly=dict(zip(YEARS, map(D, values), strict=True)), **fields,
    )  # fmt: skip


def findings(p, severity=None):
    return [f for f in plan_check(p) if severity is None or f.severity == severity]


def test_yearly_targets_that_do_not_add_up_to_the_total_are_an_error():
    [finding] = findings(
        plan(amounts([100, 110, 120, 130, 140], period_target=D(610), baseline=D(90))), ERROR
    )
    assert finding.message == (
        "分年目标合计 100 + 110 + 120 + 130 + 140 = 600亿元，与“十五五”累计目标 610亿元 不一致（少 10亿元）。"
    )
    assert finding.figures["sum"] == 600 and finding.figures["difference"] == -10


def test_yearly_targets_that_add_up_are_reported_as_consistent():
    [finding] = findings(plan(amounts([100, 110, 120, 130, 140], period_target=D(600), baseline=D(90))))
    assert finding.severity == INFO and "与“十五五”累计目标一致" in finding.message


def test_growth_implied_by_the_yearly_targets_below_the_promise_is_a_warning():
    growth = IndicatorData(
        code="growth",
        name="技改投资增幅",
        unit="%",
        kind="min_avg_growth",
        threshold=D(10),
        relates_to="investment",
    )
    # 100 → 150 over five years: (1.5)^(1/5) − 1 = 8.45 % a year, below the 10 % promised
    p = plan(amounts([105, 115, 125, 140, 150], baseline=D(100)), growth)
    [finding] = [f for f in findings(p, WARNING) if f.indicator == "技改投资增幅"]
    assert finding.message.startswith(
        "“技改投资”按分年目标从 2025 年 100 到 2030 年 150，年均增长 8.45%，低于承诺的年均 10%"
    )
    assert finding.figures["implied_average_growth"] == pytest.approx(0.0844717, abs=1e-6)
    assert finding.figures["years_below"] == [2026, 2027, 2028, 2030]  # 5 %, 9.5 %, 8.7 %, (12 %), 7.1 %


def test_growth_that_keeps_the_promise_is_information():
    growth = IndicatorData(
        code="growth", name="增幅", unit="%", kind="min_avg_growth", threshold=D(10), relates_to="investment"
    )
    p = plan(amounts([110, 121, 133.1, 146.41, 161.051], baseline=D(100)), growth)
    [finding] = [f for f in findings(p) if f.indicator == "增幅"]
    assert finding.severity == INFO and "隐含年均增长 10.00%" in finding.message


def test_a_text_target_that_disagrees_with_the_table_is_an_error():
    level = IndicatorData(
        code="rnd", name="研发占比", unit="%", kind="level_by_year", baseline=D("2.95"),
        yearly=dict(zip(YEARS, map(D, ["3.05", "3.15", "3.25", "3.35", "3.5"]), strict=True)),
    )  # fmt: skip
    sentence = "研发费用占营业收入比重达到3.14%。"
    p = plan(level, statements=[StatementData("rnd", "level", D("3.14"), sentence, 2030)])
    [finding] = findings(p, ERROR)
    assert (
        finding.message == f"正文“{sentence}”中2030 年为 3.14%，目标表为 3.5%，二者不一致，须核定以哪个为准。"
    )
    assert (finding.figures["text_value"], finding.figures["table_value"]) == (3.14, 3.5)


def test_a_text_target_that_agrees_with_the_table_is_not_reported():
    level = IndicatorData(code="listed", name="上市公司", unit="家", kind="level_by_year", baseline=D(64),
                          yearly=dict(zip(YEARS, map(D, [67, 70, 73, 76, 80]), strict=True)))  # fmt: skip
    p = plan(level, statements=[StatementData("listed", "level", D(80), "上市公司80家", 2030)])
    assert findings(p) == []


def test_a_doubling_claim_short_of_twice_the_previous_period_is_a_warning():
    p = plan(
        amounts(
            [555, 615, 700, 770, 860], period_target=D(3500), previous_period=D(1764), baseline=D("513.6")
        ),
        statements=[StatementData("investment", "doubling", D(2), "累计完成3500亿元，较“十四五”翻一番。")],
    )
    [finding] = findings(p, WARNING)
    assert "为“十四五”累计 1764亿元 的 1.98 倍，翻一番应不少于 3528亿元（差 28亿元）" in finding.message
    assert finding.figures["needed"] == 3528


def test_a_doubling_claim_that_holds_is_information():
    p = plan(
        amounts([180, 205, 235, 265, 315], period_target=D(1200), previous_period=D(586), baseline=D(169)),
        statements=[StatementData("investment", "doubling", D(2), "累计达到1200个，较“十四五”翻一番。")],
    )
    assert any(f.severity == INFO and "2.05 倍，符合正文“翻一番”" in f.message for f in findings(p))


def test_targets_below_the_baseline_and_falling_levels_are_warnings():
    level = IndicatorData(code="firms", name="金牛企业", unit="家", kind="level_by_year", baseline=D(29),
                          yearly=dict(zip(YEARS, map(D, [28, 34, 33, 38, 40]), strict=True)))  # fmt: skip
    messages = [f.message for f in findings(plan(level), WARNING)]
    assert "2026 年 28家低于 2025 年基期 29家。" in messages
    assert "2028 年目标 33家 低于 2027 年的 34家。" in messages


def test_missing_years_are_an_error_and_a_final_year_alone_is_noted():
    gaps = IndicatorData(
        code="a", name="甲", unit="家", kind="level_by_year", yearly={2026: D(1), 2027: D(2), 2030: D(5)}
    )
    final = IndicatorData(code="b", name="乙", unit="家", kind="level_by_year", yearly={2030: D(35)})
    result = findings(plan(gaps, final))
    assert [(f.indicator, f.severity) for f in result] == [("甲", ERROR), ("乙", INFO)]
    assert result[0].message == "缺少 2028 年、2029 年的目标。"
    assert result[0].figures["missing_years"] == [2028, 2029]


def run(capsys, *options):
    try:
        call_command("plan", "check", *options)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, capsys.readouterr().out


def test_huzhous_plan_check_finds_what_a_reviewer_would(huzhou, capsys):
    code, out = run(capsys, "--format", "json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"plan", "documents", "findings"}
    assert data["plan"] == "湖州市推动企业增资扩产五年倍增行动实施方案"
    assert data["documents"] == ["市经信局2025年工作计划"]  # compared with the other document of its city
    keys = {"indicator", "severity", "message", "figures", "across_documents"}
    assert all(set(f) == keys for f in data["findings"])
    across = [f for f in data["findings"] if f["across_documents"]]
    problems = {
        (f["indicator"], f["severity"])
        for f in data["findings"]
        if f["severity"] != "info" and f not in across
    }
    assert problems == {
        ("增资扩产投资额（技改投资）", "warning"),  # 3500 is 1.98 × 1764, not a doubling
        ("技改投资增幅", "warning"),  # 513.6 → 860 is 10.86 % a year, below 11 %
        ("规上工业企业研发费用占营业收入比重", "error"),  # the text says 3.14 %, the table 3.5 % for 2030
        ("落地湖州募投项目", "warning"),  # the table's 年均8个, the text's 每年…8个以上
        ("小微企业升规", "warning"),  # the table's 年均280家, the text's 每年推动280家
    }
    [ipo] = [f for f in data["findings"] if f["indicator"] == "落地湖州募投项目"]
    assert ipo["message"].startswith("目标表写“年均8个”，正文“到2030年，累计培育国家单项冠军企业35家")
    # across Huzhou's two documents: the share's one-year jump and the titles granted above those held
    assert {(f["indicator"], f["severity"]) for f in across} == {
        ("制造业投资占固定资产投资比重", "warning"),
        ("新认定“金象金牛”企业", "warning"),
    }
    share = next(f for f in across if f["indicator"] == "制造业投资占固定资产投资比重")
    assert "一年上升 5.4 个百分点" in share["message"]
    assert (
        "占固投的比重达33.9%" in share["message"]
        and "制造业投资占固定资产投资比重｜%｜39.3" in share["message"]
    )
    assert share["figures"]["documents"] == [
        "市经信局2025年工作计划",
        "湖州市推动企业增资扩产五年倍增行动实施方案",
    ]
    titles = next(f for f in across if f["indicator"] == "新认定“金象金牛”企业")
    assert "新认定2023年度“金象金牛”企业35家" in titles["message"] and "在册 29家" in titles["message"]


def test_the_work_plans_own_check_names_the_five_year_plan_it_is_compared_with(huzhou, capsys):
    code, out = run(capsys, "--plan", "huzhou-2025", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["plan"] == "市经信局2025年工作计划"
    assert data["documents"] == ["湖州市推动企业增资扩产五年倍增行动实施方案"]
    assert sum(f["across_documents"] for f in data["findings"]) == 2


def test_an_unknown_plan_is_refused(huzhou, capsys):
    assert run(capsys, "--plan", "nowhere") == (2, "没有编号为“nowhere”的规划。")
