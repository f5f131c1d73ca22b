import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.cultivation.rules import DEFAULT_MARGIN_PCT
from kuochan.cultivation.selectors import candidates, candidates_report, title_criteria, title_get, titles
from kuochan.imports.management.commands._options import acting_user, add_user_option

FIRST_YEAR = 2000


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "企业培育：kuochan cultivation candidates --title CODE --year YYYY [--margin PCT] [--format json] "
        "列出尚未获得该称号、已符合或接近其可测算条件的企业"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("candidates", help="称号候选企业（培育库入库建议）")
        listing.add_argument("--title", required=True, help="称号代码，如 srdi_sme")
        listing.add_argument("--year", required=True, help="培育年度 YYYY；按该年已知数据（上年度指标）测算")
        listing.add_argument(
            "--margin",
            default=str(DEFAULT_MARGIN_PCT),
            help="接近的幅度（%%，默认 20）：每项未达标的数值条件，差距不超过其门槛值的该百分比即为“接近”"
            "（如门槛 1500万元、幅度 20 → 差 300万元以内；门槛 3%% → 差 0.6 个百分点以内）",
        )
        listing.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(listing)

    def handle(self, *args: object, **options: object) -> None:
        actor = acting_user(options["user"])
        today = timezone.localdate()
        title = title_get(options["title"])
        if title is None:
            known = "、".join(f"{t.code}（{t.name}）" for t in titles())
            raise CommandError(
                f"没有代码为“{options['title']}”的称号，可用：{known or '无（请先 kuochan load-reference）'}。",
                returncode=2,
            )
        year_text = str(options["year"]).strip()
        if not (year_text.isdigit() and len(year_text) == 4 and FIRST_YEAR <= int(year_text) <= today.year):
            raise CommandError(
                f"--year 应为 {FIRST_YEAR} 至 {today.year} 之间的年份，收到“{options['year']}”。",
                returncode=2,
            )
        try:
            margin = Decimal(str(options["margin"]))
            if not margin.is_finite() or not 0 <= margin <= 100:
                raise InvalidOperation
        except InvalidOperation as exc:
            raise CommandError(
                f"--margin 应为 0 至 100 之间的百分数，收到“{options['margin']}”。", returncode=2
            ) from exc
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
        year = int(year_text)
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
