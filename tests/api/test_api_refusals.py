"""What the API refuses and how: refusals go to the security log as the pages' do; the documentation needs a
signed-in user; unknown fields are refused, not ignored; a read-only role's write is a 403 whatever it sends."""

import pytest
from django.test import Client

from kuochan.accounts.models import SecurityEvent
from kuochan.accounts.selectors import security_policy
from kuochan.registry.models import Enterprise

pytestmark = pytest.mark.django_db


def denials() -> list[tuple[str, str, str]]:
    return list(
        SecurityEvent.objects.filter(kind="denied").order_by("id").values_list("username", "path", "detail")
    )


def test_a_refused_api_call_is_written_to_the_security_log_like_a_refused_page(users, client_for, bearer):
    page = client_for(users["wuxing"]).get("/accounts/security-log/")
    api = client_for(users["wuxing"]).get("/api/v1/security-events")
    by_token = client_for(users["nanxun"]).get("/api/v1/security-policy", headers=bearer(users["nanxun"]))
    assert page.status_code == api.status_code == by_token.status_code == 403
    assert denials() == [
        ("wuxing", "/accounts/security-log/", "只有安全审计员可以查看登录和安全日志。"),
        ("wuxing", "/api/v1/security-events", "只有安全审计员可以查看登录和安全日志。"),
        ("nanxun", "/api/v1/security-policy", "只有安全管理员和安全审计员可以查看安全策略。"),
    ]


def test_an_out_of_scope_object_asked_through_the_api_is_written_to_the_security_log(
    registered, users, client_for
):
    nanxun_enterprise = Enterprise.objects.get(uscc=registered[2])
    answer = client_for(users["wuxing"]).get(f"/api/v1/enterprises/{nanxun_enterprise.pk}")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "不存在，或不在您的数据范围内。"}  # the answer still tells nothing
    assert denials() == [
        ("wuxing", f"/api/v1/enterprises/{nanxun_enterprise.pk}", "不存在，或不在您的数据范围内。（404）")
    ]


def test_an_allowed_api_call_writes_nothing_to_the_security_log(registered, users, client_for):
    own = Enterprise.objects.get(uscc=registered[0])
    assert client_for(users["wuxing"]).get(f"/api/v1/enterprises/{own.pk}").status_code == 200
    assert denials() == []


def test_the_api_documentation_needs_a_signed_in_user(users, client, client_for, bearer):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302 and docs.url.startswith("/login/")
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 401 and "paths" not in schema.json()
    assert "请先登录" in schema.json()["detail"]
    assert (
        client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer kc_guessed"}).status_code == 401
    )
    assert client_for(users["wuxing"]).get("/api/v1/docs").status_code == 200
    assert "paths" in client_for(users["wuxing"]).get("/api/v1/openapi.json").json()
    assert "paths" in client.get("/api/v1/openapi.json", headers=bearer(users["wuxing"])).json()


def test_an_unknown_field_in_the_security_policy_is_refused(admins, client_for):
    before = security_policy().idle_minutes
    answer = client_for(admins["security"]).patch(
        "/api/v1/security-policy",
        {"idle_minutes": 20, "password_max_age": 30},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"password_max_age": ["没有这一项，请检查名称。"]}
    assert security_policy().idle_minutes == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/projects", {}),
        ("post", "/api/v1/projects", {"name": "x" * 500}),
        ("patch", "/api/v1/org-units/1", {"name": None}),
        ("post", "/api/v1/outreach/tickets", {"title": ""}),
        ("delete", "/api/v1/evaluation/key-enterprises/999999", None),
    ],
)
def test_a_leaders_write_through_the_api_is_refused_with_403(users, client_for, bearer, method, path, body):
    for client, headers in ((client_for(users["leader"]), {}), (Client(), bearer(users["leader"]))):
        answer = getattr(client, method)(path, body, content_type="application/json", headers=headers)
        assert answer.status_code == 403, answer.content
        assert answer.json()["detail"] == "领导（只读）角色只能查看，不能修改数据。"
