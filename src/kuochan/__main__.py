"""The `kuochan` command: the project's manage.py.

Verbs may be written with hyphens (`kuochan load-reference`); they map to the Django command with
underscores, so people and scripts can use the spelling the docs use.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuochan.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "kuochan"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
