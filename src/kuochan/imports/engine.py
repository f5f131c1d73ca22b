"""Running an import: read, parse every cell, check every row, plan, and write all-or-nothing as one batch;
and rolling a batch back to exactly what was there before."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.deletion import Collector
from django.utils import timezone

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.core.bulk import gc_paused, insert_rows, update_rows
from kuochan.imports.exporting import write_table
from kuochan.imports.models import BatchStatus, ImportBatch
from kuochan.imports.parsing import FLOAT_FAST_PATHS, CellError, clean_text, header_key, to_hundredths
from kuochan.imports.reading import MappedColumn, Table, TableError
from kuochan.imports.specs import REGISTRY, Importer
from kuochan.jobs.registry import Progress

_NO_VALUE = object()


@dataclass(frozen=True)
class Layout:
    """Where each column sits in the file, how it is headed there, and where its parsed value sits in
    each row's values; shared by all rows."""

    index: dict[str, int]
    headers: dict[str, str]
    position: dict[str, int]
    deferred: tuple[MappedColumn, ...] = ()  # parsed only when needed (`parse_pending`); their values last


@dataclass(slots=True)
class Row:
    """One data row of the file: its Excel number, its cells, and parsed values in column order.

    Values are a tuple (a dict per row costs more than reading the cells); what checks learn about a row
    (its enterprise, its scope) goes in `found`, and `get` looks there first. A `pending` row's deferred
    columns are not parsed yet: their values are None until `parse_pending`.
    """

    number: int
    cells: list[object]
    values: tuple[Any, ...]
    layout: Layout
    found: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = None
    warnings: list[dict[str, Any]] | None = None
    pending: bool = False

    def raw(self, key: str) -> object:
        index = self.layout.index.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def _problem(self, key: str, message: str, value: object) -> dict[str, Any]:
        shown = self.raw(key) if value is _NO_VALUE else value
        return {
            "row": self.number,
            "column": self.layout.headers.get(key, key),
            "value": "" if shown is None else shown if isinstance(shown, str) else clean_text(shown),
            "message": message,
        }

    def error(self, key: str, message: str, value: object = _NO_VALUE) -> None:
        if self.errors is None:
            self.errors = []
        self.errors.append(self._problem(key, message, value))

    def warn(self, key: str, message: str, value: object = _NO_VALUE) -> None:
        if self.warnings is None:
            self.warnings = []
        self.warnings.append(self._problem(key, message, value))

    def get(self, key: str) -> Any:
        if self.found is not None and key in self.found:
            return self.found[key]
        position = self.layout.position.get(key)
        return None if position is None else self.values[position]

    def set(self, key: str, value: Any) -> None:
        if self.found is None:
            self.found = {}
        self.found[key] = value

    def has(self, key: str) -> bool:
        """Whether the file has this column (a partial file leaves the other fields alone)."""
        return key in self.layout.position


@dataclass
class Plan:
    creates: list[Any] = field(default_factory=list)
    updates: list[Any] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class ImportResult:
    kind: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    applied: bool = False
    batch: int | None = None
    with_warnings: bool = False

    def as_json(self) -> dict[str, Any]:
        data = {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": self.errors,
            "applied": self.applied,
            "batch": self.batch,
        }
        if self.with_warnings:
            data["warnings"] = self.warnings
        return data


def importer_for(kind: str, actor: Any, *, alongside: bool = False) -> Importer:
    try:
        return REGISTRY[kind](actor=actor, alongside=alongside)
    except KeyError as exc:
        raise ValidationError(f"未知的导入类型“{kind}”，可用：{'、'.join(sorted(REGISTRY))}") from exc


