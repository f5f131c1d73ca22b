"""申报批次 pages: the year's rounds with their deadlines, days left and entries by status, and the forecast
of the plan's title indicators; a round's page, where the city opens and edits it, reviews the nominations,
uploads the official result list and closes it, and a district nominates its library entries before the
deadline and sees what became of them."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.forms import filter_values, form_refusal, refusal
from kuochan.cultivation import round_forms as forms
from kuochan.cultivation import round_selectors as selectors
from kuochan.cultivation import round_services as services
from kuochan.cultivation.models import EntryStatus, Round
from kuochan.imports.jobs import upload_preview
from kuochan.imports.services import upload_create
from kuochan.jobs.services import job_start
from kuochan.targets.selectors import plan_get


def _valid(form: django_forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(form_refusal(form))
    return form.cleaned_data


def _forecast(actor: Any, year: int, with_candidates: bool) -> list[selectors.TitleForecast]:
    plan = plan_get(actor=actor, year=year)
    if plan is None:
        return []
    return selectors.title_forecast(
        actor=actor, plan=plan, year=year, today=timezone.localdate(), with_candidates=with_candidates
    )


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    """The year's rounds, the nearest deadline first; city staff open new ones here."""
    if request.user.is_enterprise_user or not request.user.sees_business_data:
        raise PermissionDenied("申报批次由市、区县经信部门使用。")
    today = timezone.localdate()
    _, params = filter_values(request, forms.RoundsFilter)
    year = params["year"] or today.year
    form = forms.RoundForm(initial={"year": year})
    if request.method == "POST":
        form = forms.RoundForm(request.POST)
        try:
            data = _valid(form)
            made = services.round_create(actor=request.user, source=Source.WEB, **data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已建立{made}。")
            return redirect("cultivation:round", pk=made.pk)
    found = list(selectors.rounds(actor=request.user).filter(year=year))
    counts = selectors.status_counts(actor=request.user, found=found)
    rows = [
        {
            "round": r,
            "counts": counts[r.pk],
            "nomination_days": selectors.days_left(r.nomination_deadline, today),
            "review_days": selectors.days_left(r.review_deadline, today),
        }
        for r in found
    ]
    rows.sort(
        key=lambda row: (row["review_days"] < 0, row["nomination_days"] < 0, row["round"].nomination_deadline)
    )
    return render(
        request,
        "cultivation/rounds.html",
        {
            "rows": rows,
            "year": year,
            "years": range(today.year - 3, today.year + 2),
            "form": form,
            "may_open": selectors.city_level(request.user) and request.user.can_edit,
            "forecast": _forecast(request.user, year, bool(params["candidates"])),
            "with_candidates": bool(params["candidates"]),
            "may_compute": True,
            "statuses": EntryStatus.choices,
        },
    )


def _round_action(request: HttpRequest, round_: Round) -> str:
    """Runs the form posted on a round's page; the message to show."""
    actor, today = request.user, timezone.localdate()
    action = _valid(forms.ActionForm(request.POST))["action"]
    entries = selectors.round_entries(actor=actor, round_=round_)
    if action == "update":
        data = _valid(forms.RoundEditForm(request.POST))
        services.round_update(actor=actor, source=Source.WEB, round_=round_, **data)
        return "已保存批次的日期和通知。"
    if action == "nominate":
        data = _valid(forms.EntriesForm(request.POST, entries=entries.filter(status=EntryStatus.ENTERED)))
        done = services.entries_nominate(
            actor=actor, source=Source.WEB, round_=round_, entries=data["entries"], today=today
        )
        return f"已推荐 {len(done):,} 家企业申报。"
    if action == "review":
        data = _valid(forms.ReviewForm(request.POST, entries=entries.filter(status=EntryStatus.APPLIED)))
        done = services.entries_review(
            actor=actor, source=Source.WEB, round_=round_, entries=data["entries"], decision=data["decision"],
            reason=data["reason"], today=today,
        )  # fmt: skip
        return f"已{services.DECISIONS[data['decision']][0]} {len(done):,} 家企业。"
    if action == "close":
        done = services.round_close(actor=actor, source=Source.WEB, round_=round_, today=today)
        return f"批次已结束，{len(done):,} 家推荐企业未列入认定名单，记为未通过。"
    raise ValidationError("请在下方上传认定名单。")  # "results" posts to its own address


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_get(actor=request.user, pk=pk)
    if round_ is None:
        raise Http404("没有该申报批次，或不在您的数据范围内。")
    runs = selectors.runs_round(request.user, round_) and request.user.can_edit
    if request.method == "POST":
        try:
            messages.success(request, _round_action(request, round_))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            return redirect("cultivation:round", pk=round_.pk)
    today = timezone.localdate()
    entries = list(selectors.round_entries(actor=request.user, round_=round_))
    by_status = {status: [e for e in entries if e.status == status] for status in selectors.STATUS_ORDER}
    nominating = (
        request.user.can_edit
        and not request.user.is_city_staff
        and round_.opens_on <= today <= round_.nomination_deadline
    )
    return render(
        request,
        "cultivation/round.html",
        {
            "round": round_,
            "entries": entries,
            "by_status": by_status,
            "statuses": [(s, s.label, len(by_status[s])) for s in EntryStatus],
            "runs": runs,
            "nominating": nominating,
            "nomination_days": selectors.days_left(round_.nomination_deadline, today),
            "review_days": selectors.days_left(round_.review_deadline, today),
            "results": selectors.round_results(actor=request.user, round_=round_),
            "edit_form": forms.RoundEditForm(initial={f: getattr(round_, f) for f in services.ROUND_FIELDS}),
            "decisions": [(key, label) for key, (label, _) in services.DECISIONS.items()],
            "today": today,
        },
    )


@login_required
def round_results_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The official result list: kept and checked by the worker as an import of kind title-results, with the
    round, document number and date as its options; the preview then applies it."""
    round_ = selectors.round_get(actor=request.user, pk=pk)
    if round_ is None:
        raise Http404("没有该申报批次，或不在您的数据范围内。")
    if request.method != "POST":
        return redirect("cultivation:round", pk=round_.pk)
    try:
        if not (selectors.runs_round(request.user, round_) and request.user.can_edit):
            raise PermissionDenied("认定名单由组织该申报批次的市级工作人员导入。")
        data = _valid(forms.ResultsForm(request.POST, request.FILES))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
        return redirect("cultivation:round", pk=round_.pk)
    upload = upload_create(
        actor=request.user, kind="title-results", file=data["file"],
        options={"round": round_.pk, "document_number": data["document_number"],
                 "published_on": data["published_on"].isoformat()},
    )  # fmt: skip
    job = job_start(
        actor=request.user, handler=upload_preview, title=f"检查{round_}认定名单：{upload.file_name}",
        params={"upload": upload.pk},
    )  # fmt: skip
    return redirect(job.get_absolute_url())
