"""In headless Chromium: city staff build a policy's eligibility by clicking — conditions on every kind of
field, nested in 任一满足 and 不满足 groups — see it read back in Chinese with the counts of today's
符合 / 不符合 / 待核实 following each change, and save; the rule kept is the one its JSON says. The same
page at a phone's width."""

import json
from collections import Counter

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kuochan.policies.models import Policy
from kuochan.policies.rules import describe, evaluate_all, rule_from_data
from kuochan.policies.selectors import enterprise_facts
from kuochan.registry.models import Enterprise
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every kind of field the rule format knows: yes/no, a choice (several, and one), an amount in 万元, a date,
# honours, a district, and a condition still to be worded.
EXPECTED = {
    "all": [
        {"field": "enterprise.above_scale", "op": "is", "value": True},
        {"field": "evaluation.class", "op": "in", "value": ["A", "B"]},
        {"field": "enterprise.size_class", "op": "!=", "value": "micro"},
        {
            "any": [
                {"field": "enterprise.revenue_wan", "op": ">=", "value": 2000},
                {"field": "enterprise.established_on", "op": "<", "value": "2010-01-01"},
                {"field": "enterprise.honours", "op": "contains_any", "value": ["little_giant", "high_tech"]},
            ]
        },
        {"not": {"field": "enterprise.district", "op": "in", "value": ["南浔区"]}},
        {"placeholder": "亩均税收位居行业前列"},
    ]
}


def counts_of(rule: dict) -> str:
    """The counts line as the page should show it, computed apart from the page: the rule over every
    enterprise's facts."""
    facts = enterprise_facts(Enterprise.objects.all(), timezone.localdate())
    found = Counter(o.status for o in evaluate_all(rule_from_data(rule), list(facts.values())))
    return f"符合 {found['eligible']} 不符合 {found['not_eligible']} 待核实 {found['unknown']}"


def add_condition(group, field: str, op: str | None = None):
    group.locator(":scope > .kc-rb-tools").get_by_role("button", name="添加条件", exact=True).click()
    row = group.locator(":scope > .kc-rb-items > .kc-rb-cond").last
    row.get_by_label("条件字段").select_option(label=field)
    if op:
        row.get_by_label("比较方式").select_option(label=op)
    return row


def add_group(group, kind: str):
    """A nested group; it comes with one condition, set here by the caller through `first`."""
    group.locator(":scope > .kc-rb-tools").get_by_role("button", name="添加条件组", exact=True).click()
    nested = group.locator(":scope > .kc-rb-items > fieldset").last
    nested.get_by_label("条件组的满足方式").first.select_option(label=kind)
    return nested


