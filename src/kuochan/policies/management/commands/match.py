import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.policies.rules import STATUS_LABELS
from kuochan.policies.selectors import match_report, policies
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "政策匹配：kuochan match --policy CODE（政策找企业）或 --enterprise 统一社会信用代码（企业找政策）"
        " [--as-of YYYY-MM-DD] [--all] [--format json]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policy", action="append", help="政策代码，可重复；不给则匹配全部政策")
        parser.add_argument("--enterprise", help="只匹配这家企业（统一社会信用代码）")
        parser.add_argument("--as-of", help="按该日已知的数据匹配（默认今天）")
        parser.add_argument("--all", action="store_true", help="也列出不符合的对象")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(parser)

    def handle(self, *args: object, **options: object) -> None:
        actor = acting_user(options["user"])
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(
                f"--as-of 应为日期 YYYY-MM-DD，收到“{options['as_of']}”。", returncode=2
            ) from exc
        catalogue = {p.code: p for p in policies(actor=actor)}
        codes = options["policy"] or list(catalogue)
        if unknown := [code for code in codes if code not in catalogue]:
            raise CommandError(
                f"没有政策“{'、'.join(unknown)}”，可用：{'、'.join(catalogue)}。", returncode=2
            )
        enterprise = None
        if options["enterprise"]:
            enterprise = Enterprise.objects.filter(uscc=normalise_code(options["enterprise"])).first()
            if enterprise is None:
                raise CommandError(f"没有统一社会信用代码为“{options['enterprise']}”的企业。", returncode=2)
        report = match_report(
            actor=actor, as_of=as_of, chosen=[catalogue[c] for c in codes], enterprise=enterprise,
            everyone=options["all"],
        )  # fmt: skip
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for policy in report["policies"]:
            counts = policy["counts"]
            self.stdout.write(
                f"{policy['title']}（{policy['code']}）：符合 {counts['eligible']}，待核实 {counts['unknown']}，"
                f"不符合 {counts['not_eligible']}\n  条件：{policy['rule']}"
            )
            for row in policy["matches"]:
                subject = f"{row['project_code']} {row['project']}" if row["project_code"] else row["uscc"]
                reasons = "；".join(row["not_met"] + row["unknown"]) or "；".join(row["met"])
                self.stdout.write(
                    f"  {STATUS_LABELS[row['status']]}\t{row['enterprise']}\t{subject}\t{row['district']}\t{reasons}"
                )
