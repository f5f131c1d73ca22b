"""The enterprise portal: the enterprise contact sees only its own enterprise, its to-do list counts what it
must do, it raises a ticket with files and one of its projects, and evaluates a resolved ticket."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.evaluation.services import evaluation_run
from kuochan.outreach.models import Department, Ticket
from kuochan.outreach.services import ticket_act, ticket_create
from kuochan.policies.rules import PENDING as PLACEHOLDER_TEXT
from kuochan.policies.services import application_create, policy_load
from kuochan.portal.selectors import report_due, report_month
from kuochan.projects.services import progress_record
from kuochan.registry.models import Enterprise, Honour
from tests.conftest import PDF

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def todo_count(html: str, key: str) -> int | None:
    """The count shown on one to-do item, or None when the item is not shown."""
    marker = f'data-testid="todo-{key}"'
    if marker not in html:
        return None
    return int(html.split(marker)[1].split('data-testid="count">')[1].split("<")[0])


def raise_ticket(actor, enterprise, title="技改贷款授信不足"):
    return ticket_create(
        actor=actor, source=Source.WEB, enterprise=enterprise, category="finance", title=title
    )


def resolve(ticket, staff, bank):
    ticket_act(actor=staff, source=Source.WEB, ticket=ticket, action="consult", note="属融资类")
    ticket_act(actor=staff, source=Source.WEB, ticket=ticket, action="assign", department=bank)
    ticket_act(actor=staff, source=Source.WEB, ticket=ticket, action="start")
    return ticket_act(actor=staff, source=Source.WEB, ticket=ticket, action="resolve", note="已追加授信")


@pytest.fixture
def bank(huzhou):
    return Department.objects.get(code="rmyh")


def test_the_enterprise_lands_on_its_own_to_do_list_with_its_own_menu(enterprise_user, login):
    client = login(enterprise_user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/my/"
    html = page(client, "/my/")
    menu = html.split('aria-label="功能模块"')[1].split("</nav>")[0]
    for label in ("我的待办", "我的项目", "我的诉求", "政策", "我的申报", "我的评价"):
        assert label in menu
    for staff_only in ("驾驶舱", "企业库", "目标进度", "要素保障"):
        assert staff_only not in menu
    assert "组织单位" not in html and "数据导入" not in html and "接口文档" not in html


def test_staff_keep_the_module_menu_and_cannot_open_the_portal(users, login):
    client = login(users["wuxing"])
    html = page(client, "/")
    assert "驾驶舱" in html and "我的待办" not in html
    assert client.get("/my/").status_code == 403


def test_another_enterprises_project_and_ticket_are_not_found(enterprise_user, pipeline, users, login):
    nanxun = Enterprise.objects.get(name="南浔木业有限公司")
    other = raise_ticket(users["nanxun"], nanxun, "南浔的诉求")
    mine = raise_ticket(enterprise_user, enterprise_user.enterprise, "织里的诉求")
    client = login(enterprise_user)
    assert client.get(f"/my/tickets/{other.pk}/").status_code == 404
    assert client.get(f"/my/tickets/{mine.pk}/").status_code == 200
    tickets = page(client, "/my/tickets/")
    assert "织里的诉求" in tickets and "南浔的诉求" not in tickets
    projects = page(client, "/my/projects/")
    assert "童装智能工厂技改项目" in projects
    assert "新材料扩产项目" not in projects and "木业新建厂房项目" not in projects
    assert client.get(f"/projects/{pipeline['green'].pk}/").status_code == 404
    # a ticket may name only the enterprise's own project
    response = client.post(
        "/my/tickets/new/", {"category": "land", "title": "用地", "project": pipeline["yellow"].pk}
    )
    assert response.status_code == 200 and "请选择本企业的项目" in response.content.decode()
    assert not Ticket.objects.filter(title="用地").exists()


def test_projects_to_report_count_until_the_month_is_reported(enterprise_user, pipeline, users, login):
    client = login(enterprise_user)
    html = page(client, "/my/")
    assert todo_count(html, "report") == 1
    due = report_due(TODAY)
    assert (f"{due.month}月{due.day}日前填报" if due >= TODAY else "请尽快填报") in html
    assert "会商交办" not in html
    progress_record(
        actor=enterprise_user, source=Source.WEB, project=pipeline["red"], month=report_month(TODAY),
        ytd_wan=Decimal("500"),
    )  # fmt: skip
    html = page(client, "/my/")
    assert todo_count(html, "report") is None
    assert "已填报：本年累计完成 500" in page(client, "/my/projects/")


def test_tickets_awaiting_evaluation_are_counted_and_evaluated(enterprise_user, users, bank, login):
    zhili = enterprise_user.enterprise
    first, second = raise_ticket(enterprise_user, zhili, "一"), raise_ticket(enterprise_user, zhili, "二")
    raise_ticket(enterprise_user, zhili, "三")  # still open: nothing for the enterprise to do
    for ticket in (first, second):
        resolve(ticket, users["wuxing"], bank)
    client = login(enterprise_user)
    assert todo_count(page(client, "/my/"), "evaluate") == 2
    detail = page(client, f"/my/tickets/{first.pk}/")
    assert "请您评价办理结果" in detail and "已追加授信" in detail
    # no satisfaction chosen: refused, nothing changes
    client.post(f"/my/tickets/{first.pk}/", {"action": "review"})
    first.refresh_from_db()
    assert first.status == "resolved"
    response = client.post(
        f"/my/tickets/{first.pk}/", {"action": "review", "satisfaction": "satisfied"}, follow=True
    )
    assert "感谢您的评价，诉求已结案" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "closed" and first.satisfaction == "satisfied"
    client.post(f"/my/tickets/{second.pk}/", {"action": "reopen", "note": "授信额度仍不够"})
    second.refresh_from_db()
    assert second.status == "handling" and second.satisfaction == "unsatisfied" and second.reopened == 1
    assert todo_count(page(client, "/my/"), "evaluate") is None


def test_raising_a_ticket_with_files_and_a_project(enterprise_user, pipeline, users, login):
    client = login(enterprise_user)
    form = page(client, "/my/tickets/new/")
    assert "童装智能工厂技改项目" in form and "新材料扩产项目" not in form
    response = client.post(
        "/my/tickets/new/",
        {
            "category": "energy", "title": "新增用能指标不足", "description": "技改后年用电增加 300 万千瓦时",
            "project": pipeline["red"].pk,
            "files": [SimpleUploadedFile("用电测算.pdf", PDF), SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\nxx")],
        },
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    ticket = Ticket.objects.get(title="新增用能指标不足")
    assert ticket.project == pipeline["red"] and ticket.enterprise == enterprise_user.enterprise
    assert {a.name for a in ticket.attachments.all()} == {"用电测算.pdf", "现场.png"}
    assert "您的诉求已受理" in html and "会商交办" not in html
    assert "童装智能工厂技改项目" in html and "用电测算.pdf" in html
    attachment = ticket.attachments.get(name="用电测算.pdf")
    download = client.get(f"/outreach/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # staff of the district see the project and the files; another district's staff do not see the file
    staff = login(users["wuxing"])
    assert "用电测算.pdf" in page(staff, f"/outreach/tickets/{ticket.pk}/")
    assert login(users["nanxun"]).get(f"/outreach/attachments/{attachment.pk}/").status_code == 404


def test_a_file_of_the_wrong_kind_refuses_the_whole_ticket(enterprise_user, login):
    client = login(enterprise_user)
    response = client.post(
        "/my/tickets/new/",
        {"category": "energy", "title": "带错误附件", "files": [SimpleUploadedFile("a.exe", b"MZ")]},
    )
    assert response.status_code == 200 and "类型不受理" in response.content.decode()
    assert not Ticket.objects.filter(title="带错误附件").exists()


VAGUE_GRANT = {
    "code": "vague-grant", "number": "（测试）", "title": "专精特新奖励", "clause": "对符合条件的企业给予奖励。",
    "lead": "市经信局", "subject": "enterprise", "support": {"kind": "fixed", "fixed_wan": 10, "text": "奖励10万元"},
    "rule": {"all": [{"field": "enterprise.above_scale", "op": "is", "value": True}, {"placeholder": "研发投入强度达到一定比例"}]},
}  # fmt: skip


def todo_lines(html: str, key: str) -> str:
    return html.split(f'data-testid="todo-{key}"')[1].split("</ul>")[0] if f"todo-{key}" in html else ""


def test_policies_it_qualifies_for_and_what_would_settle_the_rest(
    enterprise_user, equipped, grant, users, login
):
    client = login(enterprise_user)
    before = page(client, "/my/")
    policy_load(data={"source": "测试", "org_unit": "330500", "policies": [VAGUE_GRANT]}, source=Source.CLI)
    home = page(client, "/my/")
    # the equipment grant, for its renovation project, it qualifies for and has not applied for
    assert "技改设备补助（童装智能工厂技改项目）" in todo_lines(home, "policies")
    # the vague one needs the authority to settle a condition: said so, not with the internal mark
    assert todo_count(home, "settle") == (todo_count(before, "settle") or 0) + 1
    policies = page(client, "/my/policies/")
    eligible = policies.split('data-testid="eligible"')[1].split('data-testid="unknown"')[0]
    assert "技改设备补助" in eligible and "童装智能工厂技改项目" in eligible
    unknown = policies.split('data-testid="unknown"')[1].split('data-testid="not-eligible"')[0]
    vague = unknown.split('data-policy="vague-grant"')[1].split("</li>\n</li>")[0]
    assert "您已符合：规上企业" in vague and PLACEHOLDER_TEXT in vague
    assert "【待明确】" not in policies and "研发投入强度达到一定比例" not in policies
    apply = page(client, "/policies/vague-grant/apply/")
    assert PLACEHOLDER_TEXT in apply and "【待明确】" not in apply
    # once it applies, the policy leaves the list of new chances and the application's stage shows
    count = todo_count(home, "policies")
    application_create(
        actor=enterprise_user, source=Source.WEB, policy=grant, enterprise=enterprise_user.enterprise,
        project=equipped["red"], requested_wan=Decimal("80"),
    )  # fmt: skip
    home = page(client, "/my/")
    assert (todo_count(home, "policies") or 0) == count - 1 and "技改设备补助" not in todo_lines(
        home, "policies"
    )
    assert todo_count(home, "drafts") == 1
    applications = page(client, "/my/applications/")
    assert "技改设备补助" in applications and "草稿，请上传材料后提交" in applications


def test_evaluation_shows_class_grade_and_what_would_raise_them(enterprise_user, with_metrics, login):
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    client = login(enterprise_user)
    html = page(client, "/my/evaluation/")
    assert "2025 年亩均评价" in html and "如何提升亩均评价" in html and "如何提升碳效码" in html
    raise_class = html.split('data-testid="raise-class"')[1].split("</ul>")[0]
    assert "可评为A类" in raise_class and "相对权重得分最低的指标" in raise_class
    assert 'data-testid="outlook"' in page(client, "/my/")
    nanxun = Enterprise.objects.get(name="南浔木业有限公司")
    assert nanxun.name not in html


def test_evaluation_shows_the_enterprise_s_ladders_and_its_next_step(enterprise_user, with_metrics, login):
    html = page(login(enterprise_user), "/my/evaluation/")
    ladders = html[html.index('data-testid="ladders"') :]
    assert "专精特新" in ladders and "下一步：创新型中小企业" in ladders
    Honour.objects.create(
        enterprise=enterprise_user.enterprise, kind="innovative_sme", year_granted=TODAY.year
    )
    ladders = page(login(enterprise_user), "/my/evaluation/")
    assert "已获：创新型中小企业" in ladders and "下一步：专精特新中小企业" in ladders


def test_an_unlinked_enterprise_account_is_told_why(users, login):
    html = page(login(users["enterprise"]), "/my/policies/")
    assert "尚未关联企业" in html


def test_report_due_day_follows_the_monthly_cycle(enterprise_user, pipeline, login):
    from kuochan.cockpit.models import CycleSettings

    CycleSettings.objects.update_or_create(name="default", defaults={"day": 25})
    html = page(login(enterprise_user), "/my/")
    due = TODAY.replace(day=25)
    if due >= TODAY:
        assert f"{due.month}月25日前填报" in html
    else:
        assert "请尽快填报" in html


def test_a_negated_condition_reads_as_a_situation_the_enterprise_is_not_in():
    from kuochan.portal.selectors import plain

    assert (
        plain("亩均评价分类属于A类、B类；不满足：列入清三低")
        == "亩均评价分类属于A类、B类；不属于“列入清三低”的情形"
    )
    assert plain("（规上企业 且 不满足：列入清三低）") == "（规上企业 且 不属于“列入清三低”的情形）"


def test_ticket_files_are_for_those_on_the_ticket_and_only_while_it_is_open(
    enterprise_user, users, bank, registered
):
    from django.core.exceptions import PermissionDenied, ValidationError

    from kuochan.outreach.services import ticket_attachment_add

    ticket = raise_ticket(enterprise_user, enterprise_user.enterprise)
    with pytest.raises(PermissionDenied):
        ticket_attachment_add(
            actor=users["nanxun"], source=Source.WEB, ticket=ticket, name="a.pdf", content=PDF
        )
    staff_file = ticket_attachment_add(
        actor=users["wuxing"], source=Source.WEB, ticket=ticket, name="C:\\材料\\回复.pdf", content=PDF
    )
    assert staff_file.name == "回复.pdf"  # the name without the sender's folders
    with pytest.raises(ValidationError, match="内容与扩展名"):
        ticket_attachment_add(
            actor=enterprise_user, source=Source.WEB, ticket=ticket, name="假.pdf", content=b"MZ"
        )
    resolve(ticket, users["wuxing"], bank)
    ticket_act(
        actor=enterprise_user, source=Source.WEB, ticket=ticket, action="review", satisfaction="satisfied"
    )
    with pytest.raises(ValidationError, match="已结案"):
        ticket_attachment_add(
            actor=enterprise_user, source=Source.WEB, ticket=ticket, name="b.pdf", content=PDF
        )
    assert ticket.attachments.count() == 1
