"""What every endpoint shares: refusals in one shape with Chinese messages by field, no NUL characters or
out-of-range numbers reaching the database, bounded pages, and a complete OpenAPI schema."""

import pytest
from ninja import Schema

from kuochan.core.api import api

pytestmark = pytest.mark.django_db


def test_input_the_schema_refuses_comes_back_in_chinese_by_field(pipeline, users, login):
    client = login(users["city_staff"])
    response = client.post(
        "/api/v1/projects",
        {"name": "x" * 201, "enterprise": "abc", "total_wan": "1.234"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "输入有误。"
    assert response.json()["errors"] == {
        "name": ["最多 200 个字符。"],
        "enterprise": ["应为整数。"],
        "total_wan": ["最多保留 2 位小数。"],
    }
    assert client.get("/api/v1/projects/0").json()["errors"] == {"project_id": ["应不小于 1。"]}


def test_a_body_that_is_not_json_is_refused_in_chinese(pipeline, users, login):
    response = login(users["city_staff"]).post("/api/v1/projects", "{", content_type="application/json")
    assert response.status_code == 400 and response.json() == {"detail": "请求体不是有效的 JSON。"}


def test_nul_characters_are_refused_before_they_reach_the_database(pipeline, users, login):
    client = login(users["city_staff"])
    assert client.get("/api/v1/enterprises", {"q": "织里\x00"}).json()["errors"] == {
        "q": ["不能包含空字符（\\0）。"]
    }
    response = client.patch(
        f"/api/v1/org-units/{users['wuxing'].org_unit_id}",
        {"note": "a\x00b"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"] == {"note": ["不能包含空字符（\\0）。"]}


def test_numbers_beyond_what_the_database_holds_are_refused(pipeline, users, login):
    client = login(users["city_staff"])
    assert client.get("/api/v1/enterprises", {"offset": 10**20}).status_code == 422
    assert client.get("/api/v1/enterprises", {"district": 10**20}).status_code == 422
    assert client.get(f"/api/v1/enterprises/{10**20}").status_code == 422
    assert client.post("/api/v1/evaluation/45100/run").json()["errors"] == {"year": ["应不大于 2100。"]}
    assert client.get("/api/v1/projects/lights", {"as_of": "0001-01-01"}).status_code == 422


def test_pages_are_bounded(pipeline, users, login):
    client = login(users["city_staff"])
    assert client.get("/api/v1/enterprises", {"limit": 1001}).json()["errors"] == {
        "limit": ["应不大于 1000。"]
    }
    page = client.get("/api/v1/enterprises", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3 and len(page["items"]) == 2


def test_a_missing_object_and_one_outside_scope_look_the_same(pipeline, users, login):
    client = login(users["nanxun"])
    missing = client.get("/api/v1/projects/999999")
    elsewhere = client.get(f"/api/v1/projects/{pipeline['red'].pk}")
    assert missing.status_code == elsewhere.status_code == 404
    assert missing.json() == elsewhere.json() == {"detail": "不存在，或不在您的数据范围内。"}


def test_no_login_gets_401_in_chinese(client):
    response = client.get("/api/v1/projects")
    assert response.status_code == 401 and "令牌" in response.json()["detail"]


def test_every_operation_is_documented_with_its_answers(users, login):
    schema = login(users["wuxing"]).get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("tags"), where
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, where
            for code in success:
                if code != "204":
                    assert "schema" in operation["responses"][code]["content"]["application/json"], where
            if operation.get("security"):
                assert {"401", "403", "404", "422"} <= set(operation["responses"]), where


def test_no_two_schemas_share_a_name():
    """The OpenAPI components are named after the classes: two schemas of one name would document one
    operation with the other's shape."""
    api.get_openapi_schema()
    seen: dict[str, str] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("kuochan.") and "." not in sub.__qualname__:  # nested: query params
                where = f"{sub.__module__}.{sub.__qualname__}"
                assert seen.setdefault(sub.__name__, where) == where, f"{where} and {seen[sub.__name__]}"
            walk(sub)

    walk(Schema)


def test_the_administrators_of_three_duties_reach_no_business_data(pipeline, huzhou, bearer, client):
    """Their data scope is empty; where a read is not filtered by scope (the plan, supervision, the policy
    catalogue, the market), they are refused outright, as the pages refuse them."""
    from kuochan.accounts.models import Role
    from tests.conftest import make_user

    headers = bearer(make_user("shenji", Role.AUDITOR, huzhou["330500"]))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/projects", headers=headers).json()["count"] == 0
    for path in (
        "/api/v1/targets/plans",
        "/api/v1/cockpit/tasks",
        "/api/v1/policies/",
        "/api/v1/resources/listings",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 403 and response.json()["detail"] == "安全审计员不能访问业务数据。", (
            path
        )
