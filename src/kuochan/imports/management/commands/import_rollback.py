from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.audit.models import Source
from kuochan.imports.engine import batch_rollback
from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.imports.models import ImportBatch


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "回滚一个导入批次：删除它新增的数据，恢复它修改前的值。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch", type=int)
        add_user_option(parser)

    def handle(self, *args: object, batch: int, **options: object) -> None:
        found = ImportBatch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(f"批次 #{batch} 不存在。", returncode=2)
        try:
            result = batch_rollback(actor=acting_user(options["user"]), source=Source.CLI, batch=found)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc
        self.stdout.write(
            f"已回滚批次 #{result.batch}：删除 {result.deleted} 条，恢复 {result.restored} 条。"
        )
