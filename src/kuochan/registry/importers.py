"""Excel import and export of the registry: enterprises, enterprise-metrics, honours, surveys, land parcels and
tenancies."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from kuochan.audit.models import Action
from kuochan.core.bulk import (
    hundredths_sql,
    insert_columns,
    select_rows,
    selecting_alongside,
    tuple_getter,
    update_rows,
)
from kuochan.core.scope import path_in_scope, scope_root, scoped_or_system
from kuochan.imports.engine import Plan, Row, parse_pending, write_audit
from kuochan.imports.parsing import (
    CellError,
    clean_text,
    hundredths_decimal,
    hundredths_text,
    match_key,
    plain_text,
    to_bool,
    to_choice,
    to_date,
    to_hundredths,
    to_int,
    to_year,
)
from kuochan.imports.specs import AMOUNT_FORMAT, COUNT_FORMAT, Column, Importer, money, quantity, register
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.registry.models import (
    SURVEY_NEEDS,
    AnnualMetric,
    Enterprise,
    Honour,
    HonourKind,
    IndustryCategory,
    IndustryTag,
    LandParcel,
    LandTenancy,
    SizeClass,
    Survey,
    Willingness,
)
from kuochan.registry.rules import (
    grant_date_problem,
    industry_division,
    normalise_code,
    parcel_code_problem,
    periods_overlap,
    tenancy_dates_problem,
    uscc_problem,
)

LIST_SEPARATORS = "、,，;；/／|"
CHUNK = 5000
PREFETCH_BYTES_PER_ENTERPRISE = 100
# (uscc, then what `enterprises_by_uscc` gives: id, name, district path, district id, district name)
ENTERPRISE_COLUMNS = ("e.uscc", "e.id", "e.name", "d.path", "d.id", "d.name")


@lru_cache(maxsize=200_000)
def parse_uscc(value: object) -> str:
    """A valid, normalised USCC. Cached: a metrics file repeats each enterprise once a year."""
    uscc = normalise_code(value)
    problem = uscc_problem(uscc)
    if problem:
        raise CellError(problem)
    return uscc


def parse_list(value: object) -> tuple[str, ...]:
    text = plain_text(value)
    for separator in LIST_SEPARATORS:
        text = text.replace(separator, "、")
    return tuple(sorted({part.strip() for part in text.split("、") if part.strip()}))


def by_match_key(named: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A look-up by name that finds a name however its brackets and spaces are typed (`match_key` both
    sides): (name, object) pairs in, match key → object out."""
    return {match_key(name): found for name, found in named if name}


def suggest(name: str, candidates: Iterable[str]) -> str:
    """ "；您是否要找：吴兴区？" for a near miss: names containing what was typed first, then look-alikes."""
    candidates = list(candidates)
    close = [c for c in candidates if name and (name in c or c in name)]
    close = close or difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    return f"；您是否要找：{'、'.join(close[:3])}？" if close else ""


# What a row about something outside the user's scope says: never its name, district or figures.
OUT_OF_SCOPE = "不在您的数据范围内"


def in_scope(actor: Any, path: str) -> bool:
    """The CLI without --user acts as the system, with the whole tree in scope."""
    return actor is None or path_in_scope(path, actor)


USCC = Column(
    "uscc",
    "统一社会信用代码",
    parse=parse_uscc,
    synonyms=("社会信用代码", "信用代码", "统一代码", "企业信用代码"),
    required=True,
    help="18 位，GB 32100-2015；全角、小写和空格会自动纠正",
    example="91330502MA2B3C4D58",
)
NAME = Column(
    "name",
    "企业名称",
    synonyms=("单位名称", "公司名称", "企业全称", "单位全称"),
    help="与营业执照一致",
    example="湖州示例科技有限公司",
)


def duplicate_check(rows: list[Row], key_of: Any, column: str, label: str) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        key = key_of(row)
        if key in seen:
            row.error(column, f"{label}与第 {seen[key]} 行重复")
        else:
            seen[key] = row.number


def _enterprise_rows(
    where: str, params: list[object], columns: Sequence[str] = ENTERPRISE_COLUMNS
) -> list[tuple]:
    """`columns` of the enterprises matching `where` (`e` the enterprise, `d` its district)."""
    return select_rows(
        columns, Enterprise, where, params, alias="e", join="JOIN orgs_orgunit d ON d.id = e.district_id"
    )


def enterprises_by_uscc(
    usccs: Iterable[str], known: dict[str, tuple] | None = None
) -> dict[str, tuple[int, str, str, int, str]]:
    """uscc → (id, name, district path, district id, district name), in a few queries however many rows.
    Those in `known` (what `prefetch_enterprises` found) are not looked up again."""
    known = known or {}
    found = {}
    missing = []
    for uscc in set(usccs):
        if uscc in known:
            found[uscc] = known[uscc]
        else:
            missing.append(uscc)
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        for uscc, *enterprise in _enterprise_rows(f"e.uscc IN ({', '.join(['%s'] * len(chunk))})", chunk):
            found[uscc] = tuple(enterprise)
    return found


def prefetch_enterprises(actor: Any, file_bytes: int) -> dict[str, tuple] | None:
    """Every enterprise in the actor's scope, as `enterprises_by_uscc` gives them, when the file is large
    enough to name a good share of them; None for a small file, which is cheaper to look up row by row.

    Runs while the file is being read (`Importer.prefetch`): fetching costs about 5 µs an enterprise, and
    reading about 75 ns a byte of file, so at `PREFETCH_BYTES_PER_ENTERPRISE` bytes or more an enterprise
    the fetch is over before the read is.
    """
    root = "" if actor is None else scope_root(actor)
    if root is None:
        return None
    where, params = "SUBSTR(d.path, 1, %s) = %s", [len(root), root]
    [(count,)] = _enterprise_rows(where, params, ["COUNT(*)"])
    if file_bytes < count * PREFETCH_BYTES_PER_ENTERPRISE:
        return None
    return {uscc: tuple(enterprise) for uscc, *enterprise in _enterprise_rows(where, params)}


class FindsEnterprises:
    """For an importer whose rows name enterprises by USCC: the enterprises in scope are prefetched while a
    large file is read, and `enterprises_of` looks up only those the prefetch does not hold."""

    actor: Any
    context: dict[str, Any]

    def prefetch(self, file_bytes: int) -> None:
        self.context["enterprises"] = prefetch_enterprises(self.actor, file_bytes)

    def enterprises_of(self, rows: list[Row]) -> dict[str, tuple[int, str, str, int, str]]:
        return enterprises_by_uscc((row.get("uscc") for row in rows), self.context.get("enterprises"))


