"""Import and export of the statistics bureau's monthly industrial tables (工业经济月报), in either layout:

- wide, as the bureau publishes them: title rows ("2025年1-6月湖州市分区县主要工业经济指标"), a two-row
  header with each indicator over its 累计 / 增速(%) / 位次 columns and its unit in the header, areas as
  rows, and footnotes ("注：…", "数据来源：…") under the table;
- long, one figure set a row: 地区, 月份, 指标, 累计值, 本月值, 增速, 位次 (what the export writes).

Checks and writes go through the import framework: all or nothing, errors naming row, column and value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from kuochan.audit.models import Action
from kuochan.imports.engine import Plan, Row, write_audit
from kuochan.imports.limits import LimitError, check_workbook
from kuochan.imports.parsing import clean_text, header_key, is_blank, split_unit, to_month
from kuochan.imports.reading import (
    HEADER_SEARCH_ROWS,
    MappedColumn,
    Table,
    TableError,
    _fill_merged,
    _sheets,
)
from kuochan.imports.specs import AMOUNT_FORMAT, COUNT_FORMAT, Column, Importer, register
from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.statistics.models import StatFigure, StatIndicator
from kuochan.statistics.rules import (
    area_key,
    figure_text,
    month_in_title,
    rounded_figure,
    rounded_growth,
    sub_heading,
    to_figure,
    to_rank,
    unit_factor,
)
from kuochan.statistics.selectors import figures_visible, home_city
from kuochan.statistics.services import may_write_area

FIGURE_KINDS = ("value", "ytd", "growth", "rank")
SUB_LABELS = {"ytd": "累计", "value": "本月", "growth": "增速（%）", "rank": "位次"}
NOTE_PREFIXES = ("注", "数据来源", "资料来源", "说明", "备注", "附注", "*", "※", "制表", "填报")
AREA_WORDS = ("地区", "区县", "县区", "单位", "区域", "市县", "县(市、区)", "县市区")

AREA = Column(
    "area", "地区", synonyms=("区县", "县区", "地区名称", "区域", "县（市、区）"), required=True,
    help="全省、全市（或市名）、区县名称或简称", example="吴兴区",
)  # fmt: skip
MONTH = Column(
    "month", "月份", parse=to_month, synonyms=("年月", "统计月份", "报告期"),
    help="如 2025-06；不填时取导入时指定的月份", example="2025-06",
)  # fmt: skip
INDICATOR = Column(
    "indicator", "指标", synonyms=("指标名称", "统计指标"), required=True,
    help="统计指标库中的指标名称、别名或代码", example="规上工业营业收入",
)  # fmt: skip
YTD = Column(
    "ytd", "累计值", parse=to_figure, synonyms=("本年累计", "累计", "本年累计值"), negative=True,
    number_format=AMOUNT_FORMAT, help="年初至本月累计；单位见“计量单位”，利润亏损可填负数", example=1234.5,
)  # fmt: skip
VALUE = Column(
    "value", "本月值", parse=to_figure, synonyms=("当月值", "本月", "当月"), negative=True,
    number_format=AMOUNT_FORMAT, help="本月当月数", example=215.3,
)  # fmt: skip
GROWTH = Column(
    "growth", "增速（%）", parse=to_figure, synonyms=("增速", "累计增速", "同比增长", "同比增长（%）", "增幅"),
    negative=True, number_format=AMOUNT_FORMAT, help="累计值比上年同期增长的百分数，如 7.3 或 7.3%", example=7.3,
)  # fmt: skip
RANK = Column(
    "rank", "位次", parse=to_rank, synonyms=("排名", "排位", "全省位次", "全市位次"), number_format=COUNT_FORMAT,
    help="市在全省各市中、区县在全市各区县中的位次", example=2,
)  # fmt: skip
UNIT = Column(
    "unit", "计量单位", synonyms=("计量", "数值单位"), help="累计值和本月值的单位，如 亿元；不填即为指标的单位",
    example="亿元",
)  # fmt: skip


def _letters(column: int) -> str:
    """Excel's letters of a 0-based column: 0 → 'A', 27 → 'AB'."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_name(row: int, column: int) -> str:
    """Excel's name of a cell: (3, 0) → 'A3' (row is the Excel row number, column 0-based)."""
    return f"{_letters(column)}{row}"


