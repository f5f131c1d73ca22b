"""The 要素保障 API: the recommendation as the command gives it, approval and requests with the same checks
and scope as the pages."""

import json

from django.core.management import call_command


def test_recommendation_approval_and_requests_through_the_api(
    asked, city_pool, pipeline, users, login, capsys
):
    red, green = asked
    client = login(users["city_staff"])
    call_command("allocate", "--pool", str(city_pool.pk), "--format", "json")
    assert (
        client.get(f"/api/v1/resources/pools/{city_pool.pk}/recommendation").json()["requests"]
        == json.loads(capsys.readouterr().out)["requests"]
    )
    done = client.post(
        f"/api/v1/resources/pools/{city_pool.pk}/approve",
        {"approved": {green.pk: "500"}},
        content_type="application/json",
    )
    assert done.json() == {"approved": 1, "balance": "500.00"}
    refused = client.post(
        f"/api/v1/resources/pools/{city_pool.pk}/approve",
        {"approved": {red.pk: "600"}},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "不足分配给项目 600" in refused.json()["errors"]["__all__"][0]
    assert [p["balance"] for p in client.get("/api/v1/resources/pools").json()] == ["500.00"]
    assert login(users["nanxun"]).get(f"/api/v1/resources/pools/{city_pool.pk}/ledger").status_code == 404
    made = login(users["wuxing"]).post(
        "/api/v1/resources/requests",
        {
            "project_code": pipeline["yellow"].code,
            "pool": city_pool.pk,
            "amount": "50",
            "justification": "扩产",
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["minimum"] == "50.00"
