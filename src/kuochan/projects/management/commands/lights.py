import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.projects.management.commands._dates import iso_date
from kuochan.projects.rules import Light
from kuochan.projects.selectors import lights_report, project_board, projects


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "项目亮灯：kuochan lights --as-of YYYY-MM-DD [--district 区县] [--format json]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", default=timezone.localdate().isoformat(), help="截至日期（默认今天）")
        parser.add_argument("--district", help="只看该区县（名称或简称）")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(parser)

    def handle(self, *args: object, **options: object) -> None:
        as_of = iso_date(options["as_of"], "--as-of")
        actor = acting_user(options["user"])
        found = projects(actor=actor)
        if options["district"]:
            name = options["district"]
            district = OrgUnit.objects.filter(kind__in=REPORTING_KINDS).filter(name=name).first() or (
                OrgUnit.objects.filter(kind__in=REPORTING_KINDS, short_name=name).first()
            )
            if district is None:
                raise CommandError(f"未知的区县“{name}”。", returncode=2)
            found = found.filter(district__path__startswith=district.path)
        board = project_board(actor=actor, as_of=as_of, queryset=found)
        data = lights_report(board)
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        rows, summary = data["projects"], data["summary"]
        for row in rows:
            self.stdout.write(
                f"{Light(row['light']).label}\t{row['code']}\t{row['name']}\t{row['district']}\t"
                f"{row['stage'] or '—'}\t{row['stall'] or ''}\t{'；'.join(row['reasons'])}"
            )
        counts = "，".join(f"{Light(key).label} {count}" for key, count in summary.items())
        self.stdout.write(f"截至 {as_of}：共 {len(rows)} 个项目，{counts}")
