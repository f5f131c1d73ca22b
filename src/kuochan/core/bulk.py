"""The write path for bulk imports: large parameterised batches, `COPY` on PostgreSQL.

The ORM's bulk_create/bulk_update build a model instance per row and, on SQLite, update in chunks of a
few dozen rows; a city's yearly metrics file is 100,000 rows. These helpers take rows of database-ready
values (numbers as exact text, dates as ISO text) and must run inside a transaction.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import chain, islice
from operator import itemgetter
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Expression, F, Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

BATCH = 5000


def table_name(model: type[Model]) -> str:
    """The model's table, quoted for raw SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def column_name(model: type[Model], field: str) -> str:
    """The column of one of the model's fields, quoted for raw SQL."""
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _columns(names: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def tuple_getter(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple]:
    """A function taking the items at `positions` of a row as a tuple, at C speed for several: unlike
    `itemgetter`, it gives a tuple for one position, and an empty one for none."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        (only,) = positions
        return lambda values: (values[only],)
    return lambda values: ()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or writing hundreds of thousands of small tuples
    with no cycles among them: its passes over them would cost a tenth to a third of the time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def running_alongside(sql: str, params: Sequence[object]) -> Iterator[None]:
    """Execute `sql` while the block computes in Python. On PostgreSQL the statement goes out in pipeline
    mode and its result is collected after the block, so the server's work overlaps the client's; the block
    must not query. Elsewhere it simply runs first. An error in the statement is raised at the block's end."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            yield
            return
        with connection.wrap_database_errors, cursor.connection.pipeline():
            cursor.execute(sql, params)
            yield


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    scaled: Sequence[str] = (),
) -> None:
    """INSERT many rows: COPY on PostgreSQL, executemany in large batches elsewhere. `rows` may be a
    generator: it is streamed, so the server stores rows while the caller produces more.

    Columns named in `scaled` receive integers of hundredths and store them divided by 100: on SQLite by
    the database; on PostgreSQL as the text "ne-2", which numeric reads exactly and which costs the client
    a third of what formatting a float does (the COPY of a large file is bound by the client).
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    rows = chain([first], rows)
    table, names = table_name(model), _columns(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            at = [i for i, name in enumerate(columns) if name in scaled]
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if at:
                        row = list(row)
                        for i in at:
                            if row[i] is not None:
                                row[i] = f"{row[i]}e-2"
                    copy.write_row(row)
            return
        marks = ", ".join("%s / 100.0" if name in scaled else "%s" for name in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(sql, batch)


def insert_columns(
    model: type[Model],
    columns: Sequence[str],
    chunks: Iterable[Sequence[Sequence[object]]],
    *,
    scaled: Sequence[str] = (),
) -> None:
    """`insert_rows` for rows that come a chunk at a time as columns (sequences of equal length, in
    `columns` order): on PostgreSQL a `scaled` column is turned into text in one pass over the column,
    cheaper than value by value in each row."""
    if connection.vendor != "postgresql":
        rows = (row for chunk in chunks for row in zip(*chunk, strict=True))
        insert_rows(model, columns, rows, scaled=scaled)
        return
    texts = (
        [
            [None if value is None else f"{value}e-2" for value in column] if name in scaled else column
            for name, column in zip(columns, chunk, strict=True)
        ]
        for chunk in chunks
    )
    insert_rows(model, columns, (row for chunk in texts for row in zip(*chunk, strict=True)))


def update_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UPDATE many rows by id; each row is the new values of `columns` followed by the id."""
    rows = list(rows)
    if not rows:
        return
    assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in columns)
    sql = f"UPDATE {table_name(model)} SET {assignments} WHERE id = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def select_rows(
    sql_columns: Sequence[str],
    model: type[Model],
    where: str,
    params: Sequence[object],
    *,
    alias: str = "",
    join: str = "",
) -> list[tuple]:
    """Raw rows of `model` (as `alias`, with `join`) for the given SQL expressions and condition."""
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(sql_columns, model, where, alias, join), params)
        return cursor.fetchall()


def _select_sql(
    sql_columns: Sequence[str], model: type[Model], where: str, alias: str = "", join: str = ""
) -> str:
    return f"SELECT {', '.join(sql_columns)} FROM {table_name(model)} {alias} {join} WHERE {where}"


