"""Notices and import batches through the API: each user's own notices (city staff everyone's), a city
admin's retry; batches in scope, what each did, and who may roll one back (in the worker)."""

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.imports.engine import import_row
from kuochan.jobs.models import Job
from kuochan.notifications.models import Notification, Status
from kuochan.registry.models import Survey

pytestmark = pytest.mark.django_db


def notice(user, subject, status=Status.SENT):
    return Notification.objects.create(
        recipient=user, channel="console", kind="ticket_overdue", subject=subject, key=subject, status=status
    )


def test_each_user_sees_their_own_notices_and_a_city_admin_retries_a_failed_one(users, client_for):
    notice(users["wuxing"], "吴兴工单已超期")
    failed = notice(users["nanxun"], "南浔工单已升级", Status.FAILED)
    own = client_for(users["wuxing"]).get("/api/v1/notifications").json()
    assert [n["subject"] for n in own["items"]] == ["吴兴工单已超期"]
    city = client_for(users["city_staff"])
    assert (
        city.get("/api/v1/notifications", {"status": "failed"}).json()["items"][0]["kind_label"]
        == "工单已超期"
    )
    assert city.post(f"/api/v1/notifications/{failed.pk}/retry").status_code == 403
    assert client_for(users["wuxing"]).post(f"/api/v1/notifications/{failed.pk}/retry").status_code == 404
    admin = client_for(users["city_admin"])
    retried = admin.post(f"/api/v1/notifications/{failed.pk}/retry")
    assert retried.status_code == 200 and (retried.json()["status"], retried.json()["attempts"]) == (
        "pending",
        0,
    )
    again = admin.post(f"/api/v1/notifications/{failed.pk}/retry")
    assert again.status_code == 422 and "只能重试发送失败的通知" in again.json()["errors"]["__all__"][0]


def test_batches_are_scoped_and_rolled_back_in_the_worker_by_their_importer_or_a_city_admin(
    registered, users, client_for, run_jobs
):
    result = import_row(
        "surveys", actor=users["wuxing"], source=Source.WEB, values={"uscc": registered[0], "year": 2026,
        "willingness": "有"}, name="surveys",
    )  # fmt: skip
    wuxing, nanxun = client_for(users["wuxing"]), client_for(users["nanxun"])
    assert [b["id"] for b in wuxing.get("/api/v1/imports").json()["items"]] == [result.batch]
    assert nanxun.get(f"/api/v1/imports/{result.batch}").status_code == 404
    detail = wuxing.get(f"/api/v1/imports/{result.batch}").json()
    assert (detail["kind_title"], detail["created_rows"]) == (
        "扩产意愿调查",
        [{"label": "扩产意愿调查", "count": 1}],
    )
    assert client_for(users["leader"]).post(f"/api/v1/imports/{result.batch}/rollback").status_code == 403
    assert client_for(users["city_staff"]).post(f"/api/v1/imports/{result.batch}/rollback").status_code == 403
    assert not Job.objects.exists()  # refused at once, nothing queued
    rolling = wuxing.post(f"/api/v1/imports/{result.batch}/rollback")
    assert rolling.status_code == 202 and Survey.objects.exists()  # the request did not roll it back
    run_jobs()
    assert wuxing.get(rolling.json()["url"]).json()["result"] == {
        "batch": result.batch,
        "deleted": 1,
        "restored": 0,
        "api_url": f"/api/v1/imports/{result.batch}",
    }
    assert not Survey.objects.exists()
    assert wuxing.get(f"/api/v1/imports/{result.batch}").json()["status"] == "rolled_back"
    rolled_back = AuditEntry.objects.get(content_type__model="importbatch", object_id=str(result.batch))
    assert (rolled_back.actor, rolled_back.source) == (users["wuxing"], Source.API)
    twice = wuxing.post(f"/api/v1/imports/{result.batch}/rollback")
    assert twice.status_code == 422 and twice.json()["errors"]["__all__"] == [
        f"批次 #{result.batch} 已回滚。"
    ]


def test_a_rollback_asked_for_twice_before_the_worker_runs_fails_the_second_in_chinese(
    registered, users, client_for, run_jobs
):
    result = import_row(
        "surveys", actor=users["wuxing"], source=Source.WEB, values={"uscc": registered[0], "year": 2026,
        "willingness": "有"}, name="surveys",
    )  # fmt: skip
    wuxing = client_for(users["wuxing"])
    first, second = (wuxing.post(f"/api/v1/imports/{result.batch}/rollback").json() for _ in range(2))
    run_jobs()
    assert wuxing.get(first["url"]).json()["status"] == "done"
    failed = wuxing.get(second["url"]).json()
    assert failed["status"] == "failed" and failed["error"].startswith(f"批次 #{result.batch} 已于 ")
    assert failed["error"].endswith(" 回滚。")
