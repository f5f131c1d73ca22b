"""Writes of the plan: loading a shipped plan (reference data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.services import LoadResult
from kuochan.targets.models import ActualSource, Indicator, IndicatorKind, Plan, Statement

INDICATOR_NUMBERS = ("baseline", "previous_period", "period_target", "threshold", "band")


def _amount(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationError(f"{where}：“{value}”不是数字。") from exc


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
