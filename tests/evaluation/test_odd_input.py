"""Odd values in the evaluation pages' query strings and forms: the page again with a Chinese message, never
a server error, and nothing written."""

import pytest

from kuochan.audit.models import Source
from kuochan.evaluation.models import EvaluationScheme, Exemption, KeyEnterprise
from kuochan.evaluation.services import evaluation_run
from kuochan.registry.models import Enterprise
from tests.evaluation.test_pages import form_of

pytestmark = pytest.mark.django_db

# `²` passes str.isdigit() but not int(); 25 digits overflow a database integer.
ODD = ["²", "9" * 25, "-1", "foo", "1e999999", "\x00", "٣"]

PAGES = {
    "/evaluation/": [
        "year",
        "district",
        "group",
        "class",
        "grade",
        "low",
        "treatment",
        "q",
        "page",
        "export",
    ],
    "/evaluation/low-efficiency/": ["year", "district", "page"],
    "/evaluation/carbon/": ["year"],
    "/evaluation/treatment/": ["year", "district"],
    "/evaluation/tracking/": ["year", "changed"],
    "/evaluation/exemptions/": ["year"],
    "/evaluation/scheme/": ["year"],
}


@pytest.fixture
def evaluated(with_metrics):
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    return with_metrics


@pytest.mark.parametrize("path", PAGES)
def test_every_filter_of_every_evaluation_page_takes_odd_values_without_an_error(
    evaluated, users, login, path
):
    client = login(users["city_admin"])
    for name in PAGES[path]:
        for value in ODD:
            response = client.get(path, {name: value})
            assert response.status_code == 200, (path, name, value)


def test_an_odd_year_or_district_is_named_on_the_page_and_ignored(evaluated, users, login):
    page = (
        login(users["city_staff"]).get("/evaluation/", {"year": "²", "district": "9" * 25}).content.decode()
    )
    assert "筛选条件「评价年度」的值“²”无效，已忽略" in page
    assert f"筛选条件「区县」的值“{'9' * 25}”无效，已忽略" in page
    assert "南浔木业有限公司" in page  # the latest year, every district


def test_posting_an_odd_year_to_recompute_is_refused_in_chinese(evaluated, users, login):
    page = login(users["city_staff"]).post("/evaluation/", {"year": "²"}, follow=True)
    assert page.status_code == 200 and "评价年度：" in page.content.decode()


@pytest.mark.parametrize("path", ["/evaluation/tracking/", "/evaluation/exemptions/"])
def test_odd_removals_and_choices_are_refused_in_chinese_and_change_nothing(evaluated, users, login, path):
    client = login(users["city_staff"])
    KeyEnterprise.objects.create(enterprise=Enterprise.objects.get(uscc=evaluated[0]), reason="龙头企业")
    for data in (
        {"year": 2025, "remove": "²"},
        {"year": 2025, "remove": "9" * 25},
        {"year": "²", "remove": "1"},
        {"year": "9" * 25, "uscc": evaluated[1], "reason": "x"},
        {"year": 2025, "uscc": evaluated[1], "reason": "长" * 300},
        {"year": 2025, "uscc": "9" * 500, "reason": "x"},
    ):
        response = client.post(path, data, follow=True)
        assert response.status_code == 200, data
        assert response.context["messages"] and all(
            m.level_tag == "error" for m in response.context["messages"]
        )
    assert KeyEnterprise.objects.count() == 1 and not Exemption.objects.exists()


def test_the_scheme_editor_takes_odd_values_in_every_field_without_an_error(huzhou, users, login):
    stored = EvaluationScheme.objects.get(year=2025)
    client = login(users["city_admin"])
    data = form_of(stored.definition)
    odd = ("²", "9" * 25, "1e999999", "NaN", "-Infinity", "foo")
    for i, name in enumerate([*data, "t-²-treatment", f"t-{'9' * 25}-treatment", "t-x-treatment"]):
        # each field one odd value, in turn: saved when the field is free text (a note, a treatment's
        # wording), else refused on the page
        response = client.post("/evaluation/scheme/", data | {name: odd[i % len(odd)]})
        assert response.status_code in (200, 302), name
    versions = EvaluationScheme.objects.filter(year=2025).count()
    # a number of a million digits is named, not turned into a whole number for a minute
    page = client.post("/evaluation/scheme/", data | {"exempt-years": "1e999999"}).content.decode()
    assert "不参评成立年限：“1e999999”过大" in page
    page = client.post("/evaluation/scheme/", data | {"note": "长" * 300, "year": "²"}).content.decode()
    assert "修改说明：" in page and "评价年度：" in page
    assert EvaluationScheme.objects.filter(year=2025).count() == versions
