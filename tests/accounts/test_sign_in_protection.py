"""Sign-in protection: every sign-in and failure is logged; an account (5 failures in 15 minutes) or an
address (20) is locked before its password is checked; an idle session ends."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from kuochan.accounts.models import SecurityEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, ip="10.0.0.8"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_sign_ins_failures_and_sign_outs_are_logged_with_their_address(users, client):
    sign_in(client, "wuxing", "wrong-password")
    assert sign_in(client, "wuxing", PASSWORD).status_code == 302
    client.post("/logout/")
    events = [(e.kind, e.username, e.ip) for e in SecurityEvent.objects.order_by("id")]
    assert events == [
        ("failed", "wuxing", "10.0.0.8"),
        ("login", "wuxing", "10.0.0.8"),
        ("logout", "wuxing", "127.0.0.1"),
    ]


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(users, client):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            sign_in(client, "wuxing", "wrong-password")
        refused = sign_in(client, "wuxing", PASSWORD)
        page = refused.content.decode()
        assert refused.status_code == 200
        assert "该账号 15 分钟内登录失败 5 次，已暂时锁定" in page
        assert "_auth_user_id" not in client.session
        assert SecurityEvent.objects.filter(kind="locked", username="wuxing").count() == 1
        assert sign_in(client, "nanxun", PASSWORD).status_code == 302  # another account is not affected
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 16, tzinfo=dt.UTC), tick=False):
        assert sign_in(client, "wuxing", PASSWORD).status_code == 302


def test_an_address_is_locked_after_twenty_failures_across_accounts(users, client):
    for n in range(20):
        sign_in(client, f"guess{n}", "wrong-password", ip="203.0.113.9")
    refused = sign_in(client, "city", PASSWORD, ip="203.0.113.9")
    assert "您所在地址 15 分钟内登录失败 20 次，已暂时锁定" in refused.content.decode()
    assert sign_in(client, "city", PASSWORD, ip="10.0.0.8").status_code == 302


def test_an_idle_session_ends_and_activity_keeps_it(users, client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    start = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        sign_in(client, "wuxing", PASSWORD)
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert client.get("/projects/").status_code == 200  # active: the expiry moves on
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert client.get("/projects/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=81), tick=False):
        assert client.get("/projects/").status_code == 302  # idle 31 minutes: signed out


def test_a_user_name_with_a_nul_character_is_refused_like_a_wrong_one(users, client):
    page = client.post("/login/", {"username": "wuxing\x00", "password": "x\x00"})
    assert page.status_code == 200 and "_auth_user_id" not in client.session
