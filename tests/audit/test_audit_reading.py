"""The trail reads as officials speak: field labels, amounts with separators, objects and people by name."""

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record
from kuochan.cockpit.models import MonthlyReport
from kuochan.projects.models import Project
from kuochan.projects.services import project_update
from kuochan.registry.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(registered):
    enterprise = Enterprise.objects.get(name="湖州织里童装有限公司")
    return Project.objects.create(
        code="2026-330502-26-03-000001", name="智能产线改造项目", enterprise=enterprise,
        district=enterprise.district, status="active", total_wan=1000,
    )  # fmt: skip


def test_an_amount_change_reads_with_its_label_separators_the_object_and_the_persons_name(
    project, users, login
):
    users["wuxing"].full_name = "王晓明"
    users["wuxing"].save()
    project_update(actor=users["wuxing"], source=Source.WEB, project=project, total_wan=1200)
    page = login(users["city_admin"]).get("/audit/", {"model": "projects.project"}).content.decode()
    row = page[page.index("智能产线改造项目") - 600 : page.index("智能产线改造项目") + 600]
    assert "总投资（万元）：" in row and "1,000.00" in row and "1,200.00" in row
    assert "王晓明" in row and "total_wan" not in page
    export = login(users["city_admin"]).get("/audit/", {"model": "projects.project", "export": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[1][1] == "王晓明" and "总投资（万元）：1,000.00 → 1,200.00" in rows[1][6]


def test_a_person_is_found_by_name_on_the_trail(project, users, login):
    users["wuxing"].full_name = "王晓明"
    users["wuxing"].save()
    project_update(actor=users["wuxing"], source=Source.WEB, project=project, total_wan=1200)
    page = login(users["city_admin"]).get("/audit/", {"actor": "王晓明"}).content.decode()
    assert "智能产线改造项目" in page


def test_a_linked_object_reads_by_its_name_and_a_reports_lights_in_words(project, users, huzhou, login):
    report = MonthlyReport.objects.create(
        unit=huzhou["330500"], month=dt.date(2026, 11, 1), as_of=dt.date(2026, 11, 30), figures={}, workbook="a.xlsx",
        document="a.docx",
    )  # fmt: skip
    audit_record(
        actor=None, source=Source.SYSTEM, action=Action.CREATE, obj=report,
        after={"unit": "湖州市", "month": "2026-11", "lights": {"red": 218, "yellow": 341, "green": 1574}},
    )  # fmt: skip
    project_update(actor=users["wuxing"], source=Source.WEB, project=project, town=huzhou["330502-T08"])
    page = login(users["city_admin"]).get("/audit/").content.decode()
    assert "亮灯情况：" in page and "红灯 218，黄灯 341，绿灯 1,574" in page and "2026年11月" in page
    assert "'red'" not in page and "lights" not in page
    assert "织里镇" in page  # the town by its name, not its number


def test_the_auditor_still_reads_no_business_values(project, users, admins, login):
    project_update(actor=users["wuxing"], source=Source.WEB, project=project, total_wan=1200)
    page = login(admins["auditor"]).get("/audit/", {"model": "projects.project"}).content.decode()
    assert "总投资（万元）：" in page and "（已隐去）" in page
    assert "1,200.00" not in page and "智能产线改造项目" not in page


def test_the_service_deadlines_read_by_category_on_the_trail(huzhou, users, login):
    from kuochan.outreach.models import ServiceRuleSet

    rules = ServiceRuleSet.objects.create(
        name="test",
        triage_days=3, deadline_days={"land": 30, "energy": 20}, due_soon_days=2, escalate_after_days=7,
        visit_window_days=30,
    )  # fmt: skip
    audit_record(
        actor=None,
        source=Source.CLI,
        action=Action.CREATE,
        obj=rules,
        after={"deadline_days": rules.deadline_days},
    )
    page = login(users["city_admin"]).get("/audit/").content.decode()
    assert "用地 30 天，用能 20 天" in page and "'land'" not in page


def test_the_light_rules_milestones_read_by_their_chinese_names_on_the_trail(huzhou, users, login):
    from kuochan.projects.models import LightRuleSet
    from kuochan.projects.services import light_rules_update

    rules = LightRuleSet.objects.get(name="default")
    order = list(rules.milestone_order)
    light_rules_update(
        actor=users["city_admin"], source=Source.WEB, milestone_order=[order[1], order[0], *order[2:]]
    )
    page = login(users["city_admin"]).get("/audit/", {"model": "projects.lightruleset"}).content.decode()
    assert "节点顺序：" in page and "签约→备案" in page and "备案→签约" in page
    assert not any(f"{step}→" in page or f"'{step}'" in page for step in order)  # no internal names
