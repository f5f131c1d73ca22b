"""Import and export of the 厂房超市's listings: one row per space, keyed by its 房源编号; importing the same
code again updates the listing (its status included), audited like every import."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from kuochan.audit.models import Action
from kuochan.core.scope import scoped_or_system
from kuochan.imports.engine import Plan, Row, write_audit
from kuochan.imports.parsing import (
    clean_text,
    hundredths_decimal,
    match_key,
    to_choice,
    to_date,
    to_hundredths,
)
from kuochan.imports.specs import AMOUNT_FORMAT, Column, Importer, register
from kuochan.orgs.models import OrgUnit
from kuochan.registry.importers import duplicate_check, in_scope
from kuochan.resources.models import Listing, ListingStatus

NUMBERS = ("floor_area_m2", "floor_height_m", "floor_load_t_m2", "crane_t", "power_kva", "rent_yuan_m2_month", "price_wan")  # fmt: skip
FIELDS = ("address", *NUMBERS, "available_from", "owner_name", "owner_phone", "status", "note")
STATUS = {str(label): value for value, label in ListingStatus.choices} | {v: v for v in ListingStatus.values}


def _measure(*units: str) -> Callable[[object], int | None]:
    """A number in hundredths that may carry its unit after it, as people type it: 3200㎡, 8米, 10吨."""

    spellings = sorted({clean_text(unit) for unit in units}, key=len, reverse=True)  # as cells are cleaned

    def parse(value: object) -> int | None:
        if isinstance(value, str):
            text = clean_text(value)
            for unit in spellings:
                if text.endswith(unit):
                    return to_hundredths(text.removesuffix(unit).strip())
        return to_hundredths(value)

    return parse


@register
class ListingImporter(Importer):
    kind = "factory-spaces"
    title = "厂房超市房源"
    notes = (
        "每个房源一行，以房源编号区分；同一编号再次导入即为更新（含状态：在租、已租、下架）。",
        "所在园区（乡镇）填组织单位中的园区、乡镇（街道）或区县名称。",
        "面积、层高、承重、行车、配电容量、租金填数字，可带单位；售价按万元。",
    )
    columns = (
        Column("code", "房源编号", parse=clean_text, synonyms=("编号",), required=True, example="WX-2026-001"),
        Column("area", "所在园区（乡镇）", synonyms=("园区", "乡镇", "所在园区", "所在乡镇"), required=True, example="织里镇"),
        Column("address", "地址", synonyms=("厂房地址", "坐落"), required=True, example="织里镇工业园区大港路 88 号"),
        Column("floor_area_m2", "面积（平方米）", parse=_measure("㎡", "平方米", "m²", "平米"), synonyms=("面积", "建筑面积"), required=True, example=3200, number_format=AMOUNT_FORMAT),
        Column("floor_height_m", "层高（米）", parse=_measure("米", "m"), synonyms=("层高",), example=8, number_format=AMOUNT_FORMAT),
        Column("floor_load_t_m2", "承重（吨/平方米）", parse=_measure("吨/平方米", "t/㎡", "吨/㎡"), synonyms=("承重", "楼面承重"), example=3, number_format=AMOUNT_FORMAT),
        Column("crane_t", "行车（吨）", parse=_measure("吨", "t"), synonyms=("行车", "行车吨位"), example=10, number_format=AMOUNT_FORMAT),
        Column("power_kva", "配电容量（千伏安）", parse=_measure("千伏安", "kVA", "KVA"), synonyms=("配电容量", "电力容量"), example=630, number_format=AMOUNT_FORMAT),
        Column("rent_yuan_m2_month", "租金（元/平方米·月）", parse=_measure("元/平方米·月", "元/㎡·月", "元"), synonyms=("租金",), example=18, number_format=AMOUNT_FORMAT),
        Column("price_wan", "售价（万元）", money=True, synonyms=("售价",), number_format=AMOUNT_FORMAT),
        Column("available_from", "可入驻日期", parse=to_date, synonyms=("可入驻时间", "空置日期"), example="2026-12-01"),
        Column("owner_name", "业主联系人", synonyms=("联系人",), required=True, example="张经理"),
        Column("owner_phone", "联系电话", parse=clean_text, synonyms=("电话", "手机"), required=True, example="13800000000"),
        Column("status", "状态", parse=to_choice(STATUS), synonyms=("房源状态",), help="在租、已租或下架，空为在租", example="在租"),
        Column("note", "备注", synonyms=("说明",)),
    )  # fmt: skip

    def check(self, rows: list[Row]) -> None:
        areas: dict[str, list[OrgUnit]] = {}
        for unit in OrgUnit.objects.filter(kind__in=("district", "zone", "town", "park")):
            for name in {match_key(unit.name), match_key(unit.short_name)} - {""}:
                areas.setdefault(name, []).append(unit)
        stored = dict(
            Listing.objects.filter(code__in=[row.get("code") for row in rows]).values_list(
                "code", "area__path"
            )
        )
        for row in rows:
            named = areas.get(match_key(row.get("area")), [])
            reachable = [unit for unit in named if in_scope(self.actor, unit.path)]
            if not named:
                row.error("area", "不是已登记的园区、乡镇（街道）或区县")
                continue
            if not reachable:
                row.error("area", f"“{row.get('area')}”不在您的数据范围内")
                continue
            if len(reachable) > 1:
                row.error("area", f"有 {len(reachable)} 个单位叫“{row.get('area')}”，请写全称")
                continue
            if row.get("code") in stored and not in_scope(self.actor, stored[row.get("code")]):
                row.error("code", "该房源属于其他区县，您无权修改")
                continue
            if not row.get("floor_area_m2"):
                row.error("floor_area_m2", "面积应大于 0")
                continue
            for name in ("code", "address", "owner_name", "owner_phone", "note"):
                longest = Listing._meta.get_field(name).max_length
                if len(row.get(name) or "") > longest:
                    row.error(name, f"不能超过 {longest} 个字")
            for name in NUMBERS:
                field = Listing._meta.get_field(name)
                limit = 10 ** (field.max_digits - field.decimal_places)
                if row.get(name) is not None and row.get(name) >= limit * 100:
                    row.error(name, f"超出合理范围，应小于 {limit}")
            (area,) = reachable
            row.set("area_id", area.pk)
            row.set("scope_path", area.path)
        duplicate_check([r for r in rows if not r.errors], lambda r: r.get("code"), "code", "同一房源编号")

    def _values(self, row: Row) -> tuple:
        numbers = tuple(hundredths_decimal(row.get(name)) for name in NUMBERS)
        return (
            row.get("area_id"), row.get("address"), *numbers, row.get("available_from"), row.get("owner_name"),
            row.get("owner_phone"), row.get("status") or ListingStatus.AVAILABLE, row.get("note") or "",
        )  # fmt: skip

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        stored = {
            listing.code: listing
            for listing in Listing.objects.filter(code__in=[row.get("code") for row in rows])
        }
        for row in rows:
            new = self._values(row)
            old = stored.get(row.get("code"))
            if old is None:
                plan.creates.append((row, new))
                continue
            current = (old.area_id, *(getattr(old, name) for name in FIELDS))
            if current == new:
                plan.unchanged += 1
            else:
                plan.updates.append((row, old.pk, current, new))
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        names = ("area_id", *FIELDS)
        Listing.objects.bulk_create(
            [Listing(code=row.get("code"), created_batch=batch_id, **dict(zip(names, new, strict=True)))
             for row, new in plan.creates]
        )  # fmt: skip
        changed = [Listing(pk=pk, **dict(zip(names, new, strict=True))) for _, pk, _, new in plan.updates]
        if changed:
            Listing.objects.bulk_update(changed, list(names))
        entries = [
            (
                pk, Action.UPDATE,
                {name: [_text(a), _text(b)] for name, a, b in zip(names, old, new, strict=True) if a != b},
                row.get("code"), row.get("scope_path"), None,
            )
            for row, pk, old, new in plan.updates
        ]  # fmt: skip
        write_audit(Listing, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(Listing.objects.all(), actor).order_by("code")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for x in queryset.select_related("area"):
            yield [
                x.code, x.area.name, x.address, *(None if getattr(x, n) is None else float(getattr(x, n)) for n in NUMBERS),
                x.available_from, x.owner_name, x.owner_phone, x.get_status_display(), x.note,
            ]  # fmt: skip


def _text(value: object) -> object:
    return (
        str(value)
        if isinstance(value, Decimal)
        else value.isoformat()
        if hasattr(value, "isoformat")
        else value
    )
