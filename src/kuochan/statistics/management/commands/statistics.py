import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.statistics.report import area_named, month_report, unknown_area
from kuochan.statistics.selectors import month_rows
from kuochan.targets.management.commands._options import as_of_month


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "工业经济月报：kuochan statistics --month YYYY-MM [--area 地区代码或名称] [--format json]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="统计月份 YYYY-MM")
        parser.add_argument("--area", help="只看该地区（组织单位代码或名称）")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(parser)

    def handle(self, *args: object, **options: object) -> None:
        try:
            month = as_of_month(options["month"])
        except CommandError as exc:
            raise CommandError(f"--month 应为月份 YYYY-MM，收到“{options['month']}”。", returncode=2) from exc
        actor = acting_user(options["user"])
        area = None
        if options["area"]:
            area = area_named(options["area"])
            if area is None:
                raise CommandError(unknown_area(options["area"]), returncode=2)
        if options["format"] == "json":  # the same as GET /api/v1/statistics/
            report = month_report(actor=actor, month=month, area=area)
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        rows = month_rows(actor=actor, month=month, area=area)
        for row in rows:
            ytd = "—" if row.ytd is None else f"{row.ytd.normalize():,f}{row.indicator.unit}"
            growth = "—" if row.growth is None else f"{row.growth.normalize():f}%"
            rank = "—" if row.rank is None else f"第{row.rank}位"
            self.stdout.write(f"{row.indicator.name}\t{row.area.name}\t累计 {ytd}\t增速 {growth}\t{rank}")
        self.stdout.write(f"{month:%Y-%m}：共 {len(rows)} 条统计数据")
