"""Import in the browser: upload, preview what would change and the errors, then apply; batches and
rollback. Checking, applying and rolling back run in the worker, behind a progress bar."""

import io
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.audit.models import Action, AuditEntry
from kuochan.core.forms import filter_values, form_refusal, page_of, refusal
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.imports.engine import created_models, ensure_may_import, ensure_may_roll_back
from kuochan.imports.exporting import write_export, write_template
from kuochan.imports.forms import ApplyForm, BatchFilter, RollbackForm, UploadForm
from kuochan.imports.jobs import batch_undo, export_current, upload_apply, upload_preview
from kuochan.imports.models import BatchStatus, ImportBatch, ImportUpload, UploadStatus
from kuochan.imports.services import (
    EXPIRED,
    problem_groups,
    upload_apply_claim,
    upload_create,
    upload_path,
    uploads_folder,
)
from kuochan.imports.specs import REGISTRY
from kuochan.jobs.models import Job, JobStatus
from kuochan.jobs.registry import handler_path
from kuochan.jobs.services import job_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kinds() -> list[tuple[str, str]]:
    return sorted((kind, importer.title) for kind, importer in REGISTRY.items())


def _kind_titles() -> dict[str, str]:
    return dict(_kinds())


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = scoped(ImportBatch.objects.select_related("actor"), request.user)
    params = filter_values(request, BatchFilter)[1]
    if params["skipped"]:
        batches = batches.filter(status=BatchStatus.APPLIED, skipped__gt=0)
    if params["since"]:
        batches = batches.filter(created_at__date__gte=params["since"])
    page = page_of(request, batches)
    titles = _kind_titles()
    for batch in page:
        batch.kind_title = titles.get(batch.kind, batch.kind)
    return render(
        request, "imports/list.html", {"page": page, "kinds": _kinds(), "chosen_kind": params["kind"]}
    )


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Keeps the file and has the worker check it; its progress page then shows the preview."""
    ensure_may_import(request.user)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect("imports:list")
    kind, file = form.cleaned_data["kind"], form.cleaned_data["file"]
    upload = upload_create(actor=request.user, kind=kind, file=file, month=form.cleaned_data["month"])
    job = job_start(
        actor=request.user,
        handler=upload_preview,
        title=f"检查{REGISTRY[kind].title}文件：{upload.file_name}",
        params={"upload": upload.pk},
    )
    return redirect(job.get_absolute_url())


def _own_upload(request: HttpRequest, pk: int) -> ImportUpload:
    return get_object_or_404(ImportUpload, pk=pk, actor_id=request.user.pk)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What applying the file would do, and its first errors; nothing is written yet."""
    upload = _own_upload(request, pk)
    if upload.status == UploadStatus.APPLIED and upload.batch_id:
        return redirect("imports:batch", pk=upload.batch_id)
    if upload.preview is None or upload.status == UploadStatus.EXPIRED or upload_path(upload) is None:
        messages.error(request, EXPIRED if upload.preview is not None else "该文件尚未检查完毕，请稍后再看。")
        return redirect("imports:list")
    found = upload.preview
    error_groups = found.get("error_groups") or problem_groups(found["errors"])
    warning_groups = found.get("warning_groups") or problem_groups(found["warnings"])
    context = {
        "upload": upload,
        "result": found,
        "title": REGISTRY[upload.kind].title,
        "error_groups": error_groups,
        "warning_groups": warning_groups,
        "errors_page": page_of(request, found["errors"]),
        "unlisted_errors": found["error_count"] - len(found["errors"]),
        "unlisted_warnings": found["warning_count"] - len(found["warnings"]),
        "valid_rows": found["rows"] - found["refused_rows"],
    }
    return render(request, "imports/preview.html", context)


@login_required
def preview_errors(request: HttpRequest, pk: int) -> FileResponse:
    """Every error of the preview, as a list Excel opens."""
    upload = _own_upload(request, pk)
    if not upload.errors_file:
        raise Http404("没有错误清单。")
    path = Path(settings.MEDIA_ROOT) / upload.errors_file
    if not path.is_file():
        raise Http404("没有错误清单。")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{upload.file_name}-错误清单.csv")


