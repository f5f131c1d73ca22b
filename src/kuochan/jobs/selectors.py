from typing import Any

from django.http import Http404

from kuochan.jobs.models import Job


def job_get(*, actor: Any, pk: int) -> Job:
    """A job its own starter may follow; anyone else's is indistinguishable from a missing one."""
    try:
        return Job.objects.get(pk=pk, actor_id=actor.pk)
    except Job.DoesNotExist as exc:
        raise Http404 from exc
