import json

from django.core.management.base import BaseCommand, CommandParser

from kuochan.targets.management.commands._options import the_plan
from kuochan.targets.rules import SEVERITY_LABELS
from kuochan.targets.selectors import plan_findings


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "规划：kuochan plan check [--plan 编号] [--format json]，按省级审核的眼光检查规划目标，并与同地其他文件对照"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"], help="check：检查目标表与正文")
        parser.add_argument("--plan", help="规划编号（默认最新的规划）")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, action: str, plan: str | None, format: str, **options: object) -> None:
        found = the_plan(plan)
        own, across, documents = plan_findings(found)
        findings = [*own, *across]
        if format == "json":
            rows = [f.as_json() | {"across_documents": f in across} for f in findings]
            self.stdout.write(
                json.dumps({"plan": found.name, "documents": documents, "findings": rows}, ensure_ascii=False)
            )
            return
        for f in own:
            self.stdout.write(f"[{SEVERITY_LABELS[f.severity]}] {f.indicator}：{f.message}")
        for f in across:
            self.stdout.write(f"[{SEVERITY_LABELS[f.severity]}·跨文件] {f.indicator}：{f.message}")
        counts = {label: sum(f.severity == key for f in findings) for key, label in SEVERITY_LABELS.items()}
        self.stdout.write(f"{found.name}：" + "，".join(f"{label} {n} 条" for label, n in counts.items()))
