"""Accounts under 三员分立: the system administrator creates and maintains accounts, the security
administrator gives them roles, and neither can do the other's part nor touch an administrator's account."""

import pytest

from kuochan.accounts.models import Role, SecurityEvent, User
from kuochan.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {"username": "deqing", "full_name": "德清经信局", "password": "Moganshan-2026-kc"}


def test_the_system_admin_creates_an_account_which_waits_for_its_role(huzhou, admins, login, client):
    response = login(admins["system"]).post(
        "/accounts/users/", {**NEW_ACCOUNT, "org_unit": huzhou["330521"].pk, "role": "city_admin"}
    )
    assert response.status_code == 302
    created = User.objects.get(username="deqing")
    assert created.role == Role.PENDING  # a posted role is ignored: roles are not the system admin's
    assert created.org_unit == huzhou["330521"] and created.check_password("Moganshan-2026-kc")
    entry = AuditEntry.objects.get(content_type__model="user", object_id=str(created.pk))
    assert entry.actor_id == admins["system"].pk and entry.source == "web"
    assert "password" not in entry.changes

    client.force_login(created)
    assert client.get("/").url == "/accounts/me/"
    assert "无（角色尚未分配）" in client.get("/accounts/me/").content.decode()
    assert client.get("/projects/").status_code == 403


def test_weak_password_and_taken_username_are_explained_in_chinese(huzhou, users, admins, login):
    response = login(admins["system"]).post(
        "/accounts/users/", {"username": "wuxing", "org_unit": huzhou["330521"].pk, "password": "123"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "用户名“wuxing”已存在" in page
    assert 'value="123"' not in page
    assert User.objects.filter(username="wuxing").count() == 1


def test_the_security_admin_assigns_the_role_and_the_account_can_work(huzhou, admins, login, client):
    login(admins["system"]).post("/accounts/users/", {**NEW_ACCOUNT, "org_unit": huzhou["330521"].pk})
    created = User.objects.get(username="deqing")
    page = login(admins["security"]).get(f"/accounts/users/{created.pk}/").content.decode()
    assert 'data-testid="role-form"' in page and 'data-testid="edit-form"' not in page
    assigned = client.post(f"/accounts/users/{created.pk}/", {"action": "role", "role": "district_staff"})
    assert assigned.status_code == 302
    created.refresh_from_db()
    assert created.role == Role.DISTRICT_STAFF
    change = AuditEntry.objects.filter(content_type__model="user", object_id=str(created.pk)).first()
    assert (
        change.changes == {"role": ["pending", "district_staff"]} and change.actor_id == admins["security"].pk
    )
    client.force_login(created)
    assert client.get("/projects/").status_code == 200


def test_neither_administrator_can_do_the_others_part(huzhou, users, admins, login):
    system = login(admins["system"])
    page = system.get(f"/accounts/users/{users['wuxing'].pk}/").content.decode()
    assert 'data-testid="edit-form"' in page and 'data-testid="role-form"' not in page
    refused = system.post(f"/accounts/users/{users['wuxing'].pk}/", {"action": "role", "role": "city_admin"})
    assert refused.status_code == 403
    security = login(admins["security"])
    assert (
        security.post("/accounts/users/", {**NEW_ACCOUNT, "org_unit": huzhou["330521"].pk}).status_code == 403
    )
    assert (
        security.post(
            f"/accounts/users/{users['wuxing'].pk}/", {"action": "reset", "password": "Temp-2026-reset"}
        ).status_code
        == 403
    )
    assert not User.objects.filter(username="deqing").exists()
    users["wuxing"].refresh_from_db()
    assert users["wuxing"].role == Role.DISTRICT_STAFF and users["wuxing"].check_password(PASSWORD)


def test_no_administrator_manages_an_administrators_account_or_their_own_role(admins, login):
    auditor = admins["auditor"]
    refused = login(admins["system"]).post(
        f"/accounts/users/{auditor.pk}/", {"action": "reset", "password": "Temp-2026-reset"}
    )
    assert refused.status_code == 403
    security = login(admins["security"])
    assert (
        security.post(f"/accounts/users/{auditor.pk}/", {"action": "role", "role": "city_staff"}).status_code
        == 403
    )
    own = security.post(f"/accounts/users/{admins['security'].pk}/", {"action": "role", "role": "city_admin"})
    assert own.status_code == 403
    auditor.refresh_from_db()
    assert auditor.role == Role.AUDITOR and auditor.check_password(PASSWORD)


def test_only_the_cli_gives_an_administrators_role(huzhou, admins, login):
    login(admins["system"]).post("/accounts/users/", {**NEW_ACCOUNT, "org_unit": huzhou["330500"].pk})
    created = User.objects.get(username="deqing")
    page = (
        login(admins["security"])
        .post(f"/accounts/users/{created.pk}/", {"action": "role", "role": "auditor"})
        .content.decode()
    )
    assert "选择一个有效的选项" in page or "角色“auditor”无效" in page
    created.refresh_from_db()
    assert created.role == Role.PENDING


def test_a_reset_password_must_be_changed_at_the_next_sign_in(users, admins, login, client):
    login(admins["system"]).post(
        f"/accounts/users/{users['wuxing'].pk}/", {"action": "reset", "password": "Temp-2026-reset"}
    )
    assert SecurityEvent.objects.filter(kind="password_reset", username="wuxing").exists()
    client.logout()
    client.post("/login/", {"username": "wuxing", "password": "Temp-2026-reset"})
    sent = client.get("/projects/")
    assert sent.status_code == 302 and sent.url == "/accounts/password/"
    assert "管理员已重置您的密码" in client.get("/accounts/password/").content.decode()
    client.post(
        "/accounts/password/",
        {
            "old_password": "Temp-2026-reset",
            "new_password1": "Taihu-own-2026",
            "new_password2": "Taihu-own-2026",
        },
    )
    assert client.get("/projects/").status_code == 200
    assert SecurityEvent.objects.filter(kind="password", username="wuxing").exists()


def test_the_system_admin_deactivates_an_account_and_it_cannot_sign_in(users, admins, login, client):
    wuxing = users["wuxing"]
    form = {
        "action": "edit",
        "full_name": "吴兴经信局",
        "org_unit": wuxing.org_unit_id,
        "phone": "",
        "email": "",
    }
    login(admins["system"]).post(f"/accounts/users/{wuxing.pk}/", form)  # is_active unticked
    wuxing.refresh_from_db()
    assert not wuxing.is_active and wuxing.full_name == "吴兴经信局"
    client.logout()
    assert client.post("/login/", {"username": "wuxing", "password": PASSWORD}).status_code == 200


def test_a_district_user_cannot_open_another_districts_user(users, login):
    client = login(users["wuxing"])
    assert client.get(f"/accounts/users/{users['wuxing'].pk}/").status_code == 200
    assert client.get(f"/accounts/users/{users['nanxun'].pk}/").status_code == 404