@login_required
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Has the worker import the previewed file; its progress page then shows the batch."""
    upload = _own_upload(request, pk)
    form = ApplyForm(request.POST)
    skip_invalid = form.is_valid() and form.cleaned_data["skip_invalid"]
    try:
        upload_apply_claim(actor=request.user, upload=upload)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return redirect("imports:list")
    job = job_start(
        actor=request.user,
        handler=upload_apply,
        title=f"导入{REGISTRY[upload.kind].title}：{upload.file_name}",
        params={"upload": upload.pk, "skip_invalid": skip_invalid},
    )
    return redirect(job.get_absolute_url())


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What the batch did: the rows it created (they carry its number) and each update before and after."""
    batch = get_scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)
    created = []
    for model in created_models():
        rows = model.objects.filter(created_batch=batch.pk).order_by("pk")
        count = rows.count()
        if count:
            created.append({"label": model._meta.verbose_name, "count": count, "sample": rows[:50]})
    changes = AuditEntry.objects.filter(batch_id=batch.pk).select_related("content_type").order_by("id")
    page = page_of(request, changes)
    context = {"batch": batch, "page": page, "created": created, "title": _kind_title(batch.kind)}
    return render(request, "imports/batch.html", context)


def _undo_summary(batch: ImportBatch) -> dict[str, object]:
    """What rolling the batch back would undo: the rows it created, by kind of object, and the rows it
    changed (their values before the import come back)."""
    created = []
    for model in created_models():
        count = model.objects.filter(created_batch=batch.pk).count()
        if count:
            created.append((model._meta.verbose_name, count))
    updated = AuditEntry.objects.filter(batch_id=batch.pk, action=Action.UPDATE).count()
    return {"created": created, "updated": updated}


@login_required
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first, saying what will be undone; once confirmed, has the worker roll the batch back (its
    progress page then shows the batch again)."""
    ensure_may_import(request.user)
    batch = get_scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)
    ensure_may_roll_back(request.user, batch)
    if batch.status == BatchStatus.ROLLED_BACK:
        messages.error(request, f"批次 #{batch.pk} 已回滚。")
        return redirect("imports:batch", pk=batch.pk)
    if request.method != "POST" or not RollbackForm(request.POST).is_valid():
        context = {"batch": batch, "title": _kind_title(batch.kind), **_undo_summary(batch)}
        return render(request, "imports/rollback.html", context)
    job = job_start(
        actor=request.user, handler=batch_undo, title=f"回滚导入批次 #{batch.pk}", params={"batch": batch.pk}
    )
    return redirect(job.get_absolute_url())


def _kind_title(kind: str) -> str:
    return REGISTRY[kind].title if kind in REGISTRY else kind


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in REGISTRY:
        raise Http404("没有该导入类型。")
    buffer = io.BytesIO()
    write_template(buffer, REGISTRY[kind])
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{REGISTRY[kind].title}导入模板.xlsx"
    return response


# A kind with this many rows in the user's scope is exported by the worker, behind a progress bar.
EXPORT_IN_WORKER_ROWS = 10_000


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """导出当前数据: what the user may see of a kind, in its import template's layout, so that the file can
    be corrected in Excel and imported back (unchanged rows stay unchanged). Many rows go to the worker."""
    if kind not in REGISTRY:
        raise Http404("没有该导入类型。")
    importer = REGISTRY[kind]
    queryset = importer.queryset(request.user)
    if queryset.count() >= EXPORT_IN_WORKER_ROWS:
        job = job_start(
            actor=request.user, handler=export_current, title=f"导出{importer.title}", params={"kind": kind}
        )
        return redirect(job.get_absolute_url())
    buffer = io.BytesIO()
    write_export(buffer, importer, importer(actor=request.user).export_rows(queryset))
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _attachment(importer.title)
    return response


@login_required
def export_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file a worker's 导出当前数据 wrote, for the user who asked for it, within a day."""
    job = get_object_or_404(Job, pk=pk, actor_id=request.user.pk, status=JobStatus.DONE)
    name = job.result.get("file") if job.handler == handler_path(export_current) else None
    path = uploads_folder() / name if isinstance(name, str) and name.endswith(".xlsx") else None
    if path is None or path.name != name or not path.is_file():
        raise Http404("导出的文件已过期，请重新导出。")
    response = FileResponse(path.open("rb"), content_type=XLSX)
    response["Content-Disposition"] = _attachment(job.title.removeprefix("导出"))
    return response


def _attachment(title: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(f'{title}-{timezone.localdate():%Y%m%d}.xlsx')}"
