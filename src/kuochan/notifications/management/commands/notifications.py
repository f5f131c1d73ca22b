import json

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kuochan.notifications.models import Channel, Notification, Status
from kuochan.notifications.selectors import notification_counts
from kuochan.notifications.services import notifications_resend_due


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "通知：各状态的条数和发送失败的通知 [--format json]；"
        "--resend 把丢失了发送任务的待发送通知重新排队（宜每几分钟由 cron 运行一次）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resend", action="store_true", help="重新排队已到期却没有发送任务的待发送通知")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        resent = notifications_resend_due() if options["resend"] else None
        failed = [
            {
                "id": n.pk, "created_at": timezone.localtime(n.created_at).isoformat(), "recipient": n.recipient.get_username(),
                "channel": n.channel, "kind": n.kind, "subject": n.subject, "attempts": n.attempts,
                "last_error": n.last_error,
            }
            for n in Notification.objects.filter(status=Status.FAILED).select_related("recipient").order_by("id")
        ]  # fmt: skip
        report = {"counts": notification_counts(), "failed": failed}
        if resent is not None:
            report["resent"] = resent
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        if resent is not None:
            self.stdout.write(f"已重新排队 {resent} 条待发送通知。")
        counts = report["counts"]
        self.stdout.write("，".join(f"{Status(status).label} {n}" for status, n in counts.items()))
        for row in failed:
            self.stdout.write(
                f"#{row['id']}\t{row['created_at'][:16]}\t{row['recipient']}\t{Channel(row['channel']).label}\t{row['subject']}"
                f"\t尝试 {row['attempts']} 次\t{row['last_error']}"
            )
