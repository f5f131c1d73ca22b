"""Writes of the carbon data the evaluation reads: the province's published industry averages (省级行业碳效基准),
which city-level administrators keep, and an enterprise's offsets (碳汇、绿电、绿证、碳封存) with their
sources, which its district keeps. Each write checks the actor and is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.core.scope import city_level, ensure_in_scope, in_scope
from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset, OffsetKind
from kuochan.registry.models import Enterprise, IndustryCategory
from kuochan.registry.rules import amount_problem, normalise_code

BENCHMARK_REFUSAL = "只有市级管理员可以维护省级行业碳效基准。"
OFFSET_REFUSAL = "您无权修改该企业的碳抵消记录。"
INDUSTRY_EXPECTED = "应为 GB/T 4754-2017 行业大类（2 位数字，如 26）或门类（1 个字母，如 C）"
FIRST_YEAR = 1949


def can_edit_benchmarks(actor: Any) -> bool:
    """City-level administrators (or the system itself, with no actor) keep the provincial benchmarks."""
    return actor is None or (actor.is_city_admin and city_level(actor))


def known_industries() -> dict[str, str]:
    """GB/T 4754 大类 and 门类 codes → names: the codes a province publishes averages for."""
    return dict(IndustryCategory.objects.values_list("code", "name"))


def industry_problem(code: str, known: dict[str, str]) -> str | None:
    """Why a normalised code is no 大类 (two digits) or 门类 (one letter) of GB/T 4754, in Chinese."""
    shaped = (len(code) == 2 and code.isdigit()) or (len(code) == 1 and code.isalpha())
    return None if shaped and code in known else f"“{code}”不是已知的行业代码，{INDUSTRY_EXPECTED}"


def year_problem(year: int | None, today_year: int) -> str | None:
    if year is None or not FIRST_YEAR <= year <= today_year:
        return f"年度应在 {FIRST_YEAR}–{today_year} 之间"
    return None


def _clean_benchmark(values: dict[str, Any], instance: CarbonBenchmark | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    year = values.get("year")
    problem = year_problem(year, timezone.localdate().year)
    if problem:
        errors["year"] = f"{problem}。"
    industry = normalise_code(values.get("industry") or "")
    problem = industry_problem(industry, known_industries())
    if problem:
        errors["industry"] = f"{problem}。"
    problem = amount_problem(values.get("average_l"), places=4)
    if problem:
        errors["average_l"] = f"行业平均碳效值{problem}。"
    basis = " ".join(str(values.get("basis") or "").split())
    if not basis:
        errors["basis"] = "请填写发布来源（文件名称或文号）。"
    elif len(basis) > 200:
        errors["basis"] = "发布来源不能超过 200 个字。"
    if not errors:
        clash = CarbonBenchmark.objects.filter(year=year, industry=industry)
        if clash.exclude(pk=instance.pk if instance else None).exists():
            errors["industry"] = f"{year} 年行业 {industry} 的基准已登记，请修改原记录。"
    if errors:
        raise ValidationError(errors)
    average_l = values["average_l"].quantize(Decimal("0.0001"))  # as stored: the trail reads 0.8500
    return {"year": year, "industry": industry, "average_l": average_l, "source": basis}


@transaction.atomic
def benchmark_create(
    *, actor: Any, source: Source, year: int, industry: str, average_l: Decimal | None, basis: str
) -> CarbonBenchmark:
    """The province's average carbon efficiency (吨CO₂/万元) of an industry for a year, with where it was
    published (`basis`)."""
    if not can_edit_benchmarks(actor):
        raise PermissionDenied(BENCHMARK_REFUSAL)
    values = {"year": year, "industry": industry, "average_l": average_l, "basis": basis}
    benchmark = CarbonBenchmark.objects.create(**_clean_benchmark(values, None))
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=benchmark, after=snapshot(benchmark))
    return benchmark


@transaction.atomic
def benchmark_update(
    *,
    actor: Any,
    source: Source,
    benchmark: CarbonBenchmark,
    year: int,
    industry: str,
    average_l: Decimal | None,
    basis: str,
) -> CarbonBenchmark:
    if not can_edit_benchmarks(actor):
        raise PermissionDenied(BENCHMARK_REFUSAL)
    benchmark = CarbonBenchmark.objects.select_for_update().get(pk=benchmark.pk)
    before = snapshot(benchmark)
    values = {"year": year, "industry": industry, "average_l": average_l, "basis": basis}
    for name, value in _clean_benchmark(values, benchmark).items():
        setattr(benchmark, name, value)
    benchmark.save()
    audit_record(
        actor=actor,
        source=source,
        action=Action.UPDATE,
        obj=benchmark,
        before=before,
        after=snapshot(benchmark),
    )
    return benchmark


@transaction.atomic
def benchmark_remove(*, actor: Any, source: Source, benchmark: CarbonBenchmark) -> None:
    """Remove a benchmark; the evaluation falls back to the local average for that industry when next run."""
    if not can_edit_benchmarks(actor):
        raise PermissionDenied(BENCHMARK_REFUSAL)
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=benchmark, before=snapshot(benchmark))
    benchmark.delete()


def can_edit_offsets(actor: Any, enterprise: Enterprise) -> bool:
    return actor is None or (actor.can_edit and in_scope(actor, enterprise))


def _ensure_offset_editor(actor: Any, *objects: Any) -> None:
    if actor is not None and not actor.can_edit:
        raise PermissionDenied(OFFSET_REFUSAL)
    ensure_in_scope(actor, *objects, message=OFFSET_REFUSAL)


@transaction.atomic
def offset_add(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    year: int,
    kind: str,
    amount: Decimal | None,
    evidence: str,
) -> CarbonOffset:
    """What the enterprise offset in a year, by one means, with its source document (`evidence`, 来源凭证):
    碳汇 and 碳封存 in 吨CO₂, 绿电 and 绿证 in 万千瓦时. The same means and document twice in a year is refused."""
    _ensure_offset_editor(actor, enterprise)
    errors: dict[str, str] = {}
    problem = year_problem(year, timezone.localdate().year)
    if problem:
        errors["year"] = f"{problem}。"
    if kind not in OffsetKind.values:
        errors["kind"] = f"抵消方式应为{'、'.join(map(str, OffsetKind.labels))}之一。"
    problem = amount_problem(amount)
    if problem:
        errors["amount"] = f"数量{problem}。"
    evidence = " ".join(str(evidence or "").split())
    if not evidence:
        errors["evidence"] = "请填写来源凭证（交易凭证、证书编号或核证文件）。"
    elif len(evidence) > 200:
        errors["evidence"] = "来源凭证不能超过 200 个字。"
    if (
        not errors
        and CarbonOffset.objects.filter(enterprise=enterprise, year=year, kind=kind, source=evidence).exists()
    ):
        errors["evidence"] = f"{year} 年已登记过该凭证的{OffsetKind(kind).label}，如需更正请先删除原记录。"
    if errors:
        raise ValidationError(errors)
    offset = CarbonOffset.objects.create(
        enterprise=enterprise, year=year, kind=kind, amount=amount.quantize(Decimal("0.01")), source=evidence
    )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=offset, after=snapshot(offset))
    return offset


@transaction.atomic
def offset_remove(*, actor: Any, source: Source, offset: CarbonOffset) -> None:
    _ensure_offset_editor(actor, offset)
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=offset, before=snapshot(offset))
    offset.delete()
