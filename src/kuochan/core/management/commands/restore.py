import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "恢复：kuochan restore 备份文件 --yes [--format json]，用备份替换当前数据库和文件（不可撤销）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="确认用备份替换当前全部数据")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        if not options["yes"]:
            raise CommandError("恢复会用备份替换当前全部数据，确认请加 --yes。", returncode=2)
        try:
            counts = backup_restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps({"tables": len(counts), "rows": sum(counts.values())}))
            return
        self.stdout.write(f"已恢复：{len(counts)} 张表 {sum(counts.values())} 行，与备份清单一致。")
