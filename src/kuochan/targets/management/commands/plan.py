import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.targets.rules import SEVERITY_LABELS, plan_check
from kuochan.targets.selectors import plan_data, plan_get


class Command(BaseCommand):
    help = "规划：kuochan plan check [--plan 编号] [--format json]，按省级审核的眼光检查规划目标"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"], help="check：检查目标表与正文")
        parser.add_argument("--plan", help="规划编号（默认最新的规划）")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, action: str, plan: str | None, format: str, **options: object) -> None:
        found = plan_get(plan)
        if found is None:
            raise CommandError(
                f"没有编号为“{plan}”的规划。" if plan else "还没有规划，请先 kuochan load-reference。",
                returncode=2,
            )
        findings = plan_check(plan_data(found))
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {"plan": found.name, "findings": [f.as_json() for f in findings]}, ensure_ascii=False
                )
            )
            return
        for f in findings:
            self.stdout.write(f"[{SEVERITY_LABELS[f.severity]}] {f.indicator}：{f.message}")
        counts = {label: sum(f.severity == key for f in findings) for key, label in SEVERITY_LABELS.items()}
        self.stdout.write(f"{found.name}：" + "，".join(f"{label} {n} 条" for label, n in counts.items()))
