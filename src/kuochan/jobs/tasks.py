from django_tasks import task

from kuochan.jobs.services import job_run


@task()
def run_job(job_id: int) -> str:
    """The worker's entry point for every job (`kuochan db_worker`)."""
    return job_run(job_id)
