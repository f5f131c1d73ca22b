"""The eligibility rule format: parsing, validation errors in Chinese pointing at the problem, readable
conditions, and three-valued evaluation when data is missing."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuochan.policies.rules import (
    ELIGIBLE,
    NOT_ELIGIBLE,
    UNKNOWN,
    describe,
    evaluate,
    evaluate_all,
    rule_from_data,
)
from kuochan.reference import read_json

RENOVATION_SUPPORT = {
    "all": [
        {"field": "enterprise.above_scale", "op": "is", "value": True},
        {"field": "evaluation.class", "op": "in", "value": ["A", "B"]},
        {"field": "project.project_type", "op": "==", "value": "renovation"},
        {"field": "project.equipment_wan", "op": ">=", "value": 500},
        {"not": {"field": "evaluation.low_efficiency", "op": "is", "value": True}},
    ]
}
GOOD = {
    "enterprise.above_scale": True,
    "evaluation.class": "B",
    "project.project_type": "renovation",
    "project.equipment_wan": 500,
    "evaluation.low_efficiency": False,
}


def test_a_rule_reads_as_chinese_conditions():
    assert describe(rule_from_data(RENOVATION_SUPPORT)) == (
        "规上企业；亩均评价分类属于A类、B类；项目类型为技术改造；设备投资不小于 500万元（含本数）；不满足：列入清三低"
    )
    either = rule_from_data({"any": [{"field": "enterprise.tags", "op": "contains", "value": "新能源汽车及关键零部件"},
                                     {"field": "project.is_provincial_major", "op": "is", "value": True}]})  # fmt: skip
    assert describe(either) == "（产业链（产业）包含新能源汽车及关键零部件 或 省重大项目）"


def test_an_eligible_subject_lists_every_condition_met():
    outcome = evaluate(rule_from_data(RENOVATION_SUPPORT), GOOD)
    assert outcome.status == ELIGIBLE and len(outcome.met) == 5 and outcome.not_met == outcome.unknown == []


def test_a_failed_condition_is_named_and_decides_even_with_data_missing():
    outcome = evaluate(
        rule_from_data(RENOVATION_SUPPORT), GOOD | {"project.equipment_wan": 499.99, "evaluation.class": None}
    )
    assert outcome.status == NOT_ELIGIBLE
    assert outcome.not_met == ["设备投资不小于 500万元（含本数）"]
    assert outcome.unknown == ["亩均评价分类属于A类、B类（缺少亩均评价分类数据）"]


def test_missing_data_makes_the_result_unknown_not_a_guess():
    outcome = evaluate(rule_from_data(RENOVATION_SUPPORT), GOOD | {"evaluation.class": None})
    assert outcome.status == UNKNOWN


def test_any_is_eligible_with_one_condition_met_and_unknown_otherwise():
    rule = rule_from_data(
        {
            "any": [
                {"field": "project.zero_new_land", "op": "is", "value": True},
                {"placeholder": "亩均税收位居行业前列"},
            ]
        }
    )
    assert evaluate(rule, {"project.zero_new_land": True}).status == ELIGIBLE
    unsure = evaluate(rule, {"project.zero_new_land": False})
    assert unsure.status == UNKNOWN and unsure.unknown == ["亩均税收位居行业前列（该条件待主管部门明确）"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"field": "enterprise.revenue", "op": ">=", "value": 1}, "条件：未知的字段“enterprise.revenue”"),
        (
            {"field": "project.total_wan", "op": "contains", "value": 1},
            "条件：项目总投资不能用运算“contains”，可用：==、!=、>=、>、<=、<",
        ),
        (
            {"all": [{"field": "evaluation.class", "op": "in", "value": ["A", "E"]}]},
            "条件.all[1]：亩均评价分类没有取值“E”",
        ),
        (
            {"all": [{"field": "project.equipment_wan", "op": ">=", "value": "五百"}]},
            "条件.all[1]：设备投资的取值应为数字，收到“五百”。",
        ),
        ({"any": []}, "条件.any：应为至少包含一个条件的列表。"),
        ({"field": "enterprise.above_scale", "op": "is"}, "条件：缺少取值 value。"),
        ({"not": "规上"}, "条件.not：应为一个条件"),
    ],
)
def test_invalid_rules_are_refused_with_where_and_what(data, problem):
    with pytest.raises(ValueError) as refused:
        rule_from_data(data)
    assert any(message.startswith(problem) for message in refused.value.args[0]), refused.value.args[0]


def test_no_code_is_ever_evaluated():
    with pytest.raises(ValueError):
        rule_from_data({"field": "__import__('os').system('true')", "op": "==", "value": 1})


@given(
    st.booleans(),
    st.sampled_from(["A", "B", "C", "D", "T", None]),
    st.one_of(st.none(), st.integers(0, 2000)),
)
def test_all_is_the_three_valued_and_of_its_conditions(above, klass, equipment):
    facts = GOOD | {
        "enterprise.above_scale": above,
        "evaluation.class": klass,
        "project.equipment_wan": equipment,
    }
    parts = [
        above,
        None if klass is None else klass in ("A", "B"),
        None if equipment is None else equipment >= 500,
    ]
    expected = NOT_ELIGIBLE if False in parts else UNKNOWN if None in parts else ELIGIBLE
    assert evaluate(rule_from_data(RENOVATION_SUPPORT), facts).status == expected


def test_a_rule_against_many_subjects_in_one_pass():
    outcomes = evaluate_all(
        rule_from_data(RENOVATION_SUPPORT), [GOOD, GOOD | {"enterprise.above_scale": False}]
    )
    assert [o.status for o in outcomes] == [ELIGIBLE, NOT_ELIGIBLE]


def test_every_shipped_huzhou_policy_has_a_valid_rule_with_its_vague_parts_marked():
    policies = read_json("huzhou", "policies.json")["policies"]
    assert [p["number"] for p in policies] == [f"（{n}）" for n in "一二三四五六七八九十"] + ["（十一）"]
    for policy in policies:
        readable = describe(rule_from_data(policy["rule"]))
        assert readable, policy["code"]
    reinvest = next(p for p in policies if p["code"] == "listed-reinvestment")
    assert describe(rule_from_data(reinvest["rule"])).startswith(
        "企业荣誉包含上市公司；（募投项目 或 项目类型为募投）；再投资项目属于“1366”先进制造业（该条件待主管部门明确）"
    )


def test_a_value_that_is_not_text_is_refused_not_crashed_on():
    with pytest.raises(ValueError) as refused:
        rule_from_data({"field": "evaluation.class", "op": "in", "value": [["A"]]})
    assert refused.value.args[0] == ["条件：亩均评价分类没有取值“['A']”，可选：A、B、C、D、T。"]


def test_a_date_and_a_district_are_conditions_like_any_other():
    rule = rule_from_data(
        {"all": [
            {"field": "enterprise.established_on", "op": "<", "value": "2020-01-01"},
            {"field": "enterprise.district", "op": "in", "value": ["吴兴区", "南浔区"]},
        ]}
    )  # fmt: skip
    assert describe(rule) == "成立日期早于2020年1月1日（不含当日）；所在区县属于吴兴区、南浔区"
    old = {"enterprise.established_on": dt.date(2015, 3, 1), "enterprise.district": "吴兴区"}
    young = {"enterprise.established_on": dt.date(2021, 3, 1), "enterprise.district": "吴兴区"}
    assert [o.status for o in evaluate_all(rule, [old, young, {}])] == [ELIGIBLE, NOT_ELIGIBLE, UNKNOWN]
    with pytest.raises(ValueError) as refused:
        rule_from_data({"field": "enterprise.established_on", "op": ">=", "value": "2020-13-01"})
    assert "成立日期的取值应为日期" in refused.value.args[0][0]


@pytest.mark.parametrize(
    ("op", "amount", "day", "at_the_bound"),
    [
        (">=", "项目总投资不小于 500万元（含本数）", "成立日期不早于2010年1月1日（含当日）", ELIGIBLE),
        (">", "项目总投资大于 500万元（不含本数）", "成立日期晚于2010年1月1日（不含当日）", NOT_ELIGIBLE),
        ("<=", "项目总投资不大于 500万元（含本数）", "成立日期不晚于2010年1月1日（含当日）", ELIGIBLE),
        ("<", "项目总投资小于 500万元（不含本数）", "成立日期早于2010年1月1日（不含当日）", NOT_ELIGIBLE),
        ("==", "项目总投资为 500万元", "成立日期为2010年1月1日", ELIGIBLE),
    ],
)
def test_every_comparison_says_whether_its_bound_counts_and_evaluates_so(op, amount, day, at_the_bound):
    """以上/以下 include their bound (民法典 第1259条): a reading says 含本数 or 不含本数, and a value exactly at
    the bound is eligible just when it says 含."""
    money = rule_from_data({"field": "project.total_wan", "op": op, "value": 500})
    date = rule_from_data({"field": "enterprise.established_on", "op": op, "value": "2010-01-01"})
    assert (describe(money), describe(date)) == (amount, day)
    assert evaluate(money, {"project.total_wan": 500}).status == at_the_bound
    assert evaluate(date, {"enterprise.established_on": dt.date(2010, 1, 1)}).status == at_the_bound


def test_a_placeholder_reads_as_pending_with_the_department_never_as_a_mark():
    assert describe(rule_from_data({"placeholder": "亩均税收位居行业前列"})) == (
        "亩均税收位居行业前列（该条件待主管部门明确）"
    )
