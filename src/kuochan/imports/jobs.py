"""The import page's long work, run by the worker: checking an uploaded file for its preview, applying it,
rolling a batch back (also asked for through the API), and writing a large 导出当前数据. Each reports its
steps to the job's progress bar."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kuochan.audit.models import Source
from kuochan.core.scope import scoped
from kuochan.imports.engine import batch_rollback, ensure_may_roll_back, run_import
from kuochan.imports.exporting import write_export
from kuochan.imports.models import ImportBatch, ImportUpload, UploadStatus
from kuochan.imports.services import EXPIRED, preview_store, upload_discard, upload_path, uploads_folder
from kuochan.imports.specs import REGISTRY
from kuochan.jobs.models import Job
from kuochan.jobs.registry import Progress, job_handler


def _upload(job: Job, status: str) -> ImportUpload:
    upload = ImportUpload.objects.filter(
        pk=job.params["upload"], actor_id=job.actor_id, status=status
    ).first()
    if upload is None or upload_path(upload) is None:
        raise ValidationError(EXPIRED)
    return upload


def _context(upload: ImportUpload) -> dict[str, Any]:
    """What the uploader told the import beyond the file (the month of a monthly table, a kind's options)."""
    return {**upload.options, **({"month": upload.month} if upload.month else {})}


@job_handler
def upload_preview(job: Job, progress: Progress) -> str:
    """Check the file without writing anything; the preview page shows what applying it would do."""
    upload = _upload(job, UploadStatus.PREVIEW)
    result = run_import(
        upload.kind, upload_path(upload), actor=job.actor, source=Source.WEB, file_name=upload.file_name,
        dry_run=True, background=True, progress=progress, context=_context(upload),
    )  # fmt: skip
    if not result.rows and result.errors:  # the file as a whole is refused: nothing to preview, nor to keep
        upload_discard(upload, UploadStatus.REFUSED)
        raise ValidationError([problem["message"] for problem in result.errors[:3]])
    preview_store(upload, result)
    return upload.get_absolute_url()


@job_handler
def upload_apply(job: Job, progress: Progress) -> str:
    """Import the previewed file as one batch (all or nothing, unless told to skip the rows in error)."""
    upload = _upload(job, UploadStatus.APPLYING)
    result = run_import(
        upload.kind, upload_path(upload), actor=job.actor, source=Source.WEB, file_name=upload.file_name,
        skip_invalid=bool(job.params.get("skip_invalid")), background=True, progress=progress,
        context=_context(upload),
    )  # fmt: skip
    if not result.applied:
        ImportUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.PREVIEW)
        raise ValidationError(f"文件有 {len(result.errors)} 处错误，未导入任何数据。")
    upload.batch_id = result.batch
    upload_discard(upload, UploadStatus.APPLIED)
    return reverse("imports:batch", args=[result.batch])


@job_handler
def batch_undo(job: Job, progress: Progress) -> str:
    """Roll a batch back: delete the rows it created, restore the values it changed. An API client reads how
    many rows went and came back, and the batch at `api_url`."""
    batch = scoped(ImportBatch.objects.all(), job.actor).filter(pk=job.params["batch"]).first()
    if batch is None:
        raise PermissionDenied("不存在，或不在您的数据范围内。")
    ensure_may_roll_back(job.actor, batch)
    progress(0, 1, "回滚批次")
    undone = batch_rollback(actor=job.actor, source=job.source, batch=batch)
    job.result = {**asdict(undone), "api_url": reverse("api:batch_detail", args=[batch.pk])}
    return batch.get_absolute_url()


@job_handler
def export_current(job: Job, progress: Progress) -> str:
    """导出当前数据 of a kind with many rows: the file is written to the uploads folder (deleted a day later
    by `uploads_expire`, like any file no upload holds) and downloaded from the job's result link."""
    importer = REGISTRY[job.params["kind"]]
    progress(0, 1, f"导出{importer.title}")
    name = f"{uuid.uuid4().hex}.xlsx"
    rows = importer(actor=job.actor).export_rows(importer.queryset(job.actor))
    count = write_export(str(uploads_folder() / name), importer, rows)
    job.result = {"file": name, "rows": count}
    return reverse("imports:export-file", args=[job.pk]), f"已导出 {count:,} 行"
