"""Writes of plans: creating, editing (each change a version), copying and retiring them, loading a shipped
plan (reference data), and the districts' targets."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.cockpit.models import Measure
from kuochan.core.scope import city_level, ensure_city_level, ensure_in_scope, in_scope
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.selectors import issuing_units
from kuochan.orgs.services import LoadResult
from kuochan.statistics.models import StatIndicator
from kuochan.targets.models import (
    Actual,
    ActualSource,
    DistrictTarget,
    Indicator,
    IndicatorKind,
    Plan,
    PlanVersion,
    Statement,
)
from kuochan.targets.rules import CLAIM_LABELS, number, split_by_share
from kuochan.targets.selectors import (
    city_targets,
    known_derivation,
    reporting_units,
    splittable,
    unit_baselines,
)

INDICATOR_NUMBERS = ("baseline", "previous_period", "period_target", "threshold", "band")


# Targets and figures are stored with 16 digits, 4 of them decimals.
LARGEST_AMOUNT = Decimal("1e12")


def _amount(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise ValidationError(f"{where}：“{str(value)[:40]}”不是数字。") from exc
    if not amount.is_finite():
        raise ValidationError(f"{where}：“{str(value)[:40]}”不是数字。")
    if abs(amount) >= LARGEST_AMOUNT:
        raise ValidationError(f"{where}：“{str(value)[:40]}”超出可录入的范围（绝对值应小于 1 万亿）。")
    return amount


PLAN_HEADER = ("name", "period_label", "previous_period_label", "source", "table_title")
INDICATOR_TEXTS = ("name", "unit", "lead", "derivation", "note", "relates_to")
CLAIMS = (*CLAIM_LABELS, "result")
LONGEST_PERIOD = 10  # years: a five-year plan, or a longer strategy, but never a typing slip like 2205


def plan_content(plan: Plan) -> dict[str, Any]:
    """The whole plan in the plan file's shape (what `plan_load` reads and each `PlanVersion` keeps): its
    header, indicators, the text's targets and its measures. Amounts are exact decimal texts."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else number(value)

    by_id = {}
    indicators = []
    for i in plan.indicators.select_related("statistic").order_by("sort_order"):
        by_id[i.pk] = i.code
        indicators.append(
            {
                "code": i.code, "table_row": i.table_row, "name": i.name, "unit": i.unit, "kind": i.kind,
                **{name: text(getattr(i, name)) for name in INDICATOR_NUMBERS},
                "yearly": dict(i.yearly), "relates_to": i.relates_to, "lead": i.lead,
                "actual_source": i.actual_source, "derivation": i.derivation,
                "statistic": i.statistic.code if i.statistic_id else None, "table_cells": list(i.table_cells),
                "note": i.note,
            }
        )  # fmt: skip
    return {
        "code": plan.code, "name": plan.name, "org_unit": plan.org_unit.code,
        "period": [plan.period_start, plan.period_end], "baseline_year": plan.baseline_year,
        "period_label": plan.period_label, "previous_period_label": plan.previous_period_label,
        "source": plan.source, "table_title": plan.table_title, "table_columns": list(plan.table_columns),
        "indicators": indicators,
        "statements": [
            {"section": s.section, "sentence": s.sentence, "indicator": by_id[s.indicator_id], "claim": s.claim,
             "value": number(s.value), "year": s.year}
            for s in plan.statements.order_by("sort_order")
        ],
        "measures": [
            {"code": m.code, "kind": m.kind, "number": m.number, "title": m.title, "text": m.text, "lead": m.lead,
             "co_responsible": list(m.co_responsible)}
            for m in plan.measures.order_by("sort_order", "id")
        ],
    }  # fmt: skip


def _year(value: Any, where: str) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        raise ValidationError(f"{where}应为年份（如 2026），收到“{str(value)[:20]}”。")
    return year


