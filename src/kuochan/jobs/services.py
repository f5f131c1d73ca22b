"""Starting a long piece of work in the worker and running it there, with its progress on the job's row."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kuochan.core.forms import refusal
from kuochan.jobs.models import Job, JobStatus
from kuochan.jobs.registry import Handler, handler_for, handler_path

logger = logging.getLogger("kuochan.jobs")

# The page polls about once a second; writing progress more often than this only costs the job time. A new
# step is always written, so the user sees each phase the work goes through.
PROGRESS_EVERY_SECONDS = 0.5
INTERNAL_ERROR = "处理失败：系统内部错误，已记录，请联系系统管理员。"


def job_start(*, actor: Any, handler: Handler, title: str, params: dict[str, Any] | None = None) -> Job:
    """Queue `handler` (a function marked `@job_handler`) for the worker; the caller redirects the user to
    the job's page, which shows its progress and then its result."""
    from kuochan.jobs.tasks import run_job

    path = handler_path(handler)
    handler_for(path)  # refuse an unmarked function here, where the mistake is, not later in the worker
    job = Job.objects.create(handler=path, title=title, params=params or {}, actor=actor)
    run_job.enqueue(job.pk)
    return job


def _progress_writer(job: Job):
    last = 0.0

    def progress(done: int, total: int, step: str) -> None:
        nonlocal last
        new_step = step[:200] != job.step
        job.done, job.total, job.step = max(done, 0), max(total, 0), step[:200]
        now = time.monotonic()
        if new_step or now - last >= PROGRESS_EVERY_SECONDS:
            last = now
            Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total, step=job.step)

    return progress


def job_run(job_id: int) -> str:
    """Run one queued job (in the worker) and record how it ended. A refusal (ValidationError,
    PermissionDenied) is the user's to read; anything else is logged and re-raised for the worker's record."""
    job = Job.objects.select_related("actor").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job.status
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        result_url = handler_for(job.handler)(job, _progress_writer(job))
    except (ValidationError, PermissionDenied) as exc:
        _finish(job, JobStatus.FAILED, error=refusal(exc))
        return JobStatus.FAILED
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.handler)
        _finish(job, JobStatus.FAILED, error=INTERNAL_ERROR)
        raise
    summary = ""
    if isinstance(result_url, tuple):  # (url, what was done): said on the result page
        result_url, summary = result_url
    _finish(job, JobStatus.DONE, result_url=result_url or "", result=job.result, summary=summary)
    return JobStatus.DONE


def _finish(
    job: Job,
    status: str,
    *,
    error: str = "",
    result_url: str = "",
    result: dict[str, Any] | None = None,
    summary: str = "",
) -> None:
    """Record how the job ended; a finished job's `step` is its summary (what was done), or empty."""
    Job.objects.filter(pk=job.pk).update(
        status=status,
        error=error,
        result_url=result_url,
        result=result or {},
        done=job.total if status == JobStatus.DONE else job.done,
        total=job.total,
        step=summary[:200],
        finished_at=timezone.now(),
    )
