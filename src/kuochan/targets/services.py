"""Writes of the plan: loading a shipped plan (reference data), and the districts' targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.core.scope import city_level, ensure_city_level, ensure_in_scope, in_scope
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.services import LoadResult
from kuochan.targets.models import (
    Actual,
    ActualSource,
    DistrictTarget,
    Indicator,
    IndicatorKind,
    Plan,
    Statement,
)
from kuochan.targets.rules import split_by_share
from kuochan.targets.selectors import city_targets, reporting_units, splittable, unit_baselines

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


@transaction.atomic
def plan_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """The shipped plan, loaded once: a plan already there (perhaps edited since) is left as it is."""
    result = LoadResult()
    if Plan.objects.filter(code=data["code"]).exists():
        result.unchanged = 1
        return result
    unit = OrgUnit.objects.filter(code=data["org_unit"]).first()
    if unit is None:
        raise ValidationError(f"规划的制定单位“{data['org_unit']}”不在组织单位中。")
    start, end = data["period"]
    plan = Plan.objects.create(
        code=data["code"], name=data["name"], org_unit=unit, period_start=start, period_end=end,
        baseline_year=data["baseline_year"], period_label=data.get("period_label", ""),
        previous_period_label=data.get("previous_period_label", ""), source=data.get("source", ""),
        table_title=data.get("table_title", ""), table_columns=data.get("table_columns", []),
    )  # fmt: skip
    indicators = {}
    for order, item in enumerate(data["indicators"]):
        where = f"指标“{item.get('name', item.get('code'))}”"
        if item["kind"] not in IndicatorKind.values or item["actual_source"] not in ActualSource.values:
            raise ValidationError(f"{where}的类型或实际值来源不正确。")
        numbers = {name: _amount(item.get(name), where) for name in INDICATOR_NUMBERS}
        yearly = {str(year): str(_amount(value, where)) for year, value in item.get("yearly", {}).items()}
        indicators[item["code"]] = Indicator.objects.create(
            plan=plan, code=item["code"], name=item["name"], unit=item["unit"], kind=item["kind"],
            table_row=item.get("table_row"), yearly=yearly, relates_to=item.get("relates_to", ""),
            lead=item.get("lead", ""), actual_source=item["actual_source"], derivation=item.get("derivation", ""),
            table_cells=item.get("table_cells", []), note=item.get("note", ""), sort_order=order, **numbers,
        )  # fmt: skip
    for order, item in enumerate(data.get("statements", [])):
        if item["indicator"] not in indicators:
            raise ValidationError(f"正文目标“{item['sentence'][:20]}…”指向未知指标“{item['indicator']}”。")
        Statement.objects.create(
            plan=plan, indicator=indicators[item["indicator"]], section=item["section"], sentence=item["sentence"],
            claim=item["claim"], value=_amount(item["value"], "正文目标"), year=item.get("year"), sort_order=order,
        )  # fmt: skip
    audit_record(actor=None, source=source, action=Action.CREATE, obj=plan, after=snapshot(plan))
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
