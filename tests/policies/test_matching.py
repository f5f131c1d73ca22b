"""Matching: 政策找企业 for one policy, 企业找政策 for one enterprise, as known on a date, in the actor's scope;
`kuochan match`; the catalogue loaded from the seed and completed by city staff."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.evaluation.services import evaluation_run
from kuochan.policies import selectors, services
from kuochan.policies.models import Policy
from kuochan.registry.models import Enterprise, Honour
from tests.conftest import THIS_YEAR

TODAY = timezone.localdate()


def statuses(actor, policy, **options):
    found = selectors.matching(actor=actor, as_of=options.pop("as_of", TODAY), chosen=[policy], **options)
    return {(m.candidate.project_code or m.candidate.uscc): m.outcome for m in found[policy.code]}


def test_a_policy_finds_the_projects_that_qualify_with_reasons(grant, equipped, users):
    found = statuses(users["city_staff"], grant)
    red, yellow, green = (equipped[k].code for k in ("red", "yellow", "green"))
    assert equipped["terminated"].code not in found
    assert {code: o.status for code, o in found.items()} == {
        red: "eligible",
        yellow: "not_eligible",
        green: "eligible",
    }
    assert found[yellow].not_met == ["规上企业"]
    assert found[red].met == ["规上企业", "技改项目"]


def test_matching_keeps_to_the_actor_s_scope(grant, equipped, users):
    assert set(statuses(users["nanxun"], grant)) == {equipped["green"].code}
    assert set(statuses(users["wuxing"], grant)) == {equipped["red"].code, equipped["yellow"].code}


def test_missing_data_is_unknown_and_named(huzhou, users, registered):
    """The 培育上市 policy asks about above-scale and honours, and leaves the 培育清单 to be completed."""
    policy = Policy.objects.get(code="listing-cultivation")
    found = statuses(users["city_staff"], policy)
    assert found[registered[0]].status == "unknown"
    assert found[registered[0]].unknown == ["列入拟上市企业培育清单（该条件待主管部门明确）"]
    assert found[registered[1]].status == "not_eligible" and found[registered[1]].not_met == ["规上企业"]


def test_honours_count_as_held_in_the_year_of_the_date_asked(huzhou, users, registered):
    """上市 granted in 2024 and lost in 2026: the 本地再投资 rule sees it in 2025, not in 2026."""
    enterprise = Enterprise.objects.get(uscc=registered[0])
    Honour.objects.create(
        enterprise=enterprise, kind="listed", year_granted=2024, year_lost=2026, stock_code="603000"
    )
    policy = Policy.objects.get(code="listing-cultivation")
    then = statuses(users["city_staff"], policy, as_of=dt.date(2025, 6, 30))[registered[0]]
    now = statuses(users["city_staff"], policy, as_of=dt.date(2026, 6, 30))[registered[0]]
    assert then.status == "not_eligible" and "不满足：企业荣誉包含上市公司" in then.not_met
    assert now.status == "unknown" and "不满足：企业荣誉包含上市公司" in now.met


def test_an_evaluation_counts_only_once_it_was_computed(huzhou, users, with_metrics, pipeline):
    """要素蓄水池 excludes class D: before 2025 is evaluated the class is unknown, not guessed."""
    policy = Policy.objects.get(code="resource-pool")
    code = pipeline["red"].code
    before = statuses(users["city_staff"], policy)[code]
    assert "不满足：亩均评价分类为D类（缺少亩均评价分类数据）" in before.unknown
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    after = statuses(users["city_staff"], policy)[code]
    assert "不满足：亩均评价分类为D类" in after.met
    assert (
        statuses(users["city_staff"], policy, as_of=TODAY - dt.timedelta(days=1))[code].unknown
        == before.unknown
    )


def test_an_enterprise_finds_every_policy_it_may_use(grant, equipped, users, enterprise_user):
    chosen = list(selectors.policies(actor=enterprise_user, active_only=True))
    found = selectors.matching(
        actor=enterprise_user, as_of=TODAY, chosen=chosen, enterprise=enterprise_user.enterprise
    )
    assert len(found) == 12
    assert [m.candidate.project_code for m in found["equipment-grant"]] == [equipped["red"].code]
    assert found["equipment-grant"][0].outcome.status == "eligible"
    assert [m.candidate.uscc for m in found["scene-opening"]] == [enterprise_user.enterprise.uscc]


def test_kuochan_match_gives_json_for_scripts(grant, equipped, capsys):
    call_command("match", "--policy", "equipment-grant", "--format", "json")
    report = json.loads(capsys.readouterr().out)
    (policy,) = report["policies"]
    assert policy["counts"] == {"eligible": 2, "unknown": 0, "not_eligible": 1}
    assert policy["rule"] == "规上企业；技改项目"
    assert {(row["project_code"], row["status"]) for row in policy["matches"]} == {
        (equipped["red"].code, "eligible"),
        (equipped["green"].code, "eligible"),
    }
    call_command("match", "--policy", "equipment-grant", "--all", "--format", "json")
    assert len(json.loads(capsys.readouterr().out)["policies"][0]["matches"]) == 3


def test_kuochan_match_as_a_district_user_and_in_text(grant, equipped, capsys):
    call_command("match", "--policy", "equipment-grant", "--user", "nanxun")
    out = capsys.readouterr().out
    assert "技改设备补助（equipment-grant）：符合 1，待核实 0，不符合 0" in out
    assert equipped["green"].code in out and equipped["red"].code not in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--policy", "no-such"], "没有政策“no-such”"),
        (["--as-of", "2026-13-01"], "--as-of 应为日期"),
        (["--enterprise", "91330500MA2B000000"], "没有统一社会信用代码"),
    ],
)
def test_kuochan_match_refuses_bad_options_with_exit_code_2(huzhou, options, message):
    with pytest.raises(CommandError, match=message) as refused:
        call_command("match", *options)
    assert refused.value.returncode == 2


def test_the_seed_s_eleven_policies_load_once_and_staff_changes_survive_a_reload(huzhou, users):
    assert Policy.objects.count() == 11
    policy = Policy.objects.get(code="resource-pool")
    assert policy.lead == "市发展改革委" and policy.support_kind == "non_monetary"
    assert Policy.objects.get(code="open-competition").cap_wan == Decimal(300)
    rule = {"all": [{"field": "project.total_wan", "op": ">=", "value": 30000}]}
    services.policy_update(actor=users["city_staff"], source=Source.WEB, policy=policy, rule=rule)
    call_command("load_reference", verbosity=0)
    assert Policy.objects.get(code="resource-pool").rule == rule


def test_a_rule_edit_is_validated_and_only_city_staff_may_make_it(huzhou, users):
    policy = Policy.objects.get(code="resource-pool")
    with pytest.raises(ValidationError) as refused:
        services.policy_update(
            actor=users["city_staff"], source=Source.WEB, policy=policy,
            rule={"all": [{"field": "project.total_wan", "op": "contains", "value": 1}]},
        )  # fmt: skip
    assert refused.value.messages == [
        "条件.all[1]：项目总投资不能用运算“contains”，可用：==、!=、>=、>、<=、<。"
    ]
    with pytest.raises(PermissionDenied):
        services.policy_update(actor=users["wuxing"], source=Source.WEB, policy=policy, rule={"all": []})
    policy.refresh_from_db()
    assert "placeholder" in json.dumps(policy.rule)


def test_funds_show_budget_and_approvals_per_policy(grant, users):
    rows = {f.policy.code: f for f in selectors.funds(actor=users["city_staff"], year=THIS_YEAR)}
    assert set(rows) == {"equipment-grant", "open-competition", "innovation-platform"}
    assert rows["equipment-grant"].budget_wan == Decimal(150) and rows[
        "equipment-grant"
    ].remaining_wan == Decimal(150)
    assert rows["open-competition"].budget_wan is None
