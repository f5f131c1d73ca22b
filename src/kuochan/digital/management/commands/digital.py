import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.digital.selectors import (
    BY_DISTRICT,
    BY_INDUSTRY,
    coverage_of,
    coverage_report,
    lists_report,
    three_lists,
)
from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.projects.management.commands._dates import iso_date

FIRST_YEAR, LAST_YEAR = 2000, 2100


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "数字化改造：kuochan digital coverage --as-of YYYY-MM-DD [--by district|industry] [--format json]；"
        "kuochan digital lists --year YYYY [--format json]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        cover = verbs.add_parser("coverage", help="规上工业企业数字化改造 1.0、2.0 覆盖率")
        cover.add_argument("--as-of", default=timezone.localdate().isoformat(), help="截至日期（默认今天）")
        cover.add_argument(
            "--by", choices=[BY_DISTRICT, BY_INDUSTRY], default=BY_DISTRICT, help="按区县或行业大类"
        )
        cover.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(cover)
        lists = verbs.add_parser("lists", help="某年度数字化改造三张清单：企业、项目、责任人")
        lists.add_argument("--year", required=True, help="年度 YYYY")
        lists.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(lists)

    def handle(self, *args: object, **options: object) -> None:
        actor = acting_user(options["user"])
        if options["verb"] == "coverage":
            self._coverage(actor, options)
        else:
            self._lists(actor, options)

    def _coverage(self, actor: object, options: dict) -> None:
        as_of = iso_date(str(options["as_of"]), "--as-of")
        report = coverage_report(coverage_of(actor=actor, as_of=as_of, by=str(options["by"])))
        if options["format"] == "json":  # the same as GET /api/v1/digital/coverage
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(f"规上工业企业数字化改造覆盖率（截至 {report['as_of']}）")
        for row in [*report["rows"], report["total"]]:
            self.stdout.write(f"  {row['name']}\t{'；'.join(row['reasons'])}")

    def _lists(self, actor: object, options: dict) -> None:
        text = str(options["year"]).strip()
        if not (text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
            raise CommandError(
                f"--year 应为 {FIRST_YEAR} 至 {LAST_YEAR} 之间的年份，收到“{options['year']}”。", returncode=2
            )
        report = lists_report(three_lists(actor=actor, year=int(text), today=timezone.localdate()))
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            f"{report['year']} 年数字化改造清单：企业 {len(report['enterprises'])} 家，项目 {len(report['projects'])} 个"
        )
        for row in report["enterprises"]:
            self.stdout.write(
                f"  {row['status_label']}\t{row['uscc']}\t{row['enterprise']}\t{row['district']}\t目标 {row['target_level']}\t"
                f"责任人 {row['responsible'] or '未指定'}"
            )
        for person in report["responsible"]:
            self.stdout.write(
                f"  责任人 {person['name']} {person['phone']}：任务 {person['tasks']} 项，已完成 {person['done']} 项"
            )
