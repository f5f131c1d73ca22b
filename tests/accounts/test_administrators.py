"""三员分立: the three administrators see no business data, each reaches only the pages of their duty, the
auditor reads both logs, and nobody — administrator or not — can erase the audit trail or the young
security log."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kuochan.accounts.models import SecurityEvent, User
from kuochan.accounts.services import token_create
from kuochan.audit.models import AuditEntry, Source

pytestmark = pytest.mark.django_db


def test_administrators_see_no_business_data_on_pages_or_the_api(pipeline, admins, login, client):
    for admin in admins.values():
        browser = login(admin)
        assert browser.get("/projects/").status_code == 403
        assert browser.get(f"/enterprises/{pipeline['red'].enterprise_id}/").status_code == 403
        token = token_create(actor=admin, source=Source.WEB, user=admin, name="试探").raw
        client.logout()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        assert client.get("/api/v1/projects", **auth).json()["count"] == 0
        assert client.get(f"/api/v1/enterprises/{pipeline['red'].enterprise_id}", **auth).status_code == 404


def test_each_administrator_lands_on_their_own_duty(admins, login):
    """The home page is each administrator's own to-do, with links to the pages of their duty only."""
    for admin, duty in (
        ("system", "/accounts/users/"),
        ("security", "/accounts/users/"),
        ("auditor", "/accounts/"),
    ):
        home = login(admins[admin]).get("/")
        assert home.status_code == 200
        assert all(item.url.startswith(duty) for item in home.context["todo"].items)
    assert login(admins["auditor"]).get("/accounts/users/").status_code == 403
    assert login(admins["system"]).get("/accounts/security-log/").status_code == 403
    assert login(admins["security"]).get("/audit/").status_code == 403


def test_the_auditor_reads_the_audit_trail_and_the_security_log(pipeline, users, admins, login, client):
    client.post("/login/", {"username": "wuxing", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    auditor = login(admins["auditor"])
    trail = auditor.get("/audit/").content.decode()
    for project in pipeline.values():  # business changes of every district, by type and number, not by name
        assert f"编号 {project.pk}" in trail and project.name not in trail
    log = auditor.get("/accounts/security-log/?username=wuxing").content.decode()
    assert "登录失败" in log and "10.1.1.1" in log
    assert login(users["city_admin"]).get("/accounts/security-log/").status_code == 403


def test_a_refused_page_is_written_to_the_security_log(users, login):
    response = login(users["wuxing"]).get("/accounts/security-log/")
    assert response.status_code == 403
    assert "只有安全审计员可以查看登录和安全日志" in response.content.decode()
    denied = SecurityEvent.objects.get(kind="denied")
    assert (denied.username, denied.path) == ("wuxing", "/accounts/security-log/")


def test_nobody_can_change_or_delete_the_audit_trail_through_the_application(pipeline):
    entry = AuditEntry.objects.first()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="someone else")
    entry.actor_name = "someone else"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        SecurityEvent.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name != "someone else"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the triggers are PostgreSQL's (production); on SQLite the application's guard above applies",
)
def test_on_postgresql_not_even_sql_can_erase_the_trail_or_the_young_security_log(pipeline, users, client):
    client.post("/login/", {"username": "wuxing", "password": "wrong"})
    for statement in (
        "DELETE FROM audit_auditentry",
        "UPDATE audit_auditentry SET actor_name = 'x'",
        "DELETE FROM accounts_securityevent",
        "UPDATE accounts_securityevent SET username = 'x'",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.exists() and SecurityEvent.objects.filter(username="wuxing").exists()


def test_the_security_log_is_pruned_only_beyond_its_retention(users, client, capsys):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=200), tick=False):
        client.post("/login/", {"username": "wuxing", "password": "old-wrong"})
    with time_machine.travel(now - dt.timedelta(days=170), tick=False):
        client.post("/login/", {"username": "nanxun", "password": "recent-wrong"})
    with pytest.raises(Exception, match="至少保存 180 天"):
        call_command("security_log", "prune", "--days", "90")
    assert SecurityEvent.objects.count() == 2
    call_command("security_log", "prune")
    assert "已删除" in capsys.readouterr().out
    left = list(SecurityEvent.objects.order_by("id").values_list("kind", "username"))
    assert left == [("failed", "nanxun"), ("pruned", "系统")]
    with pytest.raises(PermissionDenied):
        SecurityEvent.objects.expired_delete(now - dt.timedelta(days=100))


def test_the_cli_creates_and_maintains_the_administrators(huzhou, capsys):
    call_command(
        "user", "create", "audit2", "--role", "auditor", "--unit", "330500", "--password", "Audit-2026-kc"
    )
    assert "已创建用户 audit2（安全审计员，湖州市）" in capsys.readouterr().out
    call_command("user", "password", "audit2", "--password", "Temp-2026-reset")
    auditor = User.objects.get(username="audit2")
    assert auditor.must_change_password and auditor.check_password("Temp-2026-reset")
    call_command("user", "role", "audit2", "security_admin")
    auditor.refresh_from_db()
    assert auditor.role == "security_admin"
    with pytest.raises(CommandError, match="没有用户“nobody”"):
        call_command("user", "role", "nobody", "auditor")
