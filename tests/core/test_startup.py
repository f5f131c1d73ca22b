"""A `kuochan` command with little to do answers at once: it does not load the API, NumPy, the solver or the
document writers (bench/startup.py gives the time). Each command runs in a fresh process, as from a shell."""

import json
import os
import subprocess
import sys

import pytest

# Each of these costs a command a tenth of a second or more to load; none is needed to start.
HEAVY = [
    "kuochan.core.api",
    "kuochan.imports.engine",
    "ninja",
    "pydantic",
    "numpy",
    "highspy",
    "docx",
    "xlsxwriter",
]

SCRIPT = """
import json, sys
from kuochan.__main__ import main
arguments, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["kuochan", *arguments]
try:
    main()
except SystemExit:
    pass
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


def loaded_by(arguments: list[str], var: str) -> list[str]:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"KUOCHAN_ENV", "SECRET_KEY"}
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(arguments), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        env={**environment, "KUOCHAN_VAR": var},
        timeout=120,
    )
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "arguments",
    [["help"], ["import", "enterprise-metrics", "/nonexistent.xlsx"]],
    ids=["help", "import-of-a-missing-file"],
)
def test_a_command_with_little_to_do_loads_no_heavy_library(arguments, tmp_path):
    assert loaded_by(arguments, str(tmp_path)) == []


def test_the_import_help_still_lists_every_kind(tmp_path):
    from tests.test_cli_and_settings import run

    result = run("import", "--help", KUOCHAN_VAR=str(tmp_path))
    assert result.returncode == 0
    for kind in ("enterprise-metrics", "enterprises", "projects", "factory-spaces", "target-actuals"):
        assert kind in result.stdout.replace("\n", "").replace(" ", "")
