"""The security policy is the security administrator's: the lockout, the password rules, the idle time and
the log's retention follow what they save, and nothing weaker than level 3 allows can be saved."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from kuochan.accounts.models import SecurityPolicy
from kuochan.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "password_min_length": 10, "password_classes": 3, "password_days": 90, "lockout_account_failures": 5,
    "lockout_address_failures": 20, "lockout_minutes": 15, "idle_minutes": 30, "security_log_days": 180,
}  # fmt: skip


def save_policy(client, **changes):
    return client.post("/accounts/policy/", {**DEFAULTS, **changes})


def test_a_stricter_lockout_applies_at_once(users, admins, login, client):
    assert save_policy(login(admins["security"]), lockout_account_failures=3).status_code == 302
    client.logout()
    for _ in range(3):
        client.post("/login/", {"username": "wuxing", "password": "wrong"})
    refused = client.post("/login/", {"username": "wuxing", "password": PASSWORD})
    assert "该账号 15 分钟内登录失败 3 次，已暂时锁定" in refused.content.decode()


def test_a_longer_minimum_length_applies_to_new_passwords(admins, login):
    validate_password("Huzhou-2026")  # 11 characters: enough by default
    save_policy(login(admins["security"]), password_min_length=12)
    with pytest.raises(ValidationError, match="至少 12 位"):
        validate_password("Huzhou-2026")


def test_the_idle_time_follows_the_policy(users, admins, login, client):
    save_policy(login(admins["security"]), idle_minutes=10)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(users["wuxing"])
        assert client.get("/projects/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=9), tick=False):
        assert client.get("/projects/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get("/projects/").status_code == 302  # idle 11 minutes


def test_nothing_weaker_than_level_three_can_be_saved(admins, login):
    page = save_policy(
        login(admins["security"]), password_min_length=6, security_log_days=90, idle_minutes=600
    ).content.decode()
    assert page.count("is-invalid") == 3
    assert not SecurityPolicy.objects.exists()


def test_only_the_security_admin_changes_the_policy_and_the_change_is_audited(users, admins, login):
    assert save_policy(login(users["city_admin"]), lockout_account_failures=10).status_code == 403
    assert save_policy(login(admins["system"]), lockout_account_failures=10).status_code == 403
    save_policy(login(admins["security"]), lockout_account_failures=4)
    entry = AuditEntry.objects.get(content_type__model="securitypolicy")
    assert entry.actor_name == "secadmin" and entry.changes["lockout_account_failures"] == [None, 4]
    assert "安全策略" in login(admins["auditor"]).get("/audit/").content.decode()
