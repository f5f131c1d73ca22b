"""Supervision and the monthly cycle through the API: tasks assigned by the city, reported on and closed by
their contact person, meetings whose decisions become tasks, and a month's cycle run by a city admin (in the
worker)."""

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.cockpit.models import CycleRun, SupervisedTask, TaskReport
from kuochan.jobs.models import Job
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

API = "/api/v1/cockpit"


def send(client, path, data=None, method="post"):
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


def test_a_task_is_assigned_reported_on_and_closed_by_its_contact(huzhou, users, enterprise_user, client_for):
    measure = client_for(users["city_staff"]).get(f"{API}/measures").json()[0]
    body = {"title": "推进技改项目开工", "department": "吴兴区经信局", "owner": "wuxing", "deadline": "2000-01-01",
            "measure": measure["id"]}  # fmt: skip
    city = client_for(users["city_staff"])
    late = send(city, "/tasks", body)
    assert late.status_code == 422 and late.json()["errors"]["__all__"] == [
        f"完成期限 2000-01-01 早于开始日期 {TODAY}。"
    ]
    assert send(city, "/tasks", {**body, "owner": "nobody"}).json()["errors"] == {
        "owner": ["没有用户“nobody”。"]
    }
    body["deadline"] = f"{TODAY.year + 1}-06-30"
    assert send(client_for(users["wuxing"]), "/tasks", body).status_code == 403
    made = send(city, "/tasks", body)
    assert made.status_code == 201 and (made.json()["owner"], made.json()["measure_id"]) == (
        "wuxing",
        measure["id"],
    )
    pk = made.json()["id"]
    wuxing = client_for(users["wuxing"])
    report = {"month": f"{TODAY:%Y-%m}", "text": "已完成备案", "percent": 30}
    nanxun = client_for(users["nanxun"])  # the task is 吴兴区's: out of nanxun's scope
    assert send(nanxun, f"/tasks/{pk}/reports", report).status_code == 404
    assert send(wuxing, f"/tasks/{pk}/reports", {**report, "percent": 130}).status_code == 422
    reported = send(wuxing, f"/tasks/{pk}/reports", report)
    assert reported.status_code == 201 and reported.json()["last_report"]["percent"] == 30
    assert TaskReport.objects.get().reported_by == users["wuxing"]
    assert send(wuxing, f"/tasks/{pk}/done").json()["done_on"] == TODAY.isoformat()
    assert [t["light"] for t in city.get(f"{API}/tasks").json()["items"]] == ["none"]
    assert client_for(enterprise_user).get(f"{API}/tasks").status_code == 403


def test_a_meetings_decisions_become_tasks_all_or_nothing(huzhou, users, client_for):
    city = client_for(users["city_staff"])
    decisions = [
        {"title": "梳理破五未项目", "department": "市经信局", "deadline": f"{TODAY.year + 1}-03-31"},
        {"title": "", "department": "市资规局", "deadline": f"{TODAY.year + 1}-03-31"},
    ]
    body = {"date": TODAY.isoformat(), "title": "增资扩产工作例会", "decisions": decisions}
    refused = send(city, "/meetings", body)
    assert refused.json()["errors"]["__all__"] == ["第 2 项议定事项：请写明督办事项。"]
    assert not SupervisedTask.objects.exists()
    decisions[1]["title"] = "保障项目用地"
    made = send(city, "/meetings", body)
    assert made.status_code == 201 and [t["title"] for t in made.json()["tasks"]] == [
        "梳理破五未项目",
        "保障项目用地",
    ]
    assert city.get(f"{API}/meetings").json()["count"] == 1
    assert AuditEntry.objects.filter(content_type__model="supervisedtask", source=Source.API).count() == 2


def test_a_city_admin_runs_a_month_in_the_worker_and_sets_the_day(pipeline, users, client_for, run_jobs):
    month = f"{TODAY:%Y-%m}"
    assert send(client_for(users["city_staff"]), "/cycle/runs", {"month": month}).status_code == 403
    admin = client_for(users["city_admin"])
    bad = send(admin, "/cycle/runs", {"month": "2026-13"})
    assert bad.status_code == 422 and not Job.objects.exists()  # refused at once, nothing queued
    started = send(admin, "/cycle/runs", {"month": month})
    assert started.status_code == 202 and started.json()["title"] == f"运行 {month} 月度流程"
    assert not CycleRun.objects.exists()  # the request did not run it

    run_jobs()
    job = admin.get(started.json()["url"]).json()
    assert (job["status"], job["result"]["status"]) == ("done", "succeeded")
    run = admin.get(job["result"]["api_url"]).json()
    assert (run["id"], run["trigger"], run["report_id"]) == (
        job["result"]["cycle_run"],
        "api",
        job["result"]["report"],
    )
    assert [step["step"] for step in run["steps"]] == ["复算项目亮灯", "生成月度通报", "红灯提醒"]
    assert CycleRun.objects.count() == 1 and admin.get(f"{API}/cycle/runs").json()["count"] == 1
    assert len(admin.get(f"{API}/reports/").json()) == 1
    assert send(admin, "/cycle/settings", {"day": 29, "enabled": True}, "put").status_code == 422
    assert send(admin, "/cycle/settings", {"day": 5, "enabled": False}, "put").json() == {
        "day": 5,
        "enabled": False,
    }
    assert (
        send(
            client_for(users["city_staff"]), "/cycle/settings", {"day": 6, "enabled": True}, "put"
        ).status_code
        == 403
    )
