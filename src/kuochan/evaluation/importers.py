"""Excel import and export of the carbon data the evaluation reads: enterprises' offsets (碳抵消) and the
province's industry benchmarks (省级行业碳效基准)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kuochan.audit.models import Action
from kuochan.evaluation.carbon_services import (
    BENCHMARK_REFUSAL,
    can_edit_benchmarks,
    industry_problem,
    known_industries,
    year_problem,
)
from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset, OffsetKind
from kuochan.imports.engine import Plan, Row, write_audit
from kuochan.imports.parsing import (
    NEGATIVE_REFUSED,
    CellError,
    clean_text,
    is_blank,
    plain_text,
    to_choice,
)
from kuochan.imports.specs import Column, Importer, quantity, register
from kuochan.registry.importers import (
    NAME,
    USCC,
    YEAR,
    EnterpriseOwnedImporter,
    duplicate_check,
)
from kuochan.registry.rules import normalise_code

AMOUNT_LIMIT = 10**16  # hundredths (max_digits 16, 2 places); also ten-thousandths of an average L
TEXT_LIMIT = 200

OFFSET_SPELLINGS = {label: value for value, label in OffsetKind.choices} | {
    "林业碳汇": OffsetKind.SINK,
    "碳汇量": OffsetKind.SINK,
    "绿色电力": OffsetKind.GREEN_POWER,
    "绿电交易": OffsetKind.GREEN_POWER,
    "绿色电力证书": OffsetKind.GREEN_CERTIFICATE,
    "碳捕集利用与封存": OffsetKind.STORAGE,
    "CCUS": OffsetKind.STORAGE,
}


@register
class OffsetsImporter(EnterpriseOwnedImporter):
    kind = "carbon-offsets"
    title = "碳抵消"
    model = CarbonOffset
    key_fields = ("year", "kind", "source")
    key_label = "同年度同一抵消方式同一来源凭证"
    checked_fields = ("amount",)
    columns = (
        USCC,
        NAME,
        YEAR,
        Column(
            "kind",
            "抵消方式",
            parse=to_choice(OFFSET_SPELLINGS),
            synonyms=("抵消类型", "方式"),
            required=True,
            help="碳汇、绿电、绿证、碳封存",
            example="绿电",
        ),
        quantity(
            "amount",
            "数量",
            synonyms=("抵消量", "数额"),
            required=True,
            help="大于 0；碳汇、碳封存填吨CO₂，绿电、绿证填万千瓦时",
            example=120.5,
        ),
        Column(
            "source",
            "来源凭证",
            synonyms=("凭证", "来源", "凭证编号", "证书编号"),
            required=True,
            help="交易凭证、证书编号或核证文件，200 字以内",
            example="浙江电力交易中心绿电交易凭证 LD2025-00123",
        ),
    )
    notes = (
        "每家企业每年每种抵消方式每份凭证一行；同一企业、年度、方式和凭证再次导入即为更正数量。",
        "绿电、绿证按评价方案中的电力排放因子折算为吨CO₂，从碳排放中扣减，并计入碳中和率。",
    )

    def check(self, rows: list[Row]) -> None:
        super().check(rows)
        this_year = timezone.localdate().year
        for row in rows:
            if row.errors:
                continue
            problem = year_problem(row.get("year"), this_year)
            if problem:
                row.error("year", problem)
            amount = row.get("amount")
            if not amount:
                row.error("amount", "数量应大于 0")
            elif amount >= AMOUNT_LIMIT:
                row.error("amount", f"超出合理范围，应小于 {AMOUNT_LIMIT // 100:,}")
            if len(row.get("source") or "") > TEXT_LIMIT:
                row.error("source", f"不能超过 {TEXT_LIMIT} 个字")

    def describe(self, row: Row) -> str:
        return f"{row.get('name') or row.get('uscc')} {row.get('year')}年碳抵消"


def to_ten_thousandths(value: object) -> int | None:
    """A figure of at most four decimals (an average carbon efficiency, 0.8532) in ten-thousandths.
    More decimals are refused, not rounded: a published figure is taken as published."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("应为数字，如 0.8532")
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        try:
            number = Decimal(clean_text(value).replace(",", "").replace(" ", ""))
        except ArithmeticError as exc:
            raise CellError("应为数字，如 0.8532") from exc
    if not number.is_finite():
        raise CellError("应为数字，如 0.8532")
    if number < 0:
        raise CellError(NEGATIVE_REFUSED)
    if number >= Decimal(AMOUNT_LIMIT).scaleb(-4):
        raise CellError(f"超出合理范围，应小于 {AMOUNT_LIMIT // 10**4:,}")
    scaled = number.scaleb(4)
    if scaled != scaled.to_integral_value():
        raise CellError("最多 4 位小数")
    return int(scaled)