def _checked_indicator(item: dict[str, Any], years: range, statistics: dict[str, Any]) -> dict[str, Any]:
    """One indicator of a plan's content, typed: every problem a Chinese message naming the indicator."""
    where = f"指标“{item.get('name') or item.get('code') or '（未命名）'}”"
    problems = []
    code = str(item.get("code") or "").strip()
    if not code or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code) or len(code) > 64:
        problems.append(f"{where}的代码应由字母、数字、连字符组成（不超过 64 个字符），收到“{code[:70]}”。")
    if not str(item.get("name") or "").strip():
        problems.append(f"{where}：请填写指标名称。")
    if item.get("kind") not in IndicatorKind.values:
        problems.append(
            f"{where}的类型“{item.get('kind')}”不正确，应为：{'、'.join(map(str, IndicatorKind.labels))}。"
        )
    if item.get("actual_source") not in ActualSource.values:
        problems.append(f"{where}的实际值来源不正确，应为：{'、'.join(map(str, ActualSource.labels))}。")
    if item.get("derivation") and not known_derivation(item["derivation"]):
        problems.append(f"{where}的推算口径“{item['derivation']}”不是平台能推算的口径。")
    statistic = item.get("statistic") or None
    if statistic is not None and statistic not in statistics:
        problems.append(f"{where}所取的统计指标“{statistic}”不在统计指标库中。")
    numbers, yearly = {}, {}
    for name in INDICATOR_NUMBERS:
        try:
            numbers[name] = _amount(item.get(name), where)
        except ValidationError as exc:
            problems += exc.messages
    for year, value in (item.get("yearly") or {}).items():
        try:
            if _year(year, f"{where}的分年目标年份") not in years:
                raise ValidationError(f"{where}的 {year} 年目标不在规划期 {years[0]}—{years[-1]} 年内。")
            amount = _amount(value, f"{where} {year} 年目标")
        except ValidationError as exc:
            problems += exc.messages
            continue
        if amount is not None:
            yearly[str(int(year))] = number(amount)
    if problems:
        raise ValidationError(problems)
    return {
        "code": code, "table_row": item.get("table_row"), "kind": item["kind"], "actual_source": item["actual_source"],
        **{name: str(item.get(name) or "").strip() for name in INDICATOR_TEXTS}, "yearly": yearly,
        "statistic": statistics.get(statistic), "table_cells": list(item.get("table_cells") or []), **numbers,
    }  # fmt: skip


def plan_checked(content: dict[str, Any]) -> dict[str, Any]:
    """A plan's content (a plan file, or what the plan pages send) typed and checked whole: every problem
    at once, each a Chinese message naming where it is; nothing is written here."""
    problems: list[str] = []
    unit = OrgUnit.objects.filter(code=str(content.get("org_unit") or "")).first()
    if unit is None:
        problems.append(f"规划的制定单位“{content.get('org_unit') or ''}”不在组织单位中。")
    if not str(content.get("name") or "").strip():
        problems.append("请填写规划名称。")
    try:
        start, end = (_year(value, "规划期") for value in content.get("period") or ())
        baseline_year = _year(content.get("baseline_year"), "基期年")
    except (ValidationError, ValueError) as exc:
        raise ValidationError([*problems, *getattr(exc, "messages", ["规划期应为起止两个年份。"])]) from exc
    if end < start or end - start >= LONGEST_PERIOD:
        problems.append(
            f"规划期 {start}—{end} 年不正确：截止年应不早于起始年，且跨度不超过 {LONGEST_PERIOD} 年。"
        )
    if baseline_year > start:
        problems.append(f"基期年 {baseline_year} 年应不晚于规划起始年 {start} 年。")
    years = range(start, max(start, end) + 1)
    statistics = {s.code: s for s in StatIndicator.objects.all()}
    indicators = []
    for item in content.get("indicators") or ():
        try:
            indicators.append(_checked_indicator(item, years, statistics))
        except ValidationError as exc:
            problems += exc.messages
    codes = [i["code"] for i in indicators]
    problems += [f"指标代码“{code}”重复。" for code in sorted({c for c in codes if codes.count(c) > 1})]
    statements = []
    for item in content.get("statements") or ():
        sentence = str(item.get("sentence") or "").strip()
        where = f"正文目标“{sentence[:20]}…”"
        try:
            if not sentence:
                raise ValidationError("正文目标须有原文句子。")
            if item.get("indicator") not in codes:
                raise ValidationError(f"{where}指向未知指标“{item.get('indicator')}”。")
            if item.get("claim") not in CLAIMS:
                raise ValidationError(f"{where}的表述类型“{item.get('claim')}”不正确。")
            value = _amount(item.get("value"), where)
            if value is None:
                raise ValidationError(f"{where}须有数值。")
            year = None if item.get("year") in (None, "") else _year(item["year"], f"{where}的年份")
        except ValidationError as exc:
            problems += exc.messages
            continue
        statements.append({**item, "sentence": sentence, "section": str(item.get("section") or "").strip(),
                           "value": value, "year": year})  # fmt: skip
    measures = list(content.get("measures") or ())
    for item in measures:
        if item.get("kind") not in Measure.Kind.values or not item.get("code") or not item.get("title"):
            problems.append(f"举措“{item.get('title') or item.get('code')}”须有代码、名称和正确的类别。")
    if problems:
        raise ValidationError(problems)
    return {
        "code": str(content.get("code") or "").strip(), "org_unit": unit, "period_start": start, "period_end": end,
        "baseline_year": baseline_year, "table_columns": list(content.get("table_columns") or []),
        **{name: str(content.get(name) or "").strip() for name in PLAN_HEADER},
        "indicators": indicators, "statements": statements, "measures": measures,
    }  # fmt: skip


