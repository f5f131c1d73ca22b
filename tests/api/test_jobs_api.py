"""Jobs through the API: long work an API call started is followed at /api/v1/jobs/<id> until the worker is
done, with what it made or why it was refused (in Chinese); nobody but its starter sees it."""

import pytest
from django.core.exceptions import PermissionDenied

from kuochan.accounts.models import SecurityEvent
from kuochan.jobs.registry import job_handler
from kuochan.jobs.services import job_start
from kuochan.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


@job_handler
def count_units(job, progress) -> str:
    units = OrgUnit.objects.filter(code__startswith=job.params["prefix"]).count()
    progress(1, 2, "清点单位")
    job.result = {"units": units}
    return "/orgs/"


@job_handler
def refuse(job, progress) -> str:
    progress(0, 1, "检查权限")
    raise PermissionDenied("只有市级管理员可以立即运行月度流程。")


def test_a_job_is_followed_through_the_api_until_its_result(users, client, client_for, bearer, run_jobs):
    job = job_start(actor=users["wuxing"], handler=count_units, title="清点单位", params={"prefix": "3305"})
    queued = client.get(f"/api/v1/jobs/{job.pk}", headers=bearer(users["wuxing"])).json()
    assert (
        queued["title"],
        queued["status"],
        queued["status_label"],
        queued["percent"],
        queued["result"],
    ) == (
        "清点单位",
        "queued",
        "排队中",
        0,
        {},
    )
    assert queued["url"] == f"/api/v1/jobs/{job.pk}" and queued["page_url"] == f"/jobs/{job.pk}/"
    assert queued["started_at"] is None and queued["finished_at"] is None

    run_jobs()
    done = client_for(users["wuxing"]).get(f"/api/v1/jobs/{job.pk}").json()
    units = OrgUnit.objects.filter(code__startswith="3305").count()
    assert (done["status"], done["percent"], done["result"], done["result_url"]) == (
        "done",
        100,
        {"units": units},
        "/orgs/",
    )
    assert done["error"] == "" and done["started_at"] and done["finished_at"]


def test_a_refused_jobs_reason_is_given_in_chinese(users, client_for, run_jobs):
    job = job_start(actor=users["city_staff"], handler=refuse, title="运行月度流程")
    run_jobs()
    failed = client_for(users["city_staff"]).get(f"/api/v1/jobs/{job.pk}").json()
    assert (failed["status"], failed["status_label"], failed["error"], failed["result"]) == (
        "failed",
        "失败",
        "只有市级管理员可以立即运行月度流程。",
        {},
    )


def test_someone_elses_job_is_not_found_and_the_attempt_is_logged(users, client, client_for, bearer):
    job = job_start(actor=users["wuxing"], handler=count_units, title="清点单位", params={"prefix": "3305"})
    for caller in ("nanxun", "city_admin"):
        answer = client_for(users[caller]).get(f"/api/v1/jobs/{job.pk}")
        assert answer.status_code == 404 and answer.json() == {"detail": "不存在，或不在您的数据范围内。"}
    assert client_for(users["nanxun"]).get(f"/api/v1/jobs/{job.pk + 1}").status_code == 404
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DENIED, user=users["nanxun"]).count() == 2
    assert client.get(f"/api/v1/jobs/{job.pk}", headers=bearer(users["nanxun"])).status_code == 404
