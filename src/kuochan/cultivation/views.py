"""Pages of 企业培育: the candidate libraries (培育库) by title with their counts, a title's library with each
entry's gaps as of today, nomination, fill by rule and from the evaluation's treatment lists, an entry's page,
and the district work list (我的培育任务). Every list exports what it shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.audit.models import Source
from kuochan.core.forms import (
    add_service_errors,
    chosen,
    filter_values,
    form_refusal,
    list_query,
    page_of,
    refusal,
)
from kuochan.core.scope import city_level, scoped
from kuochan.cultivation import forms, round_selectors, selectors, services
from kuochan.cultivation.models import Entry, EntrySource, EntryStatus, Title
from kuochan.evaluation.selectors import treatment_lists
from kuochan.orgs.selectors import reporting_units
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code
from kuochan.web.exports import xlsx_response

STAFF_ONLY = "企业用户无权查看培育库。"
LIBRARY_HEADERS = [
    "企业名称", "统一社会信用代码", "所属区县", "状态", "状态日期", "入库方式", "入库日期", "是否已符合条件", "差距（截至今日）",
    "责任人", "计划支持", "备注",
]  # fmt: skip


def _staff(request: HttpRequest) -> None:
    if request.user.is_enterprise_user or not request.user.sees_business_data:
        raise PermissionDenied(STAFF_ONLY)


def _title(code: str) -> Title:
    title = selectors.title_get(code)
    if title is None:
        raise Http404("没有这个称号。")
    return title


def _year(values: dict[str, Any]) -> int:
    return values["year"] or timezone.localdate().year


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """培育库: every title with how many enterprises its library holds for the year, by status."""
    _staff(request)
    _, values = filter_values(request, forms.YearFilter)
    year = _year(values)
    counts = selectors.status_counts(actor=request.user, year=year)
    rows = [
        {
            "title": title,
            "counts": [counts.get(title.pk, {}).get(status, 0) for status in EntryStatus.values],
            "total": sum(counts.get(title.pk, {}).values()),
        }
        for title in selectors.titles()
    ]
    return render(
        request,
        "cultivation/library_index.html",
        {
            "year": year,
            "years": selectors.library_years(timezone.localdate()),
            "rows": rows,
            "statuses": EntryStatus.labels,
            "totals": [sum(row["counts"][i] for row in rows) for i in range(len(EntryStatus.values))],
        },
    )


def _library_filters(values: dict[str, Any]) -> selectors.LibraryFilter:
    return selectors.LibraryFilter(
        district=values["district"],
        status=values["status"],
        source=values["source"],
        met=values["met"],
        responsible=values["responsible"],
        query=values["q"].strip(),
    )


def _export_rows(rows: list[selectors.LibraryRow]) -> Any:
    for row in rows:
        e = row.entry
        yield [
            e.enterprise.name, e.enterprise.uscc, e.enterprise.district.name, e.get_status_display(), e.status_on,
            e.get_source_display(), e.entered_on, "是" if row.met else "否", row.gaps_shown,
            str(e.responsible) if e.responsible else "未指定", e.planned_support, e.note,
        ]  # fmt: skip


def _feeds(actor: Any, year: int) -> tuple[int | None, list[tuple[int, str, int]]]:
    """The evaluation year a library of `year` is fed from (the latest evaluated up to it) and its lists."""
    evaluated = selectors.evaluation_year_for(year)
    if evaluated is None:
        return None, []
    lists = treatment_lists(actor=actor, year=evaluated, shown=0)
    return evaluated, [(index, text, count) for index, text, count, _ in lists]


@login_required
def library(request: HttpRequest, code: str) -> HttpResponse:
    """A title's library for the year: filters, each entry's status, gaps as of today, owner and support;
    city staff fill it by rule, districts nominate and feed it from the treatment lists."""
    _staff(request)
    title = _title(code)
    _, values = filter_values(request, forms.LibraryFilterForm)
    year = _year(values)
    today = timezone.localdate()
    rows = selectors.library(
        actor=request.user, title=title, year=year, today=today, filters=_library_filters(values)
    )
    if chosen(request.GET, "export", ["xlsx"]):
        return xlsx_response(f"{year}年{title.name}培育库", LIBRARY_HEADERS, _export_rows(rows))
    keeps = services.can_keep_library(request.user)
    evaluated, feeds = _feeds(request.user, year) if keeps else (None, [])
    counts = selectors.status_counts(actor=request.user, year=year).get(title.pk, {})
    return render(
        request,
        "cultivation/library.html",
        {
            "title": title,
            "year": year,
            "years": selectors.library_years(today),
            "page": page_of(request, rows),
            "query": list_query(request),
            "filters": values,
            "districts": reporting_units(actor=request.user),
            "statuses": EntryStatus.choices,
            "sources": EntrySource.choices,
            "staff": selectors.responsible_choices(actor=request.user),
            "counts": [(status, label, counts.get(status, 0)) for status, label in EntryStatus.choices],
            "can_fill": keeps and city_level(request.user) and bool(title.honour_kind),
            "can_nominate": keeps,
            "fill_form": forms.FillForm(initial={"year": year}),
            "evaluated": evaluated,
            "feeds": feeds,
            "criteria": selectors.title_criteria(title),
        },
    )


def _enter_from_form(
    request: HttpRequest, title: Title, form: Any, enter: Callable[[int, Any], int], done: str, none: str
) -> HttpResponse:
    """Enter enterprises into a title's library from a posted form (fill by rule, or a treatment list) and go
    back to the library with what happened: `enter(year, cleaned_data)` returns how many came in."""
    if not form.is_valid():
        messages.error(request, form_refusal(form))
        return redirect(reverse("cultivation:library", args=[title.code]))
    year = form.cleaned_data["year"]
    try:
        added = enter(year, form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, done.format(added=added) if added else none)
    return redirect(f"{reverse('cultivation:library', args=[title.code])}?year={year}")


@login_required
@require_POST
def fill(request: HttpRequest, code: str) -> HttpResponse:
    """按条件遴选入库 (city staff)."""
    title = _title(code)
    return _enter_from_form(
        request, title, forms.FillForm(request.POST),
        lambda year, data: services.entries_fill_by_rule(
            actor=request.user, source=Source.WEB, title=title, year=year, margin_pct=data["margin"],
            today=timezone.localdate(),
        ),
        "按条件遴选入库 {added} 家企业。", "没有新的符合或接近条件的企业。",
    )  # fmt: skip


@login_required
@require_POST
def feed(request: HttpRequest, code: str) -> HttpResponse:
    """Enter one of the evaluation's treatment work lists into the library."""
    title = _title(code)
    return _enter_from_form(
        request, title, forms.EvaluationFeedForm(request.POST),
        lambda year, data: services.entries_from_evaluation(
            actor=request.user, source=Source.WEB, title=title, year=year, treatment_index=data["treatment"],
            today=timezone.localdate(),
        ),
        "从分类施策清单入库 {added} 家企业。", "该清单的企业均已在库或已获称号。",
    )  # fmt: skip


