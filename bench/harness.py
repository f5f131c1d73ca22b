"""What the benchmarks share: Django set-up in a child process, the phase runner, fresh databases, timing
and peak memory. Each benchmark runs every phase in a fresh process (`child`), so one phase's heap and
caches never help the next."""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("KUOCHAN_BENCH_DIR", ROOT / "var" / "bench"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuochan.settings")
    import django

    django.setup()


def timed(
    call: Callable[[], object], repeats: int, before: Callable[[], None] | None = None
) -> tuple[float, object]:
    """The median wall time of `repeats` calls in this process, and the last result. Each call starts from
    the same heap (the previous result dropped and collected), as a single call in a fresh process would;
    `before` runs ahead of each call, untimed."""
    seconds, result = [], None
    for _ in range(repeats):
        result = None
        if before is not None:
            before()
        gc.collect()
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def child(script: str, phase: str, var: Path, database_url: str | None, *options: str) -> dict:
    """Run `script --phase phase *options` in a fresh process on the given database (SQLite in `var`
    without a URL) and return the JSON it prints last."""
    env = {**os.environ, "KUOCHAN_VAR": str(var)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, script, "--phase", phase, *options]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def fresh_postgres(database: str) -> str | None:
    """The URL of an empty database `database` on the PostgreSQL server (started if need be), or None
    when no server can be reached or started."""
    url = subprocess.run(
        [str(ROOT / "scripts" / "ensure-postgres")], capture_output=True, text=True
    ).stdout.strip()
    if not url:
        return None
    admin = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {database}"], check=True)
    return url.rsplit("/", 1)[0] + f"/{database}"


def fresh_sqlite(var: Path) -> None:
    var.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (var / f"kuochan.sqlite3{suffix}").unlink(missing_ok=True)
