"""In headless Chromium at a phone's 390×844: the pages district staff and enterprise contacts use in the
field fit the screen (no sideways scrolling), every link, button and field is a tap target at least 44 px
high, and tables read as cards, each cell led by its column's name. A screenshot of each page is kept in
test-artifacts/ (phone-*.png).

Exceptions, by design: a checkbox or radio is tapped through its label, so the label's height counts; a
table's header row is hidden on phones (its names are on the cells), so a link in it is not measured."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.audit.models import Source
from kuochan.evaluation.carbon_services import offset_add
from kuochan.outreach.services import ticket_create, visit_create
from kuochan.policies.models import Policy
from kuochan.registry.services import parcel_create, tenancy_create
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

MEASURE = """() => {
  const seen = (el) => {
    if (el.matches(".visually-hidden-focusable:not(:focus)")) return false;  // the skip link, until focused
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const small = [];
  for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea")) {
    if (!seen(el) || el.closest("thead")) continue;
    let height = el.getBoundingClientRect().height;
    if (el.type === "checkbox" || el.type === "radio") {
      const label = el.closest("label, .form-check");
      if (label) height = label.getBoundingClientRect().height;
    }
    if (height < 44) small.push(`${el.tagName.toLowerCase()} “${(el.innerText || el.name || el.value || "").trim().slice(0, 30)}” ${Math.round(height)}px`);
  }
  const tables = [...document.querySelectorAll("table")].filter(seen);
  const rows = tables.flatMap((table) => [...table.querySelectorAll(":scope > tbody > tr")]);
  return {
    width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    small,
    tables: tables.length,
    rowsNotCards: rows.filter((row) => getComputedStyle(row).display !== "block").length,
    cellsLabelled: rows.flatMap((row) => [...row.cells]).filter((cell) => cell.dataset.label).length,
  };
}"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def field_data(pipeline, enterprise_user, users):
    """A ticket the enterprise raised and a visit 吴兴区 staff logged, besides the projects; the enterprise's
    parcel, rented in part by another, and an offset of its."""
    firm = enterprise_user.enterprise
    ticket = ticket_create(
        actor=enterprise_user, source=Source.WEB, enterprise=firm, category="finance",
        title="技改贷款授信不足", description="设备更新需流动资金 800 万元，银行授信仅 300 万元",
    )  # fmt: skip
    visit = visit_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=firm, date=dt.date.today() - dt.timedelta(days=3),
        purpose="了解扩产计划和用地需求", findings="拟新增智能吊挂线 12 条，需用地 20 亩",
    )  # fmt: skip
    parcel = parcel_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=firm, code="330502001001GB00001",
        location="织里镇大港路 88 号", area_mu=Decimal("35.5"), granted_on=dt.date(2012, 6, 18),
    )  # fmt: skip
    tenant = pipeline["yellow"].enterprise
    tenancy_create(
        actor=users["wuxing"],
        source=Source.WEB,
        enterprise=tenant,
        parcel=parcel,
        started_on=dt.date(2023, 1, 1),
    )
    offset_add(
        actor=users["wuxing"], source=Source.WEB, enterprise=firm, year=2025, kind="green_power",
        amount=Decimal("120.5"), evidence="浙江电力交易中心绿电交易凭证 LD2025-00123",
    )  # fmt: skip
    return {
        "ticket": ticket, "visit": visit, "project": pipeline["red"], "policy": Policy.objects.first(),
        "owner": firm, "tenant": tenant,
    }  # fmt: skip


def pages(data) -> list[tuple[str, str, str]]:
    """(screenshot name, user, path) of every field page."""
    project, policy = data["project"], data["policy"]
    return [
        ("home-district", "wuxing", "/"),
        ("home-enterprise", "qiye", "/"),
        ("project-detail", "wuxing", f"/projects/{project.pk}/"),
        ("progress-entry", "wuxing", f"/projects/{project.pk}/progress/"),
        ("progress-month", "wuxing", "/projects/progress/"),
        ("ticket-new", "qiye", "/outreach/tickets/new/"),
        ("ticket-enterprise", "qiye", f"/outreach/tickets/{data['ticket'].pk}/"),
        ("ticket-district", "wuxing", f"/outreach/tickets/{data['ticket'].pk}/"),
        ("tickets", "wuxing", "/outreach/"),
        ("visits", "wuxing", "/outreach/visits/"),
        ("visit-new", "wuxing", "/outreach/visits/new/"),
        ("visit", "wuxing", f"/outreach/visits/{data['visit'].pk}/"),
        ("policies", "qiye", "/policies/"),
        ("policy-detail", "qiye", f"/policies/{policy.code}/"),
        ("policies-mine", "qiye", "/policies/mine/"),
        ("policy-new", "wuxing", "/policies/new/"),
        ("land-owner", "wuxing", f"/enterprises/{data['owner'].pk}/"),
        ("land-tenant", "wuxing", f"/enterprises/{data['tenant'].pk}/"),
        ("parcel-new", "wuxing", f"/enterprises/{data['owner'].pk}/parcels/new/"),
        ("tenancy-new", "wuxing", f"/enterprises/{data['tenant'].pk}/tenancies/new/"),
        ("offset-new", "wuxing", f"/evaluation/enterprises/{data['owner'].pk}/offsets/new/"),
    ]


def test_field_pages_work_on_a_phone(live_server, phone, field_data, screenshot):
    problems = []
    signed_in = None
    for name, user, path in pages(field_data):
        if user != signed_in:
            phone.context.clear_cookies()
            sign_in(phone, live_server, user)
            signed_in = user
        response = phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("load")
        found = phone.evaluate(MEASURE)
        screenshot(phone, f"phone-{name}")
        if response.status != 200:
            problems.append(f"{name}: 返回 {response.status}")
        if found["width"] > found["viewport"]:
            problems.append(f"{name}: 页面宽 {found['width']}px，超出屏幕 {found['viewport']}px")
        if found["small"]:
            problems.append(f"{name}: 点按目标不足 44px：{found['small'][:8]}")
        if found["rowsNotCards"]:
            problems.append(f"{name}: {found['rowsNotCards']} 行表格未显示为卡片")
    assert not problems, "\n".join(problems)


def test_the_module_menu_folds_away_on_a_phone(live_server, phone, users):
    sign_in(phone, live_server, "wuxing")
    menu = phone.get_by_role("navigation", name="功能模块")
    projects = menu.get_by_role("link", name="项目管理")
    assert not projects.is_visible()
    menu.get_by_role("button", name="功能菜单").click()
    projects.click()
    phone.wait_for_url(f"{live_server.url}/projects/")
    assert "功能菜单 · 项目管理" in menu.get_by_role("button").inner_text()


def test_a_tables_cells_carry_their_column_names_on_a_phone(live_server, phone, field_data):
    sign_in(phone, live_server, "wuxing")
    phone.goto(f"{live_server.url}/projects/progress/")
    grid = phone.get_by_test_id("progress-grid")
    first = grid.locator("tbody tr").first
    assert first.locator("td").nth(2).get_attribute("data-label") == "亮灯"
    box = first.bounding_box()
    assert box["width"] <= PHONE["width"]
    assert Decimal(str(box["height"])) > 200  # a row is a card of stacked fields, not one line
