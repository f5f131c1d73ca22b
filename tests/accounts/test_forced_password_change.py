"""After an administrator resets a password, the user owes a new one before anything else: the pages send
them to change it, the API refuses their session and their tokens (403, in Chinese), and the tokens they had
are revoked by the reset itself."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from kuochan.accounts.models import ApiToken
from kuochan.accounts.services import token_create, user_password_reset
from kuochan.audit.models import Source
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TEMPORARY = "Linshi-2026-reset"
OWN = "Huzhou-2026-kc"


def bearer(user) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token_create(actor=user, source=Source.WEB, user=user, name='同步').raw}"
    }


def reset_on_the_page(admins, user):
    client = Client()
    client.force_login(admins["system"])
    sent = client.post(f"/accounts/users/{user.pk}/", {"action": "reset", "password": TEMPORARY})
    assert sent.status_code == 302


def reset_through_the_api(admins, user):
    sent = Client().post(
        f"/api/v1/users/{user.pk}/password", {"password": TEMPORARY}, content_type="application/json",
        headers=bearer(admins["system"]),
    )  # fmt: skip
    assert sent.status_code == 200, sent.json()


def reset_on_the_command_line(admins, user):
    call_command("user", "password", user.username, "--password", TEMPORARY)


@pytest.mark.parametrize("reset", [reset_on_the_page, reset_through_the_api, reset_on_the_command_line])
def test_a_password_reset_revokes_the_users_api_tokens(users, admins, client, reset):
    wuxing = users["wuxing"]
    headers = bearer(wuxing)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    reset(admins, wuxing)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert not ApiToken.objects.filter(user=wuxing, revoked_at__isnull=True).exists()


def test_the_session_cannot_use_the_api_until_the_password_is_changed(pipeline, users, admins, client):
    wuxing = users["wuxing"]
    user_password_reset(actor=admins["system"], source=Source.WEB, user=wuxing, password=TEMPORARY)
    client.force_login(wuxing)
    for answer in (
        client.get("/api/v1/projects"),
        client.get(f"/api/v1/projects/{pipeline['red'].pk}"),
        client.patch(
            f"/api/v1/projects/{pipeline['red'].pk}", {"name": "改名"}, content_type="application/json"
        ),
    ):
        assert answer.status_code == 403
        assert answer.json()["detail"] == "管理员已重置您的密码，请先设置自己的新密码后再使用接口。"
    changed = client.post(
        "/accounts/password/", {"old_password": TEMPORARY, "new_password1": OWN, "new_password2": OWN}
    )
    assert changed.status_code == 302
    assert client.get("/api/v1/projects").status_code == 200


def test_a_token_made_after_the_reset_works_only_once_the_password_is_changed(users, admins, client):
    wuxing = users["wuxing"]
    user_password_reset(actor=admins["system"], source=Source.WEB, user=wuxing, password=TEMPORARY)
    headers = bearer(wuxing)
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 403 and "请先设置自己的新密码" in refused.json()["detail"]
    wuxing.set_password(OWN)
    wuxing.save()
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_the_session_cannot_use_the_api_with_an_expired_password(users, client):
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    wuxing = users["wuxing"]
    with time_machine.travel(start, tick=False):
        wuxing.set_password(PASSWORD)
        wuxing.save()
    with time_machine.travel(start + dt.timedelta(days=91), tick=False):
        client.force_login(wuxing)
        refused = client.get("/api/v1/me")
        assert refused.status_code == 403 and "已超过 90 天未修改" in refused.json()["detail"]
