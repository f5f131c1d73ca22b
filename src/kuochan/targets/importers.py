"""Import and export of official figures (统计数据) for the plan's indicators: the statistics bureau's
monthly table, one row per indicator, unit and month, with the year-to-date value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kuochan.audit.models import Action
from kuochan.core.bulk import as_date, insert_rows, raw_values, update_rows
from kuochan.core.scope import scoped_or_system
from kuochan.imports.engine import Plan, Row, write_audit
from kuochan.imports.parsing import hundredths_text, match_key, to_hundredths, to_month
from kuochan.imports.specs import AMOUNT_FORMAT, Column, Importer, register
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.projects.selectors import hundredths
from kuochan.registry.importers import duplicate_check, in_scope
from kuochan.targets.models import Actual
from kuochan.targets.selectors import plan_get


@register
class ActualsImporter(Importer):
    kind = "target-actuals"
    title = "目标指标统计数据"
    notes = (
        "每个指标、每个单位、每个月一行，填本年累计值；同一指标同一单位同一月份再次导入即为更正。",
        "指标填目标表中的名称或指标代码；单位填全市或区县名称（可用简称）。",
        "比重、增幅类指标填百分数的数值，如 64.4 或 64.4%；增幅可为负数。",
        "导入的统计数据优先于平台根据项目库、企业库推算的数值。",
    )
    columns = (
        Column("indicator", "指标", synonyms=("指标名称", "指标代码"), required=True, example="技改投资增幅"),
        Column("unit", "单位", synonyms=("区县", "地区", "统计单位", "单位名称"), required=True, example="湖州市"),
        Column("month", "年月", parse=to_month, synonyms=("月份", "统计月份", "报告期"), required=True, help="如 2026-06", example="2026-06"),
        Column(
            "value", "本年累计值", parse=to_hundredths, synonyms=("累计值", "本年累计", "数值"), required=True,
            example=12.8, negative=True, number_format=AMOUNT_FORMAT, help="增幅下降、利润亏损可填负数",
        ),
        Column("note", "说明", synonyms=("备注",)),
    )  # fmt: skip

    def check(self, rows: list[Row]) -> None:
        found: dict[int, tuple[Any, dict[str, tuple[int, str]], dict[str, OrgUnit]]] = {}

        def in_force(year: int) -> tuple[Any, dict[str, tuple[int, str]], dict[str, OrgUnit]]:
            """The plan a figure of `year` belongs to (the one in force then, else the latest), with its
            indicators and units by every name they go by."""
            if year not in found:
                plan = plan_get(actor=self.actor, year=year) or plan_get(actor=self.actor)
                found[year] = (plan, *_names(plan)) if plan is not None else (None, {}, {})
            return found[year]

        this_month = timezone.localdate().replace(day=1)
        for row in rows:
            plan, indicators, units = in_force(row.get("month").year)
            if plan is None:
                row.error("indicator", "还没有规划，请先加载参考数据")
                continue
            indicator = indicators.get(match_key(row.get("indicator")))
            if indicator is None:
                row.error("indicator", f"不是《{plan.name}》中的指标，应为其目标表中的指标名称或代码")
                continue
            unit = units.get(match_key(row.get("unit")))
            if unit is None:
                row.error("unit", f"应为{plan.org_unit.name}或其区县的名称")
                continue
            if not in_scope(self.actor, unit.path):
                row.error("unit", f"“{unit.name}”不在您的数据范围内")
                continue
            if row.get("month") > this_month:
                row.error("month", f"{row.get('month'):%Y-%m} 尚未到来")
                continue
            row.set("indicator_id", indicator[0])
            row.set("unit_id", unit.pk)
            row.set("scope_path", unit.path)
            row.set("label", f"{indicator[1]} {unit.name} {row.get('month'):%Y-%m}")
        checked = [row for row in rows if not row.errors]
        duplicate_check(
            checked,
            lambda r: (r.get("indicator_id"), r.get("unit_id"), r.get("month")),
            "month",
            "同一指标同一单位同一月份",
        )

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        if not rows:
            return plan
        indicators = {row.get("indicator_id") for row in rows}
        stored = {
            (indicator, unit, as_date(month)): (pk, value, note)
            for pk, indicator, unit, month, value, note in raw_values(
                Actual.objects.filter(indicator_id__in=indicators)
                .order_by()
                .values_list("id", "indicator_id", "org_unit_id", "month", hundredths("value"), "note")
            )
        }
        for row in rows:
            new = (row.get("value"), row.get("note") or "")
            old = stored.get((row.get("indicator_id"), row.get("unit_id"), row.get("month")))
            if old is None:
                plan.creates.append((row, new))
            elif old[1:] == new:
                plan.unchanged += 1
            else:
                plan.updates.append((row, old[0], old[1:], new))
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        insert_rows(
            Actual,
            ["created_batch", "indicator_id", "org_unit_id", "month", "value", "note"],
            [
                (
                    batch_id,
                    row.get("indicator_id"),
                    row.get("unit_id"),
                    row.get("month").isoformat(),
                    value,
                    note,
                )
                for row, (value, note) in plan.creates
            ],
            scaled=["value"],
        )
        update_rows(
            Actual, ["value", "note"], ((value / 100, note, pk) for _, pk, _, (value, note) in plan.updates)
        )
        entries = [
            (
                pk, Action.UPDATE,
                {name: [a if name == "note" else hundredths_text(a), b if name == "note" else hundredths_text(b)]
                 for name, a, b in zip(("value", "note"), old, new, strict=True) if a != b},
                row.get("label"), row.get("scope_path"), None,
            )
            for row, pk, old, new in plan.updates
        ]  # fmt: skip
        write_audit(Actual, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(Actual.objects.all(), actor).order_by(
            "indicator__sort_order", "org_unit__code", "month"
        )

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for actual in queryset.select_related("indicator", "org_unit"):
            yield [
                actual.indicator.name,
                actual.org_unit.name,
                f"{actual.month:%Y-%m}",
                float(actual.value),
                actual.note,
            ]


def _names(plan: Plan) -> tuple[dict[str, tuple[int, str]], dict[str, OrgUnit]]:
    """The plan's indicators by code and name, and its units by name, short name or name without 区/县."""
    indicators = {}
    for pk, code, name in plan.indicators.values_list("id", "code", "name"):
        indicators[match_key(code)] = indicators[match_key(name)] = (pk, name)
    units = {}
    for unit in OrgUnit.objects.filter(
        Q(pk=plan.org_unit_id) | Q(kind__in=REPORTING_KINDS, path__startswith=plan.org_unit.path)
    ):
        for name in (unit.name, unit.short_name, unit.name.removesuffix("区").removesuffix("县")):
            if name:
                units[match_key(name)] = unit  # 吴兴区, its short name, or 吴兴
    return indicators, units
