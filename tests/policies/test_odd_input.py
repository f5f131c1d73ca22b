"""Odd values typed into the policy pages' query strings and forms (², a 25-digit id, an unknown choice, a
date that is not one) show the page again with a Chinese message; they never cause a server error."""

import pytest

from kuochan.audit.models import Source
from kuochan.policies.models import Application
from kuochan.policies.services import application_create

ODD = ["²", "9" * 25, "foo", "2026-13-45"]
LISTS = {
    "/policies/applications/": ["queue", "status", "year", "export"],
    "/policies/funds/": ["year", "export"],
    "/policies/equipment-grant/matches/": ["as_of", "year", "status", "export"],
    "/policies/": ["export"],
}


@pytest.mark.parametrize("url", LISTS)
def test_odd_query_values_are_ignored_with_a_message(url, grant, users, login):
    client = login(users["city_staff"])
    for name in LISTS[url]:
        for value in ODD:
            page = client.get(url, {name: value})
            assert page.status_code == 200, (name, value)
            assert "无效，已忽略" in page.content.decode(), (name, value)


def test_an_odd_date_on_the_enterprise_s_policies_is_ignored_with_a_message(grant, enterprise_user, login):
    page = login(enterprise_user).get(
        f"/policies/enterprise/{enterprise_user.enterprise_id}/", {"as_of": "²"}
    )
    assert page.status_code == 200 and "无效，已忽略" in page.content.decode()


def test_odd_values_posted_on_policy_forms_are_refused_in_chinese(
    grant, equipped, users, enterprise_user, login
):
    city = login(users["city_staff"])
    for data, message in (
        ({"form": "budget", "year": "²", "amount_wan": "100"}, "年度"),
        ({"form": "budget", "year": "2026", "amount_wan": "1e999999"}, "预算（万元）"),
        ({"form": "policy", "rule": "{}", "publicity_days": "9" * 25}, "公示天数"),
        ({"form": "policy", "rule": "{}", "period_start": "2026-02-30"}, "执行起始日期"),
    ):
        page = city.post("/policies/equipment-grant/", data, follow=True)
        assert page.status_code == 200 and message in page.content.decode(), data
    for data in ({"year": "²", "pick": "1:"}, {"year": "2026", "pick": ["²:1", f"{'9' * 25}:"]}):
        page = city.post("/policies/equipment-grant/matches/", data, follow=True)
        assert page.status_code == 200 and "alert-danger" in page.content.decode(), data
    own = login(enterprise_user)
    page = own.post(
        "/policies/equipment-grant/apply/", {"project": "9" * 25, "requested_wan": "²"}, follow=True
    )
    assert page.status_code == 200 and "申请金额（万元）" in page.content.decode()
    application = application_create(
        actor=enterprise_user, source=Source.WEB, policy=grant, enterprise=enterprise_user.enterprise,
        project=equipped["red"],
    )  # fmt: skip
    for data in (
        {"action": "save", "requested_wan": "²"},
        {"action": "foo"},
        {"action": "submit", "amount_wan": "x"},
    ):
        page = own.post(application.get_absolute_url(), data, follow=True)
        assert page.status_code == 200 and "alert-danger" in page.content.decode(), data
    assert Application.objects.get().status == "draft"
