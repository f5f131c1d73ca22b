"""Odd values in the plan pages' query strings and forms: the page again with a Chinese message, never a
server error, and nothing written."""

import datetime as dt

import pytest

from kuochan.orgs.models import OrgUnit
from kuochan.targets.models import Actual, DistrictTarget

pytestmark = pytest.mark.django_db

# `²` passes str.isdigit() but not int(); 25 digits overflow a database integer.
ODD = ["²", "9" * 25, "-1", "foo", "2026-13", "1e999999", "\x00", "٣"]
PAGES = ["/targets/", "/targets/check/", "/targets/progress/", "/targets/decomposition/", "/targets/ranking/"]
PARAMETERS = ["plan", "as_of", "district", "indicator"]


@pytest.mark.parametrize("path", PAGES)
def test_every_parameter_of_every_plan_page_takes_odd_values_without_an_error(huzhou, users, login, path):
    client = login(users["city_staff"])
    for name in PARAMETERS:
        for value in ODD:
            assert client.get(path, {name: value}).status_code == 200, (path, name, value)


def test_the_forecast_page_takes_an_odd_month_and_says_so(huzhou, users, login):
    page = login(users["city_staff"]).get("/targets/forecast/", {"as_of": "2026-13"}).content.decode()
    assert "筛选条件「截至月份」的值“2026-13”无效，已忽略" in page


def test_odd_figures_typed_into_the_decomposition_are_refused_in_chinese(huzhou, users, login):
    wuxing = OrgUnit.objects.get(code="330502")
    client = login(users["city_staff"])
    for value in ("NaN", "Infinity", "-Infinity", "1e30", "9" * 25, "²", "十"):
        page = client.post(
            "/targets/decomposition/",
            {"indicator": "renovation_investment", "action": "save", f"t-{wuxing.pk}-2026": value},
            follow=True,
        )
        assert page.status_code == 200 and "吴兴区 2026 年目标" in page.content.decode(), value
    assert client.post("/targets/decomposition/", {"indicator": "²", "action": "foo"}).status_code == 302
    assert not DistrictTarget.objects.exists()


def test_odd_statistics_entered_on_the_progress_page_are_refused_in_chinese(huzhou, users, login):
    city = OrgUnit.objects.get(code="330500")
    client = login(users["city_staff"])
    good = {"indicator": "renovation_investment", "unit": city.pk, "month": "2026-01", "value": "12"}
    for change in (
        {"unit": "²"}, {"unit": "9" * 25}, {"month": "2026-13"}, {"month": "²"}, {"value": "NaN"},
        {"value": "1e30"}, {"value": "Infinity"}, {"note": "长" * 300}, {"indicator": "²"},
    ):  # fmt: skip
        page = client.post("/targets/progress/", good | change, follow=True)
        assert page.status_code == 200, change
        assert [m.level_tag for m in page.context["messages"]] == ["error"], change
    assert not Actual.objects.exists()
    client.post("/targets/progress/", good)
    assert Actual.objects.get().month == dt.date(2026, 1, 1)
