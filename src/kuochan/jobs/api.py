"""The 后台任务 API: long work an API call started (an evaluation run, the monthly cycle, a batch rollback)
runs in the worker; the call answers 202 with the job, and the client polls it here until it is done. Only
the job's own starter sees it."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from kuochan.audit.models import Source
from kuochan.core.api import Id
from kuochan.jobs.models import Job, JobStatus
from kuochan.jobs.registry import Handler
from kuochan.jobs.selectors import job_get
from kuochan.jobs.services import job_start

router = Router(tags=["后台任务"])


class JobOut(Schema):
    id: int
    title: str
    status: JobStatus = Field(description="queued 排队中、running 处理中、done 已完成、failed 失败")
    status_label: str
    step: str = Field(description="正在进行的步骤")
    done: int
    total: int
    percent: int = Field(description="进度（0–100），结束后为 100")
    error: str = Field(description="失败原因（中文）")
    result: dict[str, Any] = Field(description="完成后的结果：所生成或处理的对象编号及数量，各接口说明其内容")
    result_url: str = Field(description="完成后在网页上查看结果的地址")
    url: str = Field(description="本接口地址：查询任务进度，直到 status 为 done 或 failed")
    page_url: str = Field(description="网页上的进度页面")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(job: Job) -> str:
        return job.get_status_display()

    @staticmethod
    def resolve_url(job: Job) -> str:
        return reverse("api:job", args=[job.pk])

    @staticmethod
    def resolve_page_url(job: Job) -> str:
        return job.get_absolute_url()


def job_accepted(
    request: HttpRequest, response: HttpResponse, *, handler: Handler, title: str, params: dict[str, Any]
) -> Status:
    """Queue `handler` for the caller and answer 202 with the job, its address also in `Location`. What can
    be refused before queuing (role, scope, input) is the caller's to check first, so that it answers at
    once rather than as a failed job."""
    job = job_start(actor=request.auth, handler=handler, title=title, params={**params, "source": Source.API})
    response["Location"] = reverse("api:job", args=[job.pk])
    return Status(202, job)


@router.get("/{pk}", response=JobOut, url_name="job", summary="后台任务的进度及结果（仅发起人可查看）")
def job_detail(request: HttpRequest, pk: Id) -> Job:
    return job_get(actor=request.auth, pk=pk)
