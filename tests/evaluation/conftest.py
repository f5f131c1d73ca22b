import json

import pytest
from django.core.management import CommandError, call_command


@pytest.fixture
def evaluate_cli(capsys):
    """Runs `kuochan evaluate … --format json` as the CLI would: (exit code, JSON or the refusal message)."""

    def run(*options):
        try:
            call_command("evaluate", *options, "--format", "json")
        except CommandError as exc:
            return exc.returncode, str(exc)
        return 0, json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    return run
