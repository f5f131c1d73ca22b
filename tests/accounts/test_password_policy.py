"""The password policy: at least 10 characters of three kinds, and a password older than 90 days must be
changed before anything else."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from kuochan.accounts.models import User
from tests.conftest import PASSWORD

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
