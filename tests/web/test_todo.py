"""The to-do home (待办): for each role, counts that are right for the data, links that open lists showing
exactly those rows, the user's scope only, the most urgent first, and an empty state that says what is next."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kuochan.accounts.models import Role, SecurityEvent
from kuochan.audit.models import Source
from kuochan.imports.models import ImportBatch
from kuochan.outreach.models import Ticket
from kuochan.outreach.services import TaskInput, ticket_create, visit_create
from kuochan.projects import services as project_services
from kuochan.registry.models import Enterprise
from kuochan.web.todo import LATE, ROUTINE, SOON
from tests.conftest import TODAY, days_ago, make_user

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    """Frozen time at 10:00 on `day`, local time."""
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def todo_of(client, as_of: dt.date | None = None):
    response = client.get("/", {"as_of": as_of.isoformat()} if as_of else {})
    assert response.status_code == 200
    return response.context["todo"]


def counts(todo) -> dict[str, int]:
    return {item.label: item.count for item in todo.items}


def item(todo, text: str):
    return next(found for found in todo.items if text in found.label)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def service(pipeline, users):
    """吴兴区: a ticket overdue, one due within two days (on `as_of`), a visit planned that day with a follow-up
    due the day after; 南浔区: a ticket overdue. `as_of` is the day before the second ticket's deadline."""
    wuxing, nanxun = users["wuxing"], users["nanxun"]
    zhili = Enterprise.objects.get(name="湖州织里童装有限公司")
    muye = Enterprise.objects.get(name="南浔木业有限公司")
    with at(days_ago(20)):
        late = ticket_create(
            actor=wuxing, source=Source.WEB, enterprise=zhili, category="finance", title="技改贷款授信不足"
        )
        late_nanxun = ticket_create(
            actor=nanxun, source=Source.WEB, enterprise=muye, category="land", title="扩建用地指标"
        )
    soon = ticket_create(
        actor=wuxing, source=Source.WEB, enterprise=zhili, category="energy", title="用电增容申请"
    )
    as_of = soon.due_date - dt.timedelta(days=1)
    visit = visit_create(
        actor=wuxing, source=Source.WEB, enterprise=zhili, date=as_of, purpose="了解扩产进度",
        tasks=[TaskInput(text="协调电力接入方案", owner=wuxing, due_date=as_of + dt.timedelta(days=1))], confirmed=True,
    )  # fmt: skip
    return {"as_of": as_of, "late": late, "soon": soon, "late_nanxun": late_nanxun, "visit": visit}


def test_district_staff_see_their_district_items_most_urgent_first(service, pipeline, users, login):
    client = login(users["wuxing"])
    todo = todo_of(client, service["as_of"])
    found = counts(todo)
    assert found["件诉求已超期"] == 1
    assert found["件诉求 2 天内到期"] == 1
    assert found["次本周计划走访"] == 1
    assert found["项走访跟进事项已逾期或即将到期"] == 1
    assert item(todo, "进展").count == 2  # 童装 and 新材料 have not reported last month
    assert [i.urgency for i in todo.items] == sorted(i.urgency for i in todo.items)
    assert todo.items[0].urgency == LATE and todo.items[-1].urgency in (SOON, ROUTINE)
    assert "今天没有待办事项" not in page(client, f"/?as_of={service['as_of']}")

    overdue = page(client, item(todo, "诉求已超期").url)
    assert service["late"].title in overdue and service["soon"].title not in overdue
    assert service["late_nanxun"].title not in overdue
    due_soon = page(client, item(todo, "天内到期").url)
    assert service["soon"].title in due_soon and service["late"].title not in due_soon
    assert "协调电力接入方案" in page(client, item(todo, "跟进事项").url)
    assert "了解扩产进度" in page(client, item(todo, "计划走访").url)
    grid = page(client, item(todo, "进展").url)
    assert pipeline["red"].name in grid and pipeline["yellow"].name in grid
    assert pipeline["green"].name not in grid  # 南浔区