def _write_indicators(plan: Plan, indicators: list[dict[str, Any]]) -> dict[str, Indicator]:
    """The plan's indicators made to match, by code: kept rows keep their official figures and district
    targets; an indicator dropped that has official figures is refused (its figures would go with it)."""
    stored = {i.code: i for i in plan.indicators.all()}
    wanted = {item["code"] for item in indicators}
    dropped = [i for code, i in stored.items() if code not in wanted]
    with_figures = [i.name for i in dropped if i.actuals.exists()]
    if with_figures:
        raise ValidationError(
            f"指标“{'、'.join(with_figures)}”已录入统计数据，不能删除（删除会连同数据一并删去）。"
        )
    for indicator in dropped:
        indicator.delete()
    kept = {}
    for order, item in enumerate(indicators):
        indicator = stored.get(item["code"]) or Indicator(plan=plan, code=item["code"])
        for name, value in item.items():
            setattr(indicator, name, value)
        indicator.sort_order = order
        indicator.save()
        kept[indicator.code] = indicator
    return kept


def _write_measures(plan: Plan, measures: list[dict[str, Any]]) -> None:
    stored = {m.code: m for m in Measure.objects.filter(code__in=[m["code"] for m in measures])}
    elsewhere = [m.title for m in stored.values() if m.plan_id not in (None, plan.pk)]
    if elsewhere:
        raise ValidationError(f"举措“{'、'.join(elsewhere)}”的代码已被其他规划使用。")
    wanted = {m["code"] for m in measures}
    dropped = plan.measures.exclude(code__in=wanted)
    if busy := [m.title for m in dropped if m.tasks.exists()]:
        raise ValidationError(f"举措“{'、'.join(busy)}”下已有督办事项，不能删除。")
    dropped.delete()
    for order, item in enumerate(measures, start=1):
        measure = stored.get(item["code"]) or Measure(code=item["code"])
        measure.plan, measure.kind, measure.number = plan, item["kind"], str(item.get("number") or "")
        measure.title, measure.text, measure.lead = (
            item["title"],
            str(item.get("text") or ""),
            item.get("lead", ""),
        )
        measure.co_responsible, measure.sort_order = list(item.get("co_responsible") or []), order
        measure.save()


