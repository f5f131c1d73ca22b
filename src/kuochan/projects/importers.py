"""Excel import and export of the project pipeline: projects (with their milestones) and monthly progress."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from kuochan.audit.models import Action
from kuochan.core.bulk import as_date, insert_rows, raw_values, select_rows, update_rows
from kuochan.core.scope import scoped_or_system
from kuochan.imports.engine import Plan, Row, write_audit
from kuochan.imports.parsing import (
    CellError,
    hundredths_text,
    match_key,
    to_bool,
    to_choice,
    to_date,
    to_month,
)
from kuochan.imports.specs import Column, Importer, money, quantity, register
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.projects.models import (
    ApprovalTrack,
    ConstructionNature,
    Progress,
    Project,
    ProjectStatus,
    ProjectType,
    YearPlan,
)
from kuochan.projects.rules import (
    MILESTONE_LABELS,
    MILESTONES,
    normalise_project_code,
    planned_order_problems,
    platform_code,
    project_code_problem,
)
from kuochan.projects.selectors import hundredths
from kuochan.projects.services import platform_serial_taken
from kuochan.registry.importers import (
    CHUNK,
    NAME,
    OUT_OF_SCOPE,
    USCC,
    FindsEnterprises,
    by_match_key,
    duplicate_check,
    in_scope,
    suggest,
)
from kuochan.registry.models import IndustryTag

PLATFORM_PREFIX = platform_code(0, 0).split("-")[0] + "-"  # "KC-": codes the platform gave
CODE_HELP = "统一项目代码，如 2026-330502-26-03-012345；尚未赋码的留空，由平台编号"


def parse_project_code(value: object) -> str:
    code = normalise_project_code(value)
    problem = project_code_problem(code)
    if problem:
        raise CellError(problem)
    return code


def _spellings(choices: Any, **extra: str) -> dict[str, str]:
    return {label: value for value, label in choices.choices} | extra


def _date_column(key: str, header: str, *synonyms: str) -> Column:
    return Column(key, header, parse=to_date, synonyms=synonyms, example="")


CODE = Column(
    "code",
    "项目代码",
    parse=parse_project_code,
    synonyms=("统一项目代码", "项目编码", "项目编号"),
    help=CODE_HELP,
)

MILESTONE_COLUMNS = (
    _date_column("signed_actual", "签约日期", "实际签约日期", "签约时间"),
    _date_column("registered_planned", "计划备案日期", "计划备案时间"),
    _date_column("registered_actual", "实际备案日期", "备案日期", "备案时间"),
    _date_column("started_planned", "计划开工日期", "计划开工时间"),
    _date_column("started_actual", "实际开工日期", "开工日期", "开工时间"),
    _date_column("in_stats_actual", "入库日期", "入库时间", "纳统日期"),
    _date_column("completed_planned", "计划竣工日期", "计划竣工时间"),
    _date_column("completed_actual", "实际竣工日期", "竣工日期", "竣工时间"),
    _date_column("producing_planned", "计划投产日期", "计划投产时间"),
    _date_column("producing_actual", "实际投产日期", "投产日期", "投产时间"),
    _date_column("at_capacity_planned", "计划达产日期", "计划达产时间"),
    _date_column("at_capacity_actual", "实际达产日期", "达产日期", "达产时间"),
)

# Fields in the order the file gives them, and how each compares with what is stored.
FK_FIELDS = ("district", "town", "chain")
MONEY_FIELDS = (
    "total_wan",
    "equipment_wan",
    "capacity_output_wan",
    "capacity_tax_wan",
    "land_mu",
    "energy_tce",
)


@register
class ProjectsImporter(FindsEnterprises, Importer):
    kind = "projects"
    title = "项目清单"
    warns = True
    notes = (
        "每个项目一行，以项目代码识别；尚未取得统一项目代码的项目留空，平台按“企业+项目名称”识别并自动编号。",
        "计划日期须按 备案→开工→竣工→投产→达产 的顺序；实际日期顺序颠倒或晚于今天只作提醒，并列入数据质量清单。",
    )
    columns = (
        CODE,
        Column("name", "项目名称", synonyms=("项目全称",), required=True, example="年产 10 万套智能家居扩产项目"),
        USCC,
        replace(NAME, key="enterprise_name"),
        Column("district", "所属区县", synonyms=("区县", "所在区县", "县区"), help="留空则取企业所属区县", example="吴兴区"),
        Column("town", "所属乡镇（园区）", synonyms=("乡镇", "所属乡镇", "园区", "乡镇（街道）"), example="织里镇"),
        Column(
            "project_type", "项目类型", parse=to_choice(_spellings(ProjectType, 技改="renovation")),
            help="、".join(map(str, ProjectType.labels)), example="技术改造",
        ),
        Column(
            "nature", "建设性质",
            parse=to_choice(_spellings(ConstructionNature, 改建="renovation", 技术改造="renovation", 购置="purchase")),
            help="、".join(map(str, ConstructionNature.labels)), example="改建和技术改造",
        ),
        Column("is_renovation", "是否技改", parse=to_bool, synonyms=("技改投资", "是否技改投资"), help="是 或 否", example="是"),
        Column("chain", "所属产业链", synonyms=("产业链", "所属产业"), example="现代家具与智能家电"),
        money("total_wan", "总投资（万元）", synonyms=("总投资", "计划总投资"), example=12000),
        money("equipment_wan", "设备投资（万元）", synonyms=("设备投资", "设备购置投资"), example=6000),
        *MILESTONE_COLUMNS,
        Column(
            "status", "项目状态",
            parse=to_choice(_spellings(ProjectStatus, 在建="active", 推进="active", 已终止="terminated")),
            synonyms=("状态",), help="储备、推进中、终止；留空为推进中", example="推进中",
        ),
        Column(
            "approval_track", "审批通道", parse=to_choice(_spellings(ApprovalTrack, 重大="major", 并联="major")),
            synonyms=("审批类型",), help="简易、一般、重大并联",
        ),
        Column("is_provincial_major", "省重大项目", parse=to_bool, synonyms=("是否省重大项目",), help="是 或 否"),
        Column("is_ipo_funded", "募投项目", parse=to_bool, synonyms=("是否募投项目",), help="是 或 否"),
        money("capacity_output_wan", "达产产值（万元）", synonyms=("达产后产值", "预计新增产值")),
        money("capacity_tax_wan", "达产税收（万元）", synonyms=("达产后税收", "预计新增税收")),
        quantity("land_mu", "用地需求（亩）", synonyms=("用地需求", "新增用地"), help="亩；零新增用地填 0"),
        quantity("energy_tce", "用能需求（吨标准煤）", synonyms=("用能需求", "新增能耗"), help="吨标准煤"),
    )  # fmt: skip
    FIELDS = tuple(c.key for c in columns if c.key not in ("code", "uscc", "enterprise_name"))

    def check(self, rows: list[Row]) -> None:
        enterprises = self.enterprises_of(rows)
        units = OrgUnit.objects.only("id", "name", "short_name", "path", "kind", "parent_id")
        reporting = [unit for unit in units if unit.kind in REPORTING_KINDS]
        districts = by_match_key([(u.name, u) for u in reporting] + [(u.short_name, u) for u in reporting])
        district_names = [name for unit in reporting for name in (unit.name, unit.short_name) if name]
        district_ids = {unit.pk for unit in reporting}
        towns = {
            (unit.parent_id, match_key(unit.name)): unit for unit in units if unit.parent_id in district_ids
        }
        chain_names = dict(IndustryTag.objects.values_list("name", "pk"))
        chains = by_match_key(chain_names.items())
        stored = _stored_projects(rows, {enterprise[0] for enterprise in enterprises.values()})
        today = timezone.localdate()
        for row in rows:
            enterprise = enterprises.get(row.get("uscc"))
            if enterprise is None:
                row.error("uscc", "企业库中没有该统一社会信用代码的企业，请先导入企业名单")
                continue
            row.set("enterprise", enterprise[0])
            name = row.get("district")
            if name:
                unit = districts.get(match_key(name))
                if unit is None:
                    row.error("district", f"未知的区县“{name}”{suggest(name, district_names)}")
                    continue
                district_id, path, district_name = unit.pk, unit.path, unit.name
            else:
                path, district_id, district_name = enterprise[2:]
            if not in_scope(self.actor, path):  # a district the file names, or the enterprise's own
                row.error("district", f"您无权导入“{district_name}”的项目" if name else OUT_OF_SCOPE)
                continue
            row.set("district", district_id)
            row.set("scope_path", path)
            town = row.get("town")
            if town:
                found = towns.get((district_id, match_key(town)))
                if found is None:
                    names = [unit.name for (parent, _), unit in towns.items() if parent == district_id]
                    row.error("town", f"{district_name}没有乡镇（园区）“{town}”{suggest(town, names)}")
                else:
                    row.set("town", found.pk)
            chain = row.get("chain")
            if chain:
                if match_key(chain) not in chains:
                    row.error("chain", f"未知的产业链“{chain}”{suggest(chain, chain_names)}")
                else:
                    row.set("chain", chains[match_key(chain)])
            total, equipment = row.get("total_wan"), row.get("equipment_wan")
            if total is not None and equipment is not None and equipment > total:
                row.error("equipment_wan", f"设备投资超过总投资 {hundredths_text(total)} 万元")
            code = row.get("code")
            previous = stored.get(code or (enterprise[0], match_key(row.get("name"))))
            if previous is None and code:
                # Filed before it had a national code: the project takes the code it has now.
                previous = stored.get((PLATFORM_PREFIX, enterprise[0], match_key(row.get("name"))))
            if previous is not None:
                row.set("stored", previous)
                if not in_scope(self.actor, previous.district.path):
                    row.error("code", OUT_OF_SCOPE)
            self._check_dates(row, previous, today)
        checked = [row for row in rows if not row.errors]
        duplicate_check([r for r in checked if r.get("code")], lambda r: r.get("code"), "code", "项目代码")
        duplicate_check(
            [r for r in checked if not r.get("code")], lambda r: (r.get("enterprise"), r.get("name")), "name", "同一企业的同名项目"
        )  # fmt: skip
        seen: dict[int, int] = {}
        for row in checked:
            previous = row.get("stored")
            if row.errors or previous is None:
                continue
            if previous.pk in seen:  # a registered code and a blank one naming the same project
                row.error("code", f"与第 {seen[previous.pk]} 行是同一个项目“{previous.name}”")
            else:
                seen[previous.pk] = row.number

    @staticmethod
    def _check_dates(row: Row, previous: Project | None, today: dt.date) -> None:
        """Planned dates out of order are errors (the file's dates, and stored ones it leaves alone);
        actual dates out of order or in the future are warnings."""
        planned = {}
        for name in MILESTONES:
            key = f"{name}_planned"
            planned[name] = row.get(key) if row.has(key) else getattr(previous, key, None)
        in_file = [f"{name}_planned" for name in MILESTONES if row.has(f"{name}_planned")]
        for name, message in planned_order_problems(planned) if in_file else ():
            key = f"{name}_planned"
            row.error(key if row.has(key) else in_file[0], message)
        last = None
        for name in MILESTONES:
            key = f"{name}_actual"
            day = row.get(key) if row.has(key) else getattr(previous, key, None)
            if day is None:
                continue
            label = MILESTONE_LABELS[name]
            if day > today and row.has(key):
                row.warn(key, f"实际{label}日期晚于今天 {today}，请核实")
            if name == "in_stats":
                continue
            if last is not None and day < last[1] and row.has(key):
                row.warn(key, f"实际{label}日期早于实际{MILESTONE_LABELS[last[0]]}日期 {last[1]}，请核实")
            last = (name, day)

    def _row_values(self, row: Row, fields: list[str]) -> dict[str, Any]:
        values = {}
        for name in fields:
            value = row.get(name)
            if value is None and name in ("is_renovation", "is_provincial_major", "is_ipo_funded"):
                value = False
            elif value is None and name == "status":
                value = ProjectStatus.ACTIVE
            elif value is None and name in ("project_type", "nature", "approval_track"):
                value = ""
            values[name] = value
        return values

    @staticmethod
    def _stored_values(project: Project, fields: list[str]) -> dict[str, Any]:
        values = {}
        for name in fields:
            if name in FK_FIELDS or name == "enterprise":
                values[name] = getattr(project, f"{name}_id")
            elif name in MONEY_FIELDS:
                amount = getattr(project, name)
                values[name] = None if amount is None else int(amount * 100)
            else:
                values[name] = getattr(project, name)
        return values

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        fields = [name for name in self.FIELDS if rows and rows[0].has(name)] + ["enterprise"]
        for row in rows:
            new = self._row_values(row, fields)
            new["zero_new_land"] = new.get("land_mu") == 0 if "land_mu" in fields else None
            if new["zero_new_land"] is None:
                del new["zero_new_land"]
            previous = row.get("stored")
            if previous is None:
                new.setdefault("district", row.get("district"))
                plan.creates.append((row, new))
                continue
            if row.get("code") and row.get("code") != previous.code:
                new["code"] = row.get("code")  # a platform-coded project registered since
            old = self._stored_values(previous, list(new))
            if old == new:
                plan.unchanged += 1
            else:
                plan.updates.append((row, previous, old, new))
        return plan

    @staticmethod
    def _model_value(name: str, value: Any) -> Any:
        if name in MONEY_FIELDS and value is not None:
            return Decimal(value).scaleb(-2)
        return value

    @staticmethod
    def _json(name: str, value: Any) -> Any:
        if name in MONEY_FIELDS:
            return hundredths_text(value)
        return value.isoformat() if isinstance(value, dt.date) else value

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        year = timezone.localdate().year
        prefix = platform_code(year, 0)[:-6]
        # Platform codes the file itself gives (a project moved from another deployment) are taken too.
        given = [row.get("code") for row, _ in plan.creates] + [
            new.get("code") for _, _, _, new in plan.updates
        ]
        serial = max(
            [
                platform_serial_taken(year),
                *(int(code[-6:]) for code in given if code and code.startswith(prefix)),
            ]
        )
        created = []
        for row, new in plan.creates:
            code = row.get("code")
            if not code:
                serial += 1
                code = platform_code(year, serial)
            values = {_attname(name): self._model_value(name, value) for name, value in new.items()}
            created.append(Project(code=code, created_batch=batch_id, **values))
        Project.objects.bulk_create(created, batch_size=2000)
        changed, entries, names = [], [], set()
        for row, project, old, new in plan.updates:
            for name, value in new.items():
                setattr(project, _attname(name), self._model_value(name, value))
            project.version = (
                F("version") + 1
            )  # a form opened before the import is refused, not saved over it
            names.update(new)
            changed.append(project)
            changes = {
                name: [self._json(name, old[name]), self._json(name, new[name])]
                for name in new
                if old[name] != new[name]
            }
            entries.append(
                (
                    project.pk,
                    Action.UPDATE,
                    changes,
                    project.name,
                    row.get("scope_path"),
                    project.enterprise_id,
                )
            )
        if changed:  # bulk_update refuses an empty field list (a file of new projects only)
            Project.objects.bulk_update(
                changed, [*(_attname(name) for name in sorted(names)), "version"], batch_size=1000
            )
        write_audit(Project, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(Project.objects.all(), actor).order_by("code")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for p in queryset.select_related("enterprise", "district", "town", "chain"):
            yield [
                p.code, p.name, p.enterprise.uscc, p.enterprise.name, p.district.name, p.town.name if p.town else "",
                p.get_project_type_display() if p.project_type else "",
                p.get_nature_display() if p.nature else "",
                "是" if p.is_renovation else "否", p.chain.name if p.chain else "",
                _float(p.total_wan), _float(p.equipment_wan),
                *(getattr(p, c.key) for c in MILESTONE_COLUMNS),
                p.get_status_display(), p.get_approval_track_display() if p.approval_track else "",
                "是" if p.is_provincial_major else "否", "是" if p.is_ipo_funded else "否",
                _float(p.capacity_output_wan), _float(p.capacity_tax_wan), _float(p.land_mu), _float(p.energy_tce),
            ]  # fmt: skip


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _attname(name: str) -> str:
    return f"{name}_id" if name in (*FK_FIELDS, "enterprise") else name


def _stored_projects(rows: list[Row], enterprise_ids: set[int]) -> dict[Any, Project]:
    """Stored projects the file names: by code; by (enterprise id, name's match key) among the named
    enterprises' projects for rows without one; and, for rows whose code is new, by (PLATFORM_PREFIX,
    enterprise id, name's match key) among platform-coded projects. Names match however their brackets
    are typed (`match_key`)."""
    codes = [row.get("code") for row in rows if row.get("code")]
    found: dict[Any, Project] = {}
    base = Project.objects.select_related("district")
    for start in range(0, len(codes), CHUNK):
        found |= {p.code: p for p in base.filter(code__in=codes[start : start + CHUNK])}
    uncoded = any(not row.get("code") for row in rows)
    renamed = any(row.get("code") and row.get("code") not in found for row in rows)
    if not (uncoded or renamed):
        return found
    ids = list(enterprise_ids)
    for start in range(0, len(ids), CHUNK):
        for p in base.filter(enterprise_id__in=ids[start : start + CHUNK]):
            if uncoded:
                found.setdefault((p.enterprise_id, match_key(p.name)), p)
            if renamed and p.code.startswith(PLATFORM_PREFIX):
                found.setdefault((PLATFORM_PREFIX, p.enterprise_id, match_key(p.name)), p)
    return found


# Monthly progress -----------------------------------------------------------------------------------

PROGRESS_TEXT = ("progress_note", "problems", "coordination")


@register
class ProgressImporter(Importer):
    kind = "progress"
    title = "项目月度进展"
    warns = True
    notes = (
        "每个项目每月一行；同一项目同一月份再次导入即为更正。",
        "本年累计完成投资低于本年此前月份的数值时导入仍可进行，但会给出提醒。",
        "填写了本年计划投资的，作为该项目当年的年度计划投资。",
    )
    columns = (
        Column("code", "项目代码", parse=parse_project_code, synonyms=("统一项目代码", "项目编码", "项目编号"), required=True, example="2026-330502-26-03-012345"),
        Column("project_name", "项目名称", help="仅供核对，不导入"),
        Column("month", "年月", parse=to_month, synonyms=("月份", "填报月份", "统计月份", "报告期"), required=True, help="如 2026-06 或 2026年6月", example="2026-06"),
        money("year_plan_wan", "本年计划投资（万元）", synonyms=("本年计划投资", "年度计划投资", "年度计划")),
        money("ytd_wan", "本年累计完成投资（万元）", synonyms=("本年累计完成投资", "累计完成投资", "本年完成投资"), required=True, example=3500),
        Column("progress_note", "进展情况", synonyms=("项目进展", "形象进度")),
        Column("problems", "存在问题", synonyms=("问题",)),
        Column("coordination", "需协调事项", synonyms=("需协调解决事项", "协调事项")),
    )  # fmt: skip

    def check(self, rows: list[Row]) -> None:
        found = _projects_by_code(row.get("code") for row in rows)
        this_month = timezone.localdate().replace(day=1)
        for row in rows:
            project = found.get(row.get("code"))
            if project is None:
                row.error("code", "项目库中没有该项目代码，请先导入项目清单")
                continue
            pk, name, path, enterprise_id = project
            if not in_scope(self.actor, path):
                row.error("code", OUT_OF_SCOPE)
                continue
            if row.get("month") > this_month:
                row.error("month", f"{row.get('month'):%Y-%m} 尚未到来")
                continue
            row.set("project", pk)
            row.set("scope_path", path)
            row.set("enterprise_id", enterprise_id)
            row.set("label", name)
        checked = [row for row in rows if not row.errors]
        duplicate_check(
            checked, lambda r: (r.get("project"), r.get("month")), "month", "同一项目同一月份的进展"
        )
        self._check_ytd_order([row for row in checked if not row.errors])

    @staticmethod
    def _check_ytd_order(rows: list[Row]) -> None:
        """Year to date never falls within a year: a lower figure than an earlier month's is a warning."""
        if not rows:
            return
        years = {row.get("month").year for row in rows}
        ids = list({row.get("project") for row in rows})
        months: dict[tuple[int, int], dict[dt.date, tuple[int, Row | None]]] = defaultdict(dict)
        for start in range(0, len(ids), CHUNK):
            for pk, month, ytd in raw_values(
                Progress.objects.filter(project_id__in=ids[start : start + CHUNK], month__year__in=years)
                .order_by()
                .values_list("project_id", "month", hundredths("ytd_wan"))
            ):
                month = as_date(month)
                months[(pk, month.year)][month] = (ytd, None)
        for row in rows:
            months[(row.get("project"), row.get("month").year)][row.get("month")] = (row.get("ytd_wan"), row)
        for series in months.values():
            highest: tuple[dt.date, int, Row | None] | None = None
            for month in sorted(series):
                ytd, row = series[month]
                if highest is None or ytd >= highest[1]:
                    highest = (month, ytd, row)
                elif row is not None:
                    row.warn(
                        "ytd_wan",
                        f"低于 {highest[0].month} 月已报的本年累计 {hundredths_text(highest[1])} 万元，请核实",
                    )
                elif highest[2] is not None and not highest[2].warnings:
                    # The file's figure is above one stored for a later month, which now looks too low.
                    highest[2].warn(
                        "ytd_wan", f"高于 {month.month} 月已报的本年累计 {hundredths_text(ytd)} 万元，请核实"
                    )

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        stored = _stored_progress(rows)
        text = [name for name in PROGRESS_TEXT if rows and rows[0].has(name)]
        fields = ["ytd_wan", *(["year_plan_wan"] if rows and rows[0].has("year_plan_wan") else []), *text]
        year_plans: dict[tuple[int, int], tuple[dt.date, int, Row]] = {}
        for row in rows:
            new = tuple(row.get(name) if name not in text else row.get(name) or "" for name in fields)
            key = (row.get("project"), row.get("month"))
            old = stored.get(key)
            if old is None:
                plan.creates.append((row, new))
            else:
                before = tuple(old[1][name] for name in fields)
                if before == new:
                    plan.unchanged += 1
                else:
                    plan.updates.append((row, old[0], before, new))
            if row.get("year_plan_wan") is not None:
                plan_key = (row.get("project"), row.get("month").year)
                if plan_key not in year_plans or year_plans[plan_key][0] < row.get("month"):
                    year_plans[plan_key] = (row.get("month"), row.get("year_plan_wan"), row)
        self.context["fields"] = fields
        self.context["year_plans"] = self._plan_year_plans(year_plans)
        return plan

    @staticmethod
    def _plan_year_plans(wanted: dict[tuple[int, int], tuple[dt.date, int, Row]]) -> Plan:
        """The year plans the file sets (from each project's latest month in the file that gives one)."""
        plan = Plan()
        ids = list({pk for pk, _ in wanted})
        stored = {}
        for start in range(0, len(ids), CHUNK):
            for pk, project, year, amount in raw_values(
                YearPlan.objects.filter(project_id__in=ids[start : start + CHUNK])
                .order_by()
                .values_list("id", "project_id", "year", hundredths("planned_wan"))
            ):
                stored[(project, year)] = (pk, amount)
        for key, (_, amount, row) in wanted.items():
            old = stored.get(key)
            if old is None:
                plan.creates.append((key, amount, row))
            elif old[1] != amount:
                plan.updates.append((key, old[0], old[1], amount, row))
            else:
                plan.unchanged += 1
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        fields = self.context["fields"]
        absent = [name for name in ("year_plan_wan", *PROGRESS_TEXT) if name not in fields]
        defaults = tuple(None if name == "year_plan_wan" else "" for name in absent)
        insert_rows(
            Progress,
            ["created_batch", "project_id", "month", *fields, *absent],
            [
                (batch_id, row.get("project"), row.get("month").isoformat(), *new, *defaults)
                for row, new in plan.creates
            ],
            scaled=[name for name in ("ytd_wan", "year_plan_wan") if name in fields],
        )
        money_fields = {"ytd_wan", "year_plan_wan"}
        update_rows(
            Progress,
            fields,
            ((*(v / 100 if n in money_fields and v is not None else v for n, v in zip(fields, new, strict=True)), pk)
             for _, pk, _, new in plan.updates),
        )  # fmt: skip
        entries = [
            (
                pk, Action.UPDATE,
                {n: [_progress_json(n, a), _progress_json(n, b)] for n, a, b in zip(fields, old, new, strict=True) if a != b},
                f"{row.get('label')} {row.get('month').year}年{row.get('month').month}月进展",
                row.get("scope_path"), row.get("enterprise_id"),
            )
            for row, pk, old, new in plan.updates
        ]  # fmt: skip
        write_audit(Progress, entries, actor=self.actor, source=source, batch_id=batch_id)
        year_plans: Plan = self.context["year_plans"]
        insert_rows(
            YearPlan,
            ["created_batch", "project_id", "year", "planned_wan"],
            [(batch_id, pk, year, amount) for (pk, year), amount, _ in year_plans.creates],
            scaled=["planned_wan"],
        )
        update_rows(YearPlan, ["planned_wan"], ((new / 100, pk) for _, pk, _, new, _ in year_plans.updates))
        write_audit(
            YearPlan,
            [
                (pk, Action.UPDATE, {"planned_wan": [hundredths_text(old), hundredths_text(new)]},
                 f"{row.get('label')} {year}年计划投资", row.get("scope_path"), row.get("enterprise_id"))
                for (_, year), pk, old, new, row in year_plans.updates
            ],
            actor=self.actor, source=source, batch_id=batch_id,
        )  # fmt: skip

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(Progress.objects.all(), actor).order_by("project__code", "month")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for p in queryset.select_related("project"):
            yield [
                p.project.code, p.project.name, f"{p.month:%Y-%m}", _float(p.year_plan_wan), _float(p.ytd_wan),
                p.progress_note, p.problems, p.coordination,
            ]  # fmt: skip


def _progress_json(name: str, value: Any) -> Any:
    return hundredths_text(value) if name in ("ytd_wan", "year_plan_wan") else value


def _projects_by_code(codes: Iterable[str]) -> dict[str, tuple[int, str, str, int]]:
    """code → (id, name, district path, enterprise id)."""
    codes = list(set(codes))
    found = {}
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        for pk, code, name, path, enterprise_id in select_rows(
            ["p.id", "p.code", "p.name", "d.path", "p.enterprise_id"],
            Project,
            f"p.code IN ({', '.join(['%s'] * len(chunk))})",
            chunk,
            alias="p",
            join="JOIN orgs_orgunit d ON d.id = p.district_id",
        ):
            found[code] = (pk, name, path, enterprise_id)
    return found


def _stored_progress(rows: list[Row]) -> dict[tuple[int, dt.date], tuple[int, dict[str, Any]]]:
    """(project id, month) → (id, stored values in the file's canonical form) for the file's rows."""
    ids = list({row.get("project") for row in rows})
    months = sorted({row.get("month") for row in rows})
    wanted = {(row.get("project"), row.get("month")) for row in rows}
    found = {}
    if not months:
        return found
    for start in range(0, len(ids), CHUNK):
        for pk, project, month, ytd, plan, note, problems, coordination in raw_values(
            Progress.objects.filter(project_id__in=ids[start : start + CHUNK], month__gte=months[0], month__lte=months[-1])
            .order_by()
            .values_list("id", "project_id", "month", hundredths("ytd_wan"), hundredths("year_plan_wan"),
                         "progress_note", "problems", "coordination")
        ):  # fmt: skip
            key = (project, as_date(month))
            if key in wanted:
                found[key] = (pk, {"ytd_wan": ytd, "year_plan_wan": plan, "progress_note": note,
                                   "problems": problems, "coordination": coordination})  # fmt: skip
    return found
