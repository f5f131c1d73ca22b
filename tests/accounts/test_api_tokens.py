import pytest
from django.core.management import call_command

from kuochan.accounts.models import ApiToken, hash_token
from kuochan.accounts.services import token_create
from kuochan.audit.models import Source

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_hash(users):
    issued = token_create(actor=users["wuxing"], source=Source.WEB, user=users["wuxing"], name="区县数据同步")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.raw.startswith("kc_") and len(issued.raw) > 40
    assert stored.digest == hash_token(issued.raw)
    assert issued.raw not in {stored.digest, stored.prefix, stored.name}


def test_me_answers_with_the_token_owner_and_scope(users, client):
    raw = token_create(actor=users["wuxing"], source=Source.WEB, user=users["wuxing"], name="同步").raw
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "wuxing" and body["role"] == "district_staff"
    assert body["org_unit"]["code"] == "330502"
    assert body["scope"] == "吴兴区及下属单位"
    assert ApiToken.objects.get(user=users["wuxing"]).last_used_at is not None


def test_wrong_and_revoked_tokens_are_refused(users, client, login):
    raw = token_create(actor=users["wuxing"], source=Source.WEB, user=users["wuxing"], name="同步").raw
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer kc_guessed"}).status_code == 401
    token = ApiToken.objects.get(user=users["wuxing"])
    login(users["wuxing"]).post(f"/accounts/me/tokens/{token.pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_deactivated_user_token_stops_working(users, client):
    raw = token_create(actor=users["wuxing"], source=Source.WEB, user=users["wuxing"], name="同步").raw
    users["wuxing"].is_active = False
    users["wuxing"].save()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_user_page_creates_a_token_shown_once(users, login):
    client = login(users["wuxing"])
    page = client.post("/accounts/me/", {"name": "数据同步脚本"}).content.decode()
    token = ApiToken.objects.get(user=users["wuxing"])
    assert "只显示这一次" in page and token.prefix in page
    later = client.get("/accounts/me/").content.decode()
    assert "数据同步脚本" in later and "只显示这一次" not in later


def test_user_page_refuses_a_token_without_a_purpose(users, login):
    page = login(users["wuxing"]).post("/accounts/me/", {"name": "  "}).content.decode()
    assert "请填写令牌用途" in page
    assert not ApiToken.objects.exists()


def test_a_user_cannot_revoke_someone_elses_token(users, login):
    issued = token_create(actor=users["nanxun"], source=Source.WEB, user=users["nanxun"], name="南浔")
    response = login(users["wuxing"]).post(f"/accounts/me/tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


def test_cli_token_create_prints_a_working_token(users, client, capsys):
    call_command("token", "create", "nanxun", "--name", "脚本", "--format", "json")
    import json

    raw = json.loads(capsys.readouterr().out)["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json()["username"] == "nanxun"
    call_command("token", "revoke", raw[:10])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_token_purpose_with_a_nul_character_is_refused_with_a_message(users, login):
    page = login(users["wuxing"]).post("/accounts/me/", {"name": "同步\x00"})
    assert page.status_code == 200 and "令牌用途" in page.content.decode()
    assert not users["wuxing"].api_tokens.exists()
