"""A job's page: its progress bar, polled by htmx until the worker is done, then the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kuochan.jobs.models import JobStatus
from kuochan.jobs.selectors import job_get


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_get(actor=request.user, pk=pk)
    if job.status == JobStatus.DONE and job.result_url:
        if job.step:
            messages.success(request, job.step)
        return redirect(job.result_url)
    return render(request, "jobs/job.html", {"job": job})


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, for htmx; once the job is done, htmx is told to go to its result (through the
    job's page, which says what was done)."""
    job = job_get(actor=request.user, pk=pk)
    response = render(request, "jobs/_progress.html", {"job": job})
    if job.status == JobStatus.DONE and job.result_url:
        response["HX-Redirect"] = job.get_absolute_url()
    return response
