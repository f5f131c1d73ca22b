"""In headless Chromium, every menu link of every role: the top menu, the account menu and each module's
tabs. Each answers 200, logs no console error and is no empty shell; a screenshot of each role's home."""

import datetime as dt
from urllib.parse import urlsplit

import pytest

from kuochan.audit.models import Source
from kuochan.cockpit.services import Decision, meeting_record
from kuochan.evaluation.services import evaluation_run
from kuochan.outreach.services import ticket_create
from tests.conftest import PASSWORD, TODAY
from tests.web.test_cockpit_in_browser import console_error

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "city", "wuxing", "qiye", "leader", "sysadmin", "secadmin", "auditor"]

# The page's own content, without its title, its module tabs, messages and data for charts: what is left
# must say something (a table, a form, a sentence saying why it is empty).
CONTENT = """() => {
  const main = document.querySelector('.page-wrapper .container-xl');
  if (!main) return {heading: false, text: 0};
  const rest = main.cloneNode(true);
  rest.querySelectorAll('h1, ul.nav-tabs, .alert, script, template').forEach(e => e.remove());
  return {heading: !!main.querySelector('h1'), text: rest.textContent.replace(/\\s+/g, '').length};
}"""
MENU_LINKS = """() => [...document.querySelectorAll(
  'nav[aria-label="功能模块"] a[href], header .dropdown-menu a.dropdown-item[href]'
)].map(a => a.getAttribute('href'))"""
TAB_LINKS = """() => [...document.querySelectorAll('ul.nav-tabs a[href]')].map(a => a.getAttribute('href'))"""


@pytest.fixture
def programme(equipped, enterprise_user, grant, with_metrics, admins, users):
    """Enough of the programme that no page is empty for want of data: the pipeline with equipment, the
    grant, two years of figures and their evaluation, a ticket the enterprise raised and a work meeting
    shared with the districts."""
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    meeting_record(
        actor=users["city_staff"], source=Source.WEB, date=TODAY - dt.timedelta(days=3), title="工作例会",
        notes="", shared=True,
        decisions=[Decision("协调用能指标", "市发展改革委", users["wuxing"], TODAY + dt.timedelta(days=30))],
    )  # fmt: skip
    ticket_create(
        actor=enterprise_user, source=Source.WEB, enterprise=enterprise_user.enterprise, category="finance",
        title="技改贷款授信不足", project=equipped["red"],
    )  # fmt: skip


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not sign in"


def own(href: str | None) -> bool:
    return bool(href) and href.startswith("/") and not href.startswith("//")


def visit(page, live_server, href: str, problems: list[str], errors: list[str]) -> None:
    errors.clear()
    response = page.goto(f"{live_server.url}{href}")
    page.wait_for_load_state("networkidle")
    if response is None or response.status != 200:
        problems.append(f"{href}: HTTP {response.status if response else '无响应'}")
        return
    if urlsplit(page.url).path == "/login/":
        problems.append(f"{href}: 跳转到登录页")
        return
    if page.locator("#swagger-ui").count():  # the API's own page: its operations listed
        page.wait_for_selector("#swagger-ui .opblock")
        return problems.extend(f"{href}: 控制台错误 {error}" for error in errors)
    content = page.evaluate(CONTENT)
    if not content["heading"] or content["text"] < 20:
        problems.append(f"{href}: 空页面（{content}）")
    problems.extend(f"{href}: 控制台错误 {error}" for error in errors)


@pytest.mark.parametrize("username", ROLES)
def test_every_menu_link_of_the_role_opens_a_working_page(live_server, page, programme, username, screenshot):
    errors: list[str] = []
    page.on("console", lambda message: console_error(message, errors))
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    sign_in(page, live_server, username)
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    screenshot(page, f"menus-{username}")
    links = list(dict.fromkeys(href for href in page.evaluate(MENU_LINKS) if own(href)))
    assert links, f"{username} has no menu"
    problems: list[str] = []
    walked: set[str] = set()
    tabs: list[str] = []
    for number, href in enumerate(links, start=1):
        visit(page, live_server, href, problems, errors)
        walked.add(href)
        if username == "qiye":  # the enterprise's own pages, as it sees them
            screenshot(page, f"menus-qiye-{number}")
        tabs += [tab for tab in page.evaluate(TAB_LINKS) if own(tab) and tab not in tabs]
    for href in tabs:
        if href not in walked:
            visit(page, live_server, href, problems, errors)
            walked.add(href)
    assert problems == [], f"{username}（{len(walked)} 个链接）:\n" + "\n".join(problems)