class Selecting:
    """The rows of a query that may still be running: `done()` asks without waiting, `rows()` waits."""

    def __init__(self, future: Future[list[tuple]]) -> None:
        self._future = future

    def done(self) -> bool:
        return self._future.done()

    def rows(self) -> list[tuple]:
        with connection.wrap_database_errors:
            return self._future.result()


@contextmanager
def selecting_alongside(
    sql_columns: Sequence[str],
    model: type[Model],
    where: str,
    params: Sequence[object],
    *,
    alongside: bool = True,
) -> Iterator[Selecting]:
    """`select_rows` while the block computes in Python. On PostgreSQL the query runs on a worker thread,
    whose driver waits for the server without holding the GIL; the block may ask `done()` to stop work
    it does only while waiting, and must not touch the database. Elsewhere, or not `alongside` (in a web
    request, whose connection no other thread may use), the query simply runs first."""
    if connection.vendor != "postgresql" or not alongside:
        finished: Future[list[tuple]] = Future()
        finished.set_result(select_rows(sql_columns, model, where, params))
        yield Selecting(finished)
        return
    sql = _select_sql(sql_columns, model, where)
    with connection.cursor() as cursor, ThreadPoolExecutor(max_workers=1) as pool:

        def select() -> list[tuple]:  # psycopg's connection may be used from another thread
            cursor.execute(sql, params)
            return cursor.fetchall()

        yield Selecting(pool.submit(select))


def hundredths_sql(column: str) -> str:
    """A two-decimal numeric column read as an exact integer of hundredths, on both databases. PostgreSQL's
    numeric times 100 is already a whole number; SQLite keeps the column as a float, which must be
    rounded (0.29 × 100 is 28.999…)."""
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        return f"CAST({quoted} * 100 AS BIGINT)"
    return f"CAST(ROUND({quoted} * 100) AS BIGINT)"


