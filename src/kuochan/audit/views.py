from collections.abc import Iterable, Iterator
from itertools import islice

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kuochan.audit.display import readable
from kuochan.audit.models import Action, AuditEntry, Source
from kuochan.audit.selectors import AuditFilter, audit_entries, audited_models
from kuochan.core.forms import FilterForm, IdField, filter_values
from kuochan.web.exports import xlsx_response


class AuditFilterForm(FilterForm):
    """The trail's filters, as the list page's query string gives them."""

    model = forms.ChoiceField(
        label="对象类型", choices=lambda: [("", "全部对象"), *audited_models()], required=False
    )
    action = forms.ChoiceField(label="操作", choices=[("", "全部操作"), *Action.choices], required=False)
    source = forms.ChoiceField(label="来源", choices=[("", "全部来源"), *Source.choices], required=False)
    actor = forms.CharField(label="操作人", max_length=150, required=False)
    object_id = forms.CharField(label="对象编号", max_length=64, required=False)
    date_from = forms.DateField(label="开始日期", required=False)
    date_to = forms.DateField(label="结束日期", required=False)
    batch_id = IdField(label="导入批次")
    export = forms.ChoiceField(label="导出", choices=[("", ""), ("xlsx", "Excel")], required=False)
    page = forms.IntegerField(label="页码", min_value=1, max_value=1_000_000, required=False)


def _change_text(action: str, label: str, before: str, after: str) -> str:
    if action == Action.CREATE:
        return f"{label}：{after}"
    if action == Action.DELETE:
        return f"{label}：{before}"
    return f"{label}：{before} → {after}"


def _export_rows(entries: Iterable[AuditEntry]) -> Iterator[list[object]]:
    rows = entries.iterator(chunk_size=2000)
    while chunk := list(islice(rows, 2000)):
        for entry in readable(chunk):
            changes = "；".join(_change_text(entry.action, *change) for change in entry.shown_changes)
            yield [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"), entry.actor_shown,
                entry.get_source_display(), entry.get_action_display(), entry.object_type_label,
                entry.object_repr, changes,
            ]  # fmt: skip


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    """The audit trail the actor may read, filtered by object type, action, source, person and dates."""
    form, values = filter_values(request, AuditFilterForm)
    filters = AuditFilter(
        **{name: values[name] or None for name in AuditFilter.__dataclass_fields__ if name in values}
    )
    entries = audit_entries(actor=request.user, filters=filters)
    if values["export"] == "xlsx":
        return xlsx_response(
            "审计记录",
            ["时间", "操作人", "来源", "操作", "对象类型", "对象", "变更内容"],
            _export_rows(entries),
        )
    page = Paginator(entries, 50).get_page(values["page"])
    page.object_list = readable(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "filters": filters,
            "models": list(form.fields["model"].choices)[1:],
            "actions": Action.choices,
            "sources": Source.choices,
            "query": query.urlencode(),
        },
    )
