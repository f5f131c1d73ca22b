"""Benchmark: matching every policy of the catalogue against every enterprise and project of the city in one
batch (政策找企业 for all policies at once), as `kuochan match --format json` does.

    .venv/bin/python bench/policies.py                        # SQLite and PostgreSQL
    .venv/bin/python bench/policies.py --db sqlite --enterprises 5000

The script builds a fresh database (not timed): schema, Huzhou's reference data (the 11 policies of the seed,
their vague conditions left as 【待明确】 placeholders), and the demo's enterprises with their figures,
honours and projects, evaluated for 2024 and 2025 (`kuochan demo-data --enterprises N`). Then, each in its
own process, the median of REPEATS calls:

- **facts** — `selectors.enterprise_facts` of every enterprise (above-scale, chains, honours held, last
  year's revenue and tax, the latest evaluation);
- **match** — `selectors.matching` of all 11 policies against all enterprises and projects (facts read once
  per kind of subject, every rule evaluated over them, reasons in Chinese);
- **report** — `selectors.match_report`, the JSON of the command and the API, with every match.

[policies] names no figure; the aim is a whole-city batch well under the 5 s a page may take.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from harness import WORK, child, fresh_postgres, fresh_sqlite, peak_mb, setup_django, timed

VAR = WORK / "policies-var"
DATABASE = "kuochan_bench_policies"
REPEATS = 5
AS_OF = dt.date(2026, 11, 30)


def phase_setup(enterprises: int) -> dict:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("demo_data", "--enterprises", str(enterprises), "--format", "json")
    from kuochan.projects.models import Project
    from kuochan.registry.models import Enterprise

    return {"enterprises": Enterprise.objects.count(), "projects": Project.objects.count()}


def phase_timed(what: str) -> dict:
    setup_django()
    from kuochan.policies import selectors
    from kuochan.registry.models import Enterprise

    chosen = list(selectors.policies())
    calls = {
        "facts": lambda: len(selectors.enterprise_facts(Enterprise.objects.all(), AS_OF)),
        "match": lambda: sum(
            len(m) for m in selectors.matching(actor=None, as_of=AS_OF, chosen=chosen).values()
        ),
        "report": lambda: sum(
            len(p["matches"])
            for p in selectors.match_report(actor=None, as_of=AS_OF, chosen=chosen, everyone=True)["policies"]
        ),
    }
    seconds, result = timed(calls[what], REPEATS)
    return {"seconds": seconds, "result": result, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--enterprises", type=int, default=30_000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        handler = (
            (lambda: phase_setup(args.enterprises))
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
        made = child(__file__, "setup", VAR, url, "--enterprises", str(args.enterprises))
        print(
            f"{name:<11} {'setup':<8} {'':>8} {'':>8}  {made['enterprises']} enterprises, {made['projects']} projects"
        )
        for phase in ("facts", "match", "report"):
            figures = child(__file__, phase, VAR, url)
            print(
                f"{name:<11} {phase:<8} {figures['seconds']:8.3f} {figures['peak_mb']:8.0f}  {figures['result']} rows"
            )


if __name__ == "__main__":
    main()
