"""Accounts, roles, the policy and the security log through the API, under the same separation of duties
as the pages."""

import pytest

from kuochan.accounts.models import Role, User
from kuochan.accounts.services import token_create
from kuochan.audit.models import Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def as_user(user):
        token = token_create(actor=user, source=Source.WEB, user=user, name="接口测试").raw

        def call(method, path, body=None):
            return getattr(client, method)(
                f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )

        return call

    return as_user


def test_the_system_admin_creates_an_account_and_the_security_admin_gives_its_role(huzhou, admins, api):
    body = {"username": "deqing", "org_unit_id": huzhou["330521"].pk, "password": "Moganshan-2026-kc"}
    created = api(admins["system"])("post", "/users", body)
    assert created.status_code == 201 and created.json()["role"] == "pending"
    user_id = created.json()["id"]
    assert (
        api(admins["system"])("put", f"/users/{user_id}/role", {"role": "district_staff"}).status_code == 403
    )
    given = api(admins["security"])("put", f"/users/{user_id}/role", {"role": "district_staff"})
    assert given.status_code == 200 and given.json()["role_label"] == "区县工作人员"
    assert User.objects.get(pk=user_id).role == Role.DISTRICT_STAFF


def test_account_input_is_checked_with_chinese_messages(huzhou, users, admins, api):
    taken = api(admins["system"])(
        "post", "/users", {"username": "wuxing", "org_unit_id": huzhou["330521"].pk, "password": "x"}
    )
    assert taken.status_code == 422 and "已存在" in taken.json()["errors"]["username"][0]
    wrong = api(admins["system"])(
        "patch", f"/users/{users['enterprise'].pk}", {"enterprise_uscc": "91330500MA2B3C4D5X"}
    )
    assert wrong.status_code == 422 and "校验码" in wrong.json()["errors"]["enterprise_uscc"][0]


def test_a_district_user_cannot_manage_accounts_through_the_api(huzhou, users, api):
    body = {"username": "x1", "org_unit_id": huzhou["330502"].pk, "password": "Moganshan-2026-kc"}
    assert api(users["wuxing"])("post", "/users", body).status_code == 403
    assert (
        api(users["wuxing"])("put", f"/users/{users['nanxun'].pk}/role", {"role": "city_admin"}).status_code
        == 404
    )
    assert api(users["wuxing"])("get", "/security-events").status_code == 403


def test_the_policy_and_the_security_log_through_the_api(users, admins, api, client):
    weak = api(admins["security"])("patch", "/security-policy", {"security_log_days": 30})
    assert weak.status_code == 422 and "security_log_days" in weak.json()["errors"]
    stricter = api(admins["security"])("patch", "/security-policy", {"lockout_account_failures": 3})
    assert stricter.status_code == 200 and stricter.json()["lockout_account_failures"] == 3
    assert api(admins["auditor"])("get", "/security-policy").json()["lockout_account_failures"] == 3
    client.post("/login/", {"username": "nanxun", "password": "wrong"}, REMOTE_ADDR="10.2.2.2")
    events = api(admins["auditor"])("get", "/security-events?username=nanxun").json()["items"]
    assert [(e["kind_label"], e["ip"]) for e in events] == [("登录失败", "10.2.2.2")]