def test_a_project_that_reports_leaves_the_list_of_those_still_to_report(pipeline, users, login):
    client = login(users["wuxing"])
    todo = todo_of(client)
    month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    project_services.progress_record(
        actor=users["wuxing"], source=Source.WEB, project=pipeline["red"], month=month, ytd_wan=Decimal(100)
    )
    todo = todo_of(client)
    assert item(todo, "进展").count == 1
    grid = page(client, item(todo, "进展").url)
    assert pipeline["yellow"].name in grid and pipeline["red"].name not in grid


def test_nanxun_sees_only_its_own_items_and_the_city_sees_both(service, users, login):
    nanxun = todo_of(login(users["nanxun"]), service["as_of"])
    assert counts(nanxun)["件诉求已超期"] == 1
    assert "次本周计划走访" not in counts(nanxun)
    shown = page(login(users["nanxun"]), item(nanxun, "诉求已超期").url)
    assert service["late_nanxun"].title in shown and service["late"].title not in shown
    city = todo_of(login(users["city_staff"]), service["as_of"])
    assert counts(city)["件诉求已超期"] == 2
    assert item(city, "进展").count == 3  # 童装, 新材料 and 木业 (the terminated project reports nothing)


def test_new_red_lights_are_those_red_now_and_not_at_the_end_of_last_month(registered, users, login):
    """A project whose start is exactly 90 days late on the 1st turns red that day; one late for 200 days was
    red already."""
    as_of = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    zhili = Enterprise.objects.get(name="湖州织里童装有限公司")
    admin = users["city_admin"]

    def make(name: str, late_days: int):
        project = project_services.project_create(
            actor=admin, source=Source.WEB, code="", name=name, enterprise=zhili, project_type="renovation",
            is_renovation=True, total_wan=Decimal(5000), status="active",
        )  # fmt: skip
        return project_services.milestones_update(
            actor=admin, source=Source.WEB, project=project, signed_actual=as_of - dt.timedelta(days=400),
            registered_actual=as_of - dt.timedelta(days=300),
            started_planned=as_of - dt.timedelta(days=late_days),
        )  # fmt: skip

    turning, already = make("本月转红的项目", 90), make("早已亮红灯的项目", 200)
    client = login(users["wuxing"])
    todo = todo_of(client, as_of)
    assert item(todo, "新亮红灯").count == 1 and item(todo, "新亮红灯").urgency == LATE
    shown = page(client, item(todo, "新亮红灯").url)
    assert turning.name in shown and already.name not in shown
    assert "本月新亮红灯" not in counts(todo_of(login(users["nanxun"]), as_of))


def test_city_staff_also_see_escalations_imports_with_errors_and_the_monthly_cycle(
    service, huzhou, users, login
):
    Ticket.objects.filter(pk=service["late"].pk).update(escalated_at=timezone.now())
    ImportBatch.objects.create(
        kind="projects", file_name="项目清单.xlsx", file_sha256="0" * 64, actor_name="city", source="web",
        scope_path=huzhou["330500"].path, rows=10, created=8, skipped=2,
    )  # fmt: skip
    ImportBatch.objects.create(
        kind="projects", file_name="无错误.xlsx", file_sha256="1" * 64, actor_name="city", source="web",
        scope_path=huzhou["330500"].path, rows=10, created=10,
    )  # fmt: skip
    client = login(users["city_staff"])
    todo = todo_of(client)
    assert item(todo, "升级至市级").count == 1
    escalated = page(client, item(todo, "升级至市级").url)
    assert service["late"].title in escalated and service["late_nanxun"].title not in escalated
    assert item(todo, "导入批次").count == 1
    batches = page(client, item(todo, "导入批次").url)
    assert "项目清单.xlsx" in batches and "无错误.xlsx" not in batches
    assert todo.status and "月度流程" in todo.status[0][0]
    assert "升级至市级" not in " ".join(counts(todo_of(login(users["wuxing"])))), (
        "a district has no city items"
    )