def _write_plan(plan: Plan, checked: dict[str, Any]) -> None:
    for name in (*PLAN_HEADER, "org_unit", "period_start", "period_end", "baseline_year", "table_columns"):
        setattr(plan, name, checked[name])
    plan.save()
    indicators = _write_indicators(plan, checked["indicators"])
    plan.statements.all().delete()
    Statement.objects.bulk_create(
        Statement(
            plan=plan, indicator=indicators[item["indicator"]], section=item["section"], sentence=item["sentence"],
            claim=item["claim"], value=item["value"], year=item["year"], sort_order=order,
        )
        for order, item in enumerate(checked["statements"])
    )  # fmt: skip
    _write_measures(plan, checked["measures"])


def _version(plan: Plan, actor: Any, note: str, at: dt.datetime | None = None) -> PlanVersion:
    """The plan as it now stands, kept as its next version, in force from `at` (default now)."""
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return PlanVersion.objects.create(
        plan=plan, number=last + 1, saved_at=at or timezone.now(), note=note[:200],
        saved_by=str(actor) if actor is not None else "系统", content=plan_content(plan),
    )  # fmt: skip


def _ensure_may_keep(actor: Any, unit: OrgUnit, verb: str) -> None:
    """City staff keep their city's plans and its districts'; district staff their own district's; the
    system (a command without --user) any."""
    if actor is not None and not issuing_units(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(f"无权{verb}{unit.name}的规划：规划由市级或本区县工作人员维护。")


@transaction.atomic
def plan_create(*, actor: Any, source: Source, content: dict[str, Any], note: str = "新建") -> Plan:
    """A new plan from its content (a file, a copy or the create page), audited, as its first version."""
    checked = plan_checked(content)
    _ensure_may_keep(actor, checked["org_unit"], "新建")
    code = checked["code"]
    if not code or len(code) > 64 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        raise ValidationError({"code": "规划编号应由字母、数字、连字符组成，如 huzhou-2026。"})
    if Plan.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编号“{code}”已被其他规划使用。"})
    plan = Plan(code=code)
    _write_plan(plan, checked)
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=plan, after=snapshot(plan))
    _version(plan, actor, note)
    return plan


@transaction.atomic
def plan_save(
    *,
    actor: Any,
    source: Source,
    plan: Plan,
    content: dict[str, Any],
    note: str = "",
    based_on: int | None = None,
) -> Plan:
    """The plan changed to `content` (its code stays), audited and kept as a new version: months before
    now keep reading the version they had. `based_on`: the version the editor started from; a save made
    since (by anyone) refuses this one rather than be silently undone."""
    _ensure_may_keep(actor, plan.org_unit, "修改")
    Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk").first()
    latest = plan.versions.order_by("-number").first()
    if based_on is not None and latest is not None and latest.number != based_on:
        raise ValidationError(
            f"未保存：在第 {based_on} 版上修改期间，{latest.saved_by}已于 "
            f"{timezone.localtime(latest.saved_at):%Y-%m-%d %H:%M} 将本规划改为第 {latest.number} 版。"
            "请在最新版本上重新修改。"
        )
    checked = plan_checked({**content, "code": plan.code})
    _ensure_may_keep(actor, checked["org_unit"], "修改")
    if not plan.versions.exists():  # loaded before plans had versions: what it was is the first version
        _version(plan, None, "原始版本", at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    before = plan_content(plan)
    _write_plan(plan, checked)
    after = plan_content(plan)
    if after == before:
        return plan
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=plan, before={"content": before},
        after={"content": after},
    )  # fmt: skip
    _version(plan, actor, note or "修订")
    return plan


def _measure_code(plan_code: str, n: int) -> str:
    """A copied measure's code: the new plan's code and its number, within the 32 characters a measure's
    code holds (a long plan code shortened with a digest of the whole, so two plans never share one)."""
    code = f"{plan_code}-{n}"
    if len(code) <= 32:
        return code
    return f"{plan_code[:18]}-{hashlib.sha1(plan_code.encode()).hexdigest()[:8]}-{n}"


