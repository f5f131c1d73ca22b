"""Benchmark: the service system's whole-city reads — every ticket's light as of a date rebuilt from the
timelines, the overdue list, the daily sweep, and the matchmaking totals of a year.

    .venv/bin/python bench/outreach.py                        # SQLite and PostgreSQL
    .venv/bin/python bench/outreach.py --db sqlite --tickets 5000

The script builds a fresh database (not timed): schema, Huzhou's reference data, the demo's enterprises
(`kuochan demo-data --enterprises 5000`), then TICKETS tickets in every state with 1 to 6 timeline steps
each, and EVENTS matchmaking events of 40 enterprises and 5 outcomes each, written in bulk. Then, each in its
own process, the median of REPEATS calls:

- **lights** — `selectors.with_lights` of every ticket in the city staff's scope (the 全部灯色 filter of the
  ticket list and its export);
- **overdue** — `selectors.overdue`, what `kuochan tickets overdue` prints;
- **sweep** — `services.outreach_sweep` once everything has been escalated and notified (the daily run
  finds nothing new: its steady state);
- **totals** — `selectors.event_totals` of the year.

[outreach] names no figure; the aim is a whole city's tickets well under the second a page may take.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random

from harness import WORK, child, fresh_postgres, fresh_sqlite, peak_mb, setup_django, timed

VAR = WORK / "outreach-var"
DATABASE = "kuochan_bench_outreach"
REPEATS = 5
AS_OF = dt.date(2026, 11, 30)
STATES = ("accepted", "consulting", "coordinating", "handling", "resolved", "closed")


def phase_setup(tickets: int, events: int) -> dict:
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("demo_data", "--enterprises", "5000", "--format", "json")
    from kuochan.outreach.models import Department, Event, Outcome, Participant, Ticket, TicketStep
    from kuochan.outreach.services import outreach_sweep
    from kuochan.registry.models import Enterprise

    rng = random.Random(2026)
    enterprises = list(Enterprise.objects.select_related("district").order_by("pk"))
    departments = list(Department.objects.all())
    made = Ticket.objects.bulk_create(
        Ticket(
            number=f"BENCH-{n:07d}", enterprise=(e := rng.choice(enterprises)), district=e.district,
            source="staff", category=rng.choice(["land", "energy", "finance", "talent", "approval", "market"]),
            title="扩产要素需求", status=(status := rng.choice(STATES)),
            department=rng.choice(departments) if STATES.index(status) >= 2 else None,
            due_date=AS_OF + dt.timedelta(days=rng.randint(-40, 30)),
        )
        for n in range(tickets)
    )  # fmt: skip
    start = timezone.make_aware(dt.datetime(2026, 6, 1, 9))
    steps = []
    for ticket in made:
        reached = STATES.index(ticket.status)
        for k in range(reached + 1):
            steps.append(
                TicketStep(
                    ticket=ticket, action="create" if k == 0 else "consult", from_status=STATES[k - 1] if k else "",
                    to_status=STATES[k], due_date=ticket.due_date, actor_name="bench",
                    at=start + dt.timedelta(days=rng.randint(0, 170), minutes=k),
                )
            )  # fmt: skip
    TicketStep.objects.bulk_create(steps, batch_size=5000)
    for n in range(events):
        event = Event.objects.create(
            kind="chain", title=f"对接会 {n}", date=dt.date(2026, 1, 1) + dt.timedelta(days=n % 330),
            unit=rng.choice(enterprises).district, organiser="市经信局",
        )  # fmt: skip
        attendees = rng.sample(enterprises, 40)
        Participant.objects.bulk_create(
            Participant(event=event, role="enterprise", enterprise=e, name=e.name) for e in attendees
        )
        Outcome.objects.bulk_create(
            Outcome(event=event, kind="order", enterprise=e, amount_wan=rng.randint(100, 5000))
            for e in attendees[:5]
        )
    outreach_sweep(today=AS_OF)  # escalations and notices made once; the timed sweeps find nothing new
    return {"tickets": Ticket.objects.count(), "steps": TicketStep.objects.count(), "events": events}


def phase_timed(what: str) -> dict:
    setup_django()
    from kuochan.accounts.models import User
    from kuochan.outreach import selectors
    from kuochan.outreach.services import outreach_sweep

    rules = selectors.current_rules()
    city = User.objects.get(username="city")
    calls = {
        "lights": lambda: len(
            selectors.with_lights(list(selectors.tickets(actor=city)), as_of=AS_OF, rules=rules)
        ),
        "overdue": lambda: len(selectors.overdue(actor=None, as_of=AS_OF, rules=rules)),
        "sweep": lambda: outreach_sweep(today=AS_OF).notices,
        "totals": lambda: (
            selectors.event_totals(actor=city, start=dt.date(2026, 1, 1), end=AS_OF)[1].enterprises
        ),
    }
    seconds, result = timed(calls[what], REPEATS)
    return {"seconds": seconds, "result": result, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        handler = (
            (lambda: phase_setup(args.tickets, args.events))
            if args.phase == "setup"
            else lambda: phase_timed(args.phase)
        )
        print(json.dumps(handler(), ensure_ascii=False))
        return
    print(f"as of {AS_OF}; each time is the median of {REPEATS} calls in a fresh process")
    print(f"{'database':<11} {'phase':<8} {'seconds':>8} {'peak MB':>8}  result")
    for database in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        if database == "sqlite":
            fresh_sqlite(VAR)
            url, name = None, "SQLite"
        else:
            url, name = fresh_postgres(DATABASE), "PostgreSQL"
            if url is None:
                print("PostgreSQL: no server could be reached or started; skipped")
                continue
        made = child(
            __file__, "setup", VAR, url, "--tickets", str(args.tickets), "--events", str(args.events)
        )
        print(
            f"{name:<11} {'setup':<8} {'':>8} {'':>8}  {made['tickets']} tickets, {made['steps']} steps, "
            f"{made['events']} events"
        )
        for phase in ("lights", "overdue", "sweep", "totals"):
            figures = child(__file__, phase, VAR, url)
            print(
                f"{name:<11} {phase:<8} {figures['seconds']:8.3f} {figures['peak_mb']:8.0f}  {figures['result']}"
            )


if __name__ == "__main__":
    main()
