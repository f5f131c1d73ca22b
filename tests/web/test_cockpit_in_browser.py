"""In headless Chromium: a leader opens the cockpit, switches from the default month (the last complete one) to
the month still running, sees the charts drawn and the map recoloured by another figure, drills from the red
count into the red projects, and opens the wall-display layout."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kuochan.cockpit.selectors import default_month, month_end
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP_OPTION = """() => {
  const option = echarts.getInstanceByDom(document.getElementById("cockpit-map")).getOption();
  return {
    colours: option.visualMap[0].inRange.color,
    total: option.series[0].data.reduce((sum, region) => sum + region.value, 0),
  };
}"""


def console_error(message, errors: list[str]) -> None:
    """Keeps the console's errors (a missing icon or script included)."""
    if message.type == "error":
        errors.append(f"{message.text} ({message.location.get('url')})")


def charts_drawn(page) -> None:
    """The pie and the map (after its GeoJSON fetch) mark themselves drawn."""
    page.wait_for_selector('#cockpit-lights[data-ready="true"]')
    page.wait_for_selector('#cockpit-map[data-ready="true"]')
    assert page.locator("#cockpit-lights canvas").count() >= 1
    assert page.locator("#cockpit-map canvas").count() >= 1


def test_a_leader_reads_the_month_drills_into_red_projects_and_opens_the_wall_display(
    live_server, page, users, pipeline, screenshot
):
    errors: list[str] = []
    page.on("console", lambda message: console_error(message, errors))
    page.on("pageerror", lambda error: errors.append(f"page error: {error}\n{error.stack}"))
    today = timezone.localdate()
    year, month = default_month()
    red, yellow = pipeline["red"], pipeline["yellow"]
    as_of = page.get_by_test_id("as-of")

    # 1. By default the cockpit shows the last complete month, as of its last day.
    sign_in(page, live_server, "leader")
    page.get_by_role("navigation", name="功能模块").get_by_role("link", name="驾驶舱").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("驾驶舱")
    expect(as_of).to_contain_text(f"截至 {month_end(year, month).isoformat()}（{year} 年 {month} 月）")
    expect(page.get_by_test_id("month")).to_have_value(f"{year}-{month:02d}")

    # Switching to the month still running reads it as of today: the red project is red.
    page.get_by_test_id("month").fill(f"{today:%Y-%m}")
    page.get_by_test_id("switch-month").click()
    expect(as_of).to_contain_text(f"截至 {today.isoformat()}（{today.year} 年 {today.month} 月）")
    expect(page).to_have_url(re.compile(rf"/cockpit/\?month={today:%Y-%m}$"))
    expect(page.get_by_test_id("month")).to_have_value(f"{today:%Y-%m}")
    expect(page.get_by_test_id("light-red").locator(".h2")).to_have_text("1")
    expect(page.get_by_test_id("light-yellow").locator(".h2")).to_have_text("1")

    # 2. The charts are drawn, the map once its GeoJSON has arrived.
    charts_drawn(page)
    assert screenshot(page, "cockpit").stat().st_size > 10_000

    # 3. The map recolours by yellow projects and back by red ones, without a browser error.
    assert page.evaluate(MAP_OPTION) == {"colours": ["#fdeaea", "#d63939"], "total": 1}
    figure = page.locator("#cockpit-map-figure")
    figure.select_option(label="黄灯项目数")
    assert page.evaluate(MAP_OPTION) == {"colours": ["#fff4db", "#f59f00"], "total": 1}
    figure.select_option(label="红灯项目数")
    expect(figure).to_have_value("red")
    assert page.evaluate(MAP_OPTION) == {"colours": ["#fdeaea", "#d63939"], "total": 1}
    assert errors == []

    # 4. The red count leads to the project list filtered to red lights as of the same day.
    page.get_by_test_id("light-red").click()
    expect(page).to_have_url(f"{live_server.url}/projects/?light=red&as_of={today.isoformat()}")
    expect(page.get_by_test_id("summary")).to_contain_text(f"截至 {today.isoformat()}，共 1 个项目：红灯 1")
    expect(page.get_by_label("亮灯", exact=True)).to_have_value("red")
    expect(page.get_by_label("截至日期")).to_have_value(today.isoformat())
    table = page.get_by_test_id("project-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text(red.name)
    expect(table).to_contain_text(red.code)
    expect(table).not_to_contain_text(yellow.name)
    expect(table).not_to_contain_text(yellow.code)
    screenshot(page, "cockpit-red-projects")

    # 5. Back on the cockpit, the wall display shows the same month and the same red count.
    page.go_back()
    expect(as_of).to_contain_text(f"截至 {today.isoformat()}")
    page.get_by_test_id("screen").click()
    expect(page).to_have_url(re.compile(rf"/cockpit/\?month={today:%Y-%m}&screen=1$"))
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    expect(as_of).to_contain_text(f"截至 {today.isoformat()}")
    expect(as_of.get_by_role("link", name="退出大屏")).to_be_visible()
    expect(page.get_by_test_id("light-red").locator(".h2")).to_have_text("1")
    charts_drawn(page)
    screenshot(page, "cockpit-screen")
    assert errors == []
