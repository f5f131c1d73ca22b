"""The evaluation's long work started from a page or the API, run in the worker with its progress shown: a
year's evaluation run. The command line (`kuochan evaluate`) calls the service directly."""

from __future__ import annotations

from django.urls import reverse

from kuochan.evaluation import services
from kuochan.jobs.models import Job
from kuochan.jobs.registry import Progress, job_handler


@job_handler
def evaluation_run_job(job: Job, progress: Progress) -> tuple[str, str]:
    """The year's evaluation of the starter's subtree; the user lands on the year's results, an API client
    reads the run's figures and then the results at `api_url`."""
    year = job.params["year"]
    run, _evaluation = services.evaluation_run(
        actor=job.actor, source=job.source, year=year, progress=progress
    )
    job.result = {
        "year": year,
        "run": run.pk,
        "enterprises": run.enterprises,
        "api_url": reverse("api:year_results", args=[year]),
    }
    return (
        f"{reverse('evaluation:results')}?year={year}",
        f"已按{run.scheme}重新计算 {year} 年评价：{run.enterprises} 家企业。",
    )
