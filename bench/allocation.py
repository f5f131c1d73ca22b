"""Benchmark: the recommended allocation of a province-scale pool (5,000 pending requests) and its approval.

    .venv/bin/python bench/allocation.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/allocation.py --db sqlite

The script builds a fresh database (not timed): schema, Huzhou's reference data, the demo's enterprises and
projects (`kuochan demo-data --enterprises 18000`, about 5,100 projects, with the 2024/2025 evaluation), a
city energy pool of 2,000,000 吨标准煤 and one pending request per project (REQUESTS of them: 100–20,000
吨标准煤, a minimum of 30 %, 50 % or all of it, expected tax and output at capacity on the project). Then, each
in its own process, the median of REPEATS calls:

- **recommend** — `selectors.recommendation(pool)`: read the pending requests with their projects and the
  enterprises' evaluation, weigh them, and solve the allocation with HiGHS;
- **solve** — `rules.allocate(...)` alone on the same claims (no queries);
- **approve** — `services.allocation_approve` of the whole recommendation: the rules again, then one ledger
  line per granted request under the pool's lock (the approved lines are removed, untimed, before each call).

Target ([resources]): allocating a province-scale pool (5,000 requests) in under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from decimal import Decimal

from harness import WORK, child, fresh_postgres, fresh_sqlite, peak_mb, setup_django, timed

VAR = WORK / "allocation-var"
DATABASE = "kuochan_bench_allocation"
REQUESTS = 5_000
REPEATS = 5
YEAR = 2027  # a year the demo's own pools leave alone


def phase_setup() -> dict:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("demo_data", "--enterprises", "18000", "--format", "json")
    from kuochan.accounts.models import User
    from kuochan.audit.models import Source
    from kuochan.orgs.models import OrgUnit
    from kuochan.projects.models import Project
    from kuochan.resources.models import Request
    from kuochan.resources.services import pool_open

    pool = pool_open(
        actor=User.objects.get(username="city"), source=Source.CLI, org_unit=OrgUnit.objects.get(code="330500"),
        element="energy", year=YEAR, amount=Decimal(2_000_000), note="基准测试",
    )  # fmt: skip
    rng = random.Random("bench-allocation")
    projects = list(Project.objects.order_by("pk")[:REQUESTS])
    for project in projects:
        project.capacity_tax_wan = Decimal(rng.randint(0, 5_000))
        project.capacity_output_wan = Decimal(rng.randint(0, 80_000))
    Project.objects.bulk_update(projects, ["capacity_tax_wan", "capacity_output_wan"], batch_size=2000)
    requests = []
    for project in projects:
        amount = Decimal(rng.randint(100, 20_000))
        minimum = (amount * rng.choice((30, 50, 100)) / 100).quantize(Decimal("0.01"))
        requests.append(
            Request(pool=pool, project=project, amount=amount, minimum=minimum, justification="基准测试")
        )
    Request.objects.bulk_create(requests, batch_size=2000)
    return {"pool": pool.pk, "requests": len(requests)}


def phase_timed(what: str, pool_id: int) -> dict:
    setup_django()
    from kuochan.accounts.models import User
    from kuochan.audit.models import Source
    from kuochan.resources import rules, selectors, services
    from kuochan.resources.models import Movement, MovementKind, Pool, Request, RequestStatus

    pool = Pool.objects.get(pk=pool_id)
    actor = User.objects.get(username="city")

    def reset() -> None:
        Movement.objects.filter(pool=pool, kind=MovementKind.ALLOCATION).delete()
        Request.objects.filter(pool=pool).update(status=RequestStatus.PENDING)

    if what == "recommend":
        seconds, found = timed(lambda: selectors.recommendation(pool), REPEATS)
        result = f"{sum(1 for g in found.allocation.grants if g.amount)} granted, {found.allocation.total}"
    elif what == "solve":
        claims = selectors.claims(selectors.pending_requests(pool), dt.date.today())
        balance = selectors.balance(pool)
        seconds, found = timed(lambda: rules.allocate(claims, balance), REPEATS)
        result = f"{sum(1 for g in found.grants if g.amount)} granted"
    else:

        def approve() -> int:
            found = selectors.recommendation(pool)
            approved = {g.claim_id: g.amount for g in found.allocation.grants if g.amount}
            return len(
                services.allocation_approve(actor=actor, source=Source.CLI, pool=pool, approved=approved)
            )

        seconds, count = timed(approve, REPEATS, reset)
        result = f"{count} ledger lines"
    return {"seconds": seconds, "result": result, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--pool", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase_setup() if args.phase == "setup" else phase_timed(args.phase, args.pool)))
        return
    print(f"each time is the median of {REPEATS} calls in a fresh process")
    print(f"{'database':<11} {'phase':<10} {'seconds':>8} {'peak MB':>8}  result")
    for database in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        if database == "sqlite":
            fresh_sqlite(VAR)
            url, name = None, "SQLite"
        else:
            url, name = fresh_postgres(DATABASE), "PostgreSQL"
            if url is None:
                print("PostgreSQL: no server could be reached or started; skipped")
                continue
        made = child(__file__, "setup", VAR, url)
        print(f"{name:<11} {'setup':<10} {'':>8} {'':>8}  {made['requests']} pending requests")
        for phase in ("solve", "recommend", "approve"):
            figures = child(__file__, phase, VAR, url, "--pool", str(made["pool"]))
            print(
                f"{name:<11} {phase:<10} {figures['seconds']:8.3f} {figures['peak_mb']:8.0f}  {figures['result']}"
            )


if __name__ == "__main__":
    main()
