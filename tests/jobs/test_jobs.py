"""Long work runs in the worker: the page that started it shows a progress bar until the worker is done, then
the result; a refusal is shown in Chinese; nobody else sees someone's job."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kuochan.jobs.models import Job, JobStatus
from kuochan.jobs.registry import job_handler
from kuochan.jobs.services import job_start
from kuochan.orgs.models import OrgUnit


@job_handler
def count_units(job, progress) -> str:
    units = list(OrgUnit.objects.filter(code__startswith=job.params["prefix"]))
    for done, _unit in enumerate(units, start=1):
        progress(done, len(units), f"已清点 {done} 个单位")
    return f"/orgs/?counted={len(units)}"


@job_handler
def refuse(job, progress) -> str:
    progress(0, 2, "检查文件")
    raise ValidationError("第 3 行「统一社会信用代码」：不在您的数据范围内。")


def not_a_handler(job, progress) -> str:
    return "/"


def test_a_started_job_shows_its_progress_and_then_sends_the_user_to_the_result(users, login, run_jobs):
    job = job_start(
        actor=users["city_staff"], handler=count_units, title="清点单位", params={"prefix": "3305"}
    )
    client = login(users["city_staff"])

    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert "排队中" in page.content.decode() and "清点单位" in page.content.decode()

    (finished,) = run_jobs()
    assert finished.status == JobStatus.DONE and finished.percent == 100
    units = OrgUnit.objects.filter(code__startswith="3305").count()
    assert finished.result_url == f"/orgs/?counted={units}"

    polled = client.get(f"/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == job.get_absolute_url()  # which sends the user on to the result
    assert client.get(job.get_absolute_url()).url == finished.result_url


def test_a_refused_job_shows_the_reason_in_chinese(users, login, run_jobs):
    job = job_start(actor=users["wuxing"], handler=refuse, title="导入企业指标：a.xlsx")
    (failed,) = run_jobs()
    assert failed.status == JobStatus.FAILED
    page = login(users["wuxing"]).get(job.get_absolute_url()).content.decode()
    assert "失败" in page and "第 3 行「统一社会信用代码」：不在您的数据范围内。" in page
    assert 'hx-trigger="every 1s"' not in page  # a finished job is not polled any more


def test_someone_elses_job_is_not_found(users, login):
    job = job_start(actor=users["wuxing"], handler=count_units, title="清点单位", params={"prefix": "3305"})
    client = login(users["nanxun"])
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(f"/jobs/{job.pk}/progress/").status_code == 404


def test_only_marked_functions_can_be_started(users):
    with pytest.raises(LookupError):
        job_start(actor=users["city_staff"], handler=not_a_handler, title="任意代码")
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_job(huzhou, users):
    job = job_start(
        actor=users["city_staff"], handler=count_units, title="清点单位", params={"prefix": "330502"}
    )
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.step == "" and job.finished_at is not None


@job_handler
def two_quick_steps(job, progress) -> str:
    progress(0, 2, "读取文件")
    progress(1, 2, "写入数据")
    seen = Job.objects.get(pk=job.pk)
    return f"/orgs/?seen={seen.step}"


def test_every_new_step_reaches_the_page_however_quickly_it_follows(users, run_jobs):
    job_start(actor=users["city_staff"], handler=two_quick_steps, title="导入")
    (finished,) = run_jobs()
    assert finished.result_url == "/orgs/?seen=写入数据"


@job_handler
def count_and_say(job, progress) -> tuple[str, str]:
    return "/orgs/", "已清点 14 个单位。"


def test_what_a_job_did_is_said_on_the_result_page(users, login, run_jobs):
    job = job_start(actor=users["city_staff"], handler=count_and_say, title="清点单位")
    run_jobs()
    page = login(users["city_staff"]).get(job.get_absolute_url(), follow=True).content.decode()
    assert "已清点 14 个单位。" in page