def raw_values(queryset: QuerySet) -> list[tuple]:
    """The rows of a `values_list` queryset as the driver returns them, without Django's per-value
    converters: the rules read whole tables (150,000 projects × 14 dates) and the converters would
    cost more than the query. Read date columns through `raw_date` and convert them with `date_reader`."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a queryset known to be empty (.none(): an actor who may see nothing)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_date(field: str) -> Expression:
    """A date column for `raw_values`. On SQLite it is read as ISO text: the driver's own per-cell date
    parser is the slowest step of reading whole tables, and `date.fromisoformat` is a tenth of it."""
    if connection.vendor == "sqlite":
        return Cast(F(field), CharField())
    return F(field)


_NAT_DAYS = np.iinfo(np.int64).min  # a blank date on either database: NumPy reads these days as NaT

# How `read_columns` reads each kind of column: NumPy's type, PostgreSQL's fixed-width binary type and the
# value standing for NULL there (binary COPY gives NULL a different length, which would break the layout).
_KINDS: dict[str, tuple[str, str, str, str]] = {
    # kind: (NumPy dtype, big-endian binary dtype, PostgreSQL type, SQL for NULL)
    "int": ("int64", ">i8", "BIGINT", "0"),
    "float": ("float64", ">f8", "DOUBLE PRECISION", "'NaN'"),
    "hundredths": ("float64", ">f8", "DOUBLE PRECISION", "'NaN'"),
    "bool": ("bool", "?", "BOOLEAN", "FALSE"),
    "date": ("datetime64[D]", ">i8", "BIGINT", str(_NAT_DAYS)),  # days since 1970
}
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, no flags, no header extension


# kind: the SQLite expression of field `{}` with no NULL left, as a number that a float64 holds exactly
# (+∞ stands for a NULL float: a decimal column holds no infinity)
_SQLITE_FIELDS = {
    "int": "COALESCE({}, 0)",
    "float": "COALESCE({}, 9e999)",
    "hundredths": "COALESCE(ROUND({} * 100), 9e999)",
    "bool": "COALESCE({}, 0)",
    "date": f"COALESCE(CAST(julianday({{}}) - 2440587.5 AS INTEGER), {_NAT_DAYS})",  # days since 1970
}


def read_columns(sql: str, params: Sequence[object], kinds: Sequence[str]) -> list[np.ndarray]:
    """The columns of a query as NumPy arrays, one per selected expression, by kind: "int" (NULL as 0),
    "float" (NULL as NaN), "hundredths" (a two-decimal amount as a float of whole hundredths, NULL as NaN),
    "bool" (NULL as False) or "date" (NULL as NaT).

    The database makes every field a number with no NULL, so that the rows convert without a Python step
    per value. On PostgreSQL they come as one binary `COPY` with every field fixed-width, which NumPy reads
    straight from the buffer. On SQLite they come through the cursor and become one float64 table, which
    holds integers exactly up to 2^53 (larger ones are refused)."""
    names = [f"c{i}" for i in range(len(kinds))]
    if connection.vendor == "postgresql":
        return _copied_columns(sql, params, names, kinds)
    fields = [_SQLITE_FIELDS[kind].format(name) for name, kind in zip(names, kinds, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_over(sql, names, fields), params)
        rows = cursor.fetchall()
    table = np.array(rows, dtype=np.float64).reshape(len(rows), len(kinds))
    return [_from_floats(table[:, i], kind) for i, kind in enumerate(kinds)]


def _over(sql: str, names: Sequence[str], fields: Sequence[str]) -> str:
    """`fields` selected from the rows of `sql`, whose columns are called `names`."""
    return f"WITH q ({', '.join(names)}) AS ({sql}) SELECT {', '.join(fields)} FROM q"


def _from_floats(column: np.ndarray, kind: str) -> np.ndarray:
    if kind in ("float", "hundredths"):
        return np.where(np.isinf(column), np.nan, column)
    if kind == "bool":
        return column != 0
    integers = column.astype(np.int64)
    if kind == "date":
        return integers.view("datetime64[D]")
    if np.abs(column).max(initial=0) >= 2**53:
        raise ValueError("整数超出 2^53，无法经浮点数精确读取。")
    return integers


def _copied_columns(
    sql: str, params: Sequence[object], names: Sequence[str], kinds: Sequence[str]
) -> list[np.ndarray]:
    fields, layout = [], [("fields", ">i2")]
    for name, kind in zip(names, kinds, strict=True):
        value = {"hundredths": f"ROUND({name} * 100)", "date": f"({name} - DATE '1970-01-01')"}.get(
            kind, name
        )
        _, binary, pg_type, null = _KINDS[kind]
        fields.append(f"COALESCE(CAST({value} AS {pg_type}), {null})")
        layout += [(f"{name}_length", ">i4"), (name, binary)]
    record = np.dtype(layout)
    query = f"COPY ({_over(sql, names, fields)}) TO STDOUT (FORMAT binary)"
    with connection.cursor() as cursor, cursor.cursor.copy(query, params) as copy:
        data = b"".join(copy)
    body = memoryview(data)[len(_COPY_HEADER) : -2]  # the trailer is a field count of -1
    if not data.startswith(_COPY_HEADER) or len(body) % record.itemsize:
        raise ValueError("PostgreSQL 二进制 COPY 的数据格式与预期不符。")
    rows = np.frombuffer(body, dtype=record)
    columns = []
    for name, kind in zip(names, kinds, strict=True):
        if (rows[f"{name}_length"] != rows.dtype[name].itemsize).any():
            raise ValueError("PostgreSQL 二进制 COPY 的数据格式与预期不符。")
        numpy_type = _KINDS[kind][0]
        columns.append(
            rows[name].astype(np.int64).view(numpy_type) if kind == "date" else rows[name].astype(numpy_type)
        )
    return columns


def date_reader() -> Callable[[Any], dt.date | None]:
    """The converter of a `raw_date` value to a date: fromisoformat on SQLite, nothing on PostgreSQL."""
    if connection.vendor == "sqlite":
        return lambda value: dt.date.fromisoformat(value) if value else None
    return lambda value: value


def as_date(value: object) -> dt.date | None:
    """A date from a raw query, whichever form the driver gave it in (date, datetime or ISO text)."""
    if value is None or type(value) is dt.date:
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def id_batches(ids: Sequence[int], size: int = BATCH) -> Iterator[Any]:
    """Values for `pk__in` that together cover `ids`: one array parameter on PostgreSQL (a long IN list
    costs it more to plan than to run), IN lists of `size` on SQLite."""
    if not ids:
        return
    if connection.vendor == "postgresql":
        yield RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
        return
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