class EnterpriseOwnedImporter(FindsEnterprises, Importer):
    """A kind whose rows belong to an existing enterprise, found by USCC, with a natural key per row.

    Written through the bulk path: values are compared as exact integers (hundredths) and only the columns
    the file has are touched, so a partial file never blanks what it does not mention.
    """

    model: ClassVar[type[models.Model]]
    key_fields: ClassVar[tuple[str, ...]]  # besides the enterprise
    key_label: ClassVar[str]
    checked_fields: ClassVar[tuple[str, ...]] = ()  # value columns `check` reads: parsed up front

    def parsed_late(self) -> set[str]:
        return {c.key for c in self.columns} - {"uscc", "name", *self.key_fields, *self.checked_fields}

    def value_fields(self, rows: list[Row]) -> list[str]:
        skip = ("uscc", "name", *self.key_fields)
        return [c.key for c in self.columns if rows and rows[0].has(c.key) and c.key not in skip]

    def check(self, rows: list[Row]) -> None:
        if not rows:
            return
        found = self.enterprises_of(rows)
        position = rows[0].layout.position
        uscc_at, natural_key = position["uscc"], tuple_getter([position[name] for name in self.key_fields])
        allowed: dict[str, bool] = {}  # by district path: a file names a few districts, many times over
        for row in rows:
            enterprise = found.get(row.values[uscc_at])
            if enterprise is None:
                row.error("uscc", "企业库中没有该统一社会信用代码的企业，请先导入企业名单")
                continue
            path = enterprise[2]
            if path not in allowed:
                allowed[path] = in_scope(self.actor, path)
            if not allowed[path]:
                row.error("uscc", OUT_OF_SCOPE)
                continue
            key = (enterprise[0], *natural_key(row.values))
            row.found = {"enterprise_id": enterprise[0], "scope_path": path, "key": key}
        checked = [row for row in rows if not row.errors]
        twice = Counter(row.found["key"] for row in checked)
        parse_pending([row for row in checked if twice[row.found["key"]] > 1])  # a row whose cells fail
        checked = [row for row in checked if not row.errors]  # is no one's duplicate (--skip-invalid)
        duplicate_check(checked, self.row_key, "uscc", f"同一企业的{self.key_label}")

    @staticmethod
    def row_key(row: Row) -> tuple:
        """(enterprise id, *natural key), worked out once by `check`."""
        return row.found["key"]

    def _field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def _default(self, name: str) -> Any:
        """A column the file lacks, as a new row stores it: its database default where it has one (the bulk
        insert names every column)."""
        field = self._field(name)
        if not field.has_db_default():
            return field.get_default()
        return getattr(field.db_default, "value", field.db_default)  # a plain value, or one in Value()

    def _is_hundredths(self, name: str) -> bool:
        return isinstance(self._field(name), models.DecimalField)

    def _stored_alongside(self, rows: list[Row], fields: list[str]) -> Any:
        """The stored rows of the file's first key values (its years), looked up while the block runs
        (`selecting_alongside`): id, enterprise, key, then `fields` in the file's canonical form."""
        expressions = ["id", "enterprise_id", *(self._field(name).column for name in self.key_fields)]
        expressions += [
            hundredths_sql(self._field(f).column) if self._is_hundredths(f) else self._field(f).column
            for f in fields
        ]
        first_key = self.key_fields[0]
        first_values = sorted({row.get(first_key) for row in rows})
        column = self._field(first_key).column
        where = f"{column} IN ({', '.join(['%s'] * len(first_values))})"
        return selecting_alongside(expressions, self.model, where, first_values, alongside=self.alongside)

    def _existing(self, rows: list[Row], fields: list[str], stored: list[tuple]) -> dict[tuple, tuple]:
        """Stored rows for the file's keys: key → (id, values in the file's canonical form)."""
        wanted = {row.found["key"] for row in rows}
        result = {}
        date_fields = [i for i, f in enumerate(fields) if isinstance(self._field(f), models.DateField)]
        start = 2 + len(self.key_fields)
        for record in stored:
            key = record[1:start]
            if key not in wanted:
                continue
            values = record[start:]
            if date_fields:
                values = tuple(
                    dt.date.fromisoformat(v[:10]) if i in date_fields and isinstance(v, str) else v
                    for i, v in enumerate(values)
                )
            result[key] = (record[0], values)
        return result

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        if not rows:
            return plan
        fields = self.value_fields(rows)
        with self._stored_alongside(rows, fields) as stored:
            for start in range(0, len(rows), CHUNK):  # parse ahead while the database looks: free time
                if stored.done():
                    break
                parse_pending(rows[start : start + CHUNK])
        existing = self._existing(rows, fields, stored.rows())
        key_of = self.row_key
        parse_pending([row for row in rows if key_of(row) in existing])  # new rows: as they are written
        values_of = self._values_getter(rows, fields)
        for row in rows:
            if row.errors:  # a cell failed, parsed ahead or to compare the row with what is stored
                continue
            stored_row = existing.get(key_of(row))
            if stored_row is None:
                plan.creates.append(row)
            elif stored_row[1] == (values := values_of(row.values)):
                plan.unchanged += 1
            else:
                plan.updates.append((row, stored_row[0], stored_row[1], values))
        self.context["fields"] = fields
        return plan

    def _values_getter(self, rows: list[Row], fields: list[str]) -> Callable[[tuple], tuple]:
        """A row's values of `fields` as stored: a blank text cell is ""."""
        pick = tuple_getter([rows[0].layout.position[name] for name in fields])
        is_text = [isinstance(self._field(name), models.CharField | models.TextField) for name in fields]
        if not any(is_text):
            return pick
        return lambda values: tuple(
            "" if text and value is None else value for text, value in zip(is_text, pick(values), strict=True)
        )

    def _to_db(self, name: str) -> Any:
        """The converter of a canonical value to a database parameter, chosen once per column.

        Hundredths go as n / 100: the float nearest to an exact two-decimal number, whose shortest text
        (what both drivers send) is that number, so PostgreSQL's numeric and SQLite store it exactly.
        """
        if self._is_hundredths(name):
            return lambda value: None if value is None else value / 100
        if isinstance(self._field(name), models.DateField):
            return lambda value: None if value is None else value.isoformat()
        return lambda value: value

    def _to_json(self, name: str, value: Any) -> Any:
        """A canonical value as the audit trail keeps it (exact text for amounts, ISO dates)."""
        if value is None:
            return None
        if self._is_hundredths(name):
            return hundredths_text(value)
        return value.isoformat() if isinstance(value, dt.date) else value

    def describe(self, row: Row) -> str:
        return f"{row.get('name') or row.get('uscc')} {self.title}"

    def _insert_created(self, plan: Plan, fields: list[str], batch_id: int) -> None:
        """Created rows carry their batch (`created_batch`): with the batch's record and stored file that
        is their audit, so a 100,000-row import writes no second 100,000 rows of trail. They are written a
        chunk at a time, as columns: each chunk's amounts are parsed while the database stores the one
        before, and a column is converted in one pass (a call per row per value would cost more)."""
        if not plan.creates:
            return
        absent = [c.key for c in self.columns if c.key not in ("uscc", "name", *self.key_fields, *fields)]
        position = plan.creates[0].layout.position
        text = [isinstance(self._field(name), models.CharField | models.TextField) for name in fields]
        key_converters = [self._to_db(name) for name in self.key_fields]
        dates = [isinstance(self._field(name), models.DateField) for name in fields]
        defaults = [self._default(name) for name in absent]

        def chunks() -> Iterator[list[list[object]]]:
            for start in range(0, len(plan.creates), CHUNK):
                chunk = plan.creates[start : start + CHUNK]
                parse_pending(chunk)
                rows = [row for row in chunk if not row.errors]  # else undone, or skipped (--skip-invalid)
                keys = [row.found["key"] for row in rows]
                columns = [[batch_id] * len(rows), [key[0] for key in keys]]
                columns += [[convert(key[i]) for key in keys] for i, convert in enumerate(key_converters, 1)]
                for name, is_text, is_date in zip(fields, text, dates, strict=True):
                    values = [row.values[position[name]] for row in rows]
                    if is_text:
                        values = ["" if value is None else value for value in values]
                    elif is_date:
                        values = [None if value is None else value.isoformat() for value in values]
                    columns.append(values)
                columns += [[default] * len(rows) for default in defaults]
                yield columns

        insert_columns(
            self.model,
            [
                "created_batch",
                "enterprise_id",
                *(self._field(name).column for name in self.key_fields),
                *(self._field(name).column for name in (*fields, *absent)),
            ],
            chunks(),
            scaled=[self._field(name).column for name in fields if self._is_hundredths(name)],
        )

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        fields = self.context.get("fields", [])
        self._insert_created(plan, fields, batch_id)
        converters = [self._to_db(name) for name in fields]
        update_rows(
            self.model,
            [self._field(name).column for name in fields],
            (
                (*(convert(value) for convert, value in zip(converters, new, strict=True)), pk)
                for _, pk, _, new in plan.updates
            ),
        )
        entries = []
        for row, pk, old, new in plan.updates:
            changes = {
                name: [self._to_json(name, before), self._to_json(name, after)]
                for name, before, after in zip(fields, old, new, strict=True)
                if before != after
            }
            entries.append(
                (
                    pk,
                    Action.UPDATE,
                    changes,
                    self.describe(row),
                    row.found["scope_path"],
                    row.found["enterprise_id"],
                )
            )
        write_audit(self.model, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        order = ["enterprise__uscc", *cls.key_fields]
        return scoped_or_system(cls.model.objects.all(), actor).order_by(*order)

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        names = [c.key for c in self.columns]
        for obj in queryset.select_related("enterprise"):
            cells = []
            for name in names:
                if name == "uscc":
                    cells.append(obj.enterprise.uscc)
                elif name == "name":
                    cells.append(obj.enterprise.name)
                else:
                    cells.append(self.export_value(obj, name))
            yield cells

    def export_value(self, obj: models.Model, name: str) -> object:
        value = getattr(obj, name)
        field = self._field(name)
        if field.choices and value:
            return getattr(obj, f"get_{name}_display")()
        return value


def to_score(value: object) -> int | None:
    """A 0–100 score with at most one decimal, in hundredths like the other figures."""
    hundredths = to_hundredths(value)
    if hundredths is None:
        return None
    if hundredths > 10000 or hundredths % 10:
        raise CellError("应为 0–100 的分数，至多一位小数，如 66.5")
    return hundredths


METRIC_COLUMNS = (
    money("revenue_wan", "营业收入（万元）", synonyms=("营业收入", "营收")),
    money("main_revenue_wan", "主营业务收入（万元）", synonyms=("主营业务收入", "主营收入")),
    money("output_wan", "工业总产值（万元）", synonyms=("工业总产值", "总产值")),
    money("value_added_wan", "工业增加值（万元）", synonyms=("工业增加值", "增加值")),
    money("tax_wan", "实缴税金（万元）", synonyms=("实缴税金", "税收", "实缴税收", "税金")),
    money(
        "profit_wan",
        "利润总额（万元）",
        synonyms=("利润总额", "利润"),
        negative=True,
        help="金额，单位万元；亏损填负数，如 -350",
    ),
    money("rnd_wan", "研发费用（万元）", synonyms=("研发费用", "研发投入", "R&D经费")),
    money(
        "rnd_spending_wan",
        "R&D经费支出（万元）",
        synonyms=("R&D经费支出", "研发经费支出", "R&D支出"),
        help="金额，单位万元；统计口径的研究与试验发展经费支出，可与研发费用不同",
    ),
    money("export_wan", "出口交货值（万元）", synonyms=("出口交货值",)),
    quantity("energy_tce", "综合能耗（吨标准煤）", synonyms=("综合能耗", "能耗"), help="吨标准煤"),
    quantity("electricity_10k_kwh", "用电量（万千瓦时）", synonyms=("用电量",), help="万千瓦时"),
    quantity(
        "pollutant_t", "主要污染物排放量（吨）", synonyms=("主要污染物排放量", "污染物排放量"), help="吨"
    ),
    quantity(
        "carbon_t",
        "碳排放量（吨CO₂）",
        synonyms=("碳排放量", "碳排放量（吨CO2）", "碳排放"),
        help="吨二氧化碳",
    ),
    quantity("zero_carbon_10k_kwh", "零碳电力（万千瓦时）", synonyms=("零碳电力", "绿电"), help="万千瓦时"),
    quantity("land_mu", "用地面积（亩）", synonyms=("用地面积", "用地", "占地面积"), help="亩"),
    Column(
        "employees",
        "年平均职工人数",
        parse=to_int,
        synonyms=("职工人数", "从业人员", "年均职工人数"),
        help="人",
        number_format=COUNT_FORMAT,
    ),
    money("assets_wan", "资产总额（万元）", synonyms=("资产总额", "总资产", "资产合计", "年末资产总额")),
    money("liabilities_wan", "负债总额（万元）", synonyms=("负债总额", "总负债", "负债合计", "年末负债总额")),
    Column(
        "tech_staff",
        "科技人员数",
        parse=to_int,
        synonyms=("科技人员", "科技人员人数", "科技活动人员", "科技人员数量"),
        help="人；从事研发和相关技术创新活动的人员",
        number_format=COUNT_FORMAT,
    ),
    Column(
        "ip_class1",
        "Ⅰ类知识产权（项）",
        parse=to_int,
        synonyms=("Ⅰ类知识产权", "I类知识产权", "一类知识产权", "Ⅰ类知识产权数", "Ⅰ类知识产权数量"),
        help="项；发明专利（含国防专利）、植物新品种、国家级农作物品种、国家新药、国家一级中药保护品种、集成电路布图设计专有权等",
        number_format=COUNT_FORMAT,
    ),
    Column(
        "ip_class2",
        "Ⅱ类知识产权（项）",
        parse=to_int,
        synonyms=("Ⅱ类知识产权", "II类知识产权", "二类知识产权", "Ⅱ类知识产权数", "Ⅱ类知识产权数量"),
        help="项；实用新型专利、外观设计专利、软件著作权等",
        number_format=COUNT_FORMAT,
    ),
    Column(
        "srdi_score",
        "专精特新发展评价得分",
        parse=to_score,
        synonyms=("发展评价得分", "专精特新评价得分", "专精特新发展评价分数", "评价得分"),
        help="0–100 分，至多一位小数（优质中小企业梯度培育平台的评价结果）",
    ),
)
YEAR = Column(
    "year", "年度", parse=to_year, synonyms=("年份", "统计年度"), required=True, help="四位年份", example=2025
)


@register
class MetricsImporter(EnterpriseOwnedImporter):
    kind = "enterprise-metrics"
    title = "企业年度指标"
    model = AnnualMetric
    key_fields = ("year",)
    key_label = "年度指标"
    columns = (USCC, NAME, YEAR, *METRIC_COLUMNS)
    notes = ("每家企业每年一行；不填的指标保持原值不变的做法是不放该列，空白单元格表示清空该指标。",)

    def describe(self, row: Row) -> str:
        return f"{row.get('name') or row.get('uscc')} {row.get('year')}年指标"

    def export_value(self, obj: models.Model, name: str) -> object:
        value = getattr(obj, name)
        return float(value) if value is not None and self._is_hundredths(name) else value


HONOUR_SPELLINGS = {label: value for value, label in HonourKind.choices} | {
    "小巨人": HonourKind.LITTLE_GIANT,
    "专精特新小巨人": HonourKind.LITTLE_GIANT,
    "国家级专精特新小巨人": HonourKind.LITTLE_GIANT,
    "专精特新": HonourKind.PROVINCIAL_SRDI,
    "高新技术": HonourKind.HIGH_TECH,
    "国家高新技术企业": HonourKind.HIGH_TECH,
    "上市": HonourKind.LISTED,
    "科技型中小": HonourKind.TECH_SME,
    "创新型中小": HonourKind.INNOVATIVE_SME,
    "国家技术创新示范企业": HonourKind.TECH_INNOVATION_DEMO,
    "国家级技术创新示范企业": HonourKind.TECH_INNOVATION_DEMO,
    "国家知识产权优势企业": HonourKind.IP_ADVANTAGE,
    "国家知识产权示范企业": HonourKind.IP_DEMO,
}


@register
class HonoursImporter(EnterpriseOwnedImporter):
    kind = "honours"
    title = "企业荣誉"
    model = Honour
    key_fields = ("kind", "year_granted")
    key_label = "同年度同一荣誉"
    checked_fields = ("year_lost", "granted_on")
    columns = (
        USCC,
        NAME,
        Column(
            "kind",
            "荣誉类型",
            parse=to_choice(HONOUR_SPELLINGS),
            synonyms=("荣誉", "荣誉名称", "称号"),
            required=True,
            help="、".join(map(str, HonourKind.labels)),
            example="高新技术企业",
        ),
        Column(
            "year_granted",
            "认定年度",
            parse=to_year,
            synonyms=("获得年度", "认定年份"),
            required=True,
            example=2024,
        ),
        Column(
            "year_lost", "失去年度", parse=to_year, synonyms=("取消年度", "摘牌年度"), help="仍持有则留空"
        ),
        Column("stock_code", "股票代码", synonyms=("证券代码",), help="上市公司填写"),
        Column(
            "document_number",
            "认定文号",
            synonyms=("文号", "认定文件号", "公告文号", "发文文号", "批准文号"),
            help="认定或公告文件的文号",
            example="浙经信企业〔2025〕88号",
        ),
        Column(
            "granted_on",
            "认定日期",
            parse=to_date,
            synonyms=("认定时间", "公告日期", "发文日期", "公布日期"),
            help="须在认定年度内",
            example="2024-12-05",
        ),
    )

    def check(self, rows: list[Row]) -> None:
        super().check(rows)
        for row in rows:
            granted = row.get("year_granted")
            if row.get("year_lost") is not None and granted and row.get("year_lost") < granted:
                row.error("year_lost", f"失去年度不能早于认定年度 {granted}")
            granted_on = row.get("granted_on")
            if granted_on and granted and granted_on.year != granted:
                row.error("granted_on", f"认定日期 {granted_on.isoformat()} 不在认定年度 {granted} 年内")


SURVEY_WILLINGNESS = {label: value for value, label in Willingness.choices} | {
    "有意愿": "yes",
    "无意愿": "no",
}


def parse_needs(value: object) -> str:
    needs = parse_list(value)
    unknown = [need for need in needs if need not in SURVEY_NEEDS]
    if unknown:
        raise CellError(f"“{'、'.join(unknown)}”不是可选的需求，应为：{'、'.join(SURVEY_NEEDS)}")
    return "、".join(need for need in SURVEY_NEEDS if need in needs)


@register
class SurveysImporter(EnterpriseOwnedImporter):
    kind = "surveys"
    title = "扩产意愿调查"
    model = Survey
    key_fields = ("year",)
    key_label = "年度调查"
    columns = (
        USCC,
        NAME,
        YEAR,
        Column(
            "willingness",
            "扩产意愿",
            parse=to_choice(SURVEY_WILLINGNESS),
            synonyms=("意愿",),
            required=True,
            help="有、观望、无",
            example="有",
        ),
        money("planned_investment_wan", "计划投资（万元）", synonyms=("计划投资", "拟投资额")),
        Column(
            "planned_start",
            "计划开工",
            parse=to_date,
            synonyms=("计划开工日期", "计划开工时间"),
            example="2026-03-01",
        ),
        Column(
            "needs",
            "需求",
            parse=parse_needs,
            synonyms=("要素需求", "主要需求"),
            help="、".join(SURVEY_NEEDS),
        ),
        Column("notes", "备注", synonyms=("说明",)),
    )


SIZE_SPELLINGS = {label: value for value, label in SizeClass.choices} | {
    label[0]: value for value, label in SizeClass.choices
}


@register
class EnterprisesImporter(FindsEnterprises, Importer):
    kind = "enterprises"
    title = "企业名单"
    columns = (
        USCC,
        replace(NAME, required=True),
        Column(
            "district",
            "所属区县",
            synonyms=("区县", "所在区县", "县区", "所属县区"),
            required=True,
            example="吴兴区",
        ),
        Column(
            "town",
            "所属乡镇（园区）",
            synonyms=("乡镇", "所属乡镇", "乡镇（街道）", "所在乡镇", "园区", "乡镇园区"),
            example="织里镇",
        ),
        Column("address", "注册地址", synonyms=("地址", "企业地址", "注册地")),
        Column(
            "established_on",
            "成立日期",
            parse=to_date,
            synonyms=("成立时间", "注册日期"),
            example="2015-06-18",
        ),
        Column(
            "industry_code",
            "行业代码",
            parse=normalise_code,
            synonyms=("国民经济行业代码", "行业分类代码"),
            help="GB/T 4754-2017 代码（2–4 位）",
            example="3670",
        ),
        Column(
            "size_class",
            "企业规模",
            parse=to_choice(SIZE_SPELLINGS),
            synonyms=("规模",),
            help="大、中、小、微",
            example="中",
        ),
        Column(
            "above_scale",
            "是否规上",
            parse=to_bool,
            synonyms=("规上", "规上企业"),
            help="是 或 否",
            example="是",
        ),
        Column(
            "above_scale_since",
            "规上起始日期",
            parse=to_date,
            synonyms=("上规日期", "纳规日期"),
            example="2021-01-01",
        ),
        Column(
            "segment_since",
            "从事细分市场起始日期",
            parse=to_date,
            synonyms=(
                "细分市场起始日期",
                "从事细分市场时间",
                "进入细分市场日期",
                "细分领域起始日期",
                "从事细分领域起始日期",
            ),
            help="开始从事主导产品所在细分市场的日期（专精特新等称号按此计算年限）",
            example="2016-03-01",
        ),
        Column(
            "tags",
            "所属产业链",
            parse=parse_list,
            synonyms=("产业链", "产业", "所属产业"),
            help="多个用“、”分隔；可选值见“产业标签”",
            example="新能源汽车及关键零部件",
        ),
    )
    FIELDS = (
        "name",
        "district",
        "town",
        "address",
        "established_on",
        "industry_code",
        "size_class",
        "above_scale",
        "above_scale_since",
        "segment_since",
        "tags",
    )

    def check(self, rows: list[Row]) -> None:
        units = list(
            OrgUnit.objects.filter(kind__in=REPORTING_KINDS).only("id", "name", "short_name", "path")
        )
        districts = by_match_key(
            [(unit.name, unit) for unit in units] + [(unit.short_name, unit) for unit in units]
        )
        district_names = [name for unit in units for name in (unit.name, unit.short_name) if name]
        town_units = OrgUnit.objects.exclude(kind__in=REPORTING_KINDS).filter(
            parent__kind__in=REPORTING_KINDS
        )
        towns = {(unit.parent_id, match_key(unit.name)): unit for unit in town_units}
        divisions = set(IndustryCategory.objects.filter(is_section=False).values_list("code", flat=True))
        tags = {tag.name: tag.pk for tag in IndustryTag.objects.all()}
        tag_names = by_match_key((name, name) for name in tags)
        existing = self.enterprises_of(rows)
        for row in rows:
            district = districts.get(match_key(row.get("district")))
            if district is None:
                row.error(
                    "district",
                    f"未知的区县“{row.get('district')}”{suggest(row.get('district'), district_names)}",
                )
            elif not in_scope(self.actor, district.path):
                row.error("district", f"您无权导入“{district.name}”的企业")
            else:
                row.set("district", district.pk)
                row.set("scope_path", district.path)
                town = row.get("town")
                if town:
                    found = towns.get((district.pk, match_key(town)))
                    names = [unit.name for (parent, _), unit in towns.items() if parent == district.pk]
                    if found is None:
                        row.error("town", f"{district.name}没有乡镇（园区）“{town}”{suggest(town, names)}")
                    else:
                        row.set("town", found.pk)
            stored = existing.get(row.get("uscc"))
            if stored is not None and not in_scope(self.actor, stored[2]):
                row.error("uscc", OUT_OF_SCOPE)
            code = row.get("industry_code")
            if code:
                division = industry_division(code)
                if division is None or division not in divisions:
                    row.error("industry_code", "应为 GB/T 4754-2017 行业代码（2–4 位数字，前两位为大类）")
            named = row.get("tags") or ()
            unknown = [tag for tag in named if match_key(tag) not in tag_names]
            if unknown:
                row.error("tags", f"未知的产业链“{'、'.join(unknown)}”{suggest(unknown[0], tags)}")
            elif named:
                row.set("tags", tuple(sorted({tag_names[match_key(tag)] for tag in named})))
            if row.get("above_scale_since") and row.get("above_scale") is False:
                row.error("above_scale_since", "填写了规上起始日期，但“是否规上”为否")
            established, since = row.get("established_on"), row.get("above_scale_since")
            if established and since and since < established:
                row.error("above_scale_since", f"规上起始日期早于成立日期 {established}")
        duplicate_check(
            [row for row in rows if not row.errors], lambda row: row.get("uscc"), "uscc", "统一社会信用代码"
        )
        self.context["tags"] = tags

    def _fields(self, rows: list[Row]) -> list[str]:
        return [name for name in self.FIELDS if rows and rows[0].has(name)]

    @staticmethod
    def _stored_values(enterprise: Enterprise, tag_names: dict[int, tuple[str, ...]]) -> dict[str, Any]:
        return {
            "name": enterprise.name,
            "district": enterprise.district_id,
            "town": enterprise.town_id,
            "address": enterprise.address,
            "established_on": enterprise.established_on,
            "industry_code": enterprise.industry_code,
            "size_class": enterprise.size_class,
            "above_scale": enterprise.above_scale,
            "above_scale_since": enterprise.above_scale_since,
            "segment_since": enterprise.segment_since,
            "tags": tag_names.get(enterprise.pk, ()),
        }

    @staticmethod
    def _row_values(row: Row, fields: list[str]) -> dict[str, Any]:
        blank = {"above_scale": False, "tags": (), "address": "", "industry_code": "", "size_class": ""}
        return {name: row.get(name) if row.get(name) is not None else blank.get(name) for name in fields}

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        fields = self._fields(rows)
        usccs = [row.get("uscc") for row in rows]
        stored = {}
        for start in range(0, len(usccs), CHUNK):
            stored |= {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs[start : start + CHUNK])}
        tag_names: dict[int, list[str]] = {}
        through = Enterprise.tags.through
        ids = [e.pk for e in stored.values()]
        for start in range(0, len(ids), CHUNK):
            for enterprise_id, name in through.objects.filter(
                enterprise_id__in=ids[start : start + CHUNK]
            ).values_list("enterprise_id", "industrytag__name"):
                tag_names.setdefault(enterprise_id, []).append(name)
        sorted_tags = {pk: tuple(sorted(names)) for pk, names in tag_names.items()}
        for row in rows:
            new = self._row_values(row, fields)
            enterprise = stored.get(row.get("uscc"))
            if enterprise is None:
                plan.creates.append((row, new))
                continue
            old = {
                name: value
                for name, value in self._stored_values(enterprise, sorted_tags).items()
                if name in fields
            }
            if old == new:
                plan.unchanged += 1
            else:
                plan.updates.append((row, enterprise, old, new))
        self.context["fields"] = fields
        return plan

    @staticmethod
    def _json(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, tuple):
            return list(value)
        return value

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        tags = self.context["tags"]
        through = Enterprise.tags.through
        created = []
        for row, new in plan.creates:
            values = {name: value for name, value in new.items() if name != "tags"}
            enterprise = Enterprise(uscc=row.get("uscc"), created_batch=batch_id, **_with_ids(values))
            enterprise.industry_division = industry_division(enterprise.industry_code) or ""
            created.append((row, enterprise, new.get("tags", ())))
        Enterprise.objects.bulk_create([enterprise for _, enterprise, _ in created], batch_size=2000)
        links = [
            through(enterprise_id=e.pk, industrytag_id=tags[name])
            for _, e, names in created
            for name in names
        ]
        changed = []
        for _, enterprise, old, new in plan.updates:
            for name, value in new.items():
                if name != "tags":
                    setattr(enterprise, _attname(name), value)
            enterprise.industry_division = industry_division(enterprise.industry_code) or ""
            changed.append(enterprise)
            if "tags" in new and new["tags"] != old.get("tags"):
                through.objects.filter(enterprise_id=enterprise.pk).delete()
                links += [
                    through(enterprise_id=enterprise.pk, industrytag_id=tags[name]) for name in new["tags"]
                ]
        through.objects.bulk_create(links, batch_size=2000)
        update_fields = [name for name in self.context["fields"] if name != "tags"] + ["industry_division"]
        Enterprise.objects.bulk_update(changed, update_fields, batch_size=1000)
        entries = []
        for row, enterprise, old, new in plan.updates:
            changes = {
                name: [self._json(old[name]), self._json(new[name])] for name in new if old[name] != new[name]
            }
            entries.append(
                (enterprise.pk, Action.UPDATE, changes, enterprise.name, row.get("scope_path"), enterprise.pk)
            )
        write_audit(Enterprise, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(Enterprise.objects.all(), actor).order_by("uscc")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for e in queryset.select_related("district", "town").prefetch_related("tags"):
            yield [
                e.uscc,
                e.name,
                e.district.name,
                e.town.name if e.town else "",
                e.address,
                e.established_on,
                e.industry_code,
                e.get_size_class_display() if e.size_class else "",
                "是" if e.above_scale else "否",
                e.above_scale_since,
                e.segment_since,
                "、".join(sorted(tag.name for tag in e.tags.all())),
            ]


def _attname(name: str) -> str:
    return f"{name}_id" if name in ("district", "town") else name


def _with_ids(values: dict[str, Any]) -> dict[str, Any]:
    return {_attname(name): value for name, value in values.items()}


# Land: parcels (宗地) and tenancies (租用厂房) --------------------------------------------------------------


def parse_parcel_code(value: object) -> str:
    """A parcel code as the land office writes it, full-width and spaces folded (as the pages store it)."""
    code = normalise_code(plain_text(value))
    problem = parcel_code_problem(code)
    if problem:
        raise CellError(problem)
    return code


PARCEL_CODE = Column(
    "code",
    "宗地编号",
    parse=parse_parcel_code,
    synonyms=("地块编号", "宗地号", "宗地代码", "不动产单元号"),
    required=True,
    help="自然资源部门的宗地编号或不动产单元号",
    example="330502001001GB00001",
)
AREA_LIMIT = 10**16  # hundredths: what DecimalField(max_digits=16, decimal_places=2) holds


def to_mu(value: object) -> int | None:
    """An area in hundredths of a 亩, which may carry its unit as people type it: 35.5亩."""
    if isinstance(value, str) and clean_text(value).endswith("亩"):
        value = clean_text(value).removesuffix("亩").strip()
    return to_hundredths(value)


def _by_code(model: type[models.Model], codes: Iterable[str], field: str, *values: str) -> list[tuple]:
    """(code, *values) of the rows whose `field` is one of `codes`, a chunk of codes at a time."""
    codes = list(codes)
    found: list[tuple] = []
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        found += model.objects.filter(**{f"{field}__in": chunk}).values_list(field, *values)
    return found


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@register
class ParcelsImporter(FindsEnterprises, Importer):
    kind = "land-parcels"
    title = "宗地"
    notes = (
        "每宗地一行，以宗地编号区分；同一编号再次导入即为更正（含更换宗地主）。",
        "宗地主须已在企业库中。在他人宗地上租用厂房的企业请另用“租用厂房”导入。",
        "出让日期用于亩均评价中新增用地的不参评期；不放“坐落”或“出让日期”列时，已登记的值保持不变。",
    )
    columns = (
        PARCEL_CODE,
        replace(
            USCC,
            header="宗地主统一社会信用代码",
            synonyms=("宗地主信用代码", "土地使用权人统一社会信用代码", "权利人统一社会信用代码", "统一社会信用代码"),
        ),
        replace(
            NAME, header="宗地主名称", synonyms=("宗地主", "土地使用权人", "权利人", "企业名称"), help="仅供核对，以信用代码为准"
        ),
        Column("location", "坐落", synonyms=("宗地坐落", "土地坐落", "地块位置", "地址"), example="织里镇大港路 88 号"),
        Column(
            "area_mu", "面积（亩）", parse=to_mu, synonyms=("宗地面积", "土地面积", "用地面积"), required=True,
            help="亩，大于 0；可写 35.5 或 35.5亩", example=35.5, number_format=AMOUNT_FORMAT,
        ),
        Column(
            "granted_on", "出让日期", parse=to_date, synonyms=("土地出让日期", "供地日期", "出让时间"),
            help="土地出让合同签订日期，不晚于今天", example="2019-06-18",
        ),
    )  # fmt: skip
    OPTIONAL = ("location", "granted_on")

    def check(self, rows: list[Row]) -> None:
        if not rows:
            return
        found = self.enterprises_of(rows)
        stored = {
            code: (pk, owner, path)
            for code, pk, owner, path in _by_code(
                LandParcel, {row.get("code") for row in rows}, "code", "pk", "enterprise_id",
                "enterprise__district__path",
            )
        }  # fmt: skip
        tenants = set(
            LandTenancy.objects.filter(parcel_id__in=[pk for pk, _, _ in stored.values()]).values_list(
                "parcel_id", "enterprise_id"
            )
        )
        today = timezone.localdate()
        for row in rows:
            owner = found.get(row.get("uscc"))
            if owner is None:
                row.error("uscc", "企业库中没有该统一社会信用代码的企业，请先导入企业名单")
                continue
            if not in_scope(self.actor, owner[2]):
                row.error("uscc", OUT_OF_SCOPE)
                continue
            old = stored.get(row.get("code"))
            if old is not None and not in_scope(self.actor, old[2]):
                row.error("code", "该宗地登记在您数据范围以外的企业名下，不能更改")
                continue
            if old is not None and (old[0], owner[0]) in tenants:
                row.error("uscc", "该企业登记为此宗地的承租企业，不能同时是宗地主；请先移除其租用记录")
                continue
            area = row.get("area_mu")
            if not area:
                row.error("area_mu", "面积应大于 0")
            elif area >= AREA_LIMIT:
                row.error("area_mu", f"超出合理范围，应小于 {AREA_LIMIT // 100:,} 亩")
            problem = grant_date_problem(row.get("granted_on"), today)
            if problem:
                row.error("granted_on", problem)
            if len(row.get("location") or "") > 200:
                row.error("location", "不能超过 200 个字")
            row.set("owner", owner[0])
            row.set("scope_path", owner[2])
        duplicate_check(
            [row for row in rows if not row.errors], lambda row: row.get("code"), "code", "宗地编号"
        )

    def _fields(self, rows: list[Row]) -> list[str]:
        return ["enterprise_id", "area_mu", *(name for name in self.OPTIONAL if rows and rows[0].has(name))]

    @staticmethod
    def _row_values(row: Row, fields: list[str]) -> dict[str, Any]:
        values = {"enterprise_id": row.get("owner"), "area_mu": row.get("area_mu")}
        values |= {"location": row.get("location") or "", "granted_on": row.get("granted_on")}
        return {name: values[name] for name in fields}

    @staticmethod
    def _stored_values(parcel: LandParcel, fields: list[str]) -> dict[str, Any]:
        values = {
            "enterprise_id": parcel.enterprise_id,
            "area_mu": int(parcel.area_mu.scaleb(2)),
            "location": parcel.location,
            "granted_on": parcel.granted_on,
        }
        return {name: values[name] for name in fields}

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        fields = self._fields(rows)
        codes = [row.get("code") for row in rows]
        stored: dict[str, LandParcel] = {}
        for start in range(0, len(codes), CHUNK):
            stored |= {p.code: p for p in LandParcel.objects.filter(code__in=codes[start : start + CHUNK])}
        for row in rows:
            new = self._row_values(row, fields)
            parcel = stored.get(row.get("code"))
            if parcel is None:
                plan.creates.append((row, new))
                continue
            old = self._stored_values(parcel, fields)
            if old == new:
                plan.unchanged += 1
            else:
                plan.updates.append((row, parcel, old, new))
        self.context["fields"] = fields
        return plan

    @staticmethod
    def _model_values(values: dict[str, Any]) -> dict[str, Any]:
        return {
            name: hundredths_decimal(value) if name == "area_mu" else value for name, value in values.items()
        }

    @staticmethod
    def _audit_value(name: str, value: Any) -> Any:
        return hundredths_text(value) if name == "area_mu" else _json(value)

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        LandParcel.objects.bulk_create(
            [
                LandParcel(code=row.get("code"), created_batch=batch_id, **self._model_values(new))
                for row, new in plan.creates
            ],
            batch_size=2000,
        )
        for _, parcel, _, new in plan.updates:
            for name, value in self._model_values(new).items():
                setattr(parcel, name, value)
        LandParcel.objects.bulk_update(
            [parcel for _, parcel, _, _ in plan.updates], self.context["fields"], batch_size=1000
        )
        entries = [
            (
                parcel.pk, Action.UPDATE,
                {name: [self._audit_value(name, old[name]), self._audit_value(name, new[name])]
                 for name in new if old[name] != new[name]},
                str(parcel), row.get("scope_path"), row.get("owner"),
            )
            for row, parcel, old, new in plan.updates
        ]  # fmt: skip
        write_audit(LandParcel, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(LandParcel.objects.all(), actor).order_by("code")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for parcel in queryset.select_related("enterprise"):
            yield [
                parcel.code, parcel.enterprise.uscc, parcel.enterprise.name, parcel.location,
                float(parcel.area_mu), parcel.granted_on,
            ]  # fmt: skip


@register
class TenanciesImporter(FindsEnterprises, Importer):
    kind = "land-tenancies"
    title = "租用厂房"
    notes = (
        "每段租用一行：承租企业在他人（宗地主）宗地上租用厂房；以承租企业、宗地编号和起租日期区分，再次导入即为更正止租日期。",
        "宗地须已登记（先导入“宗地”）；企业不能租用自己的宗地，同一企业在同一宗地上的租期不能重叠。",
        "规下承租企业在亩均评价中可跟随宗地主的分类。",
    )
    columns = (
        replace(
            USCC,
            header="承租企业统一社会信用代码",
            synonyms=("承租企业信用代码", "承租方统一社会信用代码", "承租人统一社会信用代码", "统一社会信用代码"),
        ),
        replace(NAME, header="承租企业名称", synonyms=("承租企业", "承租方", "企业名称"), help="仅供核对，以信用代码为准"),
        replace(PARCEL_CODE, key="parcel", help="出租方（宗地主）已登记的宗地编号"),
        Column(
            "started_on", "起租日期", parse=to_date, synonyms=("租赁起始日期", "租期起", "起租时间"), example="2023-01-01"
        ),
        Column(
            "ended_on", "止租日期", parse=to_date, synonyms=("租赁终止日期", "租期止", "止租时间", "到期日期"),
            help="仍在租用则留空；不放该列时，已登记的止租日期保持不变",
        ),
    )  # fmt: skip

    def check(self, rows: list[Row]) -> None:
        if not rows:
            return
        found = self.enterprises_of(rows)
        parcels = {
            code: (pk, owner, path)
            for code, pk, owner, path in _by_code(
                LandParcel, {row.get("parcel") for row in rows}, "code", "pk", "enterprise_id",
                "enterprise__district__path",
            )
        }  # fmt: skip
        stored: dict[tuple[int, int], list[tuple]] = {}  # (tenant, parcel) → [(start, end)]
        for tenant, parcel, start, end in LandTenancy.objects.filter(
            parcel_id__in=[pk for pk, _, _ in parcels.values()]
        ).values_list("enterprise_id", "parcel_id", "started_on", "ended_on"):
            stored.setdefault((tenant, parcel), []).append((start, end))
        for row in rows:
            tenant = found.get(row.get("uscc"))
            if tenant is None:
                row.error("uscc", "企业库中没有该统一社会信用代码的企业，请先导入企业名单")
                continue
            if not in_scope(self.actor, tenant[2]):
                row.error("uscc", OUT_OF_SCOPE)
                continue
            parcel = parcels.get(row.get("parcel"))
            if parcel is None:
                row.error("parcel", "没有该编号的宗地，请先导入宗地或在宗地主的企业页登记")
                continue
            pair, start = (tenant[0], parcel[0]), row.get("started_on")
            known = any(period[0] == start for period in stored.get(pair, ()))
            if not known and not in_scope(self.actor, parcel[2]):  # a stored tenancy may be corrected
                row.error("parcel", "该宗地不在您的数据范围内，跨区县的租用请由市级工作人员登记")
                continue
            if parcel[1] == tenant[0]:
                row.error("uscc", "承租企业就是该宗地的宗地主，不能租用自己的宗地")
                continue
            problem = tenancy_dates_problem(start, row.get("ended_on"))
            if problem:
                row.error("ended_on", problem)
                continue
            row.set("tenant", tenant[0])
            row.set("parcel_id", parcel[0])
            row.set("scope_path", tenant[2])
        checked = [row for row in rows if not row.errors]
        duplicate_check(checked, self._key, "started_on", "同一企业同一宗地同一起租日期")
        self._overlaps([row for row in checked if not row.errors], stored)

    @staticmethod
    def _key(row: Row) -> tuple:
        return (row.get("tenant"), row.get("parcel_id"), row.get("started_on"))

    def _overlaps(self, rows: list[Row], stored: dict[tuple[int, int], list[tuple]]) -> None:
        """A tenant's periods on one parcel may not overlap: the file's rows against each other, and
        against the stored periods the file does not correct (those of a start date not in the file)."""
        by_pair: dict[tuple[int, int], list[Row]] = {}
        for row in rows:
            by_pair.setdefault(self._key(row)[:2], []).append(row)
        for pair, group in by_pair.items():
            starts = {row.get("started_on") for row in group}
            kept = [period for period in stored.get(pair, ()) if period[0] not in starts]
            for i, row in enumerate(group):
                period = (row.get("started_on"), row.get("ended_on"))
                earlier = next(
                    (other for other in group[:i] if periods_overlap(period, self._period(other))), None
                )
                if earlier is not None:
                    row.error("started_on", f"与第 {earlier.number} 行的租期重叠")
                    continue
                clash = next((other for other in kept if periods_overlap(period, other)), None)
                if clash is not None:
                    start = clash[0].isoformat() if clash[0] else "起租日期未填"
                    end = clash[1].isoformat() if clash[1] else "今"
                    row.error("started_on", f"与已登记的租期（{start} 至 {end}）重叠")

    @staticmethod
    def _period(row: Row) -> tuple:
        return (row.get("started_on"), row.get("ended_on"))

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        if not rows:
            return plan
        partial = not rows[0].has("ended_on")
        stored = {
            (tenant, parcel, start): (pk, end)
            for pk, tenant, parcel, start, end in LandTenancy.objects.filter(
                parcel_id__in={row.get("parcel_id") for row in rows}
            ).values_list("pk", "enterprise_id", "parcel_id", "started_on", "ended_on")
        }
        for row in rows:
            old = stored.get(self._key(row))
            if old is None:
                plan.creates.append(row)
            elif partial or old[1] == row.get("ended_on"):
                plan.unchanged += 1
            else:
                plan.updates.append((row, old[0], old[1], row.get("ended_on")))
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        LandTenancy.objects.bulk_create(
            [
                LandTenancy(
                    enterprise_id=row.get("tenant"), parcel_id=row.get("parcel_id"),
                    started_on=row.get("started_on"), ended_on=row.get("ended_on"), created_batch=batch_id,
                )
                for row in plan.creates
            ],
            batch_size=2000,
        )  # fmt: skip
        changed = [LandTenancy(pk=pk, ended_on=new) for _, pk, _, new in plan.updates]
        LandTenancy.objects.bulk_update(changed, ["ended_on"], batch_size=1000)
        entries = [
            (
                pk, Action.UPDATE, {"ended_on": [_json(old), _json(new)]},
                f"租用宗地 {row.get('parcel')}", row.get("scope_path"), row.get("tenant"),
            )
            for row, pk, old, new in plan.updates
        ]  # fmt: skip
        write_audit(LandTenancy, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        found = scoped_or_system(LandTenancy.objects.all(), actor)
        return found.order_by("enterprise__uscc", "parcel__code", "started_on")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for tenancy in queryset.select_related("enterprise", "parcel"):
            yield [
                tenancy.enterprise.uscc, tenancy.enterprise.name, tenancy.parcel.code, tenancy.started_on,
                tenancy.ended_on,
            ]  # fmt: skip
