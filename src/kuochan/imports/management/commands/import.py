import argparse
import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import format_lazy

from kuochan.audit.models import Source
from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.imports.specs import kinds_help_lazy


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"“{text}”不是年月，应为 YYYY-MM，如 2025-06") from exc


def _option(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"“{text}”应写成 名称=值，如 year=2026")
    return name.strip(), value.strip()


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "从 Excel 导入：kuochan import <类型> 文件 [--dry-run] [--skip-invalid] [--format json]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=format_lazy("导入类型：{}", kinds_help_lazy()))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，导入其余正确的行")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--month", type=_month, help="统计月份 YYYY-MM（statistics：不指定时取表格标题中的月份）"
        )
        parser.add_argument(
            "--option",
            type=_option,
            action="append",
            default=[],
            metavar="名称=值",
            help="导入类型需要的其他选项，可重复（title-results：round 或 title 与 year、document_number、published_on）",
        )
        add_user_option(parser)

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        from kuochan.imports.engine import run_import  # the engine and its NumPy only when there is a file

        try:
            result = run_import(
                options["kind"],
                path,
                background=True,
                actor=acting_user(options["user"]),
                source=Source.CLI,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                context=dict(options["option"]) | ({"month": options["month"]} if options["month"] else {}),
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc
        blocked = (
            bool(result.errors)
            and not result.applied
            and not (options["dry_run"] and options["skip_invalid"])
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, default=str))
        else:
            self._print(result, options["dry_run"])
        if blocked:
            raise SystemExit(2)

    def _print(self, result: object, dry_run: bool) -> None:
        verb = "检查" if dry_run else ("已导入" if result.applied else "未导入")
        self.stdout.write(
            f"{verb} {result.file}（{result.kind}）：共 {result.rows} 行，新增 {result.created}，更新 {result.updated}，"
            f"未变 {result.unchanged}，跳过 {result.skipped}"
            + (f"，批次 #{result.batch}" if result.batch else "")
        )
        for problem in result.errors:
            if not problem["row"] and not problem["column"]:  # the file as a whole
                self.stdout.write(f"  {problem['message']}")
                continue
            self.stdout.write(
                f"  第 {problem['row']} 行 [{problem['column']}] “{problem['value']}”：{problem['message']}"
            )
        for problem in result.warnings:
            self.stdout.write(f"  提醒 第 {problem['row']} 行 [{problem['column']}]：{problem['message']}")
