from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.accounts.services import security_log_prune


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "登录和安全日志：prune 删除超过保存期（安全策略中设置，不少于 180 天）的记录。可每日定时运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        prune = verbs.add_parser("prune", help="删除超过保存期的记录")
        prune.add_argument("--days", type=int, help="保存天数（默认取安全策略，不得少于 180）")
        prune.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args: object, verb: str, days: int | None, dry_run: bool, **options: object) -> None:
        try:
            count, cutoff = security_log_prune(days=days, dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc
        when = f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M}"
        verb_done = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb_done} {when} 之前的登录和安全日志 {count} 条。")
