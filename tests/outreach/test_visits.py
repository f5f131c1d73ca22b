"""Visits and their follow-up tasks: who may record them, the duplicate warning in the service, owners'
reminders, and the queue each part of the loop sees."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kuochan.audit.models import Source
from kuochan.notifications.models import Notification
from kuochan.outreach import selectors
from kuochan.outreach.services import (
    DuplicateVisit,
    TaskInput,
    followup_done,
    outreach_sweep,
    ticket_act,
    visit_create,
)
from tests.outreach.conftest import at


def visit(actor, enterprise, day, **values):
    return visit_create(
        actor=actor, source=Source.WEB, enterprise=enterprise, date=day, purpose="走访", **values
    )


def test_only_staff_in_scope_record_visits_and_name_owners_who_can_see_the_enterprise(zhili, users):
    with pytest.raises(PermissionDenied, match="只能登记您数据范围内企业的走访"):
        visit(users["nanxun"], zhili, dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as refused:
        visit(
            users["wuxing"],
            zhili,
            dt.date(2026, 6, 1),
            tasks=[TaskInput("对接", users["nanxun"], dt.date(2026, 5, 1))],
        )
    assert refused.value.message_dict["tasks"] == [
        "第 1 项跟进事项：责任人应为能看到该企业的在岗工作人员，收到“nanxun”。；"
        "第 1 项跟进事项：完成期限 2026-05-01 早于走访日期 2026-06-01。"
    ]
    assert selectors.visits(actor=users["wuxing"]).count() == 0


def test_the_duplicate_warning_sees_other_agencies_visits_and_a_confirmed_visit_is_kept(zhili, users):
    visit(users["city_staff"], zhili, dt.date(2026, 6, 1))
    with pytest.raises(DuplicateVisit) as warned:
        visit(users["wuxing"], zhili, dt.date(2026, 6, 20))
    assert warned.value.warnings == [
        "湖州市 city已登记 2026-06-01 走访该企业（走访），与本次相隔 19 天，在 30 天重复走访提醒期内，请先与其沟通。"
    ]
    kept = visit(users["wuxing"], zhili, dt.date(2026, 6, 20), confirmed=True)
    assert visit(users["wuxing"], zhili, dt.date(2026, 8, 1)).date == dt.date(
        2026, 8, 1
    )  # outside the window
    assert kept.visitors.get() == users["wuxing"]


@pytest.mark.django_db(transaction=True)
def test_owners_hear_of_tasks_due_soon_and_overdue_once_per_deadline(zhili, users):
    wuxing = users["wuxing"]
    made = visit(
        wuxing, zhili, dt.date(2026, 6, 1), tasks=[TaskInput("对接资规局", wuxing, dt.date(2026, 6, 10))]
    )
    task = made.tasks.get()
    outreach_sweep(today=dt.date(2026, 6, 5))
    assert Notification.objects.count() == 0
    outreach_sweep(today=dt.date(2026, 6, 8))
    outreach_sweep(today=dt.date(2026, 6, 9))
    outreach_sweep(today=dt.date(2026, 6, 12))
    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        "followup_due_soon",
        "followup_overdue",
    ]
    assert Notification.objects.get(kind="followup_overdue").body == (
        f"您负责的走访跟进事项（{zhili.name}：对接资规局）已逾期：期限 2026-06-10，已逾期 2 天。请尽快跟进。"
    )
    with pytest.raises(PermissionDenied):
        followup_done(actor=users["nanxun"], source=Source.WEB, followup=task, note="")
    with at("2026-06-13"):
        followup_done(actor=wuxing, source=Source.WEB, followup=task, note="已对接")
    task.refresh_from_db()
    assert (task.done_on, task.done_note) == (dt.date(2026, 6, 13), "已对接")
    outreach_sweep(today=dt.date(2026, 6, 20))
    assert Notification.objects.count() == 2


def test_each_part_of_the_loop_sees_its_own_queue(raised, users, bank, enterprise_user):
    wuxing, city = users["wuxing"], users["city_staff"]
    assert list(selectors.ticket_queue(actor=wuxing)[0]) == [raised]
    assert list(selectors.ticket_queue(actor=city)[0]) == []  # a district's ticket, not escalated
    assert list(selectors.ticket_queue(actor=enterprise_user)[0]) == []
    ticket_act(actor=wuxing, source=Source.WEB, ticket=raised, action="consult", note="研判")
    ticket_act(actor=wuxing, source=Source.WEB, ticket=raised, action="assign", department=bank, handler=city)
    assert list(selectors.ticket_queue(actor=wuxing)[0]) == []
    assert list(selectors.ticket_queue(actor=city)[0]) == [raised]  # the handler
    ticket_act(actor=city, source=Source.WEB, ticket=raised, action="start")
    ticket_act(actor=city, source=Source.WEB, ticket=raised, action="resolve", note="已解决")
    assert list(selectors.ticket_queue(actor=enterprise_user)[0]) == [raised]
    assert list(selectors.ticket_queue(actor=wuxing)[0]) == [raised]  # 回访 by the district
