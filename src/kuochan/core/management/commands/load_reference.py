import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.audit.models import Source
from kuochan.cockpit.services import measures_load
from kuochan.cultivation.services import titles_load
from kuochan.evaluation.services import scheme_load
from kuochan.orgs.services import flatten_tree, org_units_load
from kuochan.outreach.services import service_rules_load
from kuochan.policies.services import policy_load
from kuochan.projects.services import light_rules_load
from kuochan.reference import data_files, datasets, read_json
from kuochan.registry.services import industries_load, tags_load
from kuochan.statistics.services import indicators_load
from kuochan.targets.services import plan_load


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "加载参考数据（组织单位、行业分类、产业标签等），可重复执行：第二次执行不会改变任何数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset", default=settings.KUOCHAN_DATASET, help=f"数据集：{', '.join(datasets())}"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, dataset: str, format: str, verbosity: int, **options: object) -> None:
        try:
            results = {
                "org_units": org_units_load(
                    rows=flatten_tree(read_json(dataset, "org_units.json")["units"]), source=Source.CLI
                ),
                "industries": industries_load(data=read_json("common", "industries.json")),
                "industry_tags": tags_load(data=read_json(dataset, "industry_tags.json")),
                "light_rules": light_rules_load(data=read_json(dataset, "light_rules.json")),
                "evaluation_scheme": scheme_load(data=read_json(dataset, "evaluation_scheme.json")),
                "stat_indicators": indicators_load(data=read_json("common", "stat_indicators.json")),
                "plan": plan_load(data=read_json(dataset, "plan.json")),
                **{
                    f"plan:{name}": plan_load(data=read_json(dataset, name))
                    for name in data_files(dataset, "plan_*.json")
                },
                "policies": policy_load(data=read_json(dataset, "policies.json")),
                "service_rules": service_rules_load(data=read_json(dataset, "service_rules.json")),
                "measures": measures_load(data=read_json(dataset, "measures.json")),
                "titles": titles_load(data=read_json("common", "titles.json")),
            }
        except ValidationError as exc:
            raise CommandError("参考数据有误：\n" + "\n".join(exc.messages), returncode=2) from exc
        counts = {
            name: {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
            for name, r in results.items()
        }
        if format == "json":
            self.stdout.write(json.dumps({"dataset": dataset, **counts}, ensure_ascii=False))
            return
        for name, figures in counts.items() if verbosity else ():
            created, updated, unchanged = figures["created"], figures["updated"], figures["unchanged"]
            self.stdout.write(f"{dataset} {name}: 新增 {created}，更新 {updated}，未变 {unchanged}")