def _read_column(raw: list[object], read: Any, required: bool) -> tuple[list[Any], dict[int, str]]:
    """One column of every row through its reader: (values, {position: error message})."""
    fast = FLOAT_FAST_PATHS.get(read)
    if read is to_hundredths:  # most cells of a metrics file: inlined, a call per cell costs a third more
        values = [round(v * 100) if type(v) is float and 0 <= v < 1e13 else None for v in raw]
        todo = [i for i, value in enumerate(values) if value is None]
    elif fast is not None:
        values = [fast(value) if type(value) is float else None for value in raw]
        todo = [i for i, value in enumerate(values) if value is None]
    else:
        values = [None] * len(raw)
        todo = range(len(raw))
    errors = {}
    for i in todo:
        value = raw[i]
        if value is None or value == "" or (type(value) is str and value.isspace()):
            values[i] = None
            if required:
                errors[i] = "不能为空"
            continue
        try:
            values[i] = read(value)
        except CellError as exc:
            errors[i] = str(exc)
    return values, errors


def _read_columns(
    mapped: Sequence[MappedColumn], cells_of: list[list[object]]
) -> tuple[list[list[Any]], list[tuple[int, str, str]]]:
    """The given columns of every row, each through its reader: (values by column, [(row position, column
    key, error message)])."""
    columns, errors = [], []
    for m in mapped:
        values, problems = _read_column([cells[m.index] for cells in cells_of], m.column.reader(m.unit),
                                        m.column.required)  # fmt: skip
        columns.append(values)
        errors += [(i, m.column.key, message) for i, message in problems.items()]
    return columns, errors


def _parse_all(
    table_columns: list[MappedColumn], data: list[tuple[int, list[object]]], deferred: Set[str] = frozenset()
) -> list[Row]:
    """Every cell through its column's reader, a column at a time: the hot loop of an import, kept to
    list comprehensions for number cells (a city's metrics file is some two million cells). Columns whose
    keys are in `deferred` are left for `parse_pending`."""
    now = [m for m in table_columns if m.column.key not in deferred]
    later = tuple(m for m in table_columns if m.column.key in deferred)
    layout = Layout(
        index={m.column.key: m.index for m in table_columns},
        headers={m.column.key: m.header for m in table_columns},
        position={m.column.key: position for position, m in enumerate([*now, *later])},
        deferred=later,
    )
    width = max((m.index for m in table_columns), default=0) + 1
    cells_of = [
        cells if len(cells) >= width else [*cells, *[None] * (width - len(cells))] for _, cells in data
    ]
    columns, errors = _read_columns(now, cells_of)
    blanks, pending = (None,) * len(later), bool(later)
    rows = [
        Row(number=number, cells=cells, values=values + blanks, layout=layout, pending=pending)
        for (number, _), cells, values in zip(data, cells_of, zip(*columns, strict=True), strict=True)
    ]
    for i, key, message in sorted(errors):
        rows[i].error(key, message)
    return rows


def parse_pending(rows: Iterable[Row]) -> None:
    """Parse the deferred columns of those of `rows` still pending, a column at a time. A cell that fails
    is the row's error, as at the first parse. An importer parses late what neither its checks nor telling
    a new row from a stored one need: a new row's amounts, parsed as the row is written, so that the
    database stores the rows before them meanwhile."""
    pending = [row for row in rows if row.pending]
    if not pending:
        return
    layout = pending[0].layout
    columns, errors = _read_columns(layout.deferred, [row.cells for row in pending])
    start = len(layout.position) - len(layout.deferred)
    for row, values in zip(pending, zip(*columns, strict=True), strict=True):
        row.values = row.values[:start] + values
        row.pending = False
    for i, key, message in sorted(errors):
        pending[i].error(key, message)