@dataclass
class Group:
    """One indicator of a wide sheet: its header cell and the columns under it."""

    text: str  # the header as written: "规上工业营业收入（亿元）"
    name: str  # without its unit
    unit: str
    cell: str  # "B4"
    row: int  # the Excel row of that cell
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # figure kind → (column key, unit)


@dataclass
class WideSheet:
    table: Table
    groups: list[Group]
    title: str
    title_month: dt.date | None


def _is_note(cells: list[object]) -> bool:
    for cell in cells:
        if not is_blank(cell):
            return clean_text(cell).startswith(NOTE_PREFIXES)
    return False


def _wide_header(rows: list[list[object]]) -> tuple[int, list[int]] | None:
    """(index of the upper header row, columns with a sub-heading under an indicator) of the best two-row
    header among the top rows: the lower row with the most sub-headings, under non-blank cells."""
    best: tuple[int, list[int]] | None = None
    for index in range(min(HEADER_SEARCH_ROWS, len(rows) - 1)):
        upper, lower = rows[index], rows[index + 1]
        if _is_note(lower):
            continue
        found = [
            c for c, cell in enumerate(lower)
            if sub_heading(clean_text(cell)) and c < len(upper)
        ]  # fmt: skip
        if len(found) >= 2 and (best is None or len(found) > len(best[1])):
            best = (index, found)
    return best


def read_wide(path: Path) -> WideSheet | None:
    """The first sheet laid out as the bureau publishes its tables, or None when no sheet is. Refuses a
    header it cannot make sense of (TableError naming the cell). Reads the file only: no queries."""
    try:
        check_workbook(path)
    except LimitError as exc:
        raise TableError(str(exc)) from exc
    workbook, names = _sheets(path)
    for name in names:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        top_rows = [list(cells) for cells in rows[: HEADER_SEARCH_ROWS + 1]]
        blank_top = [[None if is_blank(cell) else cell for cell in cells] for cells in top_rows]
        _fill_merged(top_rows, sheet.merged_cell_ranges or [])
        found = _wide_header(top_rows)
        if found is None:
            continue
        upper_index, sub_columns = found
        return _wide_sheet(name, rows, top_rows, blank_top, upper_index, sub_columns)
    return None


