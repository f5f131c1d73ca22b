"""In headless Chromium at a phone's 390×844: a district's staff open this year's round, tick two of their
library's enterprises and nominate them, without sideways scrolling. Screenshot: test-artifacts/phone-round.png."""

import datetime as dt

import pytest
from django.utils import timezone

from kuochan.cultivation.models import Entry, EntryStatus, Round
from tests.cultivation.round_setup import make_smart_round
from tests.web.test_phone_in_browser import MEASURE, PHONE
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


def test_a_district_nominates_on_a_phone(live_server, phone, users, huzhou, screenshot):
    r = make_smart_round(huzhou)
    today = timezone.localdate()
    Round.objects.filter(pk=r["round"].pk).update(
        opens_on=today - dt.timedelta(days=5), nomination_deadline=today + dt.timedelta(days=3),
        review_deadline=today + dt.timedelta(days=20),
    )  # fmt: skip
    sign_in(phone, live_server, "wuxing")
    phone.goto(f"{live_server.url}/cultivation/rounds/{r['round'].pk}/")
    assert phone.get_by_text("剩 3 天").first.is_visible()
    found = phone.evaluate(MEASURE)
    assert found["width"] <= found["viewport"], found
    nominate = phone.get_by_test_id("nominate")
    nominate.get_by_text(r["companies"]["甲"].name).click()
    nominate.get_by_text(r["companies"]["乙"].name).click()
    nominate.get_by_role("button", name="推荐选中的企业").click()
    phone.wait_for_load_state("load")
    assert phone.get_by_text("已推荐 2 家企业申报").is_visible()
    screenshot(phone, "phone-round")
    moved = Entry.objects.filter(pk__in=[r["entries"]["甲"].pk, r["entries"]["乙"].pk])
    assert set(moved.values_list("status", flat=True)) == {EntryStatus.APPLIED}
    assert phone.evaluate(MEASURE)["width"] <= PHONE["width"]
