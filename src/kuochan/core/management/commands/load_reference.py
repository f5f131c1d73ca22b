import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.audit.models import Source
from kuochan.orgs.services import flatten_tree, org_units_load
from kuochan.reference import datasets, read_json


class Command(BaseCommand):
    help = "加载参考数据（组织单位等），可重复执行：第二次执行不会改变任何数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dataset", default=settings.KUOCHAN_DATASET, help=f"数据集：{', '.join(datasets())}"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: object, dataset: str, format: str, verbosity: int, **options: object) -> None:
        try:
            units = read_json(dataset, "org_units.json")
            result = org_units_load(rows=flatten_tree(units["units"]), source=Source.CLI)
        except ValidationError as exc:
            raise CommandError("参考数据有误：\n" + "\n".join(exc.messages), returncode=2) from exc
        counts = {
            "org_units": {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        }
        if format == "json":
            self.stdout.write(json.dumps({"dataset": dataset, **counts}, ensure_ascii=False))
            return
        for name, figures in counts.items() if verbosity else ():
            created, updated, unchanged = figures["created"], figures["updated"], figures["unchanged"]
            self.stdout.write(f"{dataset} {name}: 新增 {created}，更新 {updated}，未变 {unchanged}")
