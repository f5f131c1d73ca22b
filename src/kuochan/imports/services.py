"""Files uploaded on the import page, between preview and apply: stored, checked by the worker, applied by
it, and deleted a day later if nobody applied them."""

from __future__ import annotations

import csv
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from kuochan.imports.engine import ImportResult, ensure_may_import
from kuochan.imports.exporting import formula_like
from kuochan.imports.models import ImportUpload, UploadStatus

UPLOADS = "uploads"
KEPT_FOR = dt.timedelta(hours=24)
# What a preview page lists one by one of the errors (and of the reminders), in pages; every one is in the
# error list to download. Problems are also grouped by column and message, each group with its count and
# its first rows.
PREVIEW_PROBLEMS = 1000
PREVIEW_GROUPS = 50
GROUP_ROWS = 5
EXPIRED = "上传的文件已过期，请重新上传。"


def uploads_folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(upload: ImportUpload) -> Path | None:
    """The stored file of an upload still waiting to be applied, or None when it is gone."""
    if not upload.stored_file:
        return None
    path = Path(settings.MEDIA_ROOT) / upload.stored_file
    return path if path.is_file() else None


def upload_create(
    *,
    actor: Any,
    kind: str,
    file: UploadedFile,
    month: dt.date | None = None,
    options: dict[str, str] | None = None,
) -> ImportUpload:
    """Keep an uploaded file for its preview and apply; nothing is read from it here. `month`: the month of
    a monthly table whose title does not say it; `options`: what else the kind takes, as text by name."""
    ensure_may_import(actor)
    name = f"{uuid.uuid4().hex}.xlsx"
    with (uploads_folder() / name).open("wb") as target:
        for chunk in file.chunks():
            target.write(chunk)
    return ImportUpload.objects.create(
        kind=kind, file_name=file.name[:255], stored_file=f"{UPLOADS}/{name}", actor=actor, month=month,
        options=options or {},
    )  # fmt: skip


def preview_store(upload: ImportUpload, result: ImportResult) -> None:
    """What the preview page shows: the counts and the first problems. When there are more, every error is
    written to a list the user can download (a 1,000,000-row file of errors gives a small page)."""
    refused_rows = len({problem["row"] for problem in result.errors})
    upload.preview = {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "error_count": len(result.errors),
        "refused_rows": refused_rows,
        "errors": result.errors[:PREVIEW_PROBLEMS],
        "error_groups": problem_groups(result.errors),
        "warning_count": len(result.warnings),
        "warnings": result.warnings[:PREVIEW_PROBLEMS],
        "warning_groups": problem_groups(result.warnings),
    }
    if len(result.errors) > PREVIEW_PROBLEMS:
        name = f"{Path(upload.stored_file).stem}-errors.csv"
        _write_problems(uploads_folder() / name, result.errors)
        upload.errors_file = f"{UPLOADS}/{name}"
    upload.save(update_fields=["preview", "errors_file"])


def problem_groups(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems grouped by column and message, largest group first: its count and its first rows (with
    their values). A file whose 利润总额 column is refused in 3,000 rows shows one line, not 3,000."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for problem in problems:
        key = (problem["column"], problem["message"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"column": key[0], "message": key[1], "count": 0, "first": []}
        group["count"] += 1
        if len(group["first"]) < GROUP_ROWS:
            group["first"].append({"row": problem["row"], "value": problem["value"]})
    ordered = sorted(groups.values(), key=lambda group: (-group["count"], group["first"][0]["row"]))
    return ordered[:PREVIEW_GROUPS]


def _write_problems(path: Path, problems: list[dict[str, Any]]) -> None:
    """A CSV Excel opens as it is (UTF-8 with its byte-order mark). Text a spreadsheet would take for a
    formula is quoted, as in every export."""

    def cell(value: object) -> object:
        return f"'{value}" if formula_like(value) else value

    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["行", "列", "值", "问题"])
        writer.writerows(
            [p["row"], cell(p["column"]), cell(p["value"]), cell(p["message"])] for p in problems
        )


def upload_apply_claim(*, actor: Any, upload: ImportUpload) -> None:
    """Mark a previewed upload as being applied, once: a second click, or an expired file, is refused."""
    ensure_may_import(actor)
    if upload_path(upload) is None:
        raise ValidationError(EXPIRED)
    claimed = ImportUpload.objects.filter(
        pk=upload.pk, actor_id=actor.pk, status=UploadStatus.PREVIEW, preview__isnull=False
    ).update(status=UploadStatus.APPLYING)
    if not claimed:
        busy = upload.status in (UploadStatus.APPLYING, UploadStatus.APPLIED)
        raise ValidationError("该文件正在导入或已经导入。" if busy else EXPIRED)


def upload_discard(upload: ImportUpload, status: str) -> None:
    """Delete an upload's files and record how it ended."""
    for name in (upload.stored_file, upload.errors_file):
        if name:
            (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)
    upload.status, upload.stored_file, upload.errors_file = status, "", ""
    upload.save(update_fields=["status", "stored_file", "errors_file", "batch"])


def uploads_expire(now: dt.datetime | None = None) -> int:
    """Delete the files of uploads never applied within a day, marking them expired, and any file left in
    the uploads folder for a day by no upload. Returns how many uploads expired. Run daily (the worker's
    daily tick, or `kuochan import-cleanup`)."""
    now = now or timezone.now()
    stale = ImportUpload.objects.filter(
        status__in=[UploadStatus.PREVIEW, UploadStatus.APPLYING], created_at__lt=now - KEPT_FOR
    )  # an apply takes minutes: one still "applying" a day later was cut short
    expired = 0
    for upload in stale.iterator():
        upload_discard(upload, UploadStatus.EXPIRED)
        expired += 1
    kept = {
        Path(name).name
        for pair in ImportUpload.objects.filter(
            status__in=[UploadStatus.PREVIEW, UploadStatus.APPLYING]
        ).values_list("stored_file", "errors_file")
        for name in pair
        if name
    }
    cutoff = time.time() - KEPT_FOR.total_seconds()
    for path in uploads_folder().iterdir():
        if path.is_file() and path.name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
    return expired