def plan_copy(*, actor: Any, source: Source, plan: Plan, code: str, name: str, years: int) -> Plan:
    """Last year's plan (or any) as the start of a new one `years` later: its indicators, sources and
    measures, with each yearly target moved by `years` to be set again; baselines and what the old text
    reported are left out, since they belong to the old document."""
    content = plan_content(plan)
    shift = lambda year: None if year is None else int(year) + years  # noqa: E731
    content |= {
        "code": code, "name": name, "period": [shift(y) for y in content["period"]],
        "baseline_year": shift(content["baseline_year"]), "source": f"复制自《{plan.name}》，请核定各项目标与基期值。",
        "statements": [], "table_columns": [], "table_title": "",
        "indicators": [
            {**i, "baseline": None, "previous_period": None, "table_row": None, "table_cells": [],
             "yearly": {str(shift(y)): v for y, v in i["yearly"].items()}}
            for i in content["indicators"]
        ],
        "measures": [{**m, "code": _measure_code(code, n)} for n, m in enumerate(content["measures"], start=1)],
    }  # fmt: skip
    return plan_create(actor=actor, source=source, content=content, note=f"复制自《{plan.name}》")


@transaction.atomic
def plan_retire(*, actor: Any, source: Source, plan: Plan) -> Plan:
    """A plan no longer followed: kept with its figures and versions, no longer offered by default."""
    _ensure_may_keep(actor, plan.org_unit, "停用")
    if plan.retired_at is not None:
        raise ValidationError(f"规划“{plan.name}”已于 {timezone.localtime(plan.retired_at):%Y-%m-%d} 停用。")
    before = snapshot(plan)
    plan.retired_at = timezone.now()
    plan.save(update_fields=["retired_at"])
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=plan, before=before, after=snapshot(plan)
    )
    return plan


@transaction.atomic
def plan_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """A shipped plan, loaded once: a plan already there (perhaps edited since) is left as it is."""
    result = LoadResult()
    if Plan.objects.filter(code=data["code"]).exists():
        result.unchanged = 1
        return result
    plan_create(actor=None, source=source, content=data, note="随参考数据加载")
    result.created = 1
    return result


def _ensure_city(actor: Any, *objects: Any) -> None:
    """City-level staff (by role and by place), acting on a plan and units within their own subtree: one
    city's staff never change another city's targets."""
    if actor is None:
        raise PermissionDenied("区县目标由市级分解。")
    ensure_city_level(actor, "区县目标由市级分解。", *objects)


def can_decompose(actor: Any, plan: Plan) -> bool:
    """Whether the actor may change the plan's district targets (the editor's buttons)."""
    return actor is not None and city_level(actor) and in_scope(actor, plan)


def _ensure_under_plan(plan: Plan, unit: OrgUnit) -> None:
    if not unit.path.startswith(plan.org_unit.path):
        raise ValidationError(f"{unit.name}不在规划“{plan.name}”的范围内。")


def _store_target(
    actor: Any, source: Source, indicator: Indicator, unit: OrgUnit, year: int, value: Decimal, by_share: bool
) -> None:
    target = DistrictTarget.objects.filter(indicator=indicator, org_unit=unit, year=year).first()
    before = snapshot(target) if target else None
    if target is None:
        target = DistrictTarget(indicator=indicator, org_unit=unit, year=year)
    target.value, target.by_share = value, by_share
    target.save()
    action = Action.UPDATE if before else Action.CREATE
    audit_record(actor=actor, source=source, action=action, obj=target, before=before, after=snapshot(target))


