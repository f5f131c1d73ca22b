"""Excel import and export of 数字化改造: assessed levels (`digital-levels`) and the year's three lists in one
sheet (`digital-tasks`: the enterprise, its projects by code and the person responsible on one line)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from kuochan.audit.models import Action
from kuochan.core.scope import path_in_scope, scoped_or_system
from kuochan.digital.models import DigitalLevel, DigitalTask, Level, TaskStatus
from kuochan.imports.engine import Plan, Row, write_audit
from kuochan.imports.parsing import CellError, clean_text, is_blank, match_key, plain_text, to_date, to_year
from kuochan.imports.specs import Column, Importer, register
from kuochan.projects.models import Project
from kuochan.registry.importers import OUT_OF_SCOPE, duplicate_check, in_scope, parse_list, parse_uscc
from kuochan.registry.models import Enterprise

LEVEL_SPELLINGS = {value: value for value in Level.values} | {
    **{str(label): value for value, label in Level.choices},
    **{value.split(".")[0]: value for value in Level.values},  # 1 / 2, as Excel keeps 1.0 and 2.0
    **{f"{value}版": value for value in Level.values},
}
STATUS_SPELLINGS = {str(label): value for value, label in TaskStatus.choices} | {
    "未开始": TaskStatus.PENDING,
    "进行中": TaskStatus.UNDERWAY,
    "实施中": TaskStatus.UNDERWAY,
    "完成": TaskStatus.DONE,
}
LEVEL_HELP = "1.0 或 2.0（也可写 数字化改造2.0）"


def parse_level(value: object) -> str | None:
    if is_blank(value):
        return None
    text = clean_text(value).removeprefix("数字化改造").strip()
    if text in LEVEL_SPELLINGS:
        return LEVEL_SPELLINGS[text]
    try:
        number = f"{float(text):.1f}"
    except ValueError:
        number = ""
    if number in Level.values:
        return number
    raise CellError(f"应为数字化改造水平：{'、'.join(Level.values)}")


def parse_status(value: object) -> str | None:
    if is_blank(value):
        return None
    text = clean_text(value)
    if text in STATUS_SPELLINGS:
        return STATUS_SPELLINGS[text]
    raise CellError(f"应为以下之一：{'、'.join(map(str, TaskStatus.labels))}")


def parse_optional_uscc(value: object) -> str | None:
    return None if is_blank(value) else parse_uscc(value)


USCC = Column(
    "uscc",
    "统一社会信用代码",
    parse=parse_optional_uscc,
    synonyms=("社会信用代码", "信用代码"),
    help="18 位；与企业名称至少填一项",
    example="91330502MA2B3C4D58",
)
NAME = Column(
    "name",
    "企业名称",
    synonyms=("单位名称", "公司名称"),
    help="未填信用代码时按名称查找",
    example="湖州示例科技有限公司",
)


class FindsEnterprise(Importer):
    """Rows name an enterprise by USCC, or by name when the USCC is blank; each must be in scope."""

    def enterprises(self, rows: list[Row]) -> None:
        usccs = {row.get("uscc") for row in rows if row.get("uscc")}
        names = {match_key(row.get("name")) for row in rows if not row.get("uscc") and row.get("name")}
        by_uscc = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs).select_related("district")}
        by_name: dict[str, list[Enterprise]] = {}
        if names:
            visible = scoped_or_system(Enterprise.objects.all(), self.actor).select_related("district")
            for enterprise in visible.filter(name__in={row.get("name") for row in rows if row.get("name")}):
                by_name.setdefault(match_key(enterprise.name), []).append(enterprise)
        for row in rows:
            if row.get("uscc"):
                enterprise = by_uscc.get(row.get("uscc"))
                if enterprise is None:
                    row.error("uscc", "企业库中没有该统一社会信用代码的企业")
                    continue
                if not in_scope(self.actor, enterprise.district.path):
                    row.error("uscc", OUT_OF_SCOPE)
                    continue
            elif row.get("name"):
                found = by_name.get(match_key(row.get("name")), [])
                if len(found) != 1:
                    problem = (
                        "您的数据范围内没有该名称的企业"
                        if not found
                        else "同名企业有多家，请填写统一社会信用代码"
                    )
                    row.error("name", problem)
                    continue
                enterprise = found[0]
            else:
                row.error("uscc", "统一社会信用代码和企业名称至少填写一项")
                continue
            row.set("enterprise", enterprise)


def _text(value: Any) -> str:
    return "" if value is None else value


def _updated(row: Row, old: Any, new: dict[str, Any]) -> tuple:
    """Save a stored row's new values; its audit entry (for `write_audit`) with each changed field."""
    changes = {
        name: [getattr(old, name), value] for name, value in new.items() if getattr(old, name) != value
    }
    for name, value in new.items():
        setattr(old, name, value)
    old.save()
    enterprise = row.get("enterprise")
    return (old.pk, Action.UPDATE, changes, str(old), enterprise.district.path, enterprise.pk)


