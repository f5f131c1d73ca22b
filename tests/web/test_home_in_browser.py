"""In headless Chromium: signing in, the map of Huzhou, and only the user's own scope on the home page."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> list[str]:
    """Signs in and returns every URL the page requested, to prove nothing leaves the server."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('#home-map[data-ready="true"]')
    return requested


def test_district_user_sees_the_map_and_only_its_own_district(live_server, page, users, screenshot):
    requested = sign_in(page, live_server, "wuxing")
    assert page.get_by_test_id("home-scope").inner_text() == "吴兴区及下属单位"
    assert page.locator("#home-map canvas").count() >= 1
    described = page.locator("#home-map").get_attribute("aria-label") or ""
    assert "图" in described and "吴兴区" in described, described  # what a screen reader reads for the map
    rows = page.get_by_test_id("unit-table").locator("tbody tr")
    assert rows.count() == 1 and rows.first.inner_text().startswith("吴兴区")
    assert page.get_by_test_id("zone-card").count() == 0
    assert "南浔区" not in page.get_by_test_id("unit-table").inner_text()
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert screenshot(page, "home-district-user").stat().st_size > 10_000


def test_city_user_sees_every_district_and_the_two_zones_beside_the_map(live_server, page, users, screenshot):
    sign_in(page, live_server, "city")
    assert page.get_by_test_id("unit-table").locator("tbody tr").count() == 7
    zones = page.get_by_test_id("zone-card")
    assert zones.count() == 2
    assert "南太湖新区" in zones.nth(0).inner_text() and "长合区" in zones.nth(1).inner_text()
    screenshot(page, "home-city-user")


def test_a_wrong_password_gets_a_chinese_message(live_server, page, users):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("wuxing")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.get_by_role("alert").inner_text()


def test_account_menu_leads_to_the_audit_trail_and_signs_out(live_server, page, users, screenshot):
    from kuochan.audit.models import Source
    from kuochan.orgs.models import OrgUnit
    from kuochan.orgs.services import org_unit_update

    town = OrgUnit.objects.get(code="330502-T08")
    org_unit_update(actor=users["wuxing"], source=Source.WEB, unit=town, note="童装")
    sign_in(page, live_server, "wuxing")
    page.get_by_role("link", name="账号菜单").click()
    page.get_by_role("link", name="审计记录").click()
    table = page.get_by_test_id("audit-table")
    assert "织里镇" in table.inner_text() and "童装" in table.inner_text()
    screenshot(page, "audit-trail")
    table.get_by_role("link", name="织里镇").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("织里镇")
    page.get_by_role("link", name="账号菜单").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.goto(f"{live_server.url}/").url.startswith(f"{live_server.url}/login/")


def test_each_role_opens_on_its_to_do_above_the_map(live_server, page, pipeline, users, admins, screenshot):
    """City staff, a district, a leader and the system administrator: the to-do first, each item a link to the
    list of exactly its rows; the map below it, its colour scale spanning the districts' own range."""
    from kuochan.accounts.models import Role
    from kuochan.orgs.models import OrgUnit
    from tests.conftest import make_user

    make_user("deqing", Role.PENDING, OrgUnit.objects.get(code="330521"))
    for username in ("city", "wuxing", "leader", "sysadmin"):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        todo = page.get_by_test_id("todo")
        todo.wait_for()
        if username != "sysadmin":
            page.wait_for_selector('#home-map[data-ready="true"]')
            assert todo.bounding_box()["y"] < page.locator("#home-map").bounding_box()["y"]
            scale = page.evaluate(
                """() => {
                  const option = echarts.getInstanceByDom(document.getElementById("home-map")).getOption();
                  const data = JSON.parse(document.getElementById("home-map-data").textContent);
                  const figure = document.getElementById("map-figure").value;
                  const values = data.regions.map((region) => region[figure]);
                  return [option.visualMap[0].min, option.visualMap[0].max, Math.min(...values), Math.max(...values)];
                }"""
            )
            low = scale[2] if scale[2] < scale[3] else 0  # one district alone reads against 0
            assert scale[0] == low and scale[1] >= scale[3], scale
        else:
            assert page.locator("#home-map").count() == 0 and page.get_by_test_id("unit-table").count() == 0
        screenshot(page, f"home-todo-{username}")
        if username == "leader":
            assert page.get_by_test_id("leader-figure").count() == 4
            page.get_by_test_id("red-districts").get_by_role("link").first.click()
            assert pipeline["red"].name in page.locator("body").inner_text()
            continue
        first = page.get_by_test_id("todo-item").first
        label = first.get_by_test_id("todo-label").inner_text()
        first.click()
        page.wait_for_load_state()
        shown = page.locator("body").inner_text()
        if username == "sysadmin":
            assert "分配角色" in label and "deqing" in shown
        elif "进展" in label:
            assert pipeline["red"].name in shown and (username == "city") == (pipeline["green"].name in shown)