@transaction.atomic
def decomposition_by_share(
    *, actor: Any, source: Source, indicator: Indicator
) -> dict[str, dict[int, Decimal]]:
    """Split the indicator's yearly city targets among the reporting units by their baseline-year values
    (rounded so each year adds up exactly); replaces the indicator's district targets, audited."""
    _ensure_city(actor, indicator)
    plan = indicator.plan
    if not splittable(indicator):
        raise ValidationError(f"“{indicator.name}”是比重、底线或区间指标，各区县按全市同一标准，无需分解。")
    baselines = unit_baselines(plan, indicator)
    missing = [unit.name for unit in reporting_units(plan) if unit.name not in baselines]
    if missing:
        raise ValidationError(
            f"缺少{'、'.join(missing)} {plan.baseline_year} 年的基期值，无法按基期占比分解：请录入统计数据或手工分解。"
        )
    try:
        split = split_by_share(city_targets(plan, indicator), baselines)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    units = {unit.name: unit for unit in reporting_units(plan)}
    for name, years in split.items():
        for year, value in years.items():
            _store_target(actor, source, indicator, units[name], year, value, by_share=True)
    return split


@transaction.atomic
def district_target_set(
    *, actor: Any, source: Source, indicator: Indicator, unit: OrgUnit, year: int, value: Any
) -> DistrictTarget:
    """A unit's target for a year, entered by hand (audited)."""
    _ensure_city(actor, indicator, unit)
    _ensure_under_plan(indicator.plan, unit)
    amount = _amount(value, f"{unit.name} {year} 年目标")
    if amount is None or amount < 0:
        raise ValidationError(f"{unit.name} {year} 年目标应为不小于 0 的数字，收到“{value}”。")
    if year not in indicator.plan.years:
        raise ValidationError(
            f"{year} 年不在规划期 {indicator.plan.period_start}—{indicator.plan.period_end} 年内。"
        )
    _store_target(actor, source, indicator, unit, year, amount, by_share=False)
    return DistrictTarget.objects.get(indicator=indicator, org_unit=unit, year=year)


@transaction.atomic
def actual_record(
    *,
    actor: Any,
    source: Source,
    indicator: Indicator,
    unit: OrgUnit,
    month: dt.date,
    value: Any,
    note: str = "",
) -> Actual:
    """An official year-to-date figure entered by hand (or corrected), audited; staff of the unit's scope."""
    if actor is None or not actor.can_edit:
        raise PermissionDenied(f"无权录入{unit.name}的统计数据。")
    ensure_in_scope(actor, unit, message=f"无权录入{unit.name}的统计数据。")
    _ensure_under_plan(indicator.plan, unit)
    amount = _amount(value, f"{indicator.name} {month:%Y-%m}")
    if amount is None:
        raise ValidationError({"value": "请填写本年累计值。"})
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": f"{month:%Y-%m} 尚未到来。"})
    actual = Actual.objects.filter(indicator=indicator, org_unit=unit, month=month).first()
    before = snapshot(actual) if actual else None
    if actual is None:
        actual = Actual(indicator=indicator, org_unit=unit, month=month)
    actual.value, actual.note = amount, note.strip()[:200]
    actual.save()
    action = Action.UPDATE if before else Action.CREATE
    audit_record(actor=actor, source=source, action=action, obj=actual, before=before, after=snapshot(actual))
    return actual


@transaction.atomic
def district_targets_save(
    *, actor: Any, source: Source, indicator: Indicator, typed: dict[tuple[OrgUnit, int], str]
) -> int:
    """The decomposition editor's grid: every changed cell saved, or none when any is refused (each refusal
    named). Returns how many changed."""
    _ensure_city(actor, indicator, *{unit for unit, _ in typed})  # refused even when no cell changes
    stored = {
        (unit, year): value
        for unit, year, value in indicator.district_targets.values_list("org_unit_id", "year", "value")
    }
    problems, changed = [], 0
    for (unit, year), text in typed.items():
        try:
            amount = _amount(text, f"{unit.name} {year} 年目标")
        except ValidationError as exc:
            problems += exc.messages
            continue
        if amount is not None and stored.get((unit.pk, year)) != amount:
            district_target_set(
                actor=actor, source=source, indicator=indicator, unit=unit, year=year, value=amount
            )
            changed += 1
    if problems:
        raise ValidationError(problems)  # the transaction undoes the cells already saved
    return changed
