"""An import killed in the middle of writing leaves the database exactly as before: the process is killed
(SIGKILL, no clean-up) once it is seen writing, then every table is compared with what it held."""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from kuochan.registry.models import AnnualMetric, Enterprise
from tests.conftest import METRIC_HEADER
from tests.xlsx import write_xlsx

YEARS = (2016, 2017, 2018, 2019, 2020)


def every_row() -> dict[str, list[dict]]:
    return {
        m._meta.db_table: list(m.objects.order_by("pk").values())
        for m in apps.get_models(include_auto_created=True)
    }


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def writing() -> bool:
    """Whether the import is inside its one write transaction: it holds SQLite's write lock (a second writer
    cannot begin), or its COPY is running on PostgreSQL."""
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError:  # database is locked: the import is writing
            return True
        finally:
            probe.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND state = 'active' AND query ILIKE 'COPY%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_while_writing_leaves_the_database_as_before(huzhou, tmp_path):
    call_command("demo_data", "--enterprises", "2500", "--format", "json", stdout=io.StringIO())
    usccs = list(Enterprise.objects.values_list("uscc", flat=True))
    rows = [METRIC_HEADER] + [[u, year, 1000 + n, 300, 50] for n, u in enumerate(usccs) for year in YEARS]
    path = write_xlsx(tmp_path / "metrics.xlsx", rows)
    before = every_row()
    env = {**os.environ, "DATABASE_URL": database_url()}
    command = [sys.executable, "-m", "kuochan", "import", "enterprise-metrics", str(path)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while process.poll() is None and not writing() and time.monotonic() < deadline:
        time.sleep(0.002)
    assert process.poll() is None, "the import finished before it was seen writing"
    process.send_signal(signal.SIGKILL)
    process.wait()
    connection.close()  # read afresh, as the next process would
    assert every_row() == before
    # and the same file imports completely afterwards
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert AnnualMetric.objects.filter(year__in=YEARS).count() == len(usccs) * len(YEARS)
