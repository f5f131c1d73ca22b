"""Reads of the plan: the plan as the rules see it, and its table laid out like the document's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kuochan.targets.models import Indicator, Plan
from kuochan.targets.rules import IndicatorData, PlanData, StatementData


def plans() -> QuerySet[Plan]:
    return Plan.objects.select_related("org_unit")


def plan_get(code: str | None = None) -> Plan | None:
    """The plan with this code, or without one the latest plan."""
    found = plans()
    return found.filter(code=code).first() if code else found.order_by("-period_start", "code").first()


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _indicator(i: Indicator) -> IndicatorData:
    return IndicatorData(
        code=i.code, name=i.name, unit=i.unit, kind=i.kind, baseline=i.baseline, previous_period=i.previous_period,
        yearly={int(year): Decimal(value) for year, value in i.yearly.items()}, period_target=i.period_target,
        threshold=i.threshold, band=i.band, relates_to=i.relates_to, in_table=i.table_row is not None,
    )  # fmt: skip


def plan_data(plan: Plan) -> PlanData:
    indicators = list(plan.indicators.order_by("sort_order"))
    by_id = {i.pk: i.code for i in indicators}
    return PlanData(
        name=plan.name,
        years=plan.years,
        baseline_year=plan.baseline_year,
        period_label=plan.period_label or "规划期",
        previous_period_label=plan.previous_period_label or "上一规划期",
        indicators=[_indicator(i) for i in indicators],
        statements=[
            StatementData(by_id[s.indicator_id], s.claim, s.value, s.sentence, s.year)
            for s in plan.statements.order_by("sort_order")
        ],
    )


def plan_table(plan: Plan) -> list[list[str]]:
    """The target table as the document prints it: the header, then each row's cells as written."""
    rows = [list(plan.table_columns)]
    for i in plan.indicators.filter(table_row__isnull=False).order_by("table_row"):
        rows.append([str(i.table_row), i.name, i.unit, *i.table_cells])
    return rows


def text_targets(plan: Plan) -> list[Indicator]:
    """The indicators only the text states, with their statements."""
    return list(
        plan.indicators.filter(table_row__isnull=True).prefetch_related("statements").order_by("sort_order")
    )