def to_industry(value: object) -> str:
    """A 大类 or 门类 code as typed; a division Excel turned into a one-digit number (06 → 6) gets its zero."""
    code = normalise_code(plain_text(value))
    return code.zfill(2) if len(code) == 1 and code.isdigit() else code


def _ten_thousandths_text(value: int) -> str:
    return str(Decimal(value).scaleb(-4))


@register
class BenchmarksImporter(Importer):
    kind = "carbon-benchmarks"
    title = "省级行业碳效基准"
    columns = (
        YEAR,
        Column(
            "industry",
            "行业代码",
            parse=to_industry,
            synonyms=("行业大类代码", "行业大类", "国民经济行业代码"),
            required=True,
            help="GB/T 4754-2017 行业大类（2 位数字）或门类（1 个字母）",
            example="26",
        ),
        Column(
            "industry_name",
            "行业名称",
            synonyms=("行业大类名称",),
            help="仅供核对，以行业代码为准",
            example="化学原料和化学制品制造业",
        ),
        Column(
            "average_l",
            "行业平均碳效值（吨CO₂/万元）",
            parse=to_ten_thousandths,
            synonyms=("行业平均碳效值", "行业平均碳效值（吨CO2/万元）", "平均碳效值", "行业碳效值"),
            required=True,
            help="吨CO₂/万元，大于 0，最多 4 位小数",
            example=1.2345,
            number_format="#,##0.0000",
        ),
        Column(
            "source",
            "发布来源",
            synonyms=("来源", "发布文件", "发布单位", "依据"),
            required=True,
            help="发布文件名称或文号，200 字以内",
            example="省经信厅《2024 年度工业行业碳效基准值》",
        ),
    )
    notes = (
        "每个年度每个行业一行；同一年度同一行业再次导入即为更正。只有市级管理员可以新增或更正。",
        "碳效码的 K 值 = 企业碳效值 ÷ 所属行业的省级平均值；未发布的行业按本市同行业平均计算。",
    )

    def check(self, rows: list[Row]) -> None:
        known = known_industries()
        this_year = timezone.localdate().year
        for row in rows:
            problem = year_problem(row.get("year"), this_year)
            if problem:
                row.error("year", problem)
            problem = industry_problem(row.get("industry"), known)
            if problem:
                row.error("industry", problem)
            if not row.get("average_l"):
                row.error("average_l", "行业平均碳效值应大于 0")
            if len(row.get("source") or "") > TEXT_LIMIT:
                row.error("source", f"不能超过 {TEXT_LIMIT} 个字")
        duplicate_check(
            [row for row in rows if not row.errors],
            lambda row: (row.get("year"), row.get("industry")),
            "industry",
            "同一年度同一行业",
        )

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        stored = {
            (b.year, b.industry): b
            for b in CarbonBenchmark.objects.filter(year__in={row.get("year") for row in rows})
        }
        may_change = can_edit_benchmarks(self.actor)
        for row in rows:
            new = (row.get("average_l"), row.get("source"))
            benchmark = stored.get((row.get("year"), row.get("industry")))
            old = None if benchmark is None else (int(benchmark.average_l.scaleb(4)), benchmark.source)
            if old == new:
                plan.unchanged += 1
            elif not may_change:  # anyone may send back what they exported; only an admin changes it
                row.error("average_l", BENCHMARK_REFUSAL.removesuffix("。"))
            elif benchmark is None:
                plan.creates.append((row, new))
            else:
                plan.updates.append((row, benchmark, old, new))
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        CarbonBenchmark.objects.bulk_create(
            [
                CarbonBenchmark(
                    year=row.get("year"), industry=row.get("industry"), average_l=Decimal(average).scaleb(-4),
                    source=text, created_batch=batch_id,
                )
                for row, (average, text) in plan.creates
            ]
        )  # fmt: skip
        for _, benchmark, _, (average, text) in plan.updates:
            benchmark.average_l, benchmark.source = Decimal(average).scaleb(-4), text
        CarbonBenchmark.objects.bulk_update([b for _, b, _, _ in plan.updates], ["average_l", "source"])
        entries = []
        for _, benchmark, old, new in plan.updates:
            changes = {}
            if old[0] != new[0]:
                changes["average_l"] = [_ten_thousandths_text(old[0]), _ten_thousandths_text(new[0])]
            if old[1] != new[1]:
                changes["source"] = [old[1], new[1]]
            entries.append((benchmark.pk, Action.UPDATE, changes, str(benchmark), "", None))
        write_audit(CarbonBenchmark, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        found = CarbonBenchmark.objects.order_by("year", "industry")
        sees = actor is None or (actor.is_authenticated and actor.is_active and actor.sees_business_data)
        return found if sees else found.none()

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        names = known_industries()
        for benchmark in queryset:
            yield [
                benchmark.year,
                benchmark.industry,
                names.get(benchmark.industry, ""),
                float(benchmark.average_l),
                benchmark.source,
            ]
