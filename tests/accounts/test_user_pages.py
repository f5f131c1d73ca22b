import pytest

from kuochan.accounts.models import User
from kuochan.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_city_admin_creates_a_district_user_from_the_web(huzhou, users, login, client):
    response = login(users["city_admin"]).post(
        "/accounts/users/",
        {
            "username": "deqing",
            "full_name": "德清经信局",
            "role": "district_staff",
            "org_unit": huzhou["330521"].pk,
            "password": "Deqing-2026-secure",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="deqing")
    assert created.org_unit == huzhou["330521"] and created.check_password("Deqing-2026-secure")
    entry = AuditEntry.objects.get(content_type__model="user", object_id=str(created.pk))
    assert entry.actor == users["city_admin"] and entry.source == "web"
    assert "password" not in entry.changes


def test_weak_password_and_taken_username_are_explained_in_chinese(huzhou, users, login):
    response = login(users["city_admin"]).post(
        "/accounts/users/",
        {"username": "wuxing", "role": "district_staff", "org_unit": huzhou["330521"].pk, "password": "123"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "用户名“wuxing”已存在" in page
    assert 'value="123"' not in page
    assert User.objects.filter(username="wuxing").count() == 1


def test_only_city_admins_manage_users(users, login):
    assert login(users["city_staff"]).get("/accounts/users/").status_code == 403
    assert login(users["wuxing"]).get("/accounts/users/").status_code == 403


def test_a_district_user_cannot_open_another_districts_user(users, login):
    client = login(users["wuxing"])
    assert client.get(f"/accounts/users/{users['wuxing'].pk}/").status_code == 200
    assert client.get(f"/accounts/users/{users['nanxun'].pk}/").status_code == 404
