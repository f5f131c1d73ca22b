import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.imports.management.commands._options import acting_user, add_user_option
from kuochan.projects.management.commands._dates import iso_date
from kuochan.projects.rules import ListEntry
from kuochan.projects.selectors import project_lists


def _entry(entry: ListEntry, key: str) -> dict[str, object]:
    return {key: entry.key, "name": entry.name, "district": entry.district, "reasons": list(entry.reasons)}


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "三张清单（拟开工、竣工、升规）：kuochan lists --from YYYY-MM-DD --to YYYY-MM-DD [--format json]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="期间起始日期")
        parser.add_argument("--to", dest="end", required=True, help="期间截止日期")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        add_user_option(parser)

    def handle(self, *args: object, **options: object) -> None:
        start, end = iso_date(options["start"], "--from"), iso_date(options["end"], "--to")
        if end < start:
            raise CommandError(f"--to {end} 早于 --from {start}。", returncode=2)
        lists = project_lists(actor=acting_user(options["user"]), start=start, end=end)
        data = {
            "拟开工": [_entry(e, "code") for e in lists.to_start],
            "竣工": [_entry(e, "code") for e in lists.to_complete],
            "升规": [_entry(e, "uscc") for e in lists.to_above_scale],
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for title, entries in data.items():
            self.stdout.write(f"【{title}清单】{start} 至 {end}，共 {len(entries)} 项")
            for entry in entries:
                key = entry.get("code") or entry.get("uscc")
                self.stdout.write(
                    f"  {key}\t{entry['name']}\t{entry['district']}\t{'；'.join(entry['reasons'])}"
                )
