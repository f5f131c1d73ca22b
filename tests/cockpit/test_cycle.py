"""The monthly cycle: run by the worker on the configured day for the month before, each step recorded with
its time, red items' owners told, a failure recorded and retried the next morning."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kuochan.audit.models import Source
from kuochan.cockpit.models import CycleRun, MonthlyReport
from kuochan.cockpit.services import cycle_due, cycle_run, cycle_settings_update
from kuochan.cockpit.tasks import daily_tick
from kuochan.notifications.models import Notification

TODAY = timezone.localdate()


def last_month() -> dt.date:
    return TODAY.replace(day=1) - dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_run_records_each_step_stores_the_report_and_tells_district_staff_of_red_projects(pipeline, users):
    month = last_month()
    run = cycle_run(year=month.year, month=month.month, trigger="command")
    assert run.status == "succeeded" and run.error == ""
    assert [s["step"] for s in run.steps] == ["复算项目亮灯", "生成月度通报", "红灯提醒"]
    assert all(s["seconds"] >= 0 for s in run.steps)
    assert run.report == MonthlyReport.objects.get() and run.report.label == f"{month:%Y-%m}"
    told = Notification.objects.filter(kind="cycle_red_projects")
    assert {n.recipient.username for n in told} == {"wuxing"}  # the red project is in 吴兴区
    assert pipeline["red"].code in told.get().body


@pytest.mark.django_db
def test_a_failed_run_is_recorded_with_its_error(huzhou):
    run = cycle_run(year=2019, month=1, trigger="command")  # before the plan: the report cannot be made
    assert run.status == "failed" and "不在规划期内" in run.error
    assert [s["step"] for s in run.steps] == ["复算项目亮灯"]
    assert run.finished_at is not None


@pytest.mark.django_db
def test_the_cycle_is_due_from_its_day_until_it_has_succeeded(huzhou, users):
    cycle_settings_update(actor=users["city_admin"], source=Source.WEB, day=3, enabled=True)
    assert cycle_due(dt.date(2026, 11, 2)) is None
    assert cycle_due(dt.date(2026, 11, 3)) == (2026, 10)
    CycleRun.objects.create(
        month=dt.date(2026, 10, 1), trigger="schedule", status="failed", started_at="2026-11-03T06:00Z"
    )
    assert cycle_due(dt.date(2026, 11, 4)) == (2026, 10)  # a failed run is tried again
    CycleRun.objects.create(
        month=dt.date(2026, 10, 1), trigger="schedule", status="succeeded", started_at="2026-11-04T06:00Z"
    )
    assert cycle_due(dt.date(2026, 11, 5)) is None
    cycle_settings_update(actor=users["city_admin"], source=Source.WEB, day=3, enabled=False)
    assert cycle_due(dt.date(2026, 12, 9)) is None


def morning(day: str, hour: int = 9):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00"), tick=False)


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_morning_tick_and_schedules_the_next(huzhou, users):
    cycle_settings_update(actor=users["city_admin"], source=Source.WEB, day=3, enabled=True)
    with morning("2026-11-10"):
        call_command("cycle", "start")
        call_command("cycle", "start")  # a second start does not queue a second tick
        assert (
            DBTaskResult.objects.filter(
                task_path=daily_tick.module_path, status=TaskResultStatus.READY
            ).count()
            == 1
        )
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    run = CycleRun.objects.get()
    assert (run.status, run.trigger, run.month) == ("succeeded", "schedule", dt.date(2026, 10, 1))
    waiting = DBTaskResult.objects.get(task_path=daily_tick.module_path, status=TaskResultStatus.READY)
    assert waiting.run_after == dt.datetime.fromisoformat("2026-11-11T06:00:00+08:00")
    with morning("2026-11-11", 5):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)  # not yet six o'clock
    assert (
        DBTaskResult.objects.filter(
            task_path=daily_tick.module_path, status=TaskResultStatus.SUCCESSFUL
        ).count()
        == 1
    )
    with morning("2026-11-11", 7):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert (
        DBTaskResult.objects.filter(
            task_path=daily_tick.module_path, status=TaskResultStatus.SUCCESSFUL
        ).count()
        == 2
    )
    assert CycleRun.objects.count() == 1  # October already succeeded


@pytest.mark.django_db
def test_the_command_runs_a_month_and_reports_its_runs(pipeline, capsys):
    month = last_month()
    call_command("cycle", "run", "--month", f"{month:%Y-%m}", "--format", "json")
    done = json.loads(capsys.readouterr().out)
    assert done["status"] == "succeeded" and done["month"] == f"{month:%Y-%m}" and len(done["steps"]) == 3
    call_command("cycle", "status", "--format", "json")
    status = json.loads(capsys.readouterr().out)
    assert status["runs"][0]["report"] == done["report"] and status["scheduled"] is False


@pytest.mark.django_db
def test_running_a_month_from_the_page_runs_in_the_worker_with_its_steps_shown(
    pipeline, users, login, run_jobs
):
    from kuochan.jobs.models import Job, JobStatus

    month = last_month()
    refused = login(users["city_staff"]).post("/cockpit/cycle/", {"action": "run", "month": f"{month:%Y-%m}"})
    assert refused.url == "/cockpit/cycle/" and not Job.objects.exists()
    response = login(users["city_admin"]).post(
        "/cockpit/cycle/", {"action": "run", "month": f"{month:%Y-%m}"}
    )
    job = Job.objects.get()
    assert response.url == job.get_absolute_url() and not CycleRun.objects.exists()
    (done,) = run_jobs()
    assert done.status == JobStatus.DONE and done.result_url == "/cockpit/cycle/"
    run = CycleRun.objects.get()
    assert run.trigger == "web" and run.status == "succeeded" and run.report == MonthlyReport.objects.get()
