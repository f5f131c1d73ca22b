"""The 服务企业 pages: queues and lists with lights and exports, the enterprise's own view, the visit form's
duplicate warning, the calendar, matchmaking totals, the profile, and the timers."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from kuochan.audit.models import Source
from kuochan.outreach.models import Event, Ticket, Visit
from kuochan.outreach.services import event_save, outcome_add, participants_add, ticket_create, visit_create
from kuochan.registry.models import Enterprise
from tests.outreach.conftest import at
from tests.xlsx import exported_rows

pytestmark = pytest.mark.django_db


def test_an_enterprise_user_sees_and_raises_only_its_own_tickets(
    enterprise_user, raised, users, registered, login
):
    other = Enterprise.objects.get(uscc=registered[1])
    theirs = ticket_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=other, category="land", title="用地"
    )
    client = login(enterprise_user)
    page = client.get("/outreach/").content.decode()
    assert raised.number in page and theirs.number not in page
    assert client.get(f"/outreach/tickets/{theirs.pk}/").status_code == 404
    made = client.post(
        "/outreach/tickets/new/", {"category": "talent", "title": "招工难", "description": "缺 30 名技工"}
    )
    ticket = Ticket.objects.get(title="招工难")
    assert made.url == ticket.get_absolute_url()
    said = client.get(made.url).content.decode()
    assert "已提交，我们将于" in said and "会商交办" not in said  # addressed to the enterprise, not to staff
    assert (ticket.enterprise, ticket.source) == (enterprise_user.enterprise, "enterprise")
    client.post(ticket.get_absolute_url(), {"action": "comment", "text": "急需"})
    assert ticket.steps.last().note == "急需"
    assert client.get("/outreach/visits/").status_code == 200
    assert (
        "走访"
        not in client.get(f"/enterprises/{ticket.enterprise_id}/").content.decode().split("诉求")[-1][:0]
    )


def test_the_district_queue_and_the_export_show_lights_and_reasons(raised, users, login):
    client = login(users["wuxing"])
    with at("2026-06-06"):
        page = client.get("/outreach/?queue=1").content.decode()
        assert raised.number in page and 'data-light="red"' in page
        assert "交办期限 2026-06-04，已逾期 2 天" in page
        rows = exported_rows(client.get("/outreach/?export=xlsx&light=red"))
    assert rows[0][:4] == ["诉求编号", "企业名称", "统一社会信用代码", "所属区县"]
    assert rows[1][0] == raised.number and rows[1][11:13] == ["红灯", "交办期限 2026-06-04，已逾期 2 天"]
    assert raised.number not in login(users["nanxun"]).get("/outreach/").content.decode()


def test_a_ticket_page_takes_the_steps_the_user_may_take(raised, users, login, bank):
    client = login(users["wuxing"])
    url = raised.get_absolute_url()
    page = client.get(url).content.decode()
    assert 'data-testid="action-consult"' in page and 'data-testid="action-resolve"' not in page
    client.post(url, {"action": "consult", "note": ""})
    assert Ticket.objects.get(pk=raised.pk).status == "accepted"  # refused: the note is required
    client.post(url, {"action": "consult", "note": "交人行"})
    client.post(url, {"action": "assign", "department": bank.pk, "due_date": "2030-01-31"})
    ticket = Ticket.objects.get(pk=raised.pk)
    assert (ticket.status, ticket.department, ticket.due_date) == ("coordinating", bank, dt.date(2030, 1, 31))
    assert "交市人行办理" in client.get(url).content.decode()


def test_a_second_visit_within_the_window_is_saved_only_when_confirmed(zhili, users, login):
    visit_create(
        actor=users["city_staff"],
        source=Source.WEB,
        enterprise=zhili,
        date=dt.date(2026, 6, 1),
        purpose="调研扩产",
    )
    client = login(users["wuxing"])
    form = {"enterprise": zhili.uscc, "date": "2026-06-10", "purpose": "了解用地需求", "task1_text": "对接资规局",
            "task1_due": "2026-06-20"}  # fmt: skip
    warned = client.post("/outreach/visits/new/", form).content.decode()
    assert "可能重复走访" in warned and "已登记 2026-06-01 走访该企业（调研扩产），与本次相隔 9 天" in warned
    assert Visit.objects.count() == 1
    saved = client.post("/outreach/visits/new/", {**form, "confirmed": "1"})
    visit = Visit.objects.latest("id")
    assert saved.url == visit.get_absolute_url()
    assert [(t.text, t.owner, t.due_date) for t in visit.tasks.all()] == [
        ("对接资规局", users["wuxing"], dt.date(2026, 6, 20))
    ]
    assert list(visit.visitors.all()) == [users["wuxing"]]
    calendar = client.get("/outreach/calendar/?month=2026-06").content.decode()
    days = {
        day: cell.split("</td>")[0]
        for day, cell in re.findall(r'data-date="([\d-]+)">(.*?</td>)', calendar, re.S)
    }
    assert [day for day, cell in days.items() if "湖州织里童装有限公司" in cell] == [
        "2026-06-01",
        "2026-06-10",
    ]
    rows = exported_rows(client.get("/outreach/visits/?export=xlsx"))
    assert [r[0] for r in rows[1:]] == ["2026-06-10", "2026-06-01"] or [str(r[0])[:10] for r in rows[1:]] == [
        "2026-06-10", "2026-06-01",
    ]  # fmt: skip
    profile = client.get(zhili.get_absolute_url()).content.decode()
    assert "了解用地需求" in profile and "调研扩产" in profile


def test_matchmaking_totals_count_each_enterprise_once_and_sum_outcomes(registered, users, huzhou, login):
    city, wuxing = users["city_staff"], users["wuxing"]
    zhili, xincai = (Enterprise.objects.get(uscc=u) for u in registered[:2])
    chain = event_save(actor=city, source=Source.WEB, unit=huzhou["330500"], kind="chain", title="新能源汽车产业链对接会",
                       date=dt.date(2026, 3, 5), organiser="市经信局")  # fmt: skip
    bank = event_save(actor=wuxing, source=Source.WEB, unit=huzhou["330502"], kind="finance", title="吴兴区银企对接会",
                      date=dt.date(2026, 4, 9), organiser="吴兴区经信局")  # fmt: skip
    assert (
        participants_add(
            actor=city, source=Source.WEB, event=chain, role="enterprise", names=[zhili.uscc, "外地配套企业"]
        )
        == 2
    )
    participants_add(
        actor=wuxing,
        source=Source.WEB,
        event=bank,
        role="enterprise",
        names=[zhili.name, xincai.name, zhili.name],
    )
    participants_add(actor=wuxing, source=Source.WEB, event=bank, role="bank", names=["湖州银行"])
    outcome_add(
        actor=city,
        source=Source.WEB,
        event=chain,
        kind="order",
        enterprise=zhili,
        amount_wan=Decimal("12000"),
    )
    outcome_add(
        actor=wuxing,
        source=Source.WEB,
        event=bank,
        kind="financing",
        enterprise=xincai,
        amount_wan=Decimal("3500.5"),
    )
    page = login(city).get("/outreach/events/?start=2026-01-01&end=2026-12-31").content.decode()
    assert (
        "共开展各类供需对接活动 <strong>2</strong> 场次，参与企业 <strong>3</strong> 家，对接订单 <strong>1.20</strong> 亿元，融资 <strong>0.35</strong> 亿元"
        in page
    )
    rows = exported_rows(login(city).get("/outreach/events/?start=2026-01-01&end=2026-12-31&export=totals"))
    assert rows[1:] == [["湖州市本级", 1, 2, 1.2, 0], ["吴兴区", 1, 2, 0, 0.35], ["合计", 2, 3, 1.2, 0.35]]
    listed = exported_rows(login(city).get("/outreach/events/?start=2026-01-01&end=2026-12-31&export=xlsx"))
    assert [row[1:] for row in listed[1:]] == [
        ["吴兴区银企对接会", "金融对接", "吴兴区", "吴兴区经信局", 2, 0, 3500.5],
        ["新能源汽车产业链对接会", "产业链对接", "湖州市", "市经信局", 2, 12000, 0],
    ]
    district = login(wuxing).get("/outreach/events/?start=2026-01-01&end=2026-12-31").content.decode()
    assert "新能源汽车产业链对接会" not in district and "吴兴区银企对接会" in district
    with pytest.raises(Exception, match="只能修改您数据范围内"):
        outcome_add(
            actor=wuxing,
            source=Source.WEB,
            event=chain,
            kind="order",
            enterprise=zhili,
            amount_wan=Decimal(1),
        )
    assert Event.objects.get(pk=bank.pk).participants.count() == 3


def test_only_city_admins_change_the_timers(users, login, huzhou):
    form = {"triage_days": "5", "due_soon_days": "2", "escalate_after_days": "10", "visit_window_days": "14"}
    form |= {
        f"deadline_{k}": "20"
        for k in ("land", "energy", "finance", "talent", "approval", "market", "policy", "other")
    }
    login(users["city_staff"]).post("/outreach/rules/", form)
    assert 'value="3"' in login(users["city_staff"]).get("/outreach/rules/").content.decode()
    login(users["city_admin"]).post("/outreach/rules/", {**form, "deadline_land": "0"})
    page = login(users["city_admin"]).get("/outreach/rules/")
    assert 'value="3"' in page.content.decode()
    login(users["city_admin"]).post("/outreach/rules/", form, follow=True)
    assert (
        'name="triage_days" value="5"' in login(users["city_admin"]).get("/outreach/rules/").content.decode()
    )


def test_the_to_do_filters_show_on_the_lists_so_filtering_again_keeps_them(users, login):
    """The home page's to-do links open these lists filtered; the filter shows, so it survives a new search."""
    client = login(users["wuxing"])
    tickets = client.get("/outreach/?open=1").content.decode()
    assert 'name="open" value="1" checked' in tickets
    tasks = client.get("/outreach/tasks/?due=1").content.decode()
    assert re.search(r'class="btn btn-primary" href="[^"]*due=1" data-testid="due-filter"', tasks)
    assert not re.search(r'btn-primary" href="[^"]*due=1"', client.get("/outreach/tasks/").content.decode())