def _read_while_prefetching(path: Path, importer: Importer) -> Table:
    """Read the file on a second thread while the importer prefetches on this one (in the background
    only). python-calamine parses the sheet without holding the GIL (nine tenths of a large file's read),
    so the database look-ups cost no time of their own. Only this thread touches the database."""
    if not importer.alongside:
        importer.prefetch(path.stat().st_size)
        return importer.read(path)
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(importer.read, path)
        importer.prefetch(path.stat().st_size)
        return reading.result()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _store(path: Path, digest: str) -> str:
    """Keep the imported file beside its batch: the batch's "after" values, as the user sent them."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.xlsx"
    if not target.exists():
        shutil.copyfile(path, target)
    return str(target.relative_to(settings.MEDIA_ROOT))


def no_progress(done: int, total: int, step: str) -> None:
    """Where an import reports its steps when nobody follows them."""


def run_import(kind: str, path: Path, *, background: bool = False, **options: Any) -> ImportResult:
    """Import a file. With any error nothing is written, unless `skip_invalid` asks to write the valid rows.
    Its steps (读取文件, 检查数据, 写入数据) go to `progress(done, total, step)`.

    In the `background` (the worker, the command line) it plays tricks that touch the whole process, which
    a web request must not: the cyclic garbage collector is paused (a large file makes millions of small
    tuples and lists with no cycles among them, and its passes over them cost a tenth of the import's
    time), the file is read on a second thread, and stored rows are looked up on another thread through
    the same database connection while this one computes.
    """
    if not background:
        return _run_import(kind, path, alongside=False, **options)
    with gc_paused():
        return _run_import(kind, path, alongside=True, **options)


def _run_import(
    kind: str,
    path: Path,
    *,
    actor: Any,
    source: Source,
    file_name: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    alongside: bool = False,
    progress: Progress = no_progress,
    context: dict[str, Any] | None = None,
) -> ImportResult:
    """`context` carries what a kind takes besides the file (the statistics' month)."""
    importer = importer_for(kind, actor, alongside=alongside)
    importer.context.update(context or {})
    result = ImportResult(kind=kind, file=file_name or path.name, with_warnings=importer.warns)
    if actor is not None and not actor.can_edit:
        message = f"用户 {actor.get_username()} 无权导入数据（{actor.get_role_display()}只能查看）"
        result.errors.append({"row": 0, "column": "", "value": "", "message": message})
        return result
    steps = 3 if dry_run else 4
    progress(0, steps, "读取文件")
    try:
        table = _read_while_prefetching(path, importer)
    except TableError as exc:
        result.errors.append({"row": exc.row, "column": "", "value": "", "message": str(exc)})
        return result
    progress(1, steps, f"检查数据（{len(table.rows):,} 行）")
    rows = _parse_all(table.columns, table.rows, importer.parsed_late())
    importer.check([row for row in rows if not row.errors])
    plan = importer.plan([row for row in rows if not row.errors])
    refused = sum(1 for row in rows if row.errors)
    if dry_run or (refused and not skip_invalid):
        progress(2, steps, "汇总结果")
        parse_pending(rows)
        _tally(result, rows, plan, refused, skip_invalid)
        return result
    progress(2, steps, f"写入数据（新增 {len(plan.creates):,} 行，更新 {len(plan.updates):,} 行）")
    digest = sha256_of(path)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            file_name=result.file,
            file_sha256=digest,
            actor=actor,
            actor_name=actor.get_username() if actor else "系统",
            source=source,
            scope_path=(actor.org_path or "") if actor else "",
            rows=len(rows),
        )
        importer.write(plan, batch_id=batch.pk, source=source)  # parses the new rows' pending cells
        parse_pending(rows)  # the refused rows' too: every problem is reported
        _tally(result, rows, plan, refused, skip_invalid)
        if result.errors and not skip_invalid:  # a new row's cell failed as it was written: undo it all
            transaction.set_rollback(True)
            return result
        batch.created, batch.updated = result.created, result.updated
        batch.unchanged, batch.skipped = result.unchanged, result.skipped
        batch.stored_file = _store(path, digest)  # only for a batch that stays
        batch.save(update_fields=["created", "updated", "unchanged", "skipped", "stored_file"])
    result.applied, result.batch = True, batch.pk
    return result


def _tally(
    result: ImportResult, rows: list[Row], plan: Plan, refused_before: int, skip_invalid: bool
) -> None:
    """Counts and problems once every cell is parsed. New rows whose late cells failed were not written:
    they are the rows refused now less those `refused_before` the plan was written."""
    refused = [row for row in rows if row.errors]
    result.rows = len(rows)
    result.errors = [problem for row in refused for problem in row.errors]
    result.warnings = [problem for row in rows for problem in row.warnings or ()]
    result.created = len(plan.creates) - (len(refused) - refused_before)
    result.updated, result.unchanged = len(plan.updates), plan.unchanged
    result.skipped = len(refused) if skip_invalid else 0


