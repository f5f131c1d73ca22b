"""The second factor (TOTP) for administrators: binding an authenticator, signing in with a code, wrong
and replayed codes refused and counted towards the lockout, and the policy that makes it compulsory."""

import datetime as dt
import re

import pyotp
import pytest
import time_machine
from django.utils import timezone

from kuochan.accounts.models import SecurityEvent
from kuochan.accounts.services import policy_update
from kuochan.audit.models import Source
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def bind(client) -> pyotp.TOTP:
    """Bind an authenticator on the page as a user would: start, read the secret, confirm a code."""
    client.post("/accounts/otp/", {"action": "begin"})
    page = client.get("/accounts/otp/").content.decode()
    assert "<svg" in page  # the QR code to scan
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    totp = pyotp.TOTP(secret)
    assert client.post("/accounts/otp/", {"action": "confirm", "code": totp.now()}).status_code == 302
    return totp


def next_window(traveller):
    """The next 30-second window of the authenticator (a code already used cannot be used again)."""
    traveller.shift(dt.timedelta(seconds=30))


@pytest.fixture
def traveller():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def wrong_code(totp: pyotp.TOTP) -> str:
    """Six digits that are none of the codes accepted now (this window or either neighbour)."""
    accepted = {totp.at(timezone.now().timestamp() + 30 * offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def sign_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


def test_a_bound_administrator_signs_in_with_password_and_code(users, login, client, traveller):
    totp = bind(login(users["city_admin"]))
    next_window(traveller)
    client.logout()
    first = sign_in(client, "admin")
    assert first.status_code == 302 and first.url == "/login/code/"
    assert client.get("/projects/").status_code == 302  # not signed in between the two steps
    wrong = client.post("/login/code/", {"code": wrong_code(totp)})
    assert "动态口令不正确" in wrong.content.decode()
    assert client.post("/login/code/", {"code": totp.now()}).status_code == 302
    assert client.get("/projects/").status_code == 200
    kinds = list(SecurityEvent.objects.filter(username="admin").values_list("kind", "detail"))
    assert ("otp_failed", "") in kinds and ("login", "密码+动态口令") in kinds
    assert SecurityEvent.objects.filter(kind="totp_on", username="admin").exists()


def test_a_code_works_once(users, login, client, traveller):
    totp = bind(login(users["city_admin"]))
    next_window(traveller)
    code = totp.now()
    client.logout()
    sign_in(client, "admin")
    client.post("/login/code/", {"code": code})
    client.logout()
    sign_in(client, "admin")
    replay = client.post("/login/code/", {"code": code})
    assert replay.status_code == 200 and "动态口令不正确" in replay.content.decode()


def test_wrong_codes_lock_the_account_like_wrong_passwords(users, login, client, traveller):
    totp = bind(login(users["city_admin"]))
    next_window(traveller)
    client.logout()
    sign_in(client, "admin")
    for _ in range(5):
        client.post("/login/code/", {"code": wrong_code(totp)})
    locked = client.post("/login/code/", {"code": totp.now()}, follow=True)
    assert "已暂时锁定" in locked.content.decode()
    assert client.get("/projects/").status_code == 302


def test_the_policy_makes_administrators_bind_an_authenticator(users, admins, client):
    policy_update(actor=admins["security"], source=Source.WEB, admin_totp_required=True)
    client.force_login(users["city_admin"])
    sent = client.get("/projects/")
    assert sent.status_code == 302 and sent.url == "/accounts/otp/"
    client.force_login(users["wuxing"])  # district staff are not administrators
    assert client.get("/projects/").status_code == 200


def test_the_security_admin_unbinds_a_lost_authenticator(users, admins, login, client):
    bind(login(users["city_admin"]))
    login(admins["security"]).post(f"/accounts/users/{users['city_admin'].pk}/", {"action": "totp-reset"})
    users["city_admin"].refresh_from_db()
    assert not users["city_admin"].totp_enabled
    client.logout()
    assert sign_in(client, "admin").url == "/"  # password only again
    assert SecurityEvent.objects.filter(
        kind="totp_off", username="admin", detail__contains="secadmin"
    ).exists()


def test_a_district_user_is_not_offered_a_second_factor(users, login):
    assert login(users["wuxing"]).get("/accounts/otp/").status_code == 403
