import datetime as dt

import pytest

from kuochan.outreach.rules import (
    ACCEPTED,
    CLOSED,
    ENTERPRISE,
    HANDLER,
    HANDLING,
    RESOLVED,
    STAFF,
    OtherVisit,
    ServiceRules,
    TicketFacts,
    allowed_actions,
    duplicate_visits,
    task_light,
    ticket_lights,
    transition_refusal,
)

RULES = ServiceRules(
    triage_days=3,
    deadline_days={"land": 30, "finance": 15},
    due_soon_days=3,
    escalate_after_days=7,
    visit_window_days=30,
)
DUE = dt.date(2026, 6, 10)


def light_on(day: dt.date, status: str = HANDLING):
    return ticket_lights([TicketFacts(status, DUE, "办结")], as_of=day, rules=RULES)[0]


def test_a_ticket_is_green_until_three_days_before_its_deadline():
    assert light_on(dt.date(2026, 6, 6)).light == "green"
    verdict = light_on(dt.date(2026, 6, 7))
    assert verdict.light == "yellow"
    assert verdict.reasons == ("办结期限 2026-06-10，还有 3 天到期",)
    assert light_on(DUE).reasons == ("办结期限 2026-06-10，今天到期",)


def test_a_ticket_past_its_deadline_is_red_and_escalates_after_seven_days():
    verdict = light_on(dt.date(2026, 6, 11))
    assert (verdict.light, verdict.days_overdue, verdict.escalate) == ("red", 1, False)
    assert verdict.reasons == ("办结期限 2026-06-10，已逾期 1 天",)
    assert light_on(dt.date(2026, 6, 16)).escalate is False
    verdict = light_on(dt.date(2026, 6, 17))
    assert (verdict.days_overdue, verdict.escalate) == (7, True)
    assert verdict.reasons[-1] == "逾期达 7 天，升级至市级督办"


def test_resolved_and_closed_tickets_have_no_light():
    assert light_on(dt.date(2026, 7, 1), RESOLVED).light == "none"
    assert light_on(dt.date(2026, 7, 1), RESOLVED).reasons == ("已办结，待回访评价",)
    assert light_on(dt.date(2026, 7, 1), CLOSED).light == "none"


def test_only_the_parts_named_may_take_a_step():
    assert allowed_actions(ACCEPTED, {STAFF}) == ["consult"]
    assert allowed_actions(ACCEPTED, {ENTERPRISE}) == []
    assert allowed_actions(HANDLING, {HANDLER}) == ["resolve"]
    assert set(allowed_actions(RESOLVED, {ENTERPRISE})) == {"review", "reopen"}
    assert transition_refusal("resolve", ACCEPTED, {STAFF}) == "诉求当前为“受理”，不能办结。"
    assert (
        transition_refusal("consult", ACCEPTED, {ENTERPRISE})
        == "诉求当前为“受理”，只有属地服务人员可以会商研判。"
    )
    assert transition_refusal("fly", ACCEPTED, {STAFF}) == "没有“fly”这一操作。"


def test_follow_up_task_lights():
    due = dt.date(2026, 6, 10)
    assert task_light(due, None, as_of=dt.date(2026, 6, 12), rules=RULES) == (
        "red",
        "期限 2026-06-10，已逾期 2 天",
    )
    assert task_light(due, None, as_of=dt.date(2026, 6, 8), rules=RULES)[0] == "yellow"
    assert task_light(due, dt.date(2026, 6, 9), as_of=dt.date(2026, 6, 12), rules=RULES) == (
        "none",
        "已于 2026-06-09 完成",
    )
    # done later than the as-of date: as of then it was still open
    assert task_light(due, dt.date(2026, 6, 20), as_of=dt.date(2026, 6, 12), rules=RULES)[0] == "red"


@pytest.mark.parametrize(
    ("other", "warned"),
    [
        (dt.date(2026, 5, 11), True),
        (dt.date(2026, 5, 10), False),
        (dt.date(2026, 7, 10), True),
        (dt.date(2026, 7, 11), False),
    ],
)
def test_another_visit_within_thirty_days_either_side_is_a_duplicate(other, warned):
    visit = OtherVisit(1, other, "南浔区经信局 张三", "了解扩产意愿")
    warnings = duplicate_visits(dt.date(2026, 6, 10), [visit], window_days=30)
    assert bool(warnings) is warned
    if warned:
        gap = abs((other - dt.date(2026, 6, 10)).days)
        assert warnings[0] == (
            f"南浔区经信局 张三已登记 {other} 走访该企业（了解扩产意愿），与本次相隔 {gap} 天，"
            "在 30 天重复走访提醒期内，请先与其沟通。"
        )
