"""The cockpit shows the modules' own figures for the chosen month, each a link to the list behind it."""

import datetime as dt

import pytest
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.cockpit.selectors import cockpit_data
from kuochan.outreach.services import ticket_create
from kuochan.projects import services as project_services
from kuochan.projects.rules import light_summary
from kuochan.projects.selectors import project_board
from kuochan.targets.selectors import plan_get, targets_report

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_cockpit_shows_what_the_modules_show_for_the_month(pipeline, users):
    leader = users["leader"]
    data = cockpit_data(actor=leader, year=TODAY.year, month=TODAY.month)
    board = project_board(actor=leader, as_of=TODAY)
    assert data.as_of == TODAY
    assert data.lights == light_summary(board.verdicts) == {"red": 1, "yellow": 1, "green": 1, "none": 1}
    assert dict(data.stalls)["落地未开工"] == 2
    assert [(label, count) for _, label, count, _ in data.large] == [("备案", 2)]  # two 亿元以上, not started
    plan = plan_get()
    assert (
        data.headline
        == targets_report(plan=plan, year=TODAY.year, month=TODAY.month, detail=True)["indicators"]
    )
    assert {r.unit.name: (r.projects, r.red) for r in data.regions if r.projects} == {
        "吴兴区": (2, 1),
        "南浔区": (2, 0),
    }


def test_a_district_sees_its_own_district(pipeline, users):
    data = cockpit_data(actor=users["nanxun"], year=TODAY.year, month=TODAY.month)
    assert data.lights == {"red": 0, "yellow": 0, "green": 1, "none": 1}
    assert data.unit.name == "南浔区"
    assert [r.unit.name for r in data.regions] == ["南浔区"]


def test_an_earlier_month_shows_the_state_of_that_month(pipeline, users):
    earlier = TODAY - dt.timedelta(days=200)
    data = cockpit_data(actor=users["leader"], year=earlier.year, month=earlier.month)
    assert data.as_of.month == earlier.month and data.as_of <= TODAY
    assert data.lights == light_summary(project_board(actor=users["leader"], as_of=data.as_of).verdicts)
    assert data.lights != cockpit_data(actor=users["leader"], year=TODAY.year, month=TODAY.month).lights


def test_figures_follow_any_change_to_the_data(pipeline, users, registered):
    leader = users["leader"]
    before = cockpit_data(actor=leader, year=TODAY.year, month=TODAY.month)
    project_services.milestones_update(
        actor=users["city_admin"], source=Source.WEB, project=pipeline["red"], started_actual=TODAY
    )
    after = cockpit_data(actor=leader, year=TODAY.year, month=TODAY.month)
    assert (before.lights["red"], after.lights["red"]) == (1, 0)
    ticket_create(
        actor=users["wuxing"],
        source=Source.WEB,
        enterprise=pipeline["red"].enterprise,
        category="land",
        title="用地",
    )
    assert cockpit_data(actor=leader, year=TODAY.year, month=TODAY.month).tickets.raised == 1


def test_the_page_links_every_figure_to_its_list_and_switches_month(pipeline, users, login):
    client = login(users["leader"])
    month = f"{TODAY.year}-{TODAY.month:02d}"
    page = client.get(f"/cockpit/?month={month}").content.decode()
    assert f'href="/projects/?light=red&as_of={TODAY}"' in page
    assert f'href="/projects/?stall=落地未开工&as_of={TODAY}"' in page
    assert f"截至 {TODAY}" in page
    last_month_end = TODAY.replace(day=1) - dt.timedelta(days=1)
    switched = client.get(f"/cockpit/?month={last_month_end:%Y-%m}").content.decode()
    assert f"截至 {last_month_end}" in switched
    screen = client.get(f"/cockpit/?month={month}&screen=1").content.decode()
    assert 'data-bs-theme="dark"' in screen and "退出大屏" in screen
    assert login(users["enterprise"]).get("/cockpit/").status_code == 403


def test_the_api_gives_the_cockpits_figures_in_the_same_scope(pipeline, users, login):
    month = f"{TODAY:%Y-%m}"
    data = login(users["leader"]).get(f"/api/v1/cockpit/{month}").json()
    page = cockpit_data(actor=users["leader"], year=TODAY.year, month=TODAY.month)
    assert data["lights"] == page.lights and data["as_of"] == TODAY.isoformat()
    assert data["stalls"]["落地未开工"] == 2 and data["events"]["orders_wan"] == "0.00"
    district = login(users["nanxun"]).get(f"/api/v1/cockpit/{month}").json()
    assert district["lights"] == {"red": 0, "yellow": 0, "green": 1, "none": 1}
    assert login(users["leader"]).get("/api/v1/cockpit/not-a-month").status_code == 404
    assert login(users["enterprise"]).get(f"/api/v1/cockpit/{month}").status_code == 403
    assert login(users["leader"]).get("/api/v1/cockpit/reports/").json() == []
