"""Benchmark: a 100,000-row metrics file imported through the upload page, checked and then applied by the
background worker, its progress polled as the page polls it.

    .venv/bin/python bench/import_upload.py                        # SQLite, 100,000 rows
    .venv/bin/python bench/import_upload.py --db postgres --rows 20000

The page's requests go through Django's test client in this process (the whole view stack, without a
socket); a `kuochan db_worker` process runs the jobs. Printed: each request's time, each job's time from
queued to started to done, the progress steps seen while polling every 0.2 s, the pages' sizes, and the
worker's peak memory.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness import WORK, child, fresh_postgres, setup_django
from import_metrics import make_file

POLL_SECONDS = 0.2
HERE = Path(__file__).resolve()


def poll(client, job_url: str) -> tuple[str, list[tuple[float, str, str]]]:
    """Poll the job's progress card until it is finished; (where it sends the user, [(seconds since the
    first poll, percent, status and step)] for each change seen)."""
    pk = int(re.search(r"/jobs/(\d+)/", job_url).group(1))
    start, seen = time.perf_counter(), []
    while True:
        card = client.get(f"/jobs/{pk}/progress/", HTTP_HX_REQUEST="true")
        html = card.content.decode()
        shown = re.sub(r"\s+", " ", re.search(r"<strong>(.*?)</strong>", html, re.S).group(1)).strip()
        percent = re.search(r"(\d+)%</span>", html).group(1)
        if not seen or seen[-1][1:] != (percent, shown):
            seen.append((time.perf_counter() - start, percent, shown))
        if card.get("HX-Redirect"):
            return card["HX-Redirect"], seen
        if 'data-status="failed"' in html:
            raise SystemExit(f"the job failed: {html}")
        time.sleep(POLL_SECONDS)


def job_times(job_url: str) -> str:
    from kuochan.jobs.models import Job

    job = Job.objects.get(pk=int(re.search(r"/jobs/(\d+)/", job_url).group(1)))
    waited = (job.started_at - job.created_at).total_seconds()
    ran = (job.finished_at - job.started_at).total_seconds()
    return f"waited {waited:.2f} s for the worker, ran {ran:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    path = WORK / f"metrics-{args.rows}.xlsx"
    var = WORK / "var-upload"
    var.mkdir(parents=True, exist_ok=True)
    for name in ("kuochan.sqlite3", "kuochan.sqlite3-wal", "kuochan.sqlite3-shm"):
        (var / name).unlink(missing_ok=True)
    url = fresh_postgres("kuochan_bench_upload") if args.db == "postgres" else None
    if args.db == "postgres" and not url:
        raise SystemExit("PostgreSQL: no server could be reached or started")
    os.environ["KUOCHAN_VAR"] = str(var)  # this process and the worker use the benchmark's database
    os.environ.pop("DATABASE_URL", None)
    if url:
        os.environ["DATABASE_URL"] = url
    if not path.exists():
        print(f"writing {path} …", flush=True)
        make_file(path, args.rows)
    child(str(HERE.with_name("import_metrics.py")), "setup", var, url, "--rows", str(args.rows))
    setup_django()
    from django.test import Client

    from kuochan.accounts.models import Role, User
    from kuochan.orgs.models import OrgUnit

    user = User.objects.create(
        username="bench", role=Role.CITY_STAFF, org_unit=OrgUnit.objects.get(code="330500")
    )
    kuochan = str(Path(sys.executable).with_name("kuochan"))
    worker = subprocess.Popen(
        [kuochan, "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        env={**os.environ, "PYTHONPATH": str(HERE.parents[1] / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get("/imports/")  # this process's first request loads every view: not the upload's time
    time.sleep(5)  # let the worker start: its own start-up is not the import's
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows; database: {args.db}")
    try:
        started = time.perf_counter()
        with path.open("rb") as stream:
            sent = time.perf_counter()
            queued = client.post("/imports/upload/", {"kind": "enterprise-metrics", "file": stream})
        print(f"upload request (file stored, check queued): {time.perf_counter() - sent:.2f} s")
        preview_url, steps = poll(client, queued["Location"])
        print(f"check in the worker: {job_times(queued['Location'])}; progress seen:")
        for at, percent, shown in steps:
            print(f"  {at:6.2f} s  {percent:>3}%  {shown}")
        shown = time.perf_counter()
        preview = client.get(preview_url)
        counts = re.findall(r'<div class="h2 m-0[^"]*">(\d+)</div>', preview.content.decode())
        print(
            f"preview page: {time.perf_counter() - shown:.2f} s, {len(preview.content) / 1024:.0f} KB"
            f" (将新增/将更新/不变/错误 {'/'.join(counts)}); upload to preview {shown - started:.2f} s"
        )
        sent = time.perf_counter()
        applying = client.post(f"{preview_url}apply/")
        print(f"apply request (queued): {time.perf_counter() - sent:.2f} s")
        batch_url, steps = poll(client, applying["Location"])
        print(f"apply in the worker: {job_times(applying['Location'])}; progress seen:")
        for at, percent, shown in steps:
            print(f"  {at:6.2f} s  {percent:>3}%  {shown}")
        print(f"confirm to batch page: {time.perf_counter() - sent:.2f} s ({batch_url})")
        print(f"total, upload to batch: {time.perf_counter() - started:.2f} s")
    finally:
        worker.send_signal(signal.SIGINT)
        _, _, usage = os.wait4(worker.pid, 0)
        worker.returncode = 0
        print(f"worker peak memory: {usage.ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
