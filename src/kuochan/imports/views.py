"""Import in the browser: upload, preview what would change and the errors, then apply; batches and
rollback. Checking, applying and rolling back run in the worker, behind a progress bar."""

import io
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kuochan.audit.models import AuditEntry
from kuochan.core.forms import page_of, refusal
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.imports.engine import created_models, ensure_may_import, ensure_may_roll_back
from kuochan.imports.exporting import write_template
from kuochan.imports.forms import ApplyForm, UploadForm
from kuochan.imports.jobs import batch_undo, upload_apply, upload_preview
from kuochan.imports.models import BatchStatus, ImportBatch, ImportUpload, UploadStatus
from kuochan.imports.services import EXPIRED, upload_apply_claim, upload_create, upload_path
from kuochan.imports.specs import REGISTRY
from kuochan.jobs.services import job_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kinds() -> list[tuple[str, str]]:
    return sorted((kind, importer.title) for kind, importer in REGISTRY.items())


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = scoped(ImportBatch.objects.select_related("actor"), request.user)
    page = page_of(request, batches)
    titles = dict(_kinds())
    for batch in page:
        batch.kind_title = titles.get(batch.kind, batch.kind)
    return render(request, "imports/list.html", {"page": page, "kinds": _kinds()})


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Keeps the file and has the worker check it; its progress page then shows the preview."""
    ensure_may_import(request.user)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("imports:list")
    kind, file = form.cleaned_data["kind"], form.cleaned_data["file"]
    upload = upload_create(actor=request.user, kind=kind, file=file)
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
    context = {
        "upload": upload,
        "result": found,
        "title": REGISTRY[upload.kind].title,
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
    return render(request, "imports/batch.html", {"batch": batch, "page": page, "created": created})


@login_required
@require_POST
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    """Has the worker roll the batch back; its progress page then shows the batch again."""
    ensure_may_import(request.user)
    batch = get_scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)
    ensure_may_roll_back(request.user, batch)
    if batch.status == BatchStatus.ROLLED_BACK:
        messages.error(request, f"批次 #{batch.pk} 已回滚。")
        return redirect("imports:batch", pk=batch.pk)
    job = job_start(
        actor=request.user, handler=batch_undo, title=f"回滚导入批次 #{batch.pk}", params={"batch": batch.pk}
    )
    return redirect(job.get_absolute_url())


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in REGISTRY:
        raise Http404("没有该导入类型。")
    buffer = io.BytesIO()
    write_template(buffer, REGISTRY[kind])
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{REGISTRY[kind].title}导入模板.xlsx"
    return response
