"""Accessibility (GB/T 37668, which follows WCAG 2.x A/AA): axe-core checks the main pages of every role.

axe-core is an npm devDependency read from node_modules by the test and injected into the page here; the
application never serves it (settings.KUOCHAN_VENDOR_FILES does not list it). Each role's pages are its
home page, every link of its module menu and account menu, a detail page and a form page of its own, and
the login page. Every violation found is kept in test-artifacts/axe-<role>.json; a critical or serious one
fails the test, listed by rule, element and the rule's Chinese help."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.evaluation.services import evaluation_run
from kuochan.outreach.services import ticket_create
from tests.conftest import PASSWORD
from tests.web.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.NODE_MODULES) / "axe-core"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what GB/T 37668 asks of a government site's pages.
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""
BLOCKING = {"critical", "serious"}
PHONE_ROLES = {"wuxing", "qiye"}


def sign_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def axe_check(page) -> list[dict]:
    """The page's WCAG A/AA violations, with axe's Chinese wording. axe is injected only now, from node_modules."""
    assert page.evaluate("typeof axe") == "undefined", "axe-core must not be served by the application"
    page.add_script_tag(path=str(AXE / "axe.min.js"))
    locale = (AXE / "locales" / "zh_CN.json").read_text(encoding="utf-8")
    page.evaluate(f"axe.configure({{locale: {locale}}})")
    return page.evaluate(AXE_RUN)


def menu_paths(page) -> list[str]:
    """Every link of the module menu and the account menu, as the signed-in user has them."""
    hrefs = page.eval_on_selector_all(
        "nav a.nav-link[href], .dropdown-menu a.dropdown-item[href]",
        "links => links.map(a => a.getAttribute('href'))",
    )
    return [href for href in dict.fromkeys(hrefs) if href.startswith("/") and not href.startswith("/api/")]


def readable(role: str, findings: list[dict]) -> str:
    """One entry per rule and element, with the pages it is on: the same header fault is not listed per page."""
    grouped: dict[tuple, list[str]] = {}
    for finding in findings:
        for node in finding["nodes"]:
            key = (
                finding["impact"],
                finding["id"],
                finding["help"],
                node["target"],
                node["html"][:160],
                node["summary"],
            )
            grouped.setdefault(key, []).append(finding["path"])
    lines = [f"{role}：{len(grouped)} 处严重或关键的无障碍问题"]
    for (impact, rule, help_text, target, html, summary), paths in grouped.items():
        lines.append(
            f"[{impact}] {rule}：{help_text}\n  元素 {target}  {html}\n  {summary}\n  页面 {' '.join(paths)}"
        )
    return "\n".join(lines)


@pytest.fixture
def page(browser):
    """The suite's page, except that the site's Content-Security-Policy (script-src 'self') lets the test
    inject axe; the pages themselves are unchanged."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def world(equipped, with_metrics, grant, enterprise_user, admins, users):
    """The conftest data, with a ticket and the 2025 evaluation (class and grade badges) so their pages have
    something to show; the paths of the detail and form pages each role opens besides its menus."""
    evaluation_run(actor=users["city_admin"], source=Source.WEB, year=2025)
    red = equipped["red"]
    ticket = ticket_create(
        actor=users["wuxing"], source=Source.WEB, enterprise=red.enterprise, category="land",
        title="新增用地 20 亩", description="二期厂房用地",
    )  # fmt: skip
    enterprise = f"/enterprises/{red.enterprise.pk}/"
    project = red.get_absolute_url()
    staff = [project, f"{project}progress/", enterprise, ticket.get_absolute_url(), "/outreach/tickets/new/",
             f"/policies/{grant.code}/", "/projects/new/", "/evaluation/?year=2025", "/evaluation/carbon/?year=2025",
             "/projects/board/", "/outreach/visits/", "/policies/applications/", "/cultivation/titles/high_tech/"]  # fmt: skip
    city_user = User.objects.get(username="city")
    admin_pages = [f"/accounts/users/{city_user.pk}/"]
    return {
        "admin": staff,
        "city": [*staff, "/cultivation/titles/high_tech/criteria/tech_staff/edit/"],
        "wuxing": staff,
        "leader": [project, enterprise, f"/policies/{grant.code}/", "/evaluation/?year=2025"],
        "qiye": [project, f"{project}progress/", ticket.get_absolute_url(), "/outreach/tickets/new/"],
        "sysadmin": admin_pages,
        "secadmin": admin_pages,
        "auditor": ["/accounts/security-log/"],
    }


@pytest.mark.parametrize(
    "role", ["city", "wuxing", "leader", "qiye", "sysadmin", "secadmin", "auditor", "admin"]
)
def test_main_pages_of_each_role_have_no_serious_accessibility_violation(
    live_server, page, world, role, screenshot
):
    page.set_default_timeout(15_000)
    results: list[dict] = []

    def check(path: str, where: str = "") -> None:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        violations = axe_check(page)
        results.append(
            {
                "path": f"{path}{where}",
                "status": response.status,
                "title": page.title(),
                "violations": violations,
            }
        )

    check("/login/")
    sign_in(page, live_server, role)
    home = page.url.removeprefix(live_server.url)
    paths = [home, *menu_paths(page), *world[role]]
    for path in dict.fromkeys(paths):
        check(path)
        if path == home:
            screenshot(page, f"axe-{role}")
    if "/projects/new/" in paths:  # a form sent empty: its error messages and marked fields
        page.goto(f"{live_server.url}/projects/new/")
        page.locator("main form[method=post] [type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        # A screen reader hears each refused field as invalid, with its message read out as the field's description.
        invalid = page.locator("main [aria-invalid=true]").first
        expect(invalid).to_have_accessible_description(re.compile(r"\S"))
        results.append(
            {"path": "/projects/new/（空表单提交后）", "status": 200, "title": page.title(),
             "violations": axe_check(page)}
        )  # fmt: skip

    if role in PHONE_ROLES:  # district staff and enterprises work from phones: their pages again at 390×844
        page.set_viewport_size({"width": 390, "height": 844})
        for path in dict.fromkeys([home, *world[role]]):
            check(path, "（手机）")
        screenshot(page, f"axe-{role}-phone")

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{role}.json").write_text(
        json.dumps(
            {"role": role, "at": timezone.now().isoformat(), "pages": results}, ensure_ascii=False, indent=1
        ),
        encoding="utf-8",
    )
    assert len(results) >= 3
    blocking = [
        {"path": result["path"], **violation}
        for result in results
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]
    assert not blocking, readable(role, blocking)


def test_axe_core_is_not_among_the_files_the_application_serves():
    assert (AXE / "axe.min.js").is_file()
    assert not [file for file in settings.KUOCHAN_VENDOR_FILES.values() if "axe" in file]


def test_a_keyboard_user_skips_the_menus_to_the_content(live_server, page, users):
    sign_in(page, live_server, "wuxing")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    assert skip.evaluate("link => link === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is in the page's own content, past the header and the menus
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
