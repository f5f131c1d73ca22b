"""Schemathesis against /api/v1/, in-process through the WSGI application: every operation of the OpenAPI
schema, called with a city staff member's token over real data, never answers with a server error, and
every answer (refusals included) has the documented shape.

Each operation gets generated cases (valid and invalid input) and, where its path names objects, cases on
the objects the `world` fixture made, so bodies reach the services. Every call is undone (a savepoint) so the
cases do not depend on one another; generation is derandomized, so a run is repeatable."""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kuochan.accounts.services import token_create
from kuochan.audit.models import Source
from kuochan.wsgi import application
from tests.conftest import THIS_YEAR, TODAY

EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}
ON_OBJECTS = 12  # cases per operation on the world's objects
CHECKS = [not_a_server_error, response_schema_conformance]


@contextmanager
def in_test_transaction() -> Iterator[None]:
    """Django closes the database connection after each request; inside the test's transaction that would
    throw the test's data away. Django's test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def objects(world: Any) -> dict[str, Any]:
    """Path parameters naming the world's objects, by the path segment before the parameter."""
    return {
        "org-units/{unit_id}": world.users["wuxing"].org_unit_id,
        "enterprises/{enterprise_id}": world.zhili.pk,
        "policies/enterprises/{enterprise_id}": world.zhili.pk,
        "contacts/{pk}": world.contact.pk,
        "tags/{pk}": world.tag.pk,
        "metrics/{year}": 2025,
        "surveys/{year}": 2025,
        "projects/{project_id}": world.projects["red"].pk,
        "plans/{code}": world.plan.code,
        "indicators/{indicator}": world.plan.indicators.get(derivation="renovation_investment").code,
        "evaluation/{year}": 2025,
        "key-enterprises/{pk}": world.key.pk,
        "exemptions/{pk}": world.exemption.pk,
        "policies/{code}": world.application.policy.code,
        "applications/{pk}": world.application.pk,
        "funds/{year}": THIS_YEAR,
        "budgets/{year}": THIS_YEAR,
        "pools/{pk}": world.pool.pk,
        "advances/{pk}": world.advance.pk,
        "requests/{pk}": world.request.pk,
        "listings/{pk}": world.listing.pk,
        "needs/{pk}": world.need.pk,
        "outreach/tickets/{pk}": world.ticket.pk,
        "outreach/visits/{pk}": world.visit.pk,
        "outreach/tasks/{pk}": world.followup.pk,
        "outreach/events/{pk}": world.event.pk,
        "cockpit/{month}": f"{TODAY:%Y-%m}",
        "cockpit/tasks/{pk}": world.task.pk,
        "notifications/{pk}": world.notification.pk,
        "imports/{pk}": world.batch.pk,
        "jobs/{pk}": world.job.pk,
    }


def bound(path: str, known: dict[str, Any]) -> dict[str, Any] | None:
    """The world's objects for every parameter of the path, or None when it names something the world lacks."""
    values = {}
    for match in re.finditer(r"\{(\w+)\}", path):
        before = path[: match.end()]
        key = next((k for k in sorted(known, key=len, reverse=True) if before.endswith(k)), None)
        if key is None:
            return None
        values[match.group(1)] = known[key]
    return values or None


def run(strategy: Any, examples: int, headers: dict[str, str]) -> None:
    @settings(  # repeatable, and no shrinking: a failing case is reported as found, to keep the run short
        max_examples=examples, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
    )  # fmt: skip
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        with transaction.atomic():  # a savepoint, rolled back and released after each case
            case.call_and_validate(headers=headers, checks=CHECKS)
            transaction.set_rollback(True)

    call()


def test_no_operation_answers_with_a_server_error(world):
    token = token_create(actor=None, source=Source.CLI, user=world.users["city_staff"], name="schemathesis")
    headers = {"Authorization": f"Bearer {token.raw}"}
    known = objects(world)
    failures: list[str] = []
    started = time.perf_counter()
    with in_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, headers=headers)
        for result in schema.get_all_operations():
            operation = result.ok()
            strategies = [(operation.as_strategy(generation_mode=mode), n) for mode, n in EXAMPLES.items()]
            if (path_parameters := bound(operation.path, known)) is not None:
                strategies.append((operation.as_strategy(path_parameters=path_parameters), ON_OBJECTS))
            for strategy, examples in strategies:
                try:
                    run(strategy, examples, headers)
                except Unsatisfiable:  # an operation without any input has no invalid one either
                    continue
                except (AssertionError, BaseExceptionGroup) as exc:  # every operation's, listed at the end
                    failures.append(f"{operation.label}: {str(exc)[:3000]}")
    print(f"schemathesis: {time.perf_counter() - started:.1f} s")
    assert not failures, "\n\n".join(failures)