def test_a_leader_sees_key_figures_against_last_month_and_the_districts_with_most_red(pipeline, users, login):
    client = login(users["leader"])
    todo = todo_of(client)
    assert [f.label for f in todo.figures][:2] == ["在库项目", "红灯项目"]
    assert all(f.change for f in todo.figures)
    assert "亿元" in todo.figures[2].value or "万元" in todo.figures[2].value
    name, red, link = todo.red_districts[0]
    assert name == "吴兴区" and red == 1
    shown = page(client, link)
    assert pipeline["red"].name in shown and pipeline["yellow"].name not in shown
    assert any(url.startswith("/cockpit/") for _, url in todo.links)
    assert page(client, todo.links[0][1])
    assert "今天没有待办事项" not in page(client, "/")


def test_the_empty_state_says_there_is_nothing_today_and_what_comes_next(users, login):
    client = login(users["wuxing"])
    assert todo_of(client).empty
    html = page(client, "/")
    assert "今天没有待办事项" in html and "接下来" in html and "项目进展" in html


def test_the_administrators_see_their_own_queues_and_no_business_data(
    pipeline, huzhou, admins, login, client
):
    make_user("deqing", Role.PENDING, huzhou["330521"])
    for _ in range(5):
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.FAILED, username="wuxing", ip="10.1.1.1")
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.FAILED, username="nanxun", ip="10.1.1.2")

    security = login(admins["security"])
    todo = todo_of(security)
    assert item(todo, "待分配角色").count == 1
    assert "deqing" in page(security, item(todo, "待分配角色").url)
    assert item(todo, "被锁定").count == 1 and todo.items[0].label.endswith("被锁定")
    locked = page(security, item(todo, "被锁定").url)
    assert ">wuxing<" in locked and ">nanxun<" not in locked
    html = page(security, "/")
    for name in (p.name for p in pipeline.values()):
        assert name not in html
    assert "unit-table" not in html and "home-map" not in html

    auditor = login(admins["auditor"])
    todo = todo_of(auditor)
    assert item(todo, "登录失败").count == 6
    assert "10.1.1.2" in page(auditor, item(todo, "登录失败").url)

    system = login(admins["system"])
    assert item(todo_of(system), "分配角色").count == 1
    assert todo_of(login(admins["auditor"]), TODAY - dt.timedelta(days=30)).empty
    assert "今天没有待办事项" in page(auditor, f"/?as_of={TODAY - dt.timedelta(days=30)}")


def test_an_as_of_that_is_no_date_is_ignored_with_a_message(users, login):
    response = login(users["wuxing"]).get("/", {"as_of": "明天"})
    assert response.status_code == 200 and "无效，已忽略" in response.content.decode()
    assert response.context["todo"].as_of == TODAY


