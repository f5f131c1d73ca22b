import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.core.forms import refusal
from kuochan.cultivation import services
from kuochan.cultivation.models import Title
from kuochan.cultivation.rules import DEFAULT_MARGIN_PCT
from kuochan.cultivation.selectors import (
    candidates,
    candidates_report,
    library,
    library_report,
    title_criteria,
    title_get,
    titles,
)
from kuochan.imports.management.commands._options import acting_user, add_user_option

FIRST_YEAR = 2000
MARGIN_HELP = (
    "接近的幅度（%%，默认 20）：每项未达标的数值条件，差距不超过其门槛值的该百分比即为“接近”"
    "（如门槛 1500万元、幅度 20 → 差 300万元以内；门槛 3%% → 差 0.6 个百分点以内）"
)


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "企业培育：kuochan cultivation candidates --title CODE --year YYYY [--margin PCT] [--format json] "
        "列出尚未获得该称号、已符合或接近其可测算条件的企业；"
        "kuochan cultivation library --title CODE --year YYYY [--fill] [--margin PCT] [--format json] "
        "列出该称号该年度的培育库（--fill 先按条件遴选入库）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("candidates", help="称号候选企业（培育库入库建议）")
        stock = verbs.add_parser("library", help="称号培育库（可先按条件遴选入库）")
        for verb in (listing, stock):
            verb.add_argument("--title", required=True, help="称号代码，如 srdi_sme")
            verb.add_argument("--year", required=True, help="培育年度 YYYY；按该年已知数据（上年度指标）测算")
            verb.add_argument("--margin", default=str(DEFAULT_MARGIN_PCT), help=MARGIN_HELP)
            verb.add_argument("--format", choices=["text", "json"], default="text")
            add_user_option(verb)
        stock.add_argument("--fill", action="store_true", help="先将符合或接近条件的企业按条件遴选入库")

    def handle(self, *args: object, **options: Any) -> None:
        actor = acting_user(options["user"])
        today = timezone.localdate()
        title = _title(options["title"])
        year = _year(options["year"], today.year)
        margin = _margin(options["margin"])
        if options["verb"] == "library":
            self._library(actor, title, year, margin, options)
            return
        _ensure_candidates_computable(title)
        found = candidates(actor=actor, title=title, year=year, margin_pct=margin, today=today)
        report = candidates_report(title=title, year=year, found=found)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            f"{title.name}（{year} 年）候选企业 {len(found)} 家（接近幅度 {margin.normalize():f}%）"
        )
        for c in found:
            gaps = "；".join(s.text for s in c.assessment.missing) or "可测算条件均符合"
            self.stdout.write(f"  {c.status}\t{c.uscc}\t{c.name}\t{c.district}\t{gaps}")

    def _library(self, actor: Any, title: Title, year: int, margin: Decimal, options: dict[str, Any]) -> None:
        today = timezone.localdate()
        added = None
        if options["fill"]:
            _ensure_candidates_computable(title)
            try:
                added = services.entries_fill_by_rule(
                    actor=actor, source=Source.CLI, title=title, year=year, margin_pct=margin, today=today
                )
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError(refusal(exc), returncode=2) from exc
        rows = library(actor=actor, title=title, year=year, today=today)
        report = library_report(title=title, year=year, rows=rows)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        if added is not None:
            self.stdout.write(f"按条件遴选入库 {added} 家。")
        self.stdout.write(f"{title.name}（{year} 年）培育库 {len(rows)} 家")
        for row in rows:
            e = row.entry
            self.stdout.write(
                f"  {e.get_status_display()}\t{e.enterprise.uscc}\t{e.enterprise.name}\t"
                f"{e.enterprise.district.name}\t{row.gaps_shown}"
            )


def _title(code: str) -> Title:
    title = title_get(code)
    if title is None:
        known = "、".join(f"{t.code}（{t.name}）" for t in titles())
        raise CommandError(
            f"没有代码为“{code}”的称号，可用：{known or '无（请先 kuochan load-reference）'}。", returncode=2
        )
    return title


def _year(given: object, this_year: int) -> int:
    text = str(given).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 4 and FIRST_YEAR <= int(text) <= this_year):
        raise CommandError(
            f"--year 应为 {FIRST_YEAR} 至 {this_year} 之间的年份，收到“{given}”。", returncode=2
        )
    return int(text)


def _margin(given: object) -> Decimal:
    try:
        margin = Decimal(str(given))
        if not margin.is_finite() or not 0 <= margin <= 100:
            raise InvalidOperation
    except InvalidOperation as exc:
        raise CommandError(f"--margin 应为 0 至 100 之间的百分数，收到“{given}”。", returncode=2) from exc
    return margin


def _ensure_candidates_computable(title: Title) -> None:
    if not title.honour_kind:
        raise CommandError(
            f"称号“{title.name}”在企业荣誉中尚无对应类别，无法排除已获该称号的企业，暂不能列出候选企业。",
            returncode=2,
        )
    if not any(c.computable for c in title_criteria(title)):
        raise CommandError(
            f"称号“{title.name}”的条件均待主管部门明确或平台尚无相应数据，暂不能按条件列出候选企业。",
            returncode=2,
        )
