import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from kuochan.audit.models import Source
from kuochan.notifications.models import Notification
from kuochan.outreach import selectors
from kuochan.outreach.models import Ticket
from kuochan.outreach.services import (
    outreach_sweep,
    service_rules_update,
    ticket_act,
    ticket_comment,
    ticket_create,
)
from kuochan.registry.models import Enterprise
from tests.outreach.conftest import at


def act(actor, ticket, action, **values):
    return ticket_act(actor=actor, source=Source.WEB, ticket=ticket, action=action, **values)


def assigned(raised, users, bank, day="2026-06-02"):
    wuxing = users["wuxing"]
    with at(day):
        act(wuxing, raised, "consult", note="属融资类，交人行协调")
        return act(wuxing, raised, "assign", department=bank)


def test_an_enterprise_raises_a_ticket_that_must_be_assigned_within_three_days(raised):
    assert raised.status == "accepted"
    assert raised.source == Ticket.Source.ENTERPRISE
    assert raised.number == f"SQ-2026-{raised.pk:06d}"
    assert raised.due_date == dt.date(2026, 6, 4)
    assert [s.action for s in raised.steps.all()] == ["create"]


def test_the_whole_loop_records_every_step(raised, users, bank, enterprise_user):
    wuxing = users["wuxing"]
    ticket = assigned(raised, users, bank)
    assert (ticket.status, ticket.department, ticket.handler) == ("coordinating", bank, wuxing)
    assert ticket.due_date == dt.date(2026, 6, 17)  # 融资类 15 天
    with at("2026-06-03"):
        act(wuxing, ticket, "start")
    with at("2026-06-10"):
        act(wuxing, ticket, "resolve", note="人行协调湖州银行追加授信 800 万元")
    with at("2026-06-12"):
        ticket = act(enterprise_user, ticket, "reopen", note="到账仅 300 万元")
    assert (ticket.status, ticket.reopened, ticket.satisfaction) == ("handling", 1, "unsatisfied")
    assert ticket.due_date == dt.date(2026, 6, 27)
    with at("2026-06-20"):
        act(wuxing, ticket, "resolve", note="余下 500 万元已到账")
    with at("2026-06-21"):
        ticket = act(enterprise_user, ticket, "review", satisfaction="satisfied", note="感谢")
    assert ticket.status == "closed"
    assert ticket.closed_at is not None
    steps = list(ticket.steps.all())
    assert [s.action for s in steps] == [
        "create", "consult", "assign", "start", "resolve", "reopen", "resolve", "review",
    ]  # fmt: skip
    assert [s.actor_name for s in steps][-2:] == ["wuxing", "qiye"]
    assert (steps[2].note, steps[2].due_date) == ("交市人行办理，承办人 wuxing", dt.date(2026, 6, 17))
    assert steps[-1].note == "满意度：满意。感谢"
    assert str(steps[3].at.date()) == "2026-06-03"


def test_steps_out_of_turn_or_by_the_wrong_party_are_refused_and_change_nothing(
    raised, users, enterprise_user, bank
):
    with pytest.raises(PermissionDenied, match="只有属地服务人员可以会商研判"):
        act(enterprise_user, raised, "consult", note="x")
    with pytest.raises(PermissionDenied, match="只有属地服务人员可以会商研判"):
        act(users["nanxun"], raised, "consult", note="x")  # another district's staff
    with pytest.raises(PermissionDenied, match="不能办结"):
        act(users["wuxing"], raised, "resolve", note="x")
    with pytest.raises(ValidationError, match="会商研判须填写研判意见"):
        act(users["wuxing"], raised, "consult")
    with pytest.raises(PermissionDenied):
        act(users["leader"], raised, "consult", note="x")
    raised.refresh_from_db()
    assert raised.status == "accepted"
    assert raised.steps.count() == 1


def test_assignment_needs_a_department_and_a_handler_who_can_see_the_enterprise(raised, users, bank):
    wuxing = users["wuxing"]
    act(wuxing, raised, "consult", note="研判")
    with pytest.raises(ValidationError) as refused:
        act(wuxing, raised, "assign", handler=users["nanxun"])
    assert refused.value.message_dict == {
        "department": ["分类协调须选定承办部门。"],
        "handler": ["承办人应为能看到该企业的在岗工作人员，收到“nanxun”。"],
    }
    assert Ticket.objects.get(pk=raised.pk).status == "consulting"


def test_the_handler_may_send_a_ticket_back_and_triage_starts_again(raised, users, bank):
    ticket = assigned(raised, users, bank)
    with at("2026-06-05"):
        ticket = act(users["wuxing"], ticket, "send_back", note="不属人行职责")
    assert (ticket.status, ticket.department, ticket.handler) == ("consulting", None, None)
    assert ticket.due_date == dt.date(2026, 6, 8)


def test_an_enterprise_sees_and_comments_on_its_own_tickets_only(raised, users, registered, enterprise_user):
    other = Enterprise.objects.get(uscc=registered[1])
    theirs = ticket_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=other, category="land", title="用地指标"
    )
    assert list(selectors.tickets(actor=enterprise_user)) == [raised]
    with pytest.raises(PermissionDenied):
        ticket_comment(actor=enterprise_user, source=Source.WEB, ticket=theirs, text="我们也想要")
    with pytest.raises(PermissionDenied, match="只能为本企业"):
        ticket_create(actor=enterprise_user, source=Source.WEB, enterprise=other, category="land", title="x")
    ticket_comment(actor=enterprise_user, source=Source.WEB, ticket=raised, text="请尽快")
    assert raised.steps.last().note == "请尽快"
    assert selectors.tickets(actor=users["nanxun"]).count() == 0


