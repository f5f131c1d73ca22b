"""The password policy: at least 10 characters of three kinds, and a password older than 90 days must be
changed before anything else."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from kuochan.accounts.models import Role, User
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-1A", "密码长度太短：至少 10 位，当前 8 位。"),
        ("onlylowercaseletters", "当前只有 1 类（小写字母）"),
        ("lowercase-and-symbols", "当前只有 2 类（小写字母、符号）"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    with translation.override("zh-hans"):  # as the pages show it
        with pytest.raises(ValidationError) as refused:
            validate_password(password)
        messages = refused.value.messages
    assert any(problem in message for message in messages), messages


def test_a_password_of_three_kinds_and_ten_characters_is_accepted():
    validate_password("Huzhou-2026-kc")


def test_an_old_password_must_be_changed_first(users, client):
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        user = User.objects.get(username="wuxing")
        user.set_password(PASSWORD)
        user.save()
    with time_machine.travel(start + dt.timedelta(days=91), tick=False):
        client.force_login(user)
        sent = client.get("/projects/")
        assert sent.status_code == 302 and sent.url == "/accounts/password/"
        page = client.get("/accounts/password/").content.decode()
        assert "已超过 90 天未修改" in page
        changed = client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": "Huzhou-2026-kc", "new_password2": "Huzhou-2026-kc"},
        )
        assert changed.status_code == 302
        assert client.get("/projects/").status_code == 200


@pytest.fixture
def pwtest(huzhou):
    return make_user("pwtest", Role.DISTRICT_STAFF, huzhou["330502"])


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Password123!", "太常见"),
        ("P@ssw0rd2026", "太常见"),
        ("Qwerty123456!", "太常见"),
        ("Pwtest12345!", "与用户名太相似"),
        (" " * 10 + "Aa1", "密码长度太短：至少 10 位，当前 3 位（首尾空格不计）。"),
    ],
)
def test_passwords_a_guesser_tries_first_are_refused(pwtest, password, problem):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, pwtest)
    messages = refused.value.messages
    assert any(problem in message for message in messages), messages


@pytest.mark.parametrize("password", ["Huzhou-2026-kc", "Zhili-Tongzhuang-88", "Wx#2026-Jigai-Xiangmu"])
def test_ordinary_strong_passwords_are_still_accepted(pwtest, password):
    validate_password(password, pwtest)


def test_none_of_the_last_five_passwords_can_be_used_again(pwtest):
    used = [f"Huzhou-{n}-Jigai!" for n in range(6)]
    for password in used:
        validate_password(password, pwtest)
        pwtest.set_password(password)
        pwtest.save()
    for password in used[1:]:
        with pytest.raises(ValidationError) as refused:
            validate_password(password, pwtest)
        assert refused.value.messages == ["不能使用最近 5 次用过的密码。"]
    validate_password(used[0], pwtest)  # six passwords ago: allowed again


def _change_on_the_page(client, user, password):
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    return response.status_code == 200 and "太常见" in response.content.decode()


def _create_on_the_page(client, user, password, admins, huzhou):
    client.force_login(admins["system"])
    response = client.post(
        "/accounts/users/", {"username": "deqing", "org_unit": huzhou["330521"].pk, "password": password}
    )
    return response.status_code == 200 and "太常见" in response.content.decode()


def _reset_on_the_page(client, user, password, admins, huzhou):
    client.force_login(admins["system"])
    response = client.post(f"/accounts/users/{user.pk}/", {"action": "reset", "password": password})
    return response.status_code == 200 and "太常见" in response.content.decode()


def _api(client, admins, path, body):
    client.force_login(admins["system"])
    response = client.post(f"/api/v1{path}", body, content_type="application/json")
    return response.status_code == 422 and "太常见" in response.json()["errors"]["password"][0]


def _create_through_the_api(client, user, password, admins, huzhou):
    return _api(
        client,
        admins,
        "/users",
        {"username": "deqing", "org_unit_id": huzhou["330521"].pk, "password": password},
    )


def _reset_through_the_api(client, user, password, admins, huzhou):
    return _api(client, admins, f"/users/{user.pk}/password", {"password": password})


def _command(*args):
    with pytest.raises(CommandError) as refused:
        call_command("user", *args)
    return refused.value.returncode == 2 and "太常见" in str(refused.value)


def _create_on_the_command_line(client, user, password, admins, huzhou):
    return _command(
        "create", "deqing", "--role", "district_staff", "--unit", "330521", "--password", password
    )


def _reset_on_the_command_line(client, user, password, admins, huzhou):
    return _command("password", user.username, "--password", password)


@pytest.mark.parametrize(
    "set_password",
    [
        _create_on_the_page,
        _reset_on_the_page,
        _create_through_the_api,
        _reset_through_the_api,
        _create_on_the_command_line,
        _reset_on_the_command_line,
    ],
)
def test_every_way_of_setting_a_password_refuses_a_common_one(users, admins, huzhou, client, set_password):
    wuxing = users["wuxing"]
    assert set_password(client, wuxing, "P@ssw0rd2026", admins, huzhou)
    wuxing.refresh_from_db()
    assert wuxing.check_password(PASSWORD) and not User.objects.filter(username="deqing").exists()


def test_the_change_password_page_refuses_a_common_password(users, client):
    assert _change_on_the_page(client, users["wuxing"], "Password123!")
    users["wuxing"].refresh_from_db()
    assert users["wuxing"].check_password(PASSWORD)


def test_the_change_password_page_refuses_the_current_password(users, client):
    client.force_login(users["wuxing"])
    page = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    ).content.decode()
    assert "不能使用最近 5 次用过的密码" in page
