import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.core.backup import BackupError, backup_create


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "备份：kuochan backup [-o 文件.tar.gz] [--format json]，备份数据库和上传、生成的文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="备份文件（默认 var/backups/kuochan-时间.tar.gz）")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        from django.conf import settings

        target = Path(
            options["output"]
            or Path(settings.VAR_DIR) / "backups" / f"kuochan-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        )
        try:
            done = backup_create(target)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        figures = {
            "file": str(done.path), "vendor": done.vendor, "tables": done.tables, "rows": done.rows,
            "files": done.files, "sha256": done.sha256,
        }  # fmt: skip
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self.stdout.write(
            f"已备份到 {done.path}：{done.vendor} 数据库 {done.tables} 张表 {done.rows} 行，文件 {done.files} 个；"
            f"SHA-256 {done.sha256}"
        )
