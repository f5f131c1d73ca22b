import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.targets.management.commands._options import as_of_month, the_plan
from kuochan.targets.rules import LIGHT_LABELS
from kuochan.targets.selectors import targets_report


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "目标进度：kuochan targets --as-of YYYY-MM [--plan 编号] [--district 区县] [--format json]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="截至月份 YYYY-MM（按该月末的本年累计）")
        parser.add_argument("--district", help="只看该区县（名称或简称；默认全市）")
        parser.add_argument("--plan", help="规划编号（默认截至月份所在的规划）")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        month = as_of_month(options["as_of"])
        plan = the_plan(options["plan"], month.year)
        unit = None
        if options["district"]:
            name = options["district"]
            units = OrgUnit.objects.filter(kind__in=REPORTING_KINDS, path__startswith=plan.org_unit.path)
            unit = units.filter(name=name).first() or units.filter(short_name=name).first()
            if unit is None:
                raise CommandError(f"未知的区县“{name}”。", returncode=2)
        try:
            report = targets_report(
                plan=plan, year=month.year, month=month.month, unit=unit, detail=options["format"] == "text"
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for row in report["indicators"]:
            actual = "—" if row["actual"] is None else f"{row['actual']:g}{row['unit']}"
            self.stdout.write(
                f"{LIGHT_LABELS[row['light']]}\t{row['name']}\t{actual}\t{row['source']}\t{'；'.join(row['reasons'])}"
            )
        self.stdout.write(
            f"{(unit or plan.org_unit).name} 截至 {report['as_of']}：共 {len(report['indicators'])} 项指标"
        )
