"""Notices and import batches through the API: each user's own notices (city staff everyone's), a city
admin's retry; batches in scope, what each did, and who may roll one back."""

import pytest

from kuochan.audit.models import Source
from kuochan.imports.engine import import_row
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


def test_batches_are_scoped_and_rolled_back_by_their_importer_or_a_city_admin(registered, users, client_for):
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
    rolled = wuxing.post(f"/api/v1/imports/{result.batch}/rollback")
    assert rolled.json() == {"batch": result.batch, "deleted": 1, "restored": 0}
    assert not Survey.objects.exists()
    twice = wuxing.post(f"/api/v1/imports/{result.batch}/rollback")
    assert twice.status_code == 422 and "已于" in twice.json()["errors"]["__all__"][0]
    assert wuxing.get(f"/api/v1/imports/{result.batch}").json()["status"] == "rolled_back"
