"""Odd values typed into the outreach pages' query strings and forms (², a 25-digit id, an unknown choice, a
date that is not one) show the page again with a Chinese message; they never cause a server error."""

import pytest

from kuochan.outreach.models import Event
from tests.conftest import TODAY

ODD = ["²", "9" * 25, "foo", "2026-13-45"]
LISTS = {
    "/outreach/": ["as_of", "queue", "status", "category", "district", "escalated", "light", "export"],
    "/outreach/visits/": ["start", "end", "district", "export"],
    "/outreach/calendar/": ["month", "district"],
    "/outreach/tasks/": ["mine", "open", "export"],
    "/outreach/events/": ["start", "end", "kind", "export"],
    "/outreach/tickets/new/": ["visit"],
}


@pytest.mark.parametrize("url", LISTS)
def test_odd_query_values_are_ignored_with_a_message(url, raised, users, login):
    client = login(users["wuxing"])
    for name in LISTS[url]:
        for value in ODD:
            page = client.get(url, {name: value})
            assert page.status_code == 200, (name, value)
            assert "无效，已忽略" in page.content.decode(), (name, value)


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/outreach/visits/new/", {"enterprise": "湖州织里童装有限公司", "date": "²", "purpose": "走访"}, "走访日期"),
        ("/outreach/visits/new/", {"enterprise": "x", "date": "2026-06-01", "purpose": "走访", "visitors": "9" * 25}, "走访人员"),
        ("/outreach/visits/new/", {"enterprise": "x", "date": "2026-06-01", "purpose": "走访", "task1_text": "协调",
                                   "task1_owner": "²", "task1_due": "2026-06-30"}, "责任人"),
        ("/outreach/events/new/", {"kind": "finance", "title": "对接会", "date": "2026-02-30", "organiser": "经信局"}, "日期"),
        ("/outreach/events/new/", {"kind": "foo", "title": "对接会", "date": "2026-06-01", "organiser": "经信局",
                                   "unit": "9" * 25}, "类型"),
        ("/outreach/tickets/new/", {"enterprise": "x", "category": "foo", "title": "贷款", "visit": "²"}, "诉求类别"),
    ],
)  # fmt: skip
def test_odd_values_posted_on_new_forms_are_refused_in_chinese(url, data, message, zhili, users, login):
    page = login(users["wuxing"]).post(url, data)
    assert page.status_code == 200 and message in page.content.decode()


def test_odd_values_posted_on_a_ticket_an_event_and_the_timers_are_refused_in_chinese(
    raised, users, login, huzhou
):
    client = login(users["wuxing"])
    ticket = f"/outreach/tickets/{raised.pk}/"
    for data in (
        {"action": "consult", "department": "²"},
        {"action": "assign", "handler": "9" * 25},
        {"action": "assign", "due_date": "2026-06-31"},
        {"action": "foo"},
    ):
        page = client.post(ticket, data, follow=True)
        assert page.status_code == 200 and "alert-danger" in page.content.decode(), data
    event = Event.objects.create(
        unit=huzhou["330502"], kind="finance", title="对接会", date=TODAY, organiser="局"
    )
    for data in (
        {"action": "outcome", "kind": "order", "enterprise": "x", "amount_wan": "1e999999"},
        {"action": "participants", "role": "foo", "names": "湖州银行"},
        {"action": "save", "kind": "finance", "title": "对接会", "date": "²", "organiser": "局"},
    ):
        page = client.post(f"/outreach/events/{event.pk}/", data, follow=True)
        assert page.status_code == 200 and "alert-danger" in page.content.decode(), data
    rules = login(users["city_admin"]).post("/outreach/rules/", {"triage_days": "²"}, follow=True)
    assert rules.status_code == 200 and "受理后交办时限（天）" in rules.content.decode()
