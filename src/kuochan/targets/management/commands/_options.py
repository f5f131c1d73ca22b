"""What the target commands share: the as-of month and the plan, refused in Chinese with exit code 2."""

import datetime as dt

from django.core.management.base import CommandError

from kuochan.imports.parsing import CellError, to_month
from kuochan.targets.models import Plan
from kuochan.targets.selectors import plan_get


def as_of_month(value: str) -> dt.date:
    try:
        month = to_month(value)
    except CellError:
        month = None
    if month is None:
        raise CommandError(f"--as-of 应为月份 YYYY-MM，收到“{value}”。", returncode=2)
    return month


def the_plan(code: str | None, year: int | None = None) -> Plan:
    """The plan named, or without a code the plan in force in `year` (the latest plan when no year)."""
    plan = plan_get(code, year=year)
    if plan is None and not code and year is not None:
        plan = plan_get()  # none covers the year: the latest, whose refusal names its period
    if plan is None:
        raise CommandError(
            f"没有编号为“{code}”的规划。" if code else "还没有规划，请先 kuochan load-reference。",
            returncode=2,
        )
    return plan
