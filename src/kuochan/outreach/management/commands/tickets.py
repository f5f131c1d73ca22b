import json

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.outreach.rules import CATEGORY_LABELS, STATUS_LABELS
from kuochan.outreach.selectors import current_rules, overdue
from kuochan.outreach.services import outreach_sweep
from kuochan.projects.management.commands._dates import iso_date


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "诉求：kuochan tickets overdue [--as-of YYYY-MM-DD] [--format json] 列出逾期诉求；"
        "kuochan tickets sweep 升级逾期诉求并发送到期提醒（每日由后台任务运行）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        listing = verbs.add_parser("overdue", help="逾期诉求")
        listing.add_argument("--as-of", help="截至日期（默认今天）")
        listing.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(listing)
        sweep = verbs.add_parser("sweep", help="升级逾期诉求并发送提醒")
        sweep.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        if options["verb"] == "sweep":
            result = outreach_sweep()
            if options["format"] == "json":
                self.stdout.write(json.dumps({"escalated": result.escalated, "notices": result.notices}))
            else:
                escalated = "、".join(result.escalated) or "无"
                self.stdout.write(f"升级至市级：{escalated}；新发提醒 {result.notices} 条")
            return
        as_of = iso_date(options["as_of"], "--as-of") if options["as_of"] else timezone.localdate()
        rows = overdue(actor=acting_user(options["user"]), as_of=as_of, rules=current_rules())
        data = {
            "as_of": as_of.isoformat(),
            "tickets": [
                {
                    "number": r.ticket.number,
                    "enterprise": r.ticket.enterprise.name,
                    "uscc": r.ticket.enterprise.uscc,
                    "district": r.ticket.district.name,
                    "category": CATEGORY_LABELS[r.ticket.category],
                    "title": r.ticket.title,
                    "status": STATUS_LABELS[r.status],
                    "department": r.ticket.department.name if r.ticket.department else None,
                    "handler": str(r.ticket.handler) if r.ticket.handler else None,
                    "due_date": r.due_date.isoformat(),
                    "days_overdue": r.verdict.days_overdue,
                    "light": r.verdict.light,
                    "escalated": r.verdict.escalate,
                    "reasons": list(r.verdict.reasons),
                }
                for r in rows
            ],
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for row in data["tickets"]:
            self.stdout.write(
                f"{row['number']}\t{row['district']}\t{row['enterprise']}\t{row['category']}\t{row['status']}\t"
                f"逾期 {row['days_overdue']} 天\t{'；'.join(row['reasons'])}"
            )
        self.stdout.write(f"截至 {as_of}：逾期诉求 {len(rows)} 件")
