import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kuochan.accounts.services import token_create
from kuochan.audit.models import Source
from kuochan.cockpit import services as cockpit
from kuochan.evaluation import services as evaluation
from kuochan.evaluation.jobs import evaluation_run_job
from kuochan.imports.engine import import_row
from kuochan.imports.models import ImportBatch
from kuochan.jobs.models import Job
from kuochan.jobs.services import job_start
from kuochan.notifications.models import Notification
from kuochan.notifications.services import notification_queue
from kuochan.outreach import services as outreach
from kuochan.policies.services import application_create
from kuochan.registry import services as registry
from kuochan.registry.models import Enterprise, IndustryTag
from kuochan.resources import services as resources
from kuochan.targets.models import Plan
from tests.conftest import THIS_YEAR, TODAY

D = Decimal


@pytest.fixture
def client_for():
    """A new test client signed in as `user` (several users in one test each keep their own session)."""

    def signed_in(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def bearer():
    """Headers for the test client carrying a fresh personal token of `user`."""

    def headers(user: Any) -> dict[str, str]:
        raw = token_create(actor=None, source=Source.CLI, user=user, name="测试").raw
        return {"Authorization": f"Bearer {raw}"}

    return headers


@dataclass
class World:
    """One object of each kind the API reads and writes, made through the services as the pages make them."""

    users: dict[str, Any]
    projects: dict[str, Any]
    zhili: Enterprise
    muye: Enterprise
    contact: Any
    tag: IndustryTag
    ticket: Any
    visit: Any
    followup: Any
    event: Any
    pool: Any
    district_pool: Any
    request: Any
    advance: Any
    listing: Any
    need: Any
    application: Any
    task: Any
    key: Any
    exemption: Any
    batch: ImportBatch
    notification: Notification
    plan: Plan
    job: Job


@pytest.fixture
def world(with_metrics, pipeline, equipped, grant, enterprise_user, users, huzhou) -> World:
    city, wuxing = users["city_staff"], users["wuxing"]
    web = Source.WEB
    zhili = Enterprise.objects.get(uscc=with_metrics[0])
    muye = Enterprise.objects.get(uscc=with_metrics[2])
    evaluation.evaluation_run(actor=None, source=Source.CLI, year=2025)
    visit = outreach.visit_create(
        actor=wuxing, source=web, enterprise=zhili, date=TODAY - dt.timedelta(days=3), purpose="了解技改进度",
        tasks=[outreach.TaskInput("协调用电增容", wuxing, TODAY + dt.timedelta(days=20))],
    )  # fmt: skip
    event = outreach.event_save(
        actor=city, source=web, unit=huzhou["330500"], kind="chain", title="产业链供需对接会", date=TODAY,
        organiser="市经信局",
    )  # fmt: skip
    outreach.outcome_add(
        actor=city,
        source=web,
        event=event,
        kind="order",
        enterprise=zhili,
        amount_wan=D(300),
        counterpart="某集团",
    )
    pool = resources.pool_open(
        actor=city, source=web, org_unit=huzhou["330500"], element="energy", year=TODAY.year, amount=D(1000)
    )
    district_pool = resources.pool_open(
        actor=city, source=web, org_unit=huzhou["330502"], element="energy", year=TODAY.year, amount=D(100)
    )
    listing = resources.listing_save(
        actor=wuxing, source=web, code="WX-001", area=huzhou["330502-T02"], address="朝阳街道某路 1 号",
        floor_area_m2=D(3000), owner_name="王先生", owner_phone="13800000000",
    )  # fmt: skip
    task = cockpit.task_create(
        actor=city, source=web, decision=cockpit.Decision("推进技改项目开工", "市经信局", city, TODAY + dt.timedelta(days=60))
    )  # fmt: skip
    return World(
        users=users, projects=pipeline, zhili=zhili, muye=muye,
        contact=registry.contact_add(actor=wuxing, source=web, enterprise=zhili, name="李经理", phone="0572-1234567"),
        tag=IndustryTag.objects.order_by("pk").first(),
        ticket=outreach.ticket_create(
            actor=enterprise_user, source=web, enterprise=zhili, category="finance", title="技改贷款授信不足",
        ),
        visit=visit, followup=visit.tasks.get(), event=event, pool=pool, district_pool=district_pool,
        request=resources.request_create(
            actor=wuxing, source=web, project=pipeline["red"], pool=pool, amount=D(600), minimum=D(400),
            justification="新增智能吊挂线用能",
        ),
        advance=resources.advance_create(
            actor=city, source=web, lender=pool, borrower=district_pool, amount=D(50),
            schedule=[(TODAY + dt.timedelta(days=90), D(50))], reason="要素预支",
        ),
        listing=listing,
        need=resources.need_save(actor=wuxing, source=web, enterprise=zhili, min_area_m2=D(2000), note="扩产用房"),
        application=application_create(
            actor=enterprise_user, source=web, policy=grant, enterprise=zhili, project=pipeline["red"],
            year=THIS_YEAR,
        ),
        task=task,
        key=evaluation.key_enterprise_add(actor=city, source=web, enterprise=muye, reason="亿元以上项目"),
        exemption=evaluation.exemption_set(actor=city, source=web, enterprise=zhili, year=2025, reason="新建未投产"),
        batch=ImportBatch.objects.get(
            pk=import_row(
                "surveys", actor=city, source=web, values={"uscc": muye.uscc, "year": 2025, "willingness": "有"},
                name="surveys",
            ).batch
        ),
        notification=notification_queue(
            recipient=city, kind="ticket_overdue", subject="诉求超期", body="请及时办理", key="test:1"
        )[0],
        plan=Plan.objects.get(code="huzhou-2026-2030"),
        job=job_start(actor=city, handler=evaluation_run_job, title="重新计算 2025 年评价", params={"year": 2025}),
    )  # fmt: skip


@pytest.fixture
def other_city(huzhou, users) -> dict[str, Any]:
    """A second city of the province beside Huzhou, with one district and a city staff member. Huzhou is hung
    under 浙江省 first where the reference tree starts at the city. Returns {"staff", "city", "district"}."""
    from kuochan.accounts.models import Role
    from kuochan.orgs.models import OrgKind, OrgUnit
    from kuochan.orgs.services import org_units_load
    from tests.conftest import make_user

    province = OrgUnit.objects.filter(kind=OrgKind.PROVINCE).order_by("path").first()
    if province is None:
        city = huzhou["330500"]
        kept = ("code", "name", "short_name", "kind", "sort_order", "map_file", "map_name", "note")
        org_units_load(
            rows=[
                {"code": "330000", "name": "浙江省", "kind": "province", "parent_code": None},
                {**{name: getattr(city, name) for name in kept}, "parent_code": "330000"},
            ]
        )
        province = OrgUnit.objects.get(code="330000")
    org_units_load(
        rows=[
            {"code": "B", "name": "乙市", "kind": "city", "parent_code": province.code},
            {"code": "B-D1", "name": "乙市甲区", "kind": "district", "parent_code": "B"},
        ]
    )
    for user in users.values():
        user.org_unit.refresh_from_db()  # the re-hung tree's paths
    city = OrgUnit.objects.get(code="B")
    return {
        "staff": make_user("b_city", Role.CITY_STAFF, city),
        "city": city,
        "district": OrgUnit.objects.get(code="B-D1"),
    }
