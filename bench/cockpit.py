"""Benchmark: the leaders' cockpit and the monthly report, on PostgreSQL (and SQLite for comparison).

    .venv/bin/pip install -e '.[bench]'                       # gunicorn and locust, for the load test
    .venv/bin/python bench/cockpit.py                          # PostgreSQL, city and province scale, load test
    .venv/bin/python bench/cockpit.py --db both --no-load

Scales: city = the demo's 5,000 enterprises of Huzhou (about 1,400 projects with their year plans and monthly
progress, 22 tickets, 14 events), seen by a leader at the city; province = 50,000 enterprises (about 14,000
projects) in Huzhou and the demo's other cities of 浙江省, seen by a leader at the province. The script builds a fresh database per scale
(not timed), then, each in its own process, the median of REPEATS calls:

- **cockpit cold** — `GET /cockpit/?month=2026-10` as a leader through Django's test client with the cache
  emptied first: every figure computed (server time, no network);
- **cockpit warm** — the same page again: the figures come from the cache (keyed by the latest audit entry),
  what a meeting's second and later opens cost until someone edits data;
- **report** — `report_generate` of 2026-10: the figures, the workbook and the 通报 written and stored.

Then, at city scale on PostgreSQL, the load test: gunicorn (4 workers) on 127.0.0.1 and locust with 20
concurrent clients for 60 s, each signing in as a leader and opening the cockpit for one of the last six
months at random, 0.1–0.5 s apart; locust's p50/p95/p99 and the failure count are printed.

Targets ([cockpit]): cockpit under 300 ms server time at city scale and under 1.5 s at province scale on
PostgreSQL; p95 under 500 ms with 20 concurrent clients at city scale; a monthly report at city scale in
under 10 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from harness import ROOT, WORK, child, fresh_postgres, fresh_sqlite, peak_mb, setup_django, timed

DATABASE = "kuochan_bench_cockpit"
REPEATS = 5
MONTH = "2026-10"
SCALES = {"city": 5_000, "province": 50_000}
PORT = 8791


def var_of(scale: str) -> os.PathLike:
    return WORK / f"cockpit-{scale}-var"


def phase_setup(scale: str) -> dict:
    setup_django()
    from django.core.management import call_command

    from kuochan.accounts.models import Role, User
    from kuochan.orgs.models import OrgUnit
    from kuochan.projects.models import Project

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    options = ["--enterprises", str(SCALES[scale]), "--format", "json"]
    if scale == "province":
        options += ["--scale", "province"]
    call_command("demo_data", *options)
    # a leader of the city at city scale; of the province (浙江省, above Huzhou and the demo's other cities)
    root = OrgUnit.objects.get(code="330000" if scale == "province" else "330500")
    leader = User.objects.create(username="bench-leader", role=Role.LEADER, org_unit=root)
    leader.set_password("bench-password-2026")
    leader.save()
    return {"projects": Project.objects.count(), "root": root.name}


def _client():
    from django.test import Client

    from kuochan.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench-leader"))
    return client


def phase_timed(what: str) -> dict:
    setup_django()
    from django.core.cache import cache

    if what == "report":
        from kuochan.cockpit.services import report_generate

        year, month = (int(part) for part in MONTH.split("-"))
        seconds, result = timed(
            lambda: report_generate(actor=None, source="cli", year=year, month=month).pk, 3
        )
        return {"seconds": seconds, "result": f"report #{result}", "peak_mb": peak_mb()}
    client = _client()

    def get() -> int:
        response = client.get(f"/cockpit/?month={MONTH}")
        assert response.status_code == 200, response.status_code
        return len(response.content)

    get()  # the first request of a process pays for imports and template loading
    seconds, size = timed(get, REPEATS, before=cache.clear if what == "cold" else None)
    return {"seconds": seconds, "result": f"{size:,} bytes", "peak_mb": peak_mb()}


LOCUSTFILE = """
import random
import re

from locust import HttpUser, between, task

MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


class Leader(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self):
        page = self.client.get("/login/", name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post("/login/", {"username": "bench-leader", "password": "bench-password-2026",
                                     "csrfmiddlewaretoken": token}, name="login")

    @task
    def cockpit(self):
        self.client.get(f"/cockpit/?month={random.choice(MONTHS)}", name="/cockpit/")
"""


def load_test(url: str | None) -> dict:
    """gunicorn on loopback and locust with 20 clients for 60 s against the city-scale database."""
    env = {
        **os.environ,
        "KUOCHAN_VAR": str(var_of("city")),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT / "src"),
    }
    if url:
        env["DATABASE_URL"] = url
    gunicorn = [
        sys.executable, "-m", "gunicorn", "kuochan.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
        "--workers", "4", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(gunicorn, env=env, cwd=ROOT, start_new_session=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        locustfile = WORK / "cockpit_locustfile.py"
        locustfile.write_text(LOCUSTFILE)
        prefix = WORK / "cockpit_load"
        command = [
            sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", "20", "-r", "20", "-t", "60s",
            "--host", f"http://127.0.0.1:{PORT}", "--csv", str(prefix), "--only-summary",
        ]  # fmt: skip
        subprocess.run(command, check=False, capture_output=True, text=True)
        with open(f"{prefix}_stats.csv", newline="") as stats:
            row = next(r for r in csv.DictReader(stats) if r["Name"] == "/cockpit/")
        return {
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "p50": row["50%"], "p95": row["95%"], "p99": row["99%"], "rps": row["Requests/s"],
        }  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--scale", choices=["city", "province", "both"], default="both")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--for-scale", default="city", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = phase_setup(args.for_scale) if args.phase == "setup" else phase_timed(args.phase)
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"month {MONTH}; each time is the median of {REPEATS} calls (report: 3) in a fresh process")
    print(f"{'database':<11} {'scale':<9} {'phase':<14} {'seconds':>8} {'peak MB':>8}  result")
    for database in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        for scale in ["city", "province"] if args.scale == "both" else [args.scale]:
            var = var_of(scale)
            if database == "sqlite":
                fresh_sqlite(var)
                url, name = None, "SQLite"
            else:
                url, name = fresh_postgres(f"{DATABASE}_{scale}"), "PostgreSQL"
                if url is None:
                    print("PostgreSQL: no server could be reached or started; skipped")
                    continue
            made = child(__file__, "setup", var, url, "--for-scale", scale)
            print(
                f"{name:<11} {scale:<9} {'setup':<14} {'':>8} {'':>8}  {made['projects']} projects under {made['root']}"
            )
            for phase, label in (("cold", "cockpit cold"), ("warm", "cockpit warm"), ("report", "report")):
                if phase == "report" and scale != "city":
                    continue
                figures = child(__file__, phase, var, url)
                print(
                    f"{name:<11} {scale:<9} {label:<14} {figures['seconds']:8.3f} {figures['peak_mb']:8.0f}  {figures['result']}"
                )
            if scale == "city" and database == "postgres" and not args.no_load:
                load = load_test(url)
                print(
                    f"{name:<11} {scale:<9} {'load 20×60 s':<14} p50 {load['p50']} ms, p95 {load['p95']} ms, "
                    f"p99 {load['p99']} ms; {load['requests']} requests, {load['failures']} failures, {load['rps']} req/s"
                )


if __name__ == "__main__":
    main()
