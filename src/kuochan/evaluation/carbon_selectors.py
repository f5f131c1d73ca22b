"""Reads of the carbon data the evaluation uses: the provincial industry benchmarks (published figures every
user of business data may read) and an enterprise's offsets (in the actor's scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset
from kuochan.registry.models import Enterprise, IndustryCategory


def _sees(actor: Any) -> bool:
    """The system (no actor) and anyone who works with business data; not the three administrators."""
    return actor is None or (actor.is_authenticated and actor.is_active and actor.sees_business_data)


def benchmark_years(*, actor: Any) -> list[int]:
    """Years with published benchmarks, latest first."""
    if not _sees(actor):
        return []
    years = CarbonBenchmark.objects.order_by("-year").values_list("year", flat=True).distinct()
    return list(years)


def benchmarks(*, actor: Any, year: int) -> list[CarbonBenchmark]:
    """The year's benchmarks by industry code, each with `industry_name` (GB/T 4754)."""
    if not _sees(actor):
        return []
    found = list(CarbonBenchmark.objects.filter(year=year).order_by("industry"))
    names = dict(
        IndustryCategory.objects.filter(code__in={b.industry for b in found}).values_list("code", "name")
    )
    for benchmark in found:
        benchmark.industry_name = names.get(benchmark.industry, "")
    return found


def benchmark_get(*, actor: Any, pk: int) -> CarbonBenchmark | None:
    return CarbonBenchmark.objects.filter(pk=pk).first() if _sees(actor) else None


def offsets(*, actor: Any, enterprise: Enterprise) -> QuerySet[CarbonOffset]:
    """The enterprise's offsets, latest year first."""
    return scoped(CarbonOffset.objects.filter(enterprise=enterprise), actor).order_by("-year", "kind", "pk")


def offset_get(*, actor: Any, pk: Any) -> CarbonOffset:
    return get_scoped_or_404(CarbonOffset.objects.select_related("enterprise__district"), actor, pk=pk)