def _enterprise_in_scope(actor: Any, uscc: str) -> Enterprise | None:
    return (
        scoped(Enterprise.objects.select_related("district"), actor).filter(uscc=normalise_code(uscc)).first()
    )


@login_required
def nominate(request: HttpRequest, code: str) -> HttpResponse:
    """推荐入库: find an enterprise of the district, then nominate it with its owner and planned support."""
    _staff(request)
    title = _title(code)
    if not services.can_keep_library(request.user):
        raise PermissionDenied(services.EDIT_REFUSAL)
    _, values = filter_values(request, forms.EnterpriseSearch)
    year = _year(values)
    staff = selectors.responsible_choices(actor=request.user)
    if request.method == "POST":
        form = forms.NominationForm(request.POST, responsible=staff)
        if form.is_valid():
            data = form.cleaned_data
            enterprise = _enterprise_in_scope(request.user, data["uscc"])
            if enterprise is None:
                form.add_error("uscc", f"统一社会信用代码“{data['uscc']}”不在您数据范围内的企业库中。")
            else:
                try:
                    entry = services.entry_add(
                        actor=request.user, source=Source.WEB, title=title, year=data["year"],
                        enterprise=enterprise, today=timezone.localdate(), responsible=data["responsible"],
                        planned_support=data["planned_support"], note=data["note"],
                    )  # fmt: skip
                except (ValidationError, PermissionDenied) as exc:
                    if isinstance(exc, PermissionDenied):
                        exc = ValidationError(refusal(exc))
                    add_service_errors(form, exc, "uscc")
                else:
                    messages.success(request, f"已将“{enterprise.name}”推荐入库。")
                    return redirect(f"{reverse('cultivation:library', args=[title.code])}?year={entry.year}")
        year = form.cleaned_data.get("year") or year
    else:
        form = forms.NominationForm(initial={"year": year, "uscc": values["uscc"]}, responsible=staff)
    found: list[Enterprise] = []
    if values["q"].strip():
        text = values["q"].strip()
        present = Entry.objects.filter(title=title, year=year).values("enterprise_id")
        found = list(
            scoped(Enterprise.objects.select_related("district"), request.user)
            .filter(name__contains=text)
            .exclude(pk__in=present)
            .order_by("name")[:20]
        ) or list(
            scoped(Enterprise.objects.select_related("district"), request.user)
            .filter(uscc__startswith=normalise_code(text))
            .exclude(pk__in=present)
            .order_by("uscc")[:20]
        )
    return render(
        request,
        "cultivation/library_nominate.html",
        {"title": title, "year": year, "form": form, "found": found, "q": values["q"]},
    )


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An entry: its gaps as when it came in and as of today, the next title's criteria; owner, support and
    note edited here, and removal or re-entry."""
    _staff(request)
    entry = selectors.entry_get(actor=request.user, pk=pk)
    keeps = services.can_keep_library(request.user)
    staff = selectors.responsible_choices(actor=request.user, enterprise=entry.enterprise)
    if request.method == "POST":
        if not keeps:
            raise PermissionDenied(services.EDIT_REFUSAL)
        form = forms.EntryForm(request.POST, responsible=staff)
        if form.is_valid():
            try:
                services.entry_update(actor=request.user, source=Source.WEB, entry=entry, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    exc = ValidationError(refusal(exc))
                add_service_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect(reverse("cultivation:entry", args=[entry.pk]))
    else:
        form = forms.EntryForm(
            initial={
                "responsible": entry.responsible_id,
                "planned_support": entry.planned_support,
                "note": entry.note,
            },
            responsible=staff,
        )
    row = selectors.entry_row(entry, timezone.localdate())
    return render(
        request,
        "cultivation/library_entry.html",
        {
            "entry": entry,
            "row": row,
            "next_step": round_selectors.entry_next_step(
                actor=request.user, entry=entry, met=row.met, today=timezone.localdate()
            ),
            "support": selectors.entry_support(actor=request.user, entry=entry, as_of=timezone.localdate()),
            "form": form,
            "remove_form": forms.RemoveForm(),
            "can_edit": keeps,
            "can_remove": keeps and entry.can_move_to(EntryStatus.REMOVED),
            "can_reenter": keeps
            and entry.can_move_to(EntryStatus.ENTERED)
            and entry.status == EntryStatus.REMOVED,
        },
    )


@login_required
@require_POST
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(actor=request.user, pk=pk)
    form = forms.RemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_refusal(form))
        services.entry_remove(
            actor=request.user, source=Source.WEB, entry=entry, reason=form.cleaned_data["reason"],
            today=timezone.localdate(),
        )  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"“{entry.enterprise.name}”已出库。")
    return redirect(reverse("cultivation:entry", args=[entry.pk]))


@login_required
@require_POST
def entry_reenter(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(actor=request.user, pk=pk)
    try:
        services.entry_reenter(actor=request.user, source=Source.WEB, entry=entry, today=timezone.localdate())
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"“{entry.enterprise.name}”已重新入库。")
    return redirect(reverse("cultivation:entry", args=[entry.pk]))


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """我的培育任务: the open entries in scope needing action, by district and owner, most urgent first."""
    _staff(request)
    _, values = filter_values(request, forms.TasksFilter)
    year = _year(values)
    found = selectors.work_list(
        actor=request.user, year=year, today=timezone.localdate(), mine=bool(values["mine"])
    )
    if chosen(request.GET, "export", ["xlsx"]):
        return xlsx_response(
            f"{year}年培育任务",
            ["企业名称", "统一社会信用代码", "所属区县", "称号", "状态", "责任人", "待办事项", "差距（截至今日）", "计划支持"],
            (
                [t.row.entry.enterprise.name, t.row.entry.enterprise.uscc, t.row.entry.enterprise.district.name,
                 t.row.entry.title.name, t.row.entry.get_status_display(),
                 str(t.row.entry.responsible) if t.row.entry.responsible else "未指定", "；".join(t.reasons),
                 t.row.gaps_shown, t.row.entry.planned_support]
                for t in found
            ),
        )  # fmt: skip
    return render(
        request,
        "cultivation/library_tasks.html",
        {
            "year": year,
            "years": selectors.library_years(timezone.localdate()),
            "mine": bool(values["mine"]),
            "page": page_of(request, found),
            "query": list_query(request),
        },
    )
