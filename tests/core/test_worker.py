"""Background work goes through django-tasks with the database backend and `kuochan db_worker`."""

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus, task

from kuochan.orgs.models import OrgUnit


@task()
def count_units_under(code: str) -> int:
    unit = OrgUnit.objects.get(code=code)
    return OrgUnit.objects.filter(path__startswith=unit.path).count()


@task()
def fail_loudly() -> None:
    raise RuntimeError("导入文件损坏")


@pytest.mark.django_db(transaction=True)
def test_an_enqueued_task_waits_for_the_worker_and_then_runs(huzhou):
    result = count_units_under.enqueue("330502")
    result.refresh()
    assert result.status == TaskResultStatus.READY
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1 + 13


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_recorded_with_its_error(db):
    result = fail_loudly.enqueue()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert "导入文件损坏" in result.errors[0].traceback
