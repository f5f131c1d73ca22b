import pytest

pytestmark = pytest.mark.django_db


def test_health_needs_no_login_and_checks_the_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


def test_openapi_schema_lists_the_endpoints_and_bearer_auth(users, login):
    schema = login(users["wuxing"]).get("/api/v1/openapi.json").json()
    assert schema["info"]["title"].startswith("扩产通")
    for path in (
        "/api/v1/health",
        "/api/v1/me",
        "/api/v1/org-units",
        "/api/v1/org-units/{unit_id}",
        "/api/v1/audit",
    ):
        assert path in schema["paths"], path
    assert "TokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_uses_local_assets_only(users, login):
    page = login(users["wuxing"]).get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page


def test_session_login_also_reaches_the_api(users, login):
    assert login(users["leader"]).get("/api/v1/me").json()["role"] == "leader"


def test_validation_errors_come_back_in_chinese(huzhou, users, login):
    client = login(users["city_admin"])
    response = client.post(
        "/api/v1/org-units",
        {"parent_id": huzhou["330502"].pk, "code": "330502-T01", "name": "重复代码", "kind": "town"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "已被其他单位使用" in response.json()["errors"]["code"][0]


def test_audit_endpoint_is_scoped(huzhou, users, login):
    from kuochan.audit.models import Source
    from kuochan.orgs.services import org_unit_update

    org_unit_update(actor=users["nanxun"], source=Source.API, unit=huzhou["330503-T02"], note="南浔")
    org_unit_update(actor=users["wuxing"], source=Source.API, unit=huzhou["330502-T02"], note="吴兴")
    items = login(users["wuxing"]).get("/api/v1/audit?source=api").json()["items"]
    assert [item["changes"]["note"][1] for item in items] == ["吴兴"]