def ensure_may_import(actor: Any) -> None:
    """Read-only roles (leaders, enterprises) import nothing; the CLI without --user (None) is the system."""
    if actor is not None and not actor.can_edit:
        raise PermissionDenied("您的角色不能导入数据。")


def ensure_may_roll_back(actor: Any, batch: ImportBatch) -> None:
    """A batch is undone by whoever imported it, or by a city admin."""
    ensure_may_import(actor)
    if actor is not None and batch.actor_id != actor.pk and not actor.is_city_admin:
        raise PermissionDenied("只有导入人或市级管理员可以回滚该批次。")


def import_row(kind: str, *, actor: Any, source: Source, values: dict[str, Any], name: str) -> ImportResult:
    """`values` (column key → cell) imported as a one-row Excel file: how the API writes the kinds the web
    takes only as files (enterprise metrics, honours, surveys), with the same checks, as one batch that can
    be inspected and rolled back. A refused row raises ValidationError by column key."""
    ensure_may_import(actor)
    importer = REGISTRY[kind]
    columns = [column for column in importer.columns if column.key in values]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.xlsx"
        write_table(
            str(path), importer.title, [c.header for c in columns], [[values[c.key] for c in columns]]
        )
        result = run_import(kind, path, actor=actor, source=source, file_name=path.name)
    if not result.applied:
        keys = {header_key(column.header): column.key for column in importer.columns}
        errors: dict[str, list[str]] = defaultdict(list)
        for problem in result.errors:
            errors[keys.get(header_key(problem["column"]), "__all__")].append(problem["message"])
        raise ValidationError(dict(errors))
    return result


def write_audit(
    model: type[Model],
    entries: list[tuple[int, str, dict[str, Any], str, str, int | None]],
    *,
    actor: Any,
    source: str,
    batch_id: int | None,
) -> None:
    """Audit entries for bulk writes, in one COPY/executemany: (object id, action, changes, repr, scope path,
    enterprise id) each. Updates list each changed field before and after; a create may list none when its
    values are the row itself (generated demo data)."""
    content_type = ContentType.objects.get_for_model(model)
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    actor_id = actor.pk if actor else None
    actor_name = actor.get_username() if actor else "系统"
    columns = [
        "at",
        "actor_id",
        "actor_name",
        "source",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "changes",
        "scope_path",
        "enterprise_id",
        "batch_id",
    ]
    rows = (
        (
            at,
            actor_id,
            actor_name,
            source,
            action,
            content_type.pk,
            str(pk),
            text[:200],
            json.dumps(changes, ensure_ascii=False) if changes else "{}",
            path,
            enterprise_id,
            batch_id,
        )
        for pk, action, changes, text, path, enterprise_id in entries
    )
    insert_rows(AuditEntry, columns, rows)


@dataclass
class RollbackResult:
    batch: int
    deleted: int
    restored: int


def _dependents(model: type[Model], ids: list[int]) -> list[str]:
    """Objects created by the batch that other data now hangs on (deleting them would take it along)."""
    collector = Collector(using="default")
    collector.collect(list(model.objects.filter(pk__in=ids)))
    found = []
    for other, instances in collector.data.items():
        if other is not model and instances:
            found.append(f"{other._meta.verbose_name} {len(instances)} 条")
    for queryset in collector.fast_deletes:
        # Links of a many-to-many field (an enterprise's tags) belong to the object itself.
        if not queryset.model._meta.auto_created and (count := queryset.count()):
            found.append(f"{queryset.model._meta.verbose_name} {count} 条")
    return found


def created_models() -> list[type[Model]]:
    """Models whose imported rows record the batch that created them (`created_batch`)."""
    return [m for m in apps.get_models() if any(f.name == "created_batch" for f in m._meta.concrete_fields)]


def _changed_later(content_type: ContentType, object_ids: list[str], after_id: int) -> list[str]:
    """Up to five objects among these with audit entries after `after_id`."""
    found: list[str] = []
    for start in range(0, len(object_ids), 5000):
        found += AuditEntry.objects.filter(
            content_type=content_type, object_id__in=object_ids[start : start + 5000], id__gt=after_id
        ).values_list("object_repr", flat=True)[:5]
    return found[:5]


