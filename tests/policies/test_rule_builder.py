"""The rule builder's server side: a draft rule read back in Chinese with today's counts (as matching counts
them), odd drafts answered with a Chinese message, a refused save that keeps the draft, and placeholders read
in plain words on the pages an enterprise sees. The builder itself is driven in tests/web."""

import json
import re
from collections import Counter

from django.utils import timezone

from kuochan.policies.models import Policy
from kuochan.policies.rules import evaluate_all, rule_from_data
from kuochan.policies.selectors import enterprise_facts
from kuochan.registry.models import Enterprise

CHECK = "/policies/listing-cultivation/rule-check/"
# Above-scale, and founded before 2010 or registered in 吴兴区: 童装 (吴兴) and 木业 (南浔, 2008) qualify,
# 新材料 (吴兴, below scale) does not.
DRAFT = {
    "all": [
        {"field": "enterprise.above_scale", "op": "is", "value": True},
        {
            "any": [
                {"field": "enterprise.established_on", "op": "<", "value": "2010-01-01"},
                {"field": "enterprise.district", "op": "in", "value": ["吴兴区"]},
            ]
        },
    ]
}


def counts_on(page: str) -> dict[str, int]:
    return {
        status: int(number) for status, number in re.findall(r'data-status="(\w+)">\S+ ([\d,]+)</span>', page)
    }


def test_a_draft_reads_in_chinese_and_counts_as_matching_the_whole_city_does(
    registered, users, login, django_assert_max_num_queries
):
    client = login(users["city_staff"])
    with django_assert_max_num_queries(16):  # the same few reads whatever the number of enterprises
        page = client.post(CHECK, {"rule": json.dumps(DRAFT)}).content.decode()
    assert "规上企业；（成立日期早于2010年1月1日（不含当日） 或 所在区县属于吴兴区）" in page
    facts = enterprise_facts(Enterprise.objects.all(), timezone.localdate())
    expected = Counter(o.status for o in evaluate_all(rule_from_data(DRAFT), list(facts.values())))
    assert (
        counts_on(page)
        == {"eligible": 2, "not_eligible": 1, "unknown": 0}
        == {status: expected[status] for status in ("eligible", "not_eligible", "unknown")}
    )
    assert Policy.objects.get(code="listing-cultivation").rule != DRAFT  # nothing saved


def test_odd_drafts_answer_with_a_chinese_message(registered, users, login):
    client = login(users["city_staff"])
    for draft, message in (
        ("{", "申报条件不是有效的 JSON：第 1 行第 2 列"),
        ("", "申报条件不是有效的 JSON"),
        ('{"all": []}', "应为至少包含一个条件的列表"),
        ('{"field": "enterprise.revenue_wan", "op": ">=", "value": "很多"}', "上年营业收入的取值应为数字"),
        (
            '{"field": "enterprise.established_on", "op": ">", "value": "2026-02-30"}',
            "成立日期的取值应为日期",
        ),
        ('{"field": "enterprise.district", "op": "in", "value": "吴兴区"}', "需要一组取值"),
        ('{"field": "nonsense", "op": "is", "value": true}', "未知的字段“nonsense”"),
        ("[1, 2]", "应为一个条件"),
        ('{"not": ' * 30 + '{"placeholder": "x"}' + "}" * 30, "条件组嵌套超过 20 层"),
        ("[" * 50_000 + "]" * 50_000, "申报条件嵌套过深"),
    ):
        response = client.post(CHECK, {"rule": draft})
        assert response.status_code == 200 and message in response.content.decode(), draft
        assert 'data-testid="rule-counts"' not in response.content.decode()
    assert client.get(CHECK).status_code == 405
    assert login(users["wuxing"]).post(CHECK, {"rule": json.dumps(DRAFT)}).status_code == 403


def test_the_builder_names_each_comparison_with_whether_its_bound_counts(huzhou, users, login):
    page = login(users["city_staff"]).get("/policies/listing-cultivation/").content.decode()
    spec = json.loads(
        re.search(r'id="rule-spec" type="application/json">(.*?)</script>', page, re.S).group(1)
    )
    ops = {field["name"]: dict(field["ops"]) for field in spec["fields"]}
    assert {op: ops["enterprise.revenue_wan"][op] for op in (">=", ">", "<=", "<")} == {
        ">=": "不小于（含本数）", ">": "大于（不含本数）", "<=": "不大于（含本数）", "<": "小于（不含本数）"
    }  # fmt: skip
    assert {op: ops["enterprise.established_on"][op] for op in (">=", ">", "<=", "<")} == {
        ">=": "不早于（含当日）", ">": "晚于（不含当日）", "<=": "不晚于（含当日）", "<": "早于（不含当日）"
    }  # fmt: skip
    assert "<code>&gt;=</code> 不小于（含本数）；<code>&gt;</code> 大于（不含本数）" in page


def test_a_refused_save_shows_the_draft_again_to_be_corrected(huzhou, users, login):
    client = login(users["city_staff"])
    draft = '{"all": [{"field": "enterprise.tax_wan", "op": ">=", "value": "x"}]}'
    page = client.post(
        "/policies/listing-cultivation/",
        {"form": "policy", "rule": draft, "publicity_days": "5"},
        follow=True,
    ).content.decode()
    assert "上年实缴税金的取值应为数字" in page
    assert (
        "enterprise.tax_wan&quot;, &quot;op&quot;: &quot;&gt;=&quot;, &quot;value&quot;: &quot;x&quot;"
        in page
    )


def test_an_enterprise_reads_a_vague_condition_as_pending_with_the_department(enterprise_user, login):
    client = login(enterprise_user)
    source = Policy.objects.get(code="scene-opening").source  # the catalogue's own note, shown as 依据
    for path in (
        "/policies/",
        "/policies/scene-opening/",
        f"/policies/enterprise/{enterprise_user.enterprise_id}/",
    ):
        page = client.get(path).content.decode()
        assert "rule-builder" not in page, path
        shown = re.sub(r"<[^>]*>", "", page).replace(source, "")
        assert "有新产品、新技术需要首试首用场景的增资扩产企业（该条件待主管部门明确）" in shown, path
        assert "placeholder" not in shown and "【待明确】" not in shown, path