def test_lights_as_of_a_past_day_come_from_the_timeline(raised, users, bank):
    ticket = assigned(raised, users, bank, day="2026-06-05")  # triage was due 06-04
    rules = selectors.current_rules()
    [(_, then)] = selectors.with_lights([ticket], as_of=dt.date(2026, 6, 4), rules=rules)
    assert (then.light, then.reasons) == ("yellow", ("交办期限 2026-06-04，今天到期",))
    [(_, before)] = selectors.with_lights([ticket], as_of=dt.date(2026, 5, 31), rules=rules)
    assert before is None  # not raised yet
    [(_, now)] = selectors.with_lights([ticket], as_of=dt.date(2026, 6, 6), rules=rules)
    assert (now.light, now.reasons) == ("green", ("办结期限 2026-06-20，未到期",))


@pytest.mark.django_db(transaction=True)
def test_the_sweep_escalates_once_and_notifies_the_handler_and_city_staff(raised, users, bank, login):
    ticket = assigned(raised, users, bank)  # due 2026-06-17
    with at("2026-06-15"):
        first = outreach_sweep()
    assert (first.escalated, first.notices) == ([], 1)
    due_soon = Notification.objects.get()
    assert (due_soon.recipient, due_soon.kind) == (users["wuxing"], "ticket_due_soon")
    with at("2026-06-24"):
        second = outreach_sweep()
        again = outreach_sweep()
    assert second.escalated == [ticket.number]
    assert (again.escalated, again.notices) == ([], 0)
    escalations = Notification.objects.filter(kind="ticket_escalated")
    assert {n.recipient.username for n in escalations} == {"admin", "city"}
    assert Notification.objects.filter(kind="ticket_overdue", recipient=users["wuxing"]).count() == 1
    overdue = Notification.objects.get(kind="ticket_overdue")
    assert overdue.body.startswith(f"您经办的诉求 {ticket.number}（") and overdue.body.endswith(
        "。请尽快办理。"
    )
    page = login(users["city_staff"]).get("/notifications/").content.decode()
    assert "工单已升级" in page and "已升级至市级督办：" in page
    shown = re.sub(r'value="[^"]*"', "", page)  # a filter's option carries the kind as its value
    assert not any(key in shown for key in ("ticket_escalated", "ticket_overdue", "ticket_due_soon"))
    ticket.refresh_from_db()
    assert ticket.escalated_at is not None
    step = ticket.steps.get(action="escalate")
    assert (step.actor_name, step.note) == (
        "系统",
        "办结期限 2026-06-17，已逾期 7 天；逾期达 7 天，升级至市级督办",
    )
    queue, _ = selectors.ticket_queue(actor=users["city_staff"])
    assert list(queue) == [ticket]


def test_changing_a_timer_keeps_the_deadline_already_given(raised, users, bank):
    ticket = assigned(raised, users, bank)
    service_rules_update(
        actor=users["city_admin"], source=Source.WEB,
        deadline_days={**selectors.current_rules().deadline_days, "finance": 5},
    )  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.due_date == dt.date(2026, 6, 17)
    with pytest.raises(PermissionDenied):
        service_rules_update(actor=users["city_staff"], source=Source.WEB, triage_days=1)
    with pytest.raises(ValidationError, match="受理后交办时限（天）应为 1 到 60 的整数"):
        service_rules_update(actor=users["city_admin"], source=Source.WEB, triage_days=0)


def test_overdue_command_lists_tickets_past_their_deadline_as_of_a_date(raised, users, bank, capsys):
    assigned(raised, users, bank)
    call_command("tickets", "overdue", "--as-of", "2026-06-03", "--format", "json")
    assert json.loads(capsys.readouterr().out) == {"as_of": "2026-06-03", "tickets": []}
    call_command("tickets", "overdue", "--as-of", "2026-06-20", "--format", "json")
    [row] = json.loads(capsys.readouterr().out)["tickets"]
    assert row == {
        "number": raised.number, "enterprise": "湖州织里童装有限公司", "uscc": raised.enterprise.uscc,
        "district": "吴兴区", "category": "融资", "title": "技改贷款授信不足", "status": "分类协调",
        "department": "市人行", "handler": "wuxing", "due_date": "2026-06-17", "days_overdue": 3, "light": "red",
        "escalated": False, "reasons": ["办结期限 2026-06-17，已逾期 3 天"],
    }  # fmt: skip
    call_command("tickets", "overdue", "--as-of", "2026-06-20", "--format", "json", "--user", "nanxun")
    assert json.loads(capsys.readouterr().out)["tickets"] == []


def test_the_ticket_list_opens_on_the_overdue_then_the_nearest_deadline_and_closed_ones_last(
    enterprise_user, zhili, users, login
):
    made = {}
    for day, title in (("2026-06-01", "五天前到期"), ("2026-06-03", "明天到期"), ("2026-05-20", "早已办结")):
        with at(day):
            made[title] = ticket_create(
                actor=enterprise_user, source=Source.WEB, enterprise=zhili, category="finance", title=title,
                description="说明",
            )  # fmt: skip
    Ticket.objects.filter(pk=made["五天前到期"].pk).update(due_date=dt.date(2026, 6, 5))
    Ticket.objects.filter(pk=made["明天到期"].pk).update(due_date=dt.date(2026, 6, 11))
    Ticket.objects.filter(pk=made["早已办结"].pk).update(status="closed")  # the newest number, yet last
    with at("2026-06-10"):
        page = login(users["wuxing"]).get("/outreach/").content.decode()
    order = [page.index(made[title].number) for title in ("五天前到期", "明天到期", "早已办结")]
    assert order == sorted(order)
    first_row = page.split('data-testid="ticket-table"')[1].split("</tr>")[1]
    assert made["五天前到期"].number in first_row and 'data-light="red"' in first_row
