import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kuochan.audit.models import Action, Source
from kuochan.audit.selectors import AuditFilter, audit_entries, audited_models


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


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
        date_from=_date(params.get("date_from")),
        date_to=_date(params.get("date_to")),
    )
    page = Paginator(audit_entries(actor=request.user, filters=filters), 50).get_page(params.get("page"))
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
