"""In headless Chromium: a unit's name with markup in it shows in the charts' tooltips as the text it is, and
no element of it reaches the page. A district's staff may rename their units, and a tooltip is HTML."""

import pytest
from playwright.sync_api import expect

from kuochan.orgs.models import OrgUnit
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKUP = "吴兴区<img src=x id=injected><b>粗</b>"

# Where the map draws a region (its centre, in page coordinates), to put the mouse on it.
REGION_POINT = """([id, region]) => {
  const element = document.getElementById(id);
  const [x, y] = echarts.getInstanceByDom(element).convertToPixel({ seriesIndex: 0 }, region);
  const box = element.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def hover_region(page, chart_id: str, region: str):
    """Moves the mouse onto the region and returns the tooltip that shows for it."""
    page.wait_for_selector(f'#{chart_id}[data-ready="true"]')
    page.locator(f"#{chart_id}").scroll_into_view_if_needed()
    x, y = page.evaluate(REGION_POINT, [chart_id, region])
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)
    # ECharts puts the tooltip in a box of its own beside the canvas, inside the chart's element
    tooltip = page.locator(f"#{chart_id} > div:not(:has(canvas))").filter(has_text="粗")
    expect(tooltip).to_be_visible()
    return tooltip


def assert_shown_as_text(page, tooltip) -> None:
    assert page.locator("#injected").count() == 0
    assert tooltip.locator("img").count() == 0
    assert MARKUP in tooltip.inner_text()
    assert "粗" not in tooltip.locator("b").all_text_contents()  # no <b> made from the name


@pytest.fixture
def renamed(users):
    OrgUnit.objects.filter(code="330502").update(name=MARKUP)


def test_the_home_map_tooltip_shows_a_unit_name_with_markup_as_text(live_server, page, renamed):
    sign_in(page, live_server, "wuxing")
    tooltip = hover_region(page, "home-map", "吴兴区")
    assert_shown_as_text(page, tooltip)


def test_the_cockpit_map_tooltip_shows_a_unit_name_with_markup_as_text(live_server, page, renamed):
    sign_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/cockpit/")
    tooltip = hover_region(page, "cockpit-map", "吴兴区")
    assert_shown_as_text(page, tooltip)
