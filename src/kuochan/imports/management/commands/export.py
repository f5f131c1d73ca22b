from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import format_lazy

from kuochan.imports.exporting import write_export, write_template
from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.imports.specs import REGISTRY, kinds_help_lazy


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "导出为 Excel：kuochan export <类型> -o 文件 [--template]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=format_lazy("类型：{}", kinds_help_lazy()))
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--template", action="store_true", help="只导出空白模板（含示例行和填表说明）")
        add_user_option(parser)

    def handle(self, *args: object, kind: str, output: Path, template: bool, **options: object) -> None:
        if kind not in REGISTRY:
            raise CommandError(f"未知的类型“{kind}”，可用：{'、'.join(sorted(REGISTRY))}", returncode=2)
        importer = REGISTRY[kind]
        if template:
            write_template(str(output), importer)
            self.stdout.write(f"已生成模板 {output}")
            return
        actor = acting_user(options["user"])
        count = write_export(
            str(output), importer, importer(actor=actor).export_rows(importer.queryset(actor))
        )
        self.stdout.write(f"已导出 {count} 行到 {output}")