def test_reviews_quota_requests_and_supervised_tasks_wait_for_the_right_people(
    grant, equipped, huzhou, users, enterprise_user, login
):
    """吴兴区: an application at its first review, a quota request, a supervised task due in 3 days; 南浔区 a
    quota request and a task of its own. The city reviews the application once 吴兴区 passed it."""
    from kuochan.cockpit.services import Decision, task_create
    from kuochan.policies.services import application_act, application_create
    from kuochan.resources.services import pool_open, request_create
    from tests.conftest import attach

    city, wuxing, nanxun = users["city_staff"], users["wuxing"], users["nanxun"]
    application = application_create(
        actor=enterprise_user,
        source=Source.WEB,
        policy=grant,
        enterprise=equipped["red"].enterprise,
        project=equipped["red"],
    )
    attach(enterprise_user, application)
    application = application_act(
        actor=enterprise_user, source=Source.WEB, application=application, action="submit"
    )
    pool = pool_open(
        actor=city,
        source=Source.WEB,
        org_unit=huzhou["330500"],
        element="energy",
        year=TODAY.year,
        amount=Decimal(1000),
    )
    for actor, label in ((wuxing, "red"), (nanxun, "green")):
        request_create(
            actor=actor, source=Source.WEB, project=equipped[label], pool=pool, amount=Decimal(100),
            minimum=Decimal(50), justification="新增用能",
        )  # fmt: skip
    soon = TODAY + dt.timedelta(days=3)
    task_create(
        actor=city, source=Source.WEB, decision=Decision("童装园区扩产督办", "吴兴区经信局", wuxing, soon)
    )
    task_create(
        actor=city, source=Source.WEB, decision=Decision("木业搬迁督办", "南浔区经信局", nanxun, soon)
    )

    client = login(wuxing)
    todo = todo_of(client)
    assert item(todo, "待区县初审").count == 1
    assert application.number in page(client, item(todo, "待区县初审").url)
    assert item(todo, "要素申请待分配").count == 1
    requested = page(client, item(todo, "要素申请待分配").url)
    assert equipped["red"].name in requested and equipped["green"].name not in requested
    assert item(todo, "督办事项").count == 1
    supervised = page(client, item(todo, "督办事项").url)
    assert "童装园区扩产督办" in supervised and "木业搬迁督办" not in supervised
    assert not any("待市级复审" in i.label for i in todo.items)

    application_act(
        actor=wuxing, source=Source.WEB, application=application, action="pass_district", opinion="同意"
    )
    assert "待区县初审" not in " ".join(counts(todo_of(client)))
    city_todo = todo_of(login(city))
    assert item(city_todo, "待市级复审").count == 1
    assert application.number in page(login(city), item(city_todo, "待市级复审").url)
    assert item(city_todo, "要素申请待分配").count == 2 and item(city_todo, "督办事项").count == 2


def test_the_count_of_queries_does_not_grow_with_the_rows(service, users):
    """Each item is one count (or one read of the rows a rule needs), never a query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kuochan.web.todo import todo_for

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            todo_for(actor=users["city_staff"], as_of=service["as_of"])
        return len(captured.captured_queries)

    queries()  # a first read also makes the one-time reads and writes that later ones skip
    before = queries()
    zhili = Enterprise.objects.get(name="湖州织里童装有限公司")
    for n in range(5):
        with at(days_ago(20 + n)):
            ticket_create(
                actor=users["wuxing"], source=Source.WEB, enterprise=zhili, category="other", title=f"诉求{n}"
            )
        visit_create(
            actor=users["wuxing"], source=Source.WEB, enterprise=zhili, date=service["as_of"], purpose=f"走访{n}",
            tasks=[TaskInput(text=f"事项{n}", owner=users["wuxing"], due_date=service["as_of"])], confirmed=True,
        )  # fmt: skip
    assert counts(todo_for(actor=users["city_staff"], as_of=service["as_of"]))["件诉求已超期"] == 7
    assert queries() == before <= 40


def test_the_city_sees_the_advances_behind_their_schedule(huzhou, users, login):
    from kuochan.resources.services import advance_create, pool_open

    city = users["city_staff"]

    def pool(code: str, amount: int):
        return pool_open(
            actor=city, source=Source.WEB, org_unit=huzhou[code], element="energy", year=TODAY.year,
            amount=Decimal(amount),
        )  # fmt: skip

    lender = pool("330500", 1000)
    for code, first_due in (("330502", days_ago(40)), ("330503", TODAY + dt.timedelta(days=30))):
        advance_create(
            actor=city, source=Source.WEB, lender=lender, borrower=pool(code, 100), amount=Decimal(200),
            schedule=[(first_due, Decimal(100)), (TODAY + dt.timedelta(days=90), Decimal(100))], reason="提前用能",
        )  # fmt: skip
    client = login(city)
    todo = todo_of(client)
    assert item(todo, "预支").count == 1 and item(todo, "预支").urgency == LATE
    shown = page(client, item(todo, "预支").url)
    assert shown.count("<tr data-light=") == 1 and 'data-light="red"' in shown
    assert page(client, "/resources/advances/").count("<tr data-light=") == 2