def test_city_staff_build_a_nested_rule_by_clicking_and_save_it(
    live_server, page, registered, users, screenshot
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/policies/listing-cultivation/")
    reading, counts = page.get_by_test_id("rule-reading"), page.get_by_test_id("rule-counts")
    expect(counts).to_be_visible()
    documents = Policy.objects.get(code="listing-cultivation").documents
    builder = page.locator("[data-rule-builder]")
    root = builder.locator(":scope > fieldset")
    remove = root.get_by_role("button", name="删除此条件")  # conditions and groups alike
    while remove.count():
        remove.first.click()

    first = {"all": [EXPECTED["all"][0]]}
    add_condition(root, "规上企业").get_by_label("规上企业的取值").select_option(label="是")
    expect(reading).to_have_text("规上企业")
    expect(counts).to_contain_text(counts_of(first))

    row = add_condition(root, "亩均评价分类", "属于（其中之一）")
    row.get_by_label("A类").check()
    row.get_by_label("B类").check()
    add_condition(root, "企业规模", "不等于").get_by_label("企业规模的取值").select_option(label="微型")
    either = add_group(root, "任一满足")
    row = either.locator(".kc-rb-cond").first
    row.get_by_label("条件字段").select_option(label="上年营业收入")
    row.get_by_label("比较方式").select_option(label="不小于（含本数）")
    row.get_by_label("上年营业收入的取值（万元）").fill("2000")
    add_condition(either, "成立日期", "早于（不含当日）").get_by_label("成立日期的取值").fill("2010-01-01")
    row = add_condition(either, "企业荣誉", "包含其中之一")
    row.get_by_label("国家专精特新“小巨人”").check()
    row.get_by_label("高新技术企业").check()
    neither = add_group(root, "不满足")
    row = neither.locator(".kc-rb-cond").first
    row.get_by_label("条件字段").select_option(label="所在区县")
    row.get_by_label("比较方式").select_option(label="属于（其中之一）")
    row.get_by_label("南浔区").check()
    add_condition(root, "待明确的条件（文字说明）").get_by_label("待明确条件的内容").fill(
        "亩均税收位居行业前列"
    )

    words = describe(rule_from_data(EXPECTED))
    assert (
        "（上年营业收入不小于 2000万元（含本数） 或 成立日期早于2010年1月1日（不含当日） 或 企业荣誉包含其一"
        in words
    )
    expect(reading).to_have_text(words)
    expect(counts).to_contain_text(counts_of(EXPECTED))
    page.get_by_text("高级：以文字查看和修改申报条件").click()
    assert json.loads(page.get_by_label("申报条件（JSON 文字", exact=False).input_value()) == EXPECTED
    screenshot(page, "policy-rule-builder")
    assert not errors

    page.get_by_test_id("save-policy").click()
    expect(page.get_by_text("政策已保存。")).to_be_visible()
    policy = Policy.objects.get(code="listing-cultivation")
    assert rule_from_data(policy.rule) == rule_from_data(EXPECTED) and policy.rule == EXPECTED
    assert policy.documents == documents  # the rest of the form is kept as it was
    expect(page.get_by_test_id("rule")).to_have_text(words)
    expect(counts).to_contain_text(counts_of(EXPECTED))  # the saved rule, read back into the form

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    builder.scroll_into_view_if_needed()
    screenshot(page, "policy-rule-builder-phone")


def test_the_json_under_advanced_rebuilds_the_form_and_odd_text_is_explained(
    live_server, page, registered, users
):
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/policies/listing-cultivation/")
    page.get_by_text("高级：以文字查看和修改申报条件").click()
    text = page.get_by_label("申报条件（JSON 文字", exact=False)
    text.fill(json.dumps({"any": [{"field": "enterprise.district", "op": "in", "value": ["吴兴区"]}]}))
    expect(page.get_by_test_id("rule-reading")).to_have_text("所在区县属于吴兴区")
    root = page.locator("[data-rule-builder] > fieldset")
    expect(root.get_by_label("申报条件的满足方式")).to_have_value("any")
    expect(root.get_by_label("吴兴区")).to_be_checked()
    text.fill(json.dumps(EXPECTED))  # every kind of field, shown in the form and written back unchanged
    expect(page.get_by_test_id("rule-reading")).to_have_text(describe(rule_from_data(EXPECTED)))
    root.get_by_label("申报条件的满足方式").select_option(label="任一满足")
    root.get_by_label("申报条件的满足方式").select_option(label="全部满足")
    assert json.loads(text.input_value()) == EXPECTED
    text.fill('{"all": [')
    expect(page.get_by_test_id("rule-problems")).to_contain_text("申报条件不是有效的 JSON")
    expect(page.get_by_text("这条申报条件无法在表单中显示")).to_be_visible()
    page.get_by_test_id("save-policy").click()
    expect(page.get_by_role("alert").first).to_contain_text("申报条件不是有效的 JSON")


def test_city_staff_write_a_district_policy_and_the_counts_follow_the_issuing_unit(
    live_server, page, registered, users, screenshot
):
    """Two enterprises in 吴兴区 (one above-scale), one in 南浔区 (above-scale): the same rule counts the whole
    city for a city policy and only 南浔区 for 南浔区's."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/policies/new/")
    counts = page.get_by_test_id("rule-counts")
    page.get_by_text("高级：以文字查看和修改申报条件").click()
    page.get_by_label("申报条件（JSON 文字", exact=False).fill(
        json.dumps({"all": [{"field": "enterprise.above_scale", "op": "is", "value": True}]})
    )
    expect(counts).to_contain_text("符合 2 不符合 1 待核实 0")
    page.get_by_label("发布单位").select_option(label="南浔区")
    expect(counts).to_contain_text("符合 1 不符合 0 待核实 0")
    page.get_by_label("政策名称").fill("南浔区规上企业奖励")
    page.get_by_label("条款原文").fill("对南浔区规上工业企业给予奖励。")
    page.get_by_label("牵头部门").fill("南浔区经信局")
    page.get_by_label("支持方式").select_option(label="定额奖励")
    page.get_by_label("定额补助（万元）").fill("10")
    screenshot(page, "policy-new")
    page.get_by_test_id("save-policy").click()
    expect(page.get_by_text("已保存政策草稿“南浔区规上企业奖励”")).to_be_visible()
    policy = Policy.objects.get(title="南浔区规上企业奖励")
    assert policy.issuer.name == "南浔区" and policy.state == "draft" and policy.fixed_wan == 10
    expect(page.get_by_test_id("issuer")).to_contain_text("南浔区发布")
    assert not errors
