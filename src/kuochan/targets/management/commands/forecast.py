import json
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.targets.forecast import METHOD
from kuochan.targets.management.commands._options import as_of_month, the_plan
from kuochan.targets.selectors import plan_forecast


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "预测：kuochan forecast --as-of YYYY-MM [--runs N] [--seed N] [--format json]，项目推算指标的年末和期末 P10/P50/P90"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="截至月份 YYYY-MM")
        parser.add_argument("--runs", type=int, default=1000, help="模拟次数（默认 1000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子结果相同）")
        parser.add_argument("--plan", help="规划编号（默认截至月份所在的规划）")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, **options: object) -> None:
        month = as_of_month(options["as_of"])
        if not 1 <= options["runs"] <= 100_000:
            raise CommandError("--runs 应在 1 到 100000 之间。", returncode=2)
        plan = the_plan(options["plan"], month.year)
        try:
            result = plan_forecast(
                plan=plan, year=month.year, month=month.month, runs=options["runs"], seed=options["seed"]
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc
        indicators = [
            (
                "renovation_investment",
                "增资扩产投资额（技改投资）",
                "亿元",
                result.investment,
                result.investment_period,
            ),
            (
                "projects_100m",
                "亿元以上增资扩产项目",
                "个",
                result.large_projects,
                result.large_projects_period,
            ),
        ]
        data = {
            "as_of": f"{month:%Y-%m}", "runs": result.runs, "seed": result.seed, "method": METHOD,
            "delays": result.delays_used,
            "indicators": [
                {"code": code, "name": name, "unit": unit, "years": {str(y): asdict(b) for y, b in years.items()},
                 "period": asdict(period)}
                for code, name, unit, years, period in indicators
            ],
        }  # fmt: skip
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for item in data["indicators"]:
            for year, band in (*item["years"].items(), ("期末", item["period"])):
                chance = "—" if band["probability"] is None else f"{band['probability']:.0%}"
                self.stdout.write(
                    f"{item['name']}\t{year}\tP10 {band['p10']:g}\tP50 {band['p50']:g}\tP90 {band['p90']:g}\t"
                    f"目标 {band['target'] if band['target'] is not None else '—'}\t达成概率 {chance}"
                )
        self.stdout.write(f"延误依据：{result.delays_used}；模拟 {result.runs} 次，种子 {result.seed}。")
