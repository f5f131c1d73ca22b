from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.audit.selectors import AuditFilter, audit_entries, audited_models
from kuochan.core.forms import date_or_none
from kuochan.web.exports import xlsx_response


def _export_rows(entries: Iterable[AuditEntry]) -> Iterator[list[object]]:
    for entry in entries.iterator(chunk_size=2000):
        changes = "；".join(f"{label}：{before} → {after}" for label, before, after in entry.labelled_changes)
        yield [
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"), entry.actor_name, entry.get_source_display(),
            entry.get_action_display(), entry.object_type_label, entry.object_repr, changes,
        ]  # fmt: skip


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    """The audit trail in the actor's scope, filtered by object type, action, source, person and dates."""
    params = request.GET
    filters = AuditFilter(
        model=params.get("model") or None,
        action=params.get("action") if params.get("action") in Action.values else None,
        source=params.get("source") if params.get("source") in Source.values else None,
        actor=params.get("actor") or None,
        object_id=params.get("object_id") or None,
        date_from=date_or_none(params.get("date_from")),
        date_to=date_or_none(params.get("date_to")),
    )
    entries = audit_entries(actor=request.user, filters=filters)
    if params.get("export") == "xlsx":
        return xlsx_response(
            "审计记录",
            ["时间", "操作人", "来源", "操作", "对象类型", "对象", "变更内容"],
            _export_rows(entries),
        )
    page = Paginator(entries, 50).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "filters": filters,
            "models": audited_models(),
            "actions": Action.choices,
            "sources": Source.choices,
            "query": query.urlencode(),
        },
    )
