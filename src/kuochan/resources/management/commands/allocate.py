import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.resources.rules import solver_banner_to_devnull
from kuochan.resources.selectors import pools, recommendation, recommendation_report


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "要素分配推荐：kuochan allocate --pool ID [--as-of YYYY-MM-DD] [--format json]（只推荐，不写入台账）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pool", type=int, required=True, help="要素池编号")
        parser.add_argument("--as-of", help="按该日已知的评价数据（默认今天）")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(parser)

    def handle(self, *args: object, **options: object) -> None:
        actor = acting_user(options["user"])
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError as exc:
            raise CommandError(
                f"--as-of 应为日期 YYYY-MM-DD，收到“{options['as_of']}”。", returncode=2
            ) from exc
        pool = pools(actor=actor).filter(pk=options["pool"]).first()
        if pool is None:
            raise CommandError(
                f"没有编号为 {options['pool']} 的要素池（或不在您的数据范围内）。", returncode=2
            )
        if options["format"] == "json":
            solver_banner_to_devnull()
        report = recommendation_report(recommendation(pool, as_of))
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        head = report["pool"]
        self.stdout.write(
            f"{head['name']}：余额 {head['balance']}{head['unit']}，推荐分配 {report['total']}{head['unit']}"
        )
        for row in report["requests"]:
            self.stdout.write(
                f"  {row['granted']:>12}  {row['project_code']} {row['project']}（{row['enterprise']}）"
                f"  申请 {row['amount']}，最低 {row['minimum']}：{'；'.join(row['reasons'])}"
            )
        for line in report["binding"]:
            self.stdout.write(f"约束：{line}")