def _wide_sheet(
    name: str,
    rows: list[list[object]],
    top_rows: list[list[object]],
    blank_top: list[list[object]],
    upper_index: int,
    sub_columns: list[int],
) -> WideSheet:
    upper, lower = top_rows[upper_index], top_rows[upper_index + 1]
    groups: dict[str, Group] = {}
    mapped: list[MappedColumn] = []
    previous = ""
    for c in sub_columns:
        text = clean_text(upper[c])
        if not text:  # a title centred across its columns, not merged: the cells after the first are blank
            text = previous
        if not text:
            raise TableError(
                f"第 {upper_index + 1} 行 {_cell_name(upper_index + 1, c)} 单元格：“{clean_text(lower[c])}”上方没有指标名称",
                row=upper_index + 1,
            )
        previous = text
        indicator, unit = split_unit(header_key(text))
        if text not in groups:
            first = next(  # the cell the name is written in (merged ranges hold it in their first cell)
                (i for i in range(c, -1, -1) if clean_text(blank_top[upper_index][i] if i < len(blank_top[upper_index]) else "") == text),
                c,
            )  # fmt: skip
            groups[text] = Group(
                text=text,
                name=indicator,
                unit=unit,
                cell=_cell_name(upper_index + 1, first),
                row=upper_index + 1,
            )
        group = groups[text]
        kind = sub_heading(clean_text(lower[c]))
        cell = _cell_name(upper_index + 2, c)
        if kind in group.columns:
            raise TableError(
                f"第 {upper_index + 2} 行 {cell} 单元格：指标“{group.name}”下有两个“{SUB_LABELS[kind]}”栏目",
                row=upper_index + 2,
            )
        sub_unit = split_unit(header_key(clean_text(lower[c])))[1]
        key = f"{kind}:{list(groups).index(text)}"
        group.columns[kind] = (key, "" if kind in ("growth", "rank") else (sub_unit or unit))
        column = Column(
            key, f"{group.name}·{SUB_LABELS[kind]}", parse=to_rank if kind == "rank" else to_figure,
            negative=kind != "rank",
        )  # fmt: skip
        header = f"{_letters(c)}列 {group.name}·{clean_text(lower[c])}"
        mapped.append(MappedColumn(column=column, index=c, header=header, unit=group.columns[kind][1]))
    _unknown_sub_headings(upper, lower, groups, sub_columns, upper_index)
    area_index = _area_column(upper, lower, sub_columns)
    area_header = clean_text(lower[area_index]) or clean_text(upper[area_index]) or "地区"
    mapped.insert(0, MappedColumn(column=AREA, index=area_index, header=area_header, unit=""))
    used = [m.index for m in mapped]
    data = []
    for number, cells in enumerate(rows[upper_index + 2 :], start=upper_index + 3):
        cells = list(cells)
        if all(is_blank(cells[i]) if i < len(cells) else True for i in used) or _is_note(cells):
            continue
        data.append((number, cells))
    titles = [clean_text(cell) for cells in blank_top[:upper_index] for cell in cells if not is_blank(cell)]
    title_month = next((m for m in map(month_in_title, titles) if m is not None), None)
    table = Table(sheet=name, header_row=upper_index + 2, columns=mapped, rows=data)
    return WideSheet(
        table=table, groups=list(groups.values()), title=" ".join(titles), title_month=title_month
    )


def _unknown_sub_headings(
    upper: list[object],
    lower: list[object],
    groups: dict[str, Group],
    sub_columns: list[int],
    upper_index: int,
) -> None:
    """A column under an indicator whose sub-heading is not 累计 / 本月 / 增速 / 位次 is refused, not dropped."""
    for c, cell in enumerate(lower):
        if c in sub_columns or c >= len(upper) or clean_text(upper[c]) not in groups:
            continue
        text = clean_text(cell)
        if text and text != clean_text(upper[c]):
            raise TableError(
                f"第 {upper_index + 2} 行 {_cell_name(upper_index + 2, c)} 单元格“{text}”：无法识别的栏目，"
                "应为 累计、本月、增速（%）或 位次",
                row=upper_index + 2,
            )


def _area_column(upper: list[object], lower: list[object], sub_columns: list[int]) -> int:
    """The column naming the areas: the one headed 地区 / 区县 / 单位 left of the figures, else the last
    column before them."""
    first = min(sub_columns)
    for c in range(first):
        words = header_key(clean_text(upper[c]) + clean_text(lower[c] if c < len(lower) else ""))
        if any(word in words for word in AREA_WORDS):
            return c
    return max(first - 1, 0)


@dataclass(frozen=True)
class Figure:
    indicator: StatIndicator
    area: OrgUnit
    month: dt.date
    values: tuple[Decimal | None, Decimal | None, Decimal | None, int | None]  # value, ytd, growth, rank
    key: str  # the row's column to name in a problem

    @property
    def label(self) -> str:
        return f"{self.indicator.name} {self.area.name} {self.month:%Y-%m}"


