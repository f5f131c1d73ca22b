import json
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.audit.models import Source
from kuochan.evaluation.rules import CARBON_LEVELS, CLASS_LABELS
from kuochan.evaluation.selectors import evaluation_report
from kuochan.evaluation.services import evaluate_every_city, evaluation_run
from kuochan.imports.management.commands._options import acting_user, add_user_option


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "企业评价：kuochan evaluate --year YYYY [--scheme-version N] [--format json]；重新计算并保存该年度结果"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="评价年度（使用该年度的企业指标）")
        parser.add_argument("--scheme-version", type=int, help="使用该年度方案的指定版本（默认最新版）")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(parser)

    def handle(self, *args: object, **options: object) -> None:
        year = options["year"]
        if not 1990 <= year <= 2100:
            raise CommandError(f"--year 应为四位年份，收到“{year}”。", returncode=2)
        actor = acting_user(options["user"])
        try:
            if actor is None:
                runs = [
                    run
                    for run, _ in evaluate_every_city(
                        source=Source.CLI, year=year, scheme_version=options["scheme_version"]
                    )
                ]
            else:
                runs = [
                    evaluation_run(
                        actor=actor, source=Source.CLI, year=year, scheme_version=options["scheme_version"]
                    )[0]
                ]
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("\n".join(messages), returncode=2) from exc
        report = evaluation_report(actor=actor, year=year)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for row in report["enterprises"]:
            score = "—" if row["score"] is None else f"{row['score']:.2f}"
            grade = f"碳效{row['carbon_grade']}级" if row["carbon_grade"] else "无碳效码"
            level = CARBON_LEVELS.get(row["carbon_level"] or "", "")
            self.stdout.write(
                f"{row['class'] or '未评价'}\t{score}\t{row['uscc']}\t{row['name']}\t{row['district']}\t"
                f"{grade}{level and f'（{level}）'}\t{row['treatment']}"
            )
        classes = Counter(row["class"] for row in report["enterprises"])
        shown = "，".join(f"{CLASS_LABELS[c]} {classes[c]}" for c in CLASS_LABELS if classes[c])
        self.stdout.write(
            f"{year} 年评价（{'、'.join(str(run.scheme) for run in runs)}）：共 {len(report['enterprises'])} 家，{shown}，"
            f"未评价 {classes[None]}"
        )
