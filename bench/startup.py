"""How long a `kuochan` command with little to do takes, start to finish: the whole process's wall time,
the median of `--repeats` runs, each in a fresh process with this checkout's source first on the path.

    .venv/bin/python bench/startup.py                 # the commands below, 5 runs each
    .venv/bin/python bench/startup.py --repeats 9
    .venv/bin/python bench/startup.py --importtime    # also the ten slowest imports of each command

The goal (issue 21): under 0.5 s wall time for each but `check` (which loads every page and API route on
purpose) on a 2-core CI-class machine. The CPU time is the steadier figure on a busy machine."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = [
    ["help"],
    ["import", "enterprise-metrics", "/nonexistent.xlsx"],
    ["user", "--help"],
    ["check"],
]


def environment(var: str) -> dict[str, str]:
    env = {**os.environ, "KUOCHAN_VAR": var, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed program runs from bytecode, not from source
    return env


def run(
    command: list[str], env: dict[str, str], python_options: tuple[str, ...] = ()
) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of one run, and what it wrote to stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *python_options, "-m", "kuochan", *command], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stderr


def slowest_imports(stderr: str, count: int = 10) -> list[tuple[int, str]]:
    """The top-level imports (cumulative microseconds) of a `-X importtime` report, slowest first."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split(":", 1)[1].split("|")
        if not name.startswith("  "):  # one space after the bar: a top-level import
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--importtime", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        env = environment(var)
        run(["help"], env)  # writes var/secret_key and warms the file cache
        print(f"{'command':<56} wall s   CPU s  (medians of {options.repeats})")
        for command in COMMANDS:
            runs = [run(command, env) for _ in range(options.repeats)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"kuochan {' '.join(command):<48} {wall:6.3f}  {cpu:6.3f}")
            if options.importtime:
                for micros, name in slowest_imports(run(command, env, ("-X", "importtime"))[2]):
                    print(f"    {micros / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
