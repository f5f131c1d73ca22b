"""Import in the browser: upload, preview what would change and every error, then apply; batches and rollback."""

import io
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kuochan.audit.models import AuditEntry, Source
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.imports.engine import (
    batch_rollback,
    created_models,
    ensure_may_import,
    ensure_may_roll_back,
    run_import,
)
from kuochan.imports.exporting import write_template
from kuochan.imports.models import ImportBatch
from kuochan.imports.specs import REGISTRY

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kinds() -> list[tuple[str, str]]:
    return sorted((kind, importer.title) for kind, importer in REGISTRY.items())


def _uploads() -> Path:
    """Where uploaded files wait between preview and apply; files left a day (never applied) are removed."""
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stale = time.time() - 24 * 3600
    for path in folder.glob("*.xlsx"):
        if path.stat().st_mtime < stale:
            path.unlink(missing_ok=True)
    return folder


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = scoped(ImportBatch.objects.all(), request.user)
    page = Paginator(batches, 30).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"page": page, "kinds": _kinds()})


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Checks the file without writing anything and shows the preview."""
    ensure_may_import(request.user)
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    problem = None
    if kind not in REGISTRY:
        problem = "请选择导入类型。"
    elif upload is None:
        problem = "请选择要上传的 Excel 文件。"
    elif not upload.name.lower().endswith(".xlsx"):
        problem = f"文件“{upload.name}”不是 .xlsx 格式；请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后再上传。"
    elif upload.size > MAX_UPLOAD_BYTES:
        problem = f"文件过大（{upload.size / 1048576:.1f} MB），单个文件不超过 50 MB。"
    if problem:
        messages.error(request, problem)
        return redirect("imports:list")
    token = uuid.uuid4().hex
    path = _uploads() / f"{token}.xlsx"
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    result = run_import(
        kind, path, actor=request.user, source=Source.WEB, file_name=upload.name, dry_run=True
    )
    request.session[f"import:{token}"] = {"kind": kind, "name": upload.name}
    return render(
        request, "imports/preview.html", {"result": result, "token": token, "title": REGISTRY[kind].title}
    )


@login_required
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    ensure_may_import(request.user)
    token = request.POST.get("token", "")
    pending = request.session.pop(f"import:{token}", None)
    path = _uploads() / f"{token}.xlsx"
    if pending is None or not token.isalnum() or not path.exists():
        messages.error(request, "上传的文件已过期，请重新上传。")
        return redirect("imports:list")
    skip_invalid = request.POST.get("skip_invalid") == "1"
    try:
        result = run_import(
            pending["kind"], path, actor=request.user, source=Source.WEB, file_name=pending["name"],
            skip_invalid=skip_invalid,
        )  # fmt: skip
    finally:
        path.unlink(missing_ok=True)
    if not result.applied:
        messages.error(request, f"文件有 {len(result.errors)} 处错误，未导入任何数据。")
        return redirect("imports:list")
    messages.success(
        request,
        f"已导入：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，跳过 {result.skipped}。",
    )
    return redirect("imports:batch", pk=result.batch)


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
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "imports/batch.html", {"batch": batch, "page": page, "created": created})


@login_required
@require_POST
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    ensure_may_import(request.user)
    batch = get_scoped_or_404(ImportBatch.objects.all(), request.user, pk=pk)
    ensure_may_roll_back(request.user, batch)
    try:
        result = batch_rollback(actor=request.user, source=Source.WEB, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已回滚：删除 {result.deleted} 条，恢复 {result.restored} 条。")
    return redirect("imports:batch", pk=batch.pk)


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in REGISTRY:
        raise Http404("没有该导入类型。")
    buffer = io.BytesIO()
    write_template(buffer, REGISTRY[kind])
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{REGISTRY[kind].title}导入模板.xlsx"
    return response