@register
class StatisticsImporter(Importer):
    kind = "statistics"
    title = "工业经济统计月报"
    columns = (AREA, MONTH, INDICATOR, YTD, VALUE, GROWTH, RANK, UNIT)
    notes = (
        "可直接导入统计部门发布的宽表：标题行写明年月（如“2025年1-6月”），两行表头，第一行为指标（可带单位，如“（亿元）”），"
        "第二行为“累计”“增速（%）”“位次”，每个地区一行，表下的“注：”“数据来源：”行不导入。",
        "也可每个地区、每个指标一行（即本模板）；同一指标同一地区同一月份再次导入即为更正。",
        "地区填“全省”、市名或“全市”、区县名称或简称；位次为市在全省、区县在全市中的位次。",
        "没有数据的格子留空或填“—”；增速为百分数，下降填负数。",
    )

    def read(self, path: Path) -> Table:
        try:
            table = super().read(path)
        except TableError as long_error:
            wide = read_wide(path)
            if wide is None:
                raise long_error from None
            self.context["wide"] = wide
            return wide.table
        self.context["units"] = {m.column.key: m.unit for m in table.columns}
        return table

    # Checking ----------------------------------------------------------------------------------------

    def _problem(self, rows: list[Row], column: str, value: str, message: str, row: int = 1) -> None:
        """A problem of the sheet as a whole (its title, an indicator's header cell), carried by the first
        row: the file is refused, and the problem names its own row and cell."""
        target = rows[0]
        if target.errors is None:
            target.errors = []
        target.errors.append({"row": row, "column": column, "value": value, "message": message})

    def _indicators(self) -> dict[str, StatIndicator]:
        found = {}
        for indicator in StatIndicator.objects.all():
            for name in (indicator.code, indicator.name, *indicator.aliases):
                found.setdefault(header_key(name), indicator)
        return found

    def _areas(self, title: str) -> tuple[dict[str, OrgUnit], OrgUnit | None]:
        units = list(OrgUnit.objects.filter(kind__in=(OrgKind.PROVINCE, OrgKind.CITY, *REPORTING_KINDS)))
        cities = [unit for unit in units if unit.kind == OrgKind.CITY]
        city = home_city(self.actor) if self.actor is not None else None
        if city is None or city.kind != OrgKind.CITY:
            named = [unit for unit in cities if unit.name in title]
            city = named[0] if len(named) == 1 else cities[0] if len(cities) == 1 else None
        areas: dict[str, OrgUnit] = {}

        def add(unit: OrgUnit, *names: str) -> None:
            for name in names:
                if name:
                    areas.setdefault(area_key(name), unit)

        for unit in units:
            if unit.kind in REPORTING_KINDS:
                if city is None or unit.parent_id == city.pk:
                    add(
                        unit,
                        unit.name,
                        unit.short_name,
                        unit.code,
                        unit.name.removesuffix("区").removesuffix("县"),
                    )
            else:
                add(
                    unit,
                    unit.name,
                    unit.short_name,
                    unit.code,
                    unit.name.removesuffix("市").removesuffix("省"),
                )
        if city is not None:
            add(city, "全市", "合计", "全市合计", "总计", "市")
            province = next(
                (unit for unit in units if unit.kind == OrgKind.PROVINCE and unit.pk in city.ancestor_ids()),
                None,
            )
            if province is not None:
                add(province, "全省", "全省平均", "省均", "全省合计", "省")
        return areas, city

    def check(self, rows: list[Row]) -> None:
        if not rows:
            return
        wide: WideSheet | None = self.context.get("wide")
        given = self.context.get("month")
        month = given or (wide.title_month if wide else None)
        this_month = timezone.localdate().replace(day=1)
        if wide is not None:
            if month is None:
                self._problem(
                    rows, "标题", wide.title or "（无标题）",
                    "无法确定统计月份：标题中没有“2025年1-6月”这样的年月，请在标题中写明，或导入时指定月份",
                )  # fmt: skip
                return
            if month > this_month:
                self._problem(rows, "标题", wide.title, f"统计月份 {month:%Y-%m} 尚未到来")
                return
        indicators = self._indicators()
        areas, city = self._areas(wide.title if wide else "")
        entries = self._wide_entries(rows, wide, indicators) if wide is not None else None
        if wide is not None and entries is None:
            return
        seen: dict[tuple[int, int, dt.date], int] = {}
        seen_areas: dict[int, int] = {}
        for row in rows:
            area = areas.get(area_key(row.get("area")))
            if area is None:
                row.error("area", self._unknown_area(row.get("area"), city))
            if wide is not None:
                if area is None:
                    continue
                if area.pk in seen_areas:
                    row.error("area", f"地区与第 {seen_areas[area.pk]} 行重复")
                    continue
                seen_areas[area.pk] = row.number
                row_entries = entries
                row_month = month
            else:
                row_month = self._row_month(row, given, this_month)
                indicator = indicators.get(header_key(row.get("indicator")))
                if indicator is None:
                    row.error(
                        "indicator",
                        "不是统计指标库中的指标，应为指标名称、别名或代码；新指标请先在指标库中增加",
                    )
                if row.errors:
                    continue
                row_entries = [(indicator, self._long_columns(row))]
            figures = self._figures(row, area, row_month, row_entries)
            if wide is None and not figures and not row.errors:
                row.error("indicator", "累计值、本月值、增速和位次都为空：该行没有数据")
            for figure in figures:
                key = (figure.indicator.pk, area.pk, row_month)
                if key in seen:
                    row.error(
                        figure.key if wide else "indicator",
                        f"{figure.indicator.name}（{area.name} {row_month:%Y-%m}）与第 {seen[key]} 行重复",
                    )
                else:
                    seen[key] = row.number
            row.set("figures", figures)

    def _unknown_area(self, name: object, city: OrgUnit | None) -> str:
        if area_key(name) in ("全省", "全省平均", "省均", "全省合计") and city is not None:
            return f"组织架构中{city.name}没有上级省级单位，“全省”的数据无处存放；请先在组织架构中加上省级单位，或删去该行"
        where = f"{city.name}、其区县（可用简称）" if city is not None else "市或区县的名称"
        return f"不是已知的地区，应为“全省”、{where}"

    def _row_month(self, row: Row, given: dt.date | None, this_month: dt.date) -> dt.date | None:
        month = row.get("month") or given
        if month is None:
            row.error("month", "不能为空：请填写月份，或导入时指定月份")
        elif given is not None and row.get("month") is not None and row.get("month") != given:
            row.error("month", f"与导入时指定的月份 {given:%Y-%m} 不一致")
        elif month > this_month:
            row.error("month", f"{month:%Y-%m} 尚未到来")
        return month

    def _long_columns(self, row: Row) -> dict[str, tuple[str, str]]:
        units = self.context.get("units", {})
        row_unit = clean_text(row.get("unit")) if row.has("unit") else ""
        return {
            kind: (kind, "" if kind in ("growth", "rank") else (row_unit or units.get(kind, "")))
            for kind in FIGURE_KINDS
            if row.has(kind)
        }

    def _wide_entries(
        self, rows: list[Row], wide: WideSheet, indicators: dict[str, StatIndicator]
    ) -> list[tuple[StatIndicator, dict[str, tuple[str, str]]]] | None:
        """Each header indicator with its library entry; None (the problems on the first row) when any is
        unknown or its unit cannot be converted."""
        entries, problems = [], False
        for group in wide.groups:
            indicator = indicators.get(header_key(group.name)) or indicators.get(
                header_key(group.name).removesuffix("增速").removesuffix("增长")
            )
            if indicator is None:
                self._problem(
                    rows, f"{group.cell} 单元格", group.text,
                    "不是统计指标库中的指标，应为指标名称或别名；新指标请先在指标库中增加", row=group.row,
                )  # fmt: skip
                problems = True
                continue
            entries.append((indicator, group.columns))
        return None if problems else entries

    def _figures(
        self,
        row: Row,
        area: OrgUnit,
        month: dt.date,
        entries: list[tuple[StatIndicator, dict[str, tuple[str, str]]]],
    ) -> list[Figure]:
        figures = []
        for indicator, columns in entries:
            values: dict[str, Any] = {}
            for kind, (key, file_unit) in columns.items():
                number = row.get(key)
                if number is None:
                    continue
                if kind in ("value", "ytd"):
                    factor = unit_factor(file_unit, indicator.unit)
                    if factor is None:
                        row.error(
                            key, f"单位“{file_unit}”与指标“{indicator.name}”的单位“{indicator.unit}”不能换算"
                        )
                        continue
                    number = rounded_figure(number * factor)
                elif kind == "growth":
                    number = rounded_growth(number)
                values[kind] = number
            if values:
                key = next(iter(columns.values()))[0]
                figure_values = tuple(values.get(kind) for kind in FIGURE_KINDS)
                figures.append(Figure(indicator, area, month, figure_values, key))
        return figures

    # Planning and writing ----------------------------------------------------------------------------

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        figures = [figure for row in rows for figure in row.get("figures") or ()]
        if not figures:
            return plan
        stored = {
            (f.indicator_id, f.area_id, f.month): f
            for f in StatFigure.objects.filter(
                indicator_id__in={f.indicator.pk for f in figures},
                area_id__in={f.area.pk for f in figures},
                month__in={f.month for f in figures},
            )
        }
        decided = []
        for row in rows:
            for figure in row.get("figures") or ():
                old = stored.get((figure.indicator.pk, figure.area.pk, figure.month))
                old_values = None if old is None else (old.value, old.ytd, old.growth, old.rank)
                if old_values == figure.values:
                    plan.unchanged += 1
                elif not may_write_area(self.actor, figure.area):
                    row.error(figure.key, f"“{figure.area.name}”不在您的数据范围内，不能导入其统计数据")
                else:
                    decided.append((row, figure, old, old_values))
        for row, figure, old, old_values in decided:
            if row.errors:
                continue  # a row is imported whole or not at all
            if old is None:
                plan.creates.append(figure)
            else:
                plan.updates.append((figure, old, old_values))
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        StatFigure.objects.bulk_create(
            [
                StatFigure(
                    indicator=f.indicator, area=f.area, month=f.month, value=f.values[0], ytd=f.values[1],
                    growth=f.values[2], rank=f.values[3], created_batch=batch_id,
                )
                for f in plan.creates
            ]
        )  # fmt: skip
        changed = []
        entries = []
        for figure, old, old_values in plan.updates:
            old.value, old.ytd, old.growth, old.rank = figure.values
            changed.append(old)
            changes = {
                name: [_text(before), _text(after)]
                for name, before, after in zip(FIGURE_KINDS, old_values, figure.values, strict=True)
                if before != after
            }
            entries.append((old.pk, Action.UPDATE, changes, figure.label, figure.area.path, None))
        StatFigure.objects.bulk_update(changed, list(FIGURE_KINDS))
        write_audit(StatFigure, entries, actor=self.actor, source=source, batch_id=batch_id)

    # Export ------------------------------------------------------------------------------------------

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return figures_visible(actor).order_by(
            "month", "indicator__sort_order", "indicator__code", "area__path"
        )

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for figure in queryset.select_related("indicator", "area"):
            yield [
                figure.area.name,
                f"{figure.month:%Y-%m}",
                figure.indicator.name,
                *(None if v is None else float(v) for v in (figure.ytd, figure.value, figure.growth)),
                figure.rank,
                figure.indicator.unit,
            ]


def _text(value: Decimal | int | None) -> str | int | None:
    return figure_text(value) if isinstance(value, Decimal) else value
