"""SQL that only PostgreSQL runs: migrations' guards, and turns taken on a name (advisory locks)."""

from collections.abc import Callable
from typing import Any

from django.db import connection


def on_postgresql(sql: str) -> Callable[[Any, Any], None]:
    """A RunPython function that executes `sql` on PostgreSQL and does nothing elsewhere."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)  # no parameters: the SQL is taken as written (its % signs too)

    return run


def serialize(name: str) -> None:
    """Take turns on `name` with every other transaction until this one ends (a PostgreSQL advisory lock,
    released at commit or rollback). On SQLite write transactions already take turns (IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
