"""Excel imports of the title library: a title's official result list (认定名单: each enterprise granted, not
granted, or whose title was revoked, for a round named beside the file, its title and year, the document number
and date), and the candidate libraries' lists (培育库企业: enterprises entered by import, their owners and
support)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from kuochan.audit.models import Action
from kuochan.audit.services import audit_bulk, audit_entry, snapshot
from kuochan.core.scope import city_level, scoped_or_system
from kuochan.cultivation import selectors, services
from kuochan.cultivation.models import Entry, EntrySource, EntryStatus, Round, Title
from kuochan.cultivation.round_selectors import rounds, runs_round
from kuochan.imports.engine import Plan, Row
from kuochan.imports.parsing import CellError, match_key, plain_text, to_choice, to_date, to_year
from kuochan.imports.reading import TableError
from kuochan.imports.specs import Column, Importer, register
from kuochan.registry.importers import (
    NAME,
    OUT_OF_SCOPE,
    USCC,
    duplicate_check,
    enterprises_by_uscc,
    in_scope,
    suggest,
)
from kuochan.registry.models import Enterprise, Honour

GRANTED, REJECTED, REVOKED = "granted", "rejected", "revoked"
OUTCOMES = {"认定": GRANTED, "通过": GRANTED, "未通过": REJECTED, "不通过": REJECTED, "撤销": REVOKED}
OUTCOME_LABELS = {GRANTED: "认定", REJECTED: "未通过", REVOKED: "撤销"}
RUN_BY_CITY = "认定名单由组织该申报批次的市级工作人员导入。"
HONOUR_FIELDS = ("document_number", "granted_on", "year_lost")
ENTRY_FIELDS = ("status", "status_on", "note")
ROUND_FIELDS = ("result_document_number", "result_published_on")


def document_number(value: object) -> str:
    text = plain_text(value)
    if not text or len(text) > 64:
        raise CellError("认定文号不能为空，不超过 64 个字符")
    return text


def _parsed_date(value: object) -> dt.date | None:
    try:
        return value if isinstance(value, dt.date) else to_date(value)
    except CellError:
        return None


ENTERPRISE_USCC = replace(USCC, required=False, help="与企业名称至少填一项；18 位，GB 32100-2015")
ENTERPRISE_NAME = replace(
    NAME, help="与统一社会信用代码至少填一项；只填名称时须与企业库中唯一一家企业的名称一致"
)


def find_enterprises(actor: Any, rows: list[Row], area_of: Callable[[Row], str]) -> None:
    """Each row's enterprise (`row.set("enterprise", …)`), named by USCC, or by a name that only one
    enterprise in the actor's scope under the row's area (`area_of(row)`, an org path; "" for anywhere)
    bears; a row naming none, several or one out of scope gets its error. A few queries for all rows."""
    by_uscc = enterprises_by_uscc(row.get("uscc") for row in rows if row.get("uscc"))
    names = {plain_text(row.get("name")) for row in rows if row.get("name") and not row.get("uscc")}
    by_name: dict[str, list[Enterprise]] = defaultdict(list)
    if names:
        for enterprise in scoped_or_system(Enterprise.objects.filter(name__in=names), actor).select_related(
            "district"
        ):
            by_name[enterprise.name].append(enterprise)
    ids = [found[0] for found in by_uscc.values()]
    enterprises = Enterprise.objects.select_related("district").in_bulk(ids)
    for row in rows:
        area = area_of(row)
        if row.get("uscc"):
            found = by_uscc.get(row.get("uscc"))
            if found is None:
                row.error("uscc", "企业库中没有该统一社会信用代码的企业，请先导入企业名单")
                continue
            if not in_scope(actor, found[2]) or not found[2].startswith(area):
                row.error("uscc", OUT_OF_SCOPE)
                continue
            enterprise = enterprises[found[0]]
            if row.get("name") and match_key(row.get("name")) != match_key(enterprise.name):
                row.warn(
                    "name",
                    f"与统一社会信用代码对应的企业“{enterprise.name}”名称不同，按统一社会信用代码导入",
                )
            row.set("enterprise", enterprise)
            continue
        if not row.get("name"):
            row.error("name", "统一社会信用代码和企业名称至少填一项")
            continue
        same = [e for e in by_name.get(plain_text(row.get("name")), []) if e.district.path.startswith(area)]
        if not same:
            row.error("name", "数据范围内没有该名称的企业，请核对名称或填写统一社会信用代码")
        elif len(same) > 1:
            row.error("name", f"数据范围内有 {len(same)} 家企业同名，请填写统一社会信用代码")
        else:
            row.set("enterprise", same[0])


def batch_update_audit(actor: Any, obj: Any, before: dict, after: dict, batch_id: int, source: str) -> Any:
    """The audit entry of an import's change to a stored object, which the batch's rollback reads back."""
    return audit_entry(
        actor=actor, source=source, action=Action.UPDATE, obj=obj, before=before, after=after,
        batch_id=batch_id,
    )  # fmt: skip


@register
class TitleResultsImporter(Importer):
    """Rows name enterprises (by USCC, or by a name only one enterprise in scope bears) and the outcome; the
    round, its document number and date come from the upload form or `--option`: `round` (its id) or `title`
    (code or name) with `year`, `document_number`, `published_on`."""

    kind = "title-results"
    title = "称号认定名单"
    warns = True
    columns = (
        ENTERPRISE_USCC,
        ENTERPRISE_NAME,
        Column(
            "outcome",
            "结果",
            parse=to_choice(OUTCOMES),
            synonyms=("认定结果", "审核结果", "评审结果"),
            help="认定、未通过 或 撤销；空白按认定",
            example="认定",
        ),
        Column(
            "title",
            "称号",
            synonyms=("称号名称", "认定称号", "荣誉称号"),
            help="一个文件含多个称号时填写；导入时未指定批次则必填",
        ),
        Column("year", "年度", parse=to_year, synonyms=("认定年度",), help="导入时未指定批次则必填"),
        Column(
            "document_number",
            "认定文号",
            parse=document_number,
            synonyms=("文号", "发文文号"),
            help="导入时未指定文号则认定行必填",
        ),
        Column(
            "published_on",
            "发文日期",
            parse=to_date,
            synonyms=("认定日期", "公布日期"),
            help="导入时未指定日期则认定行必填",
        ),
    )
    notes = (
        "导入时在页面上（或命令行 --option）指定申报批次、认定文号和发文日期，文件只列企业和结果即可；"
        "也可在文件中逐行填写称号、年度、认定文号和发文日期（导出的文件即如此）。",
        "认定：记入企业荣誉（年度、文号、日期），培育库中改为认定；未通过：培育库中改为未通过；撤销：已持有的称号记为当年失去。",
    )

    def prefetch(self, file_bytes: int) -> None:
        """The round and the document the options name (checked before any row is read), and every round
        the actor runs, by title and year, for rows naming their own."""
        options = self.context
        found = list(rounds(actor=self.actor))
        run = [r for r in found if runs_round(self.actor, r)]
        default = self._named_round(options, found) if {"round", "title", "year"} & set(options) else None
        if (default is not None and not runs_round(self.actor, default)) or not city_level(self.actor):
            raise TableError(RUN_BY_CITY)
        if not run:
            raise TableError("还没有您组织的申报批次，请先建立批次再导入认定名单。")
        if "document_number" in options:
            number = str(options.get("document_number") or "").strip()
            try:
                options["document_number"] = document_number(number)
            except CellError as exc:
                raise TableError(f"请填写认定文号（不超过 64 个字符），收到“{number[:70]}”。") from exc
        if "published_on" in options:
            published_on = _parsed_date(options.get("published_on"))
            if published_on is None:
                raise TableError(f"发文日期“{options.get('published_on') or ''}”不是日期，应如 2026-06-30。")
            options["published_on"] = published_on
        by_key: dict[tuple[int, int], Round | None] = {}
        for r in run:  # a province's staff run several cities' rounds: one title and year may be ambiguous
            by_key[(r.title_id, r.year)] = None if (r.title_id, r.year) in by_key else r
        options.update(round=default, rounds=by_key)
        options["titles"] = {
            key: title
            for title in Title.objects.filter(pk__in={r.title_id for r in run})
            for key in (match_key(title.name), match_key(title.code))
        }

    @staticmethod
    def _named_round(options: dict[str, Any], found: list[Round]) -> Round:
        """The round the options name: `round` (its id), or `title` (code or name) and `year`."""
        if options.get("round"):
            round_ = next((r for r in found if str(r.pk) == str(options["round"])), None)
            if round_ is None:
                raise TableError(f"没有编号为 {options['round']} 的申报批次，或不在您的数据范围内。")
            return round_
        text, year = str(options.get("title") or "").strip(), str(options.get("year") or "")
        if not text or not year.isdigit():
            raise TableError("请指定申报批次（round），或称号（title）和年度（year）。")
        title = Title.objects.filter(Q(code=text) | Q(name=text)).first()
        if title is None:
            raise TableError(f"没有称号“{text}”。")
        matching = [r for r in found if r.title_id == title.pk and r.year == int(year)]
        if len(matching) != 1:
            problem = (
                "没有申报批次，请先建立。" if not matching else "有多个城市的申报批次，请用 round 指定。"
            )
            raise TableError(f"{year}年“{title.name}”{problem}")
        return matching[0]

    def check(self, rows: list[Row]) -> None:
        if not rows:
            return
        self._find_rounds(rows)
        find_enterprises(
            self.actor, [row for row in rows if not row.errors], lambda row: row.get("round").city.path
        )
        checked = [row for row in rows if not row.errors]
        duplicate_check(
            checked, lambda row: (row.get("round").pk, row.get("enterprise").pk), "name", "同一称号的同一企业"
        )
        self._find_state([row for row in checked if not row.errors])

    def _find_rounds(self, rows: list[Row]) -> None:
        """Each row's round (its title and year, or the options') and document (its own, or the options')."""
        default: Round | None = self.context["round"]
        for row in rows:
            named = row.get("title")
            title = self.context["titles"].get(match_key(named)) if named else default and default.title
            year = row.get("year") or (default and default.year)
            if title is None:
                where = f"{year}年" if year else ""
                missing = f"{where}没有该称号的申报批次，请先建立批次或核对称号名称"
                row.error("title", missing if named else "请填写称号，或在导入时指定申报批次")
                continue
            if not year:
                row.error("year", "请填写年度，或在导入时指定申报批次")
                continue
            if not title.honour_kind:
                row.error("title", "该称号没有对应的企业荣誉，不能导入认定结果")
                continue
            key, column = (title.pk, year), "title" if named else "year"  # the cell that named the round
            if key not in self.context["rounds"]:
                row.error(column, f"{year}年没有“{title.name}”的申报批次，请先建立批次或核对称号名称")
                continue
            if self.context["rounds"][key] is None:
                row.error(column, f"{year}年“{title.name}”有多个城市的申报批次，请在导入时指定批次")
                continue
            row.set("round", self.context["rounds"][key])
            number = row.get("document_number") or self.context.get("document_number")
            day = row.get("published_on") or self.context.get("published_on")
            if (row.get("outcome") or GRANTED) == GRANTED and not number:
                row.error("document_number", "认定须有认定文号：请填写，或在导入时指定")
            elif (row.get("outcome") or GRANTED) == GRANTED and not day:
                row.error("published_on", "认定须有发文日期：请填写，或在导入时指定")
            row.set("document_number", number or "")
            row.set("published_on", day)

    def _find_state(self, rows: list[Row]) -> None:
        """What each row would change: the honour it creates or updates, the entry it moves or creates."""
        if not rows:
            return
        enterprise_ids = {row.get("enterprise").pk for row in rows}
        kinds = {row.get("round").title.honour_kind for row in rows}
        honours: dict[tuple[int, str], list[Honour]] = defaultdict(list)
        for honour in Honour.objects.filter(enterprise_id__in=enterprise_ids, kind__in=kinds).select_related(
            "enterprise__district"
        ):
            honours[(honour.enterprise_id, honour.kind)].append(honour)
        entries = {
            (entry.title_id, entry.enterprise_id): entry
            for entry in Entry.objects.filter(
                enterprise_id__in=enterprise_ids,
                year__in={row.get("round").year for row in rows},
                title_id__in={row.get("round").title_id for row in rows},
            ).select_related("enterprise__district")
        }
        for row in rows:
            round_, enterprise = row.get("round"), row.get("enterprise")
            held = honours[(enterprise.pk, round_.title.honour_kind)]
            entry = entries.get((round_.title_id, enterprise.pk))
            outcome = row.get("outcome") or GRANTED
            row.set("outcome", outcome)
            row.set("entry", entry)
            getattr(self, f"_state_{outcome}")(row, round_, held, entry)

    def _state_granted(self, row: Row, round_: Round, held: list[Honour], entry: Entry | None) -> None:
        row.set("honour", next((h for h in held if h.year_granted == round_.year), None))
        if entry is not None and entry.status not in (EntryStatus.GRANTED, EntryStatus.RECOMMENDED):
            row.warn(
                "outcome",
                f"培育库中为“{entry.get_status_display()}”（未经市级推荐），按认定名单改为认定",
            )

    def _state_rejected(self, row: Row, round_: Round, held: list[Honour], entry: Entry | None) -> None:
        if any(h.year_granted == round_.year for h in held) or (
            entry and entry.status == EntryStatus.GRANTED
        ):
            row.error("outcome", f"该企业已认定为{round_.year}年“{round_.title.name}”，与“未通过”矛盾")
        elif entry is None:
            row.warn("outcome", f"不在{round_.year}年“{round_.title.name}”培育库中，未作记录")
        elif entry.status != EntryStatus.REJECTED and not entry.can_move_to(EntryStatus.REJECTED):
            row.warn("outcome", f"培育库中为“{entry.get_status_display()}”（未申报），未作修改")
            row.set("entry", None)

    def _state_revoked(self, row: Row, round_: Round, held: list[Honour], entry: Entry | None) -> None:
        lost = [h for h in held if h.year_granted <= round_.year and h.year_lost in (None, round_.year)]
        if not lost:
            row.error("outcome", f"该企业未持有“{round_.title.name}”，无法撤销")
            return
        row.set("honour", max(lost, key=lambda h: h.year_granted))
        row.set("entry", None)

    def _changes(self, row: Row) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(honour values to set, entry values to set) for the row, None where nothing changes."""
        round_, outcome = row.get("round"), row.get("outcome")
        number, day = row.get("document_number"), row.get("published_on")
        honour, entry = row.get("honour"), row.get("entry")
        honour_values = entry_values = None
        if outcome == GRANTED:
            wanted = {"document_number": number, "granted_on": day}
            if honour is None or any(getattr(honour, k) != v for k, v in wanted.items()):
                honour_values = wanted
            status = EntryStatus.GRANTED
        elif outcome == REVOKED:
            if honour.year_lost != round_.year:
                honour_values = {"year_lost": round_.year}
            status = None
        else:
            status = EntryStatus.REJECTED
        if status and (
            (entry is None and outcome == GRANTED) or (entry is not None and entry.status != status)
        ):
            entry_values = {
                "status": status,
                "status_on": day,
                "note": f"认定名单（{number}）：{OUTCOME_LABELS[outcome]}",
            }
        return honour_values, entry_values

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        for row in rows:
            honour_values, entry_values = self._changes(row)
            if honour_values is None and entry_values is None:
                plan.unchanged += 1
            elif row.get("outcome") == GRANTED and row.get("honour") is None:
                plan.creates.append(row)
            else:
                plan.updates.append(row)
        documents: dict[int, tuple[Round, str, dt.date]] = {}
        for row in rows:  # the round keeps the document of its list (of its first 认定 row)
            if row.get("outcome") == GRANTED and row.get("round").pk not in documents:
                documents[row.get("round").pk] = (
                    row.get("round"),
                    row.get("document_number"),
                    row.get("published_on"),
                )
        self.context["documents"] = list(documents.values())
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        """Honours and entries created carry the batch (`created_batch`), their creation record, so a rollback
        deletes them; every other change is an audit entry of the batch, which a rollback reads back."""
        audits = []
        new_honours, new_entries, changed_honours, changed_entries = [], [], [], []
        for row in (*plan.creates, *plan.updates):
            round_, enterprise = row.get("round"), row.get("enterprise")
            honour_values, entry_values = self._changes(row)
            if honour_values is not None:
                honour = row.get("honour")
                if honour is None:
                    new_honours.append(
                        Honour(
                            enterprise=enterprise,
                            kind=round_.title.honour_kind,
                            year_granted=round_.year,
                            created_batch=batch_id,
                            **honour_values,
                        )
                    )
                else:
                    before = snapshot(honour, HONOUR_FIELDS)
                    for name, value in honour_values.items():
                        setattr(honour, name, value)
                    changed_honours.append(honour)
                    audits.append(
                        batch_update_audit(
                            self.actor, honour, before, snapshot(honour, HONOUR_FIELDS), batch_id, source
                        )
                    )
            if entry_values is not None:
                entry = row.get("entry")
                if entry is None:
                    entry = Entry(
                        title=round_.title, year=round_.year, enterprise=enterprise, source=EntrySource.IMPORT,
                        entered_on=entry_values["status_on"], created_batch=batch_id, **entry_values,
                    )  # fmt: skip
                    new_entries.append(entry)
                    continue
                before = snapshot(entry, ENTRY_FIELDS)
                for name, value in entry_values.items():
                    setattr(entry, name, value)
                changed_entries.append(entry)
                audits.append(
                    batch_update_audit(
                        self.actor, entry, before, snapshot(entry, ENTRY_FIELDS), batch_id, source
                    )
                )
        Honour.objects.bulk_create(new_honours)
        Honour.objects.bulk_update(changed_honours, list(HONOUR_FIELDS))
        Entry.objects.bulk_create(new_entries)
        Entry.objects.bulk_update(changed_entries, list(ENTRY_FIELDS))
        for round_, number, day in self.context.get("documents", []):
            before = snapshot(round_, ROUND_FIELDS)
            round_.result_document_number, round_.result_published_on = number, day
            after = snapshot(round_, ROUND_FIELDS)
            if after != before:
                round_.save(update_fields=list(ROUND_FIELDS))
                audits.append(batch_update_audit(self.actor, round_, before, after, batch_id, source))
        audit_bulk(audits)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        """The honours of the titles granted through result lists (with a document number)."""
        kinds = Title.objects.exclude(honour_kind="").values_list("honour_kind", flat=True)
        return (
            scoped_or_system(Honour.objects.all(), actor)
            .filter(kind__in=list(kinds))
            .exclude(document_number="")
            .order_by("kind", "year_granted", "enterprise__uscc")
        )

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        """Each honour as its list gave it: 认定 in its year, or 撤销 in the year it was lost."""
        names = dict(Title.objects.exclude(honour_kind="").values_list("honour_kind", "name"))
        for honour in queryset.select_related("enterprise"):
            lost = honour.year_lost is not None
            yield [
                honour.enterprise.uscc, honour.enterprise.name, "撤销" if lost else "认定", names.get(honour.kind, ""),
                honour.year_lost if lost else honour.year_granted, honour.document_number, honour.granted_on,
            ]  # fmt: skip


# Candidate libraries (培育库) ----------------------------------------------------------------------------

NOTE_LIMIT = 500  # Entry.note


def library_note(value: object) -> str:
    text = plain_text(value)
    if len(text) > NOTE_LIMIT:
        raise CellError(f"不能超过 {NOTE_LIMIT} 个字")
    return text


def _user_keys(user: Any) -> set[str]:
    return {match_key(user.get_username()), *([match_key(user.full_name)] if user.full_name else [])}


@register
class TitleLibraryImporter(Importer):
    """A title's library for a year as a list (导入名单): each row enters an enterprise into the library of
    the title and year it names, with the staff member answering for it and the support planned; a row for
    an entry already in the library updates those. The nomination rules hold row by row (`services.entry_add`):
    no enterprise holding the title, none out of scope, a responsible user who can act for its district."""

    kind = "title-library"
    title = "培育库企业"
    warns = True
    columns = (
        ENTERPRISE_USCC,
        ENTERPRISE_NAME,
        Column(
            "title",
            "称号",
            synonyms=("称号名称", "培育称号", "培育方向"),
            required=True,
            help="培育称号的名称或代码",
            example="专精特新中小企业",
        ),
        Column(
            "year",
            "年度",
            parse=to_year,
            synonyms=("培育年度", "入库年度"),
            required=True,
            example=2026,
        ),
        Column(
            "responsible",
            "责任人",
            synonyms=("负责人", "包联责任人"),
            help="平台用户的用户名或姓名，须为企业所在区县或其上级单位的工作人员；可不填",
            example="wuxing",
        ),
        Column("planned_support", "计划支持", synonyms=("支持计划", "帮扶措施"), example="技改项目补助"),
        Column("note", "备注", parse=library_note, synonyms=("说明",), help=f"不超过 {NOTE_LIMIT} 个字"),
    )
    notes = (
        "一行一家企业：按称号和年度入库（入库方式记为“导入”，状态为“入库”，差距按导入当日的数据测算）；"
        "已在该称号该年度培育库中的企业，更新责任人、计划支持和备注。",
        "已获该称号的企业不能入库；区县工作人员只能导入本区县的企业。",
    )

    def prefetch(self, file_bytes: int) -> None:
        if not services.can_keep_library(self.actor):
            raise TableError(services.EDIT_REFUSAL)
        self.context["titles"] = {
            key: title
            for title in Title.objects.all()
            for key in (match_key(title.name), match_key(title.code))
        }

    def check(self, rows: list[Row]) -> None:
        if not rows:
            return
        names = sorted({title.name for title in self.context["titles"].values()})
        for row in rows:
            title = self.context["titles"].get(match_key(row.get("title")))
            if title is None:
                row.error("title", f"没有该培育称号，应为称号名称或代码{suggest(row.get('title'), names)}")
            row.set("title", title)
        find_enterprises(self.actor, rows, lambda row: "")
        checked = [row for row in rows if not row.errors]
        column = "uscc" if rows[0].has("uscc") else "name"
        duplicate_check(
            checked,
            lambda row: (row.get("title").pk, row.get("year"), row.get("enterprise").pk),
            column,
            "同一称号同一年度的同一企业",
        )
        checked = [row for row in checked if not row.errors]
        self._find_entries(checked)
        self._find_responsible([row for row in checked if not row.errors])

    @staticmethod
    def _enterprise_column(row: Row) -> str:
        return "uscc" if row.get("uscc") else "name"

    def _find_entries(self, rows: list[Row]) -> None:
        """Each row's stored entry; a row that would enter an enterprise holding the title is refused."""
        if not rows:
            return
        ids = {row.get("enterprise").pk for row in rows}
        stored = {
            (entry.title_id, entry.year, entry.enterprise_id): entry
            for entry in Entry.objects.filter(
                enterprise_id__in=ids,
                title_id__in={row.get("title").pk for row in rows},
                year__in={row.get("year") for row in rows},
            ).select_related("title", "enterprise__district", "responsible")
        }
        fresh: dict[tuple[Title, int], list[Row]] = defaultdict(list)
        for row in rows:
            title, year, enterprise = row.get("title"), row.get("year"), row.get("enterprise")
            entry = stored.get((title.pk, year, enterprise.pk))
            row.set("entry", entry)
            if entry is None:
                fresh[(title, year)].append(row)
            elif entry.status == EntryStatus.REMOVED:
                row.warn(
                    "title",
                    f"该企业在{year}年培育库中为“出库”，只更新责任人、计划支持和备注；重新入库请在该条目页面操作",
                )
        for (title, year), group in fresh.items():
            held = selectors.holders(
                title, Enterprise.objects.filter(pk__in=[r.get("enterprise").pk for r in group]), year
            )
            for row in group:
                if row.get("enterprise").pk in held:
                    row.error(
                        self._enterprise_column(row), f"该企业 {year} 年已获“{title.name}”称号，无需入库培育"
                    )

    def _find_responsible(self, rows: list[Row]) -> None:
        """Each row's responsible user, by username or name: an active staff member who may answer for the
        enterprise (`selectors.may_answer_for`); a username first, then a name only one such user bears."""
        named = {row.get("responsible") for row in rows if row.get("responsible")}
        if not named:
            return
        users = list(
            get_user_model()
            .objects.filter(Q(username__in=named) | Q(full_name__in=named))
            .select_related("org_unit")
        )
        for row in rows:
            text = row.get("responsible")
            if not text:
                continue
            enterprise, key = row.get("enterprise"), match_key(text)
            known = [user for user in users if key in _user_keys(user)]
            able = [user for user in known if selectors.may_answer_for(user, enterprise)]
            by_username = [user for user in able if match_key(user.get_username()) == key]
            if not known:
                row.error("responsible", "平台中没有该用户名或姓名的用户，应为平台用户的用户名或姓名")
            elif not able:
                row.error("responsible", f"应为“{enterprise.district.name}”或其上级单位的在岗工作人员")
            elif len(by_username or able) > 1:
                row.error("responsible", f"有 {len(able)} 位工作人员同名，请填写用户名")
            else:
                row.set("responsible", (by_username or able)[0])

    @staticmethod
    def _values(row: Row) -> dict[str, Any]:
        """The kept fields the file gives (a column it lacks is left alone)."""
        values: dict[str, Any] = {}
        if row.has("responsible"):
            values["responsible"] = row.get("responsible") or None
        if row.has("planned_support"):
            values["planned_support"] = row.get("planned_support") or ""
        if row.has("note"):
            values["note"] = row.get("note") or ""
        return values

    def plan(self, rows: list[Row]) -> Plan:
        plan = Plan()
        for row in rows:
            entry = row.get("entry")
            if entry is None:
                plan.creates.append(row)
            elif any(getattr(entry, name) != value for name, value in self._values(row).items()):
                plan.updates.append(row)
            else:
                plan.unchanged += 1
        return plan

    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        """New entries carry the batch (`created_batch`), their creation record, so a rollback deletes them;
        each update is an audit entry of the batch."""
        today = timezone.localdate()  # the day the entries come in, as of which their gaps are measured
        groups: dict[tuple[Title, int], list[Row]] = defaultdict(list)
        for row in plan.creates:
            groups[(row.get("title"), row.get("year"))].append(row)
        made = []
        for (title, year), group in groups.items():
            chosen = Enterprise.objects.filter(pk__in=[row.get("enterprise").pk for row in group])
            assessed = selectors.assessments_of(title, chosen, selectors.as_of_for(year, today))
            made += [
                Entry(
                    title=title,
                    year=year,
                    enterprise=row.get("enterprise"),
                    status=EntryStatus.ENTERED,
                    source=EntrySource.IMPORT,
                    entered_on=today,
                    status_on=today,
                    gaps=selectors.gaps_text(assessed[row.get("enterprise").pk]),
                    created_batch=batch_id,
                    **self._values(row),
                )
                for row in group
            ]
        Entry.objects.bulk_create(made, batch_size=1000)
        changed, audits = [], []
        for row in plan.updates:
            entry = row.get("entry")
            before = snapshot(entry, services.ENTRY_FIELDS)
            for name, value in self._values(row).items():
                setattr(entry, name, value)
            changed.append(entry)
            after = snapshot(entry, services.ENTRY_FIELDS)
            audits.append(batch_update_audit(self.actor, entry, before, after, batch_id, source))
        Entry.objects.bulk_update(changed, list(services.ENTRY_FIELDS))
        audit_bulk(audits)

    @classmethod
    def queryset(cls, actor: Any) -> Any:
        """The entries in scope, each title's years in order."""
        return scoped_or_system(Entry.objects.all(), actor).order_by(
            "title__sort_order", "year", "enterprise__uscc"
        )

    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        for entry in queryset.select_related("enterprise", "title", "responsible"):
            yield [
                entry.enterprise.uscc, entry.enterprise.name, entry.title.name, entry.year,
                entry.responsible.get_username() if entry.responsible else "", entry.planned_support, entry.note,
            ]  # fmt: skip
