"""In headless Chromium: a ticket's whole closed loop through the real pages. The enterprise raises a financing
issue from its own menu (我的诉求); 吴兴区 staff judge it, assign it to 市人行, handle and resolve it; the enterprise is not satisfied and
reopens it; staff resolve it again and the enterprise closes it satisfied."""

import datetime as dt

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from kuochan.audit.models import Source
from kuochan.outreach.models import Ticket
from kuochan.outreach.services import ticket_create
from kuochan.registry.models import Enterprise
from tests.web.test_menus_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_as(page, live_server, username: str, number: str, tab: str = "待我处理") -> None:
    """Sign in afresh, go to 服务企业 from the module bar, then to the ticket from the given tab; the
    enterprise from its own 我的诉求."""
    page.context.clear_cookies()
    sign_in(page, live_server, username)
    if username == "qiye":
        page.get_by_role("navigation", name="功能模块").get_by_role("link", name="我的诉求").click()
        page.get_by_test_id("my-tickets").locator(f'tr[data-number="{number}"]').get_by_role(
            "link", name=number
        ).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"您的诉求 {number}")
        return
    page.get_by_role("navigation", name="功能模块").get_by_role("link", name="服务企业").click()
    page.get_by_role("list", name="服务企业").get_by_role("link", name=tab).click()
    page.get_by_test_id("ticket-table").locator(f'tr[data-number="{number}"]').get_by_role(
        "link", name=number
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"诉求 {number}")


def take(page, action: str, note: str = "", satisfaction: str = "") -> None:
    """Fill the 办理 form and press the step's button."""
    if satisfaction:
        page.get_by_label("满意度").select_option(label=satisfaction)
    if note:
        page.get_by_label("说明", exact=True).fill(note)
    page.get_by_test_id(f"action-{action}").click()


def test_a_ticket_goes_round_the_whole_loop(
    live_server, page, enterprise_user, users, registered, screenshot
):
    status = page.get_by_test_id("status")
    alert = page.get_by_role("alert")

    # The enterprise raises a financing issue.
    sign_in(page, live_server, "qiye")
    page.get_by_role("navigation", name="功能模块").get_by_role("link", name="我的诉求").click()
    page.get_by_test_id("new-ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提出诉求")
    expect(page.locator(".page-header")).to_contain_text("湖州织里童装有限公司")
    page.get_by_label("类别").select_option(label="融资")
    page.get_by_label("诉求事项").fill("技改贷款授信不足")
    page.get_by_label("具体情况").fill("设备更新需流动资金 800 万元，银行授信仅 300 万元")
    page.get_by_test_id("submit-ticket").click()
    expect(status).to_have_text("受理")
    ticket = Ticket.objects.get()
    number = ticket.number
    assert ticket.enterprise.name == "湖州织里童装有限公司" and ticket.category == "finance"
    expect(alert).to_contain_text(f"您的诉求已受理，编号 {number}")
    # A new ticket must be assigned within 3 days: the enterprise is told by when.
    triage_due = timezone.localdate() + dt.timedelta(days=3)
    assert ticket.due_date == triage_due
    with translation.override("zh-hans"):  # as the page shows it
        expect(page.locator("main, .page-wrapper")).to_contain_text(
            f"属地服务人员将于 {formats.date_format(triage_due)} 前研判交办"
        )
    expect(page.get_by_test_id("action-consult")).to_have_count(
        0
    )  # the enterprise cannot judge its own issue
    screenshot(page, "outreach-ticket-raised")

    # 吴兴区 staff find it waiting for them, judge it, assign it to 市人行, handle and resolve it.
    open_as(page, live_server, "wuxing", number)
    take(page, "consult")  # without the required note: refused, nothing changes
    expect(alert).to_have_text("会商研判须填写研判意见。")
    expect(status).to_have_text("受理")
    take(page, "consult", note="属融资类，需人行协调银行追加授信")
    expect(alert).to_have_text("已会商研判。")
    expect(status).to_have_text("会商研判")
    department = page.get_by_label("承办部门")
    department.select_option(label="市人行")
    handler = page.get_by_label("承办人（跟踪督办，默认本人）")
    expect(handler.locator("option:checked")).to_have_text("本人")
    page.get_by_test_id("action-assign").click()
    expect(status).to_have_text("分类协调")
    expect(page.get_by_test_id("department")).to_have_text("市人行")
    with translation.override("zh-hans"):  # as the page shows it
        handling_due = formats.date_format(timezone.localdate() + dt.timedelta(days=15))  # 融资类 15 天
    assigned = page.get_by_test_id("timeline").locator('li[data-action="assign"]')
    expect(assigned).to_contain_text(f"会商研判 → 分类协调，期限 {handling_due}")
    expect(assigned).to_contain_text(
        "交市人行办理，承办人 wuxing"
    )  # the handler defaulted to the staff member
    take(page, "start")
    expect(status).to_have_text("办理中")
    take(page, "resolve", note="人行协调湖州银行追加授信 500 万元")
    expect(status).to_have_text("办结（待回访）")

    # The enterprise is not satisfied and sends it back.
    open_as(page, live_server, "qiye", number)
    expect(page.get_by_test_id("action-reopen")).to_be_visible()
    take(page, "reopen", note="追加授信尚未到账", satisfaction="不满意")
    expect(status).to_have_text("办理中")
    expect(page.get_by_test_id("satisfaction")).to_have_text("不满意")

    # Staff resolve it again.
    open_as(page, live_server, "wuxing", number)
    take(page, "resolve", note="500 万元已于本周到账")
    expect(status).to_have_text("办结（待回访）")

    # The enterprise closes it, satisfied.
    open_as(page, live_server, "qiye", number)
    take(page, "review", note="问题已解决，感谢", satisfaction="满意")
    expect(status).to_have_text("回访评价（已结案）")
    expect(page.get_by_test_id("satisfaction")).to_have_text("满意")
    expect(page.get_by_role("form", name="评价")).to_have_count(0)  # nothing left to do
    labels = page.get_by_test_id("timeline").locator("li strong").all_inner_texts()
    assert labels == [
        "提出诉求",
        "会商研判",
        "分类协调（交办部门）",
        "开始办理",
        "办结",
        "回访不满意，重新办理",
        "办结",
        "回访评价并结案",
    ]
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "满意度：不满意。追加授信尚未到账" in timeline and "满意度：满意。问题已解决，感谢" in timeline
    screenshot(page, "outreach-ticket-closed")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopened, ticket.satisfaction) == ("closed", 1, "satisfied")

    # Another enterprise's ticket is not there for this enterprise, not even by its address.
    other = ticket_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=Enterprise.objects.get(uscc=registered[1]),
        category="land", title="新增用地 20 亩",
    )  # fmt: skip
    page.get_by_role("navigation", name="功能模块").get_by_role("link", name="我的诉求").click()
    expect(page.get_by_test_id("my-tickets").locator("tbody tr[data-number]")).to_have_count(1)
    expect(page.get_by_test_id("my-tickets")).not_to_contain_text(other.number)
    assert page.goto(f"{live_server.url}/my/tickets/{other.pk}/").status == 404
    response = page.goto(f"{live_server.url}{other.get_absolute_url()}")
    assert response.status == 404
    assert "新增用地" not in page.content()