@transaction.atomic
def batch_rollback(*, actor: Any, source: Source, batch: ImportBatch) -> RollbackResult:
    """Undo a batch: delete the rows it created, put back the previous values of the rows it updated.

    Refused, with the reason, when anything it touched was changed again afterwards: restoring would
    silently throw that later change away.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.ROLLED_BACK:
        raise ValidationError(
            f"批次 #{batch.pk} 已于 {timezone.localtime(batch.rolled_back_at):%Y-%m-%d %H:%M} 回滚。"
        )
    updates = list(
        AuditEntry.objects.filter(batch_id=batch.pk, action=Action.UPDATE).values_list(
            "id", "content_type_id", "object_id", "action", "changes"
        )
    )
    created = {
        model: list(model.objects.filter(created_batch=batch.pk).values_list("pk", flat=True))
        for model in created_models()
    }
    later: list[str] = []
    by_type: dict[int, list[tuple]] = defaultdict(list)
    for entry in updates:
        by_type[entry[1]].append(entry)
    last_id = max((entry[0] for entry in updates), default=0)
    for type_id, typed in by_type.items():
        later += _changed_later(
            ContentType.objects.get_for_id(type_id), [entry[2] for entry in typed], last_id
        )
    for model, ids in created.items():
        later += _changed_later(ContentType.objects.get_for_model(model), [str(pk) for pk in ids], 0)
    if later:
        raise ValidationError(
            f"批次 #{batch.pk} 导入的数据之后又被修改过（{'、'.join(later[:5])} 等），不能回滚；请先核对这些修改。"
        )
    deleted = 0
    for model, ids in created.items():
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            dependents = _dependents(model, chunk)
            if dependents:
                raise ValidationError(
                    f"批次 #{batch.pk} 新增的{model._meta.verbose_name}已有关联数据（{'、'.join(dependents)}），不能回滚。"
                )
            deleted += model.objects.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
    restored = 0
    for type_id, typed in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        restored += _restore(model, typed)
        write_audit(
            model,
            [(int(object_id), Action.UPDATE, {name: [after, before] for name, (before, after) in changes.items()},
              repr_, path, enterprise_id)
             for object_id, changes, repr_, path, enterprise_id in AuditEntry.objects.filter(
                 id__in=[entry[0] for entry in typed]).values_list(
                 "object_id", "changes", "object_repr", "scope_path", "enterprise_id")],
            actor=actor, source=source, batch_id=None,
        )  # fmt: skip
    counts = {model._meta.verbose_name: len(ids) for model, ids in created.items() if ids}
    write_audit(
        ImportBatch,
        [(batch.pk, Action.UPDATE,
          {"status": [BatchStatus.APPLIED, BatchStatus.ROLLED_BACK], "deleted": [None, {str(k): v for k, v in counts.items()}]},
          str(batch), batch.scope_path, None)],
        actor=actor, source=source, batch_id=None,
    )  # fmt: skip
    _finish(batch, actor)
    return RollbackResult(batch=batch.pk, deleted=deleted, restored=restored)


def _restore(model: type[Model], updates: list[tuple]) -> int:
    """Put back the before-values of updated rows, grouped by the set of fields each entry changed."""
    groups: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    many_to_many = []
    for _, _, object_id, _, changes in updates:
        plain = {
            name: values[0]
            for name, values in changes.items()
            if not model._meta.get_field(name).many_to_many
        }
        if plain:
            columns = tuple(sorted(plain))
            groups[columns].append((*(plain[name] for name in columns), int(object_id)))
        for name, values in changes.items():
            if model._meta.get_field(name).many_to_many:
                many_to_many.append((int(object_id), name, values[0] or []))
    for columns, rows in groups.items():
        update_rows(model, [model._meta.get_field(name).column for name in columns], rows)
    for object_id, name, before in many_to_many:
        target = model._meta.get_field(name).related_model
        getattr(model.objects.get(pk=object_id), name).set(target.objects.filter(name__in=before))
    return len(updates)


def _finish(batch: ImportBatch, actor: Any) -> None:
    batch.status = BatchStatus.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = actor.get_username() if actor else "系统"
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
