"""Pages of the carbon data: the provincial industry benchmarks (省级行业碳效基准) under the evaluation menu,
and an enterprise's carbon offsets (碳抵消), added and removed from its profile."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.audit.models import Source
from kuochan.core.forms import FilterForm, NumberField, add_service_errors, filter_values, page_of
from kuochan.evaluation import carbon_selectors, carbon_services
from kuochan.evaluation.models import OFFSET_UNITS, CarbonBenchmark, OffsetKind
from kuochan.registry import selectors as registry_selectors
from kuochan.registry.models import Enterprise

YEARS = {"min_value": 1949, "max_value": 2100}


class BenchmarkFilter(FilterForm):
    year = forms.IntegerField(label="年度", required=False, **YEARS)


class BenchmarkForm(forms.Form):
    year = forms.IntegerField(label="年度", **YEARS)
    industry = forms.CharField(
        label="行业代码",
        max_length=8,
        help_text="GB/T 4754-2017 行业大类（2 位数字，如 26）或门类（1 个字母，如 C）",
    )
    average_l = NumberField(label="行业平均碳效值（吨CO₂/万元）", help_text="最多 4 位小数")
    basis = forms.CharField(label="发布来源", max_length=200, help_text="发布文件名称或文号")


def _benchmarks_url(year: int | None) -> str:
    return f"{reverse('evaluation:benchmarks')}?year={year}" if year else reverse("evaluation:benchmarks")


@login_required
def benchmark_list(request: HttpRequest) -> HttpResponse:
    """The year's provincial averages by industry, with the year's other years to switch to."""
    _, values = filter_values(request, BenchmarkFilter)
    years = carbon_selectors.benchmark_years(actor=request.user)
    last_year = timezone.localdate().year - 1
    year = values["year"] or (years[0] if years else last_year)
    return render(
        request,
        "evaluation/benchmarks.html",
        {
            "year": year,
            "years": sorted({*years, year, last_year}, reverse=True),
            "page": page_of(request, carbon_selectors.benchmarks(actor=request.user, year=year)),
            "query": f"year={year}",
            "can_edit": carbon_services.can_edit_benchmarks(request.user),
        },
    )


def _ensure_benchmark_editor(request: HttpRequest) -> None:
    if not carbon_services.can_edit_benchmarks(request.user):
        raise PermissionDenied(carbon_services.BENCHMARK_REFUSAL)


def _benchmark(request: HttpRequest, pk: int) -> CarbonBenchmark:
    found = carbon_selectors.benchmark_get(actor=request.user, pk=pk)
    if found is None:
        raise Http404("没有该基准。")
    return found


@login_required
def benchmark_create(request: HttpRequest) -> HttpResponse:
    _ensure_benchmark_editor(request)
    _, asked = filter_values(request, BenchmarkFilter)
    form = BenchmarkForm(request.POST or None, initial={"year": asked["year"]})
    if request.method == "POST" and form.is_valid():
        try:
            saved = carbon_services.benchmark_create(
                actor=request.user, source=Source.WEB, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记 {saved.year} 年行业 {saved.industry} 的省级碳效基准。")
            return redirect(_benchmarks_url(saved.year))
    context = {"form": form, "title": "新增省级行业碳效基准", "cancel_url": _benchmarks_url(asked["year"])}
    return render(request, "web/form_page.html", context)


@login_required
def benchmark_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_benchmark_editor(request)
    benchmark = _benchmark(request, pk)
    initial = {
        "year": benchmark.year,
        "industry": benchmark.industry,
        "average_l": benchmark.average_l,
        "basis": benchmark.source,
    }
    form = BenchmarkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = carbon_services.benchmark_update(
                actor=request.user, source=Source.WEB, benchmark=benchmark, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存 {saved.year} 年行业 {saved.industry} 的省级碳效基准。")
            return redirect(_benchmarks_url(saved.year))
    context = {
        "form": form,
        "title": f"修改省级行业碳效基准：{benchmark.year} 年 {benchmark.industry}",
        "cancel_url": _benchmarks_url(benchmark.year),
    }
    return render(request, "web/form_page.html", context)


@login_required
@require_POST
def benchmark_remove(request: HttpRequest, pk: int) -> HttpResponse:
    benchmark = _benchmark(request, pk)
    carbon_services.benchmark_remove(actor=request.user, source=Source.WEB, benchmark=benchmark)
    messages.success(
        request,
        f"已删除 {benchmark.year} 年行业 {benchmark.industry} 的省级碳效基准；重新计算后该行业按本地平均。",
    )
    return redirect(_benchmarks_url(benchmark.year))


# An enterprise's offsets ----------------------------------------------------------------------------------


class OffsetForm(forms.Form):
    year = forms.IntegerField(label="年度", **YEARS)
    kind = forms.ChoiceField(label="抵消方式", choices=OffsetKind.choices)
    amount = NumberField(
        label="数量",
        help_text="碳汇、碳封存填吨CO₂；绿电、绿证填万千瓦时（按评价方案的电力排放因子折算）",
    )
    evidence = forms.CharField(label="来源凭证", max_length=200, help_text="交易凭证、证书编号或核证文件")


def _offsets_back(enterprise: Enterprise) -> str:
    return f"{enterprise.get_absolute_url()}#offsets"


@login_required
def offset_create(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = registry_selectors.enterprise_get(actor=request.user, pk=pk)
    if not carbon_services.can_edit_offsets(request.user, enterprise):
        raise PermissionDenied(carbon_services.OFFSET_REFUSAL)
    form = OffsetForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            offset = carbon_services.offset_add(
                actor=request.user, source=Source.WEB, enterprise=enterprise, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            unit = OFFSET_UNITS[offset.kind]
            messages.success(
                request, f"已登记 {offset.year} 年{offset.get_kind_display()} {offset.amount:,} {unit}。"
            )
            return redirect(_offsets_back(enterprise))
    context = {
        "form": form,
        "title": f"登记碳抵消：{enterprise.name}",
        "cancel_url": _offsets_back(enterprise),
    }
    return render(request, "web/form_page.html", context)


@login_required
@require_POST
def offset_remove(request: HttpRequest, pk: int) -> HttpResponse:
    offset = carbon_selectors.offset_get(actor=request.user, pk=pk)
    carbon_services.offset_remove(actor=request.user, source=Source.WEB, offset=offset)
    messages.success(request, f"已删除 {offset.year} 年{offset.get_kind_display()}记录。")
    return redirect(_offsets_back(offset.enterprise))
