"""The 数据导入 API: import batches in scope, what each did (rows created, values changed), and their
rollback (in the worker: the call answers with the job to follow), with the same checks as the pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import AuditEntry
from kuochan.core.api import Id
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.imports import engine
from kuochan.imports.jobs import batch_undo
from kuochan.imports.models import BatchStatus, ImportBatch
from kuochan.imports.specs import REGISTRY
from kuochan.jobs.api import JobOut, job_accepted

router = Router(tags=["数据导入"])


class BatchOut(Schema):
    id: int
    kind: str
    kind_title: str
    file_name: str
    actor_name: str
    source: str
    created_at: dt.datetime
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    status: str
    status_label: str
    rolled_back_at: dt.datetime | None
    rolled_back_by: str

    @staticmethod
    def resolve_kind_title(batch: ImportBatch) -> str:
        importer = REGISTRY.get(batch.kind)
        return importer.title if importer else batch.kind

    @staticmethod
    def resolve_status_label(batch: ImportBatch) -> str:
        return batch.get_status_display()


class CreatedOut(Schema):
    label: str
    count: int


class BatchDetailOut(BatchOut):
    created_rows: list[CreatedOut]


class ChangeOut(Schema):
    id: int
    at: dt.datetime
    action: str
    model: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]

    @staticmethod
    def resolve_model(entry: AuditEntry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"


def _batches(request: HttpRequest) -> Any:
    return scoped(ImportBatch.objects.all(), request.auth)


@router.get("", response=list[BatchOut], summary="导入批次（数据范围内，最新在前）")
@paginate
def batch_list(request: HttpRequest, kind: str = "") -> Any:
    found = _batches(request)
    return found.filter(kind=kind) if kind else found


@router.get("/{pk}", response=BatchDetailOut, summary="一个导入批次：谁、何时、哪个文件，新增了哪些数据")
def batch_detail(request: HttpRequest, pk: Id) -> ImportBatch:
    batch = get_scoped_or_404(_batches(request), request.auth, pk=pk)
    batch.created_rows = [
        {"label": str(model._meta.verbose_name), "count": count}
        for model in engine.created_models()
        if (count := model.objects.filter(created_batch=batch.pk).count())
    ]
    return batch


@router.get("/{pk}/changes", response=list[ChangeOut], summary="该批次对已有数据的每项修改（修改前后）")
@paginate
def batch_changes(request: HttpRequest, pk: Id) -> Any:
    batch = get_scoped_or_404(_batches(request), request.auth, pk=pk)
    return AuditEntry.objects.filter(batch_id=batch.pk).select_related("content_type").order_by("id")


@router.post(
    "/{pk}/rollback",
    response={202: JobOut},
    summary="回滚批次：删除其新增的数据、恢复其修改前的值",
    description="在后台进行：返回任务（202），以其 url 查询进度。完成后 result 给出批次 batch、删除的行数 "
    "deleted、恢复的行数 restored 及批次地址 api_url。",
)
def batch_rollback(request: HttpRequest, response: HttpResponse, pk: Id) -> Status:
    engine.ensure_may_import(request.auth)
    batch = get_scoped_or_404(_batches(request), request.auth, pk=pk)
    engine.ensure_may_roll_back(request.auth, batch)
    if batch.status == BatchStatus.ROLLED_BACK:  # refused now, not after a wait in the queue
        raise ValidationError(f"批次 #{batch.pk} 已回滚。")
    return job_accepted(
        request, response, handler=batch_undo, title=f"回滚导入批次 #{batch.pk}", params={"batch": batch.pk}
    )
