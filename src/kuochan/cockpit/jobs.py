"""The cockpit's long work started from a page (a month's report, the monthly cycle) or the API (the monthly
cycle), run in the worker with its progress shown. The command line and the scheduled daily tick call the
services directly."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kuochan.audit.models import Source
from kuochan.cockpit import services
from kuochan.jobs.models import Job
from kuochan.jobs.registry import Progress, job_handler


@job_handler
def report_generate_job(job: Job, progress: Progress) -> str:
    """The month's report for the starter's scope; the user lands on the list with it at the top."""
    services.report_generate(
        actor=job.actor,
        source=Source.WEB,
        year=job.params["year"],
        month=job.params["month"],
        progress=progress,
    )
    return reverse("cockpit:reports")


@job_handler
def cycle_run_job(job: Job, progress: Progress) -> str:
    """A month's cycle run now by a city admin; the user lands on the runs, this one at the top, an API client
    reads the run (its steps, its report) at `api_url`. A failed step fails the run, not the job: the run
    records it, as a scheduled one does."""
    if not job.actor.is_city_admin:
        raise PermissionDenied("只有市级管理员可以立即运行月度流程。")
    run = services.cycle_run(
        year=job.params["year"], month=job.params["month"], trigger=job.source, progress=progress
    )
    job.result = {
        "cycle_run": run.pk,
        "status": run.status,
        "report": run.report_id,
        "api_url": reverse("api:cycle_run_detail", args=[run.pk]),
    }
    return reverse("cockpit:cycle")
