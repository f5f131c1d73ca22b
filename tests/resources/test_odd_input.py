"""Odd values typed into the resources pages' query strings and forms (², a 25-digit id, an unknown choice
such as status=foo on the factory-space market, a date that is not one) show the page again with a Chinese
message; they never cause a server error."""

import pytest

from kuochan.resources.models import Listing, Movement, Request

ODD = ["²", "9" * 25, "foo", "2026-13-45"]
LISTS = {
    "/resources/": ["year", "export"],
    "/resources/requests/": ["status", "project", "export"],
    "/resources/advances/": ["export"],
    "/resources/spaces/": ["status", "min_area", "max_rent", "export"],
}

NUMBERS = {"min_area", "max_rent"}


@pytest.mark.parametrize("url", LISTS)
def test_odd_query_values_are_ignored_with_a_message(url, users, login):
    client = login(users["city_staff"])
    for name in LISTS[url]:
        for value in ODD:
            page = client.get(url, {name: value})
            assert page.status_code == 200, (name, value)
            if not (name in NUMBERS and value.isascii() and value.isdigit()):  # a long number is still one
                assert "无效，已忽略" in page.content.decode(), (name, value)


def test_odd_values_posted_on_resources_forms_are_refused_in_chinese(asked, city_pool, huzhou, users, login):
    client = login(users["city_staff"])
    pool = f"/resources/pools/{city_pool.pk}/"
    for url, data in (
        ("/resources/", {"org_unit": "²", "element": "energy", "amount": "10"}),
        (
            "/resources/",
            {"org_unit": huzhou["330503"].pk, "element": "foo", "amount": "10", "year": "9" * 25},
        ),
        (pool, {"action": "approve", "pick": ["²", "9" * 25]}),
        (pool, {"action": "approve", "pick": [asked[0].pk], f"amount-{asked[0].pk}": "1e999999"}),
        (pool, {"action": "transfer", "to_pool": "9" * 25, "amount": "1"}),
        (
            pool,
            {"action": "advance", "borrower": "²", "amount": "1", "due_on": "2026-02-30", "due_amount": "1"},
        ),
        (pool, {"action": "release", "request": "9" * 25, "amount": "1"}),
        (pool, {"action": "foo"}),
        ("/resources/requests/", {"request": "²"}),
        ("/resources/advances/", {"advance": "9" * 25, "amount": "1"}),
        ("/resources/spaces/", {"code": "X-1", "area": "9" * 25, "floor_area_m2": "²"}),
        ("/resources/spaces/", {"code": "X-1", "area": huzhou["330502"].pk, "available_from": "2026-13-45"}),
        ("/resources/needs/", {"action": "survey", "year": "²"}),
        ("/resources/needs/", {"uscc": "x", "district": "9" * 25, "needed_by": "foo", "min_area_m2": "²"}),
    ):
        page = client.post(url, data, follow=True)
        assert page.status_code == 200 and "alert-danger" in page.content.decode(), (url, data)
    assert Movement.objects.count() == 1 and not Listing.objects.exists()
    assert Request.objects.filter(status="pending").count() == 2
