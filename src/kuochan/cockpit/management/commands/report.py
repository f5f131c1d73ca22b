import json
import shutil
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.audit.models import Source
from kuochan.cockpit.selectors import default_month
from kuochan.cockpit.services import report_generate
from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.imports.parsing import CellError, to_month


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "月度通报：kuochan report monthly --month YYYY-MM -o 目录 [--format json]，生成 Excel 报表和 Word 通报"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        monthly = verbs.add_parser("monthly", help="月度通报")
        monthly.add_argument("--month", help="月份 YYYY-MM（默认上一个完整月份）")
        monthly.add_argument("-o", "--output", required=True, help="输出目录")
        monthly.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(monthly)

    def handle(self, *args: object, **options: object) -> None:
        try:
            chosen = to_month(options["month"]) if options["month"] else None
        except CellError as exc:
            raise CommandError(f"--month 应为 YYYY-MM，收到“{options['month']}”。", returncode=2) from exc
        year, month = (chosen.year, chosen.month) if chosen else default_month()
        try:
            report = report_generate(
                actor=acting_user(options["user"]), source=Source.CLI, year=year, month=month
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("；".join(messages), returncode=2) from exc
        folder = Path(options["output"])
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for kind, stored in (("xlsx", report.workbook), ("docx", report.document)):
            target = folder / report.file_name(kind)
            with stored.open("rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            written.append(str(target))
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({"report": report.pk, "files": written, "seconds": report.seconds, **report.figures},
                           ensure_ascii=False)
            )  # fmt: skip
            return
        for path in written:
            self.stdout.write(path)
        self.stdout.write(f"{report.label} 月度通报已生成（截至 {report.as_of}，用时 {report.seconds} 秒）")