@register
class LevelsImporter(FindsEnterprise):
    kind = "digital-levels"
    title = "数字化改造水平"
    notes = (
        "每家企业每次评定一行；同一企业同一评定日期再次导入即为更正。",
        "企业在某日的水平取该日及以前最近一次评定。",
    )
    columns = (
        USCC,
        NAME,
        Column("level", "数字化改造水平", parse=parse_level, synonyms=("水平", "改造水平", "数字化水平"), required=True, help=LEVEL_HELP, example="2.0"),
        Column("assessed_on", "评定日期", parse=to_date, synonyms=("评定时间", "认定日期", "评估日期"), required=True, example="2025-06-30"),
        Column("source", "来源", parse=plain_text, synonyms=("评定来源", "依据"), help="如 省数字化改造评估"),
        Column("note", "备注", parse=plain_text, synonyms=("说明",)),
    )  # fmt: skip

    def check(self, rows: list[Row]) -> None:
        self.enterprises(rows)
        today = timezone.localdate()
        for row in rows:
            if row.get("assessed_on") > today:
                row.error("assessed_on", f"评定日期晚于今天（{today:%Y-%m-%d}）")
        checked = [row for row in rows if not row.errors]
        duplicate_check(
            checked,
            lambda r: (r.get("enterprise").pk, r.get("assessed_on")),
            "assessed_on",
            "同一企业同一评定日期",
        )

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        stored = {
            (level.enterprise_id, level.assessed_on): level
            for level in DigitalLevel.objects.filter(
                enterprise__in={row.get("enterprise").pk for row in rows}
            ).select_related("enterprise__district")
        }
        for row in rows:
            new = {
                "level": row.get("level"),
                "source": _text(row.get("source")),
                "note": _text(row.get("note")),
            }
            old = stored.get((row.get("enterprise").pk, row.get("assessed_on")))
            if old is None:
                plan.creates.append((row, new))
            elif all(getattr(old, name) == value for name, value in new.items()):
                plan.unchanged += 1
            else:
                plan.updates.append((row, old, new))
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        DigitalLevel.objects.bulk_create(
            [
                DigitalLevel(
                    enterprise=row.get("enterprise"),
                    assessed_on=row.get("assessed_on"),
                    created_batch=batch_id,
                    **new,
                )
                for row, new in plan.creates
            ]
        )
        entries = [_updated(row, old, new) for row, old, new in plan.updates]
        write_audit(DigitalLevel, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(DigitalLevel.objects.all(), actor).order_by("enterprise__uscc", "assessed_on")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for level in queryset.select_related("enterprise"):
            yield [
                level.enterprise.uscc,
                level.enterprise.name,
                level.level,
                level.assessed_on,
                level.source,
                level.note,
            ]


def _user_key(user: Any) -> set[str]:
    return {match_key(user.get_username()), *([match_key(user.full_name)] if user.full_name else [])}


@register
class TasksImporter(FindsEnterprise):
    kind = "digital-tasks"
    title = "数字化改造三张清单"
    notes = (
        "一行一家企业一个年度：企业、改造项目（项目代码，多个用“、”分隔）和责任人在同一行；同一企业同一年度再次导入即为更新。",
        "责任人填平台用户的用户名或姓名即关联该用户（须为能办理该企业所在区县事务的工作人员）；平台外人员填姓名和联系电话。",
        "项目须已在项目库中，且属于该企业；不填项目代码则清空该企业本年度的关联项目。",
    )
    columns = (
        USCC,
        NAME,
        Column("year", "年度", parse=to_year, synonyms=("年份", "清单年度"), required=True, example=2025),
        Column("target_level", "目标水平", parse=parse_level, synonyms=("改造目标", "目标"), required=True, help=LEVEL_HELP, example="2.0"),
        Column("responsible", "责任人", parse=plain_text, synonyms=("负责人", "联系人", "包联责任人"), required=True, example="张三"),
        Column("phone", "联系电话", parse=plain_text, synonyms=("电话", "手机", "责任人电话"), example="13800000000"),
        Column("projects", "项目代码", parse=parse_list, synonyms=("改造项目代码", "项目清单"), help="多个用“、”分隔", example="2025-330502-39-03-000001"),
        Column("status", "状态", parse=parse_status, synonyms=("改造状态", "进展"), help="待改造、改造中、已完成；空白为待改造", example="改造中"),
        Column("note", "备注", parse=plain_text, synonyms=("说明",)),
    )  # fmt: skip

    def check(self, rows: list[Row]) -> None:
        self.enterprises(rows)
        rows = [row for row in rows if not row.errors]
        codes = {code for row in rows for code in row.get("projects") or ()}
        projects = {p.code: p for p in Project.objects.filter(code__in=codes)}
        names = {match_key(row.get("responsible")) for row in rows}
        users = [
            user
            for user in get_user_model().objects.select_related("org_unit").filter(is_active=True)
            .filter(Q(username__in=[row.get("responsible") for row in rows]) | Q(full_name__in=[row.get("responsible") for row in rows]))
            if _user_key(user) & names
        ]  # fmt: skip
        for row in rows:
            enterprise = row.get("enterprise")
            linked = []
            for code in row.get("projects") or ():
                project = projects.get(code)
                if project is None:
                    row.error("projects", f"项目库中没有项目代码“{code}”")
                elif project.enterprise_id != enterprise.pk:
                    row.error("projects", f"项目“{code}”不是{enterprise.name}的项目")
                else:
                    linked.append(project)
            row.set("linked", linked)
            key = match_key(row.get("responsible"))
            staff = [
                u for u in users
                if key in _user_key(u) and u.can_edit and not u.is_enterprise_user and path_in_scope(enterprise.district.path, u)
            ]  # fmt: skip
            row.set("user", staff[0] if len(staff) == 1 else None)
            if not staff and any(match_key(u.get_username()) == key for u in users):
                row.error(
                    "responsible",
                    f"该用户不能办理{enterprise.district.name}企业事务；应为该区县的工作人员，或填写平台外人员的姓名和电话",
                )
        checked = [row for row in rows if not row.errors]
        duplicate_check(
            checked, lambda r: (r.get("enterprise").pk, r.get("year")), "year", "同一企业同一年度"
        )

    def _values(self, row: Row) -> dict[str, Any]:
        user = row.get("user")
        return {
            "target_level": row.get("target_level"),
            "responsible_id": user.pk if user is not None else None,
            "responsible_name": "" if user is not None else row.get("responsible"),
            "responsible_phone": _text(row.get("phone")),
            "status": row.get("status") or TaskStatus.PENDING,
            "note": _text(row.get("note")),
        }

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        stored = {
            (task.enterprise_id, task.year): task
            for task in DigitalTask.objects.filter(enterprise__in={row.get("enterprise").pk for row in rows})
            .select_related("enterprise__district")
            .prefetch_related("projects")
        }
        for row in rows:
            new = self._values(row)
            linked = sorted(p.pk for p in row.get("linked"))
            old = stored.get((row.get("enterprise").pk, row.get("year")))
            if old is None:
                plan.creates.append((row, new))
            elif all(getattr(old, name) == value for name, value in new.items()) and linked == sorted(
                p.pk for p in old.projects.all()
            ):
                plan.unchanged += 1
            else:
                plan.updates.append((row, old, new))
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        created = DigitalTask.objects.bulk_create(
            [
                DigitalTask(
                    enterprise=row.get("enterprise"), year=row.get("year"), created_batch=batch_id, **new
                )
                for row, new in plan.creates
            ]
        )
        through = DigitalTask.projects.through  # ids come back from the insert (SQLite and PostgreSQL)
        links = [
            through(digitaltask_id=task.pk, project_id=p.pk)
            for task, (row, _) in zip(created, plan.creates, strict=True)
            for p in row.get("linked")
        ]
        through.objects.bulk_create(links)
        entries = []
        for row, old, new in plan.updates:
            before = sorted(p.name for p in old.projects.all())
            entry = _updated(row, old, new)
            old.projects.set(row.get("linked"))
            after = sorted(p.name for p in row.get("linked"))
            if before != after:
                entry[2]["projects"] = [before, after]
            entries.append(entry)
        write_audit(DigitalTask, entries, actor=self.actor, source=source, batch_id=batch_id)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        return scoped_or_system(DigitalTask.objects.all(), actor).order_by("year", "enterprise__uscc")

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        tasks = queryset.select_related("enterprise", "responsible").prefetch_related("projects")
        for task in tasks:
            yield [
                task.enterprise.uscc,
                task.enterprise.name,
                task.year,
                task.target_level,
                task.responsible.get_username() if task.responsible_id else task.responsible_name,
                task.responsible_phone,
                "、".join(sorted(p.code for p in task.projects.all())),
                task.get_status_display(),
                task.note,
            ]
