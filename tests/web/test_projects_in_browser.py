"""In headless Chromium: a city official filters the project list to red lights and opens one."""

import pytest

from kuochan.registry.models import Enterprise
from tests.projects.test_pages import many_projects
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_to_red_projects_and_open_one(live_server, page, pipeline, screenshot):
    sign_in(page, live_server, "city")
    page.get_by_role("link", name="项目管理").click()
    assert "红灯 1，黄灯 1，绿灯 1，不亮灯 1" in page.get_by_test_id("summary").inner_text()
    page.get_by_label("亮灯").select_option("red")
    page.get_by_role("button", name="筛选").click()
    rows = page.get_by_test_id("project-table").locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("[data-light=red]").inner_text() == "红灯"
    screenshot(page, "projects-red")
    rows.first.get_by_role("link", name="童装智能工厂技改项目").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("童装智能工厂技改项目")
    assert "已逾期 120 天" in page.get_by_test_id("light-reasons").inner_text()
    page.wait_for_selector('#milestone-chart[data-ready="true"]')
    assert page.locator("#milestone-chart canvas").count() >= 1
    screenshot(page, "project-detail")


SCREEN = 768  # 1366×768, the bureau's common laptop screen


def test_the_longest_list_stays_within_six_screens(live_server, page, users, registered, screenshot):
    """120 red projects with long names: the list shows 50 of them, red first, on at most six screens."""
    many_projects(
        Enterprise.objects.get(uscc=registered[0]), 120, prefix="年产20万套高端智能装备数字化技改扩产项目"
    )
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/projects/")
    rows = page.get_by_test_id("project-table").locator("tbody tr")
    assert rows.count() == 50
    assert "共 120 条" in page.get_by_test_id("pagination").inner_text()
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "projects-list-1366x768")
    assert height <= 6 * SCREEN, f"{height} px"
