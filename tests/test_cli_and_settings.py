"""The `kuochan` console script is the project's manage.py, and settings come from the environment."""

import os
import subprocess
import sys
from pathlib import Path

KUOCHAN = str(Path(sys.executable).with_name("kuochan"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {"KUOCHAN_ENV", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in inherited}
    return subprocess.run(
        [KUOCHAN, *args], capture_output=True, text=True, env={**environment, **env}, timeout=120
    )


def test_hyphenated_verbs_reach_their_commands():
    result = run("load-reference", "--help")
    assert result.returncode == 0 and "加载参考数据" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run("check", KUOCHAN_ENV="production", KUOCHAN_VAR=str(tmp_path))
    assert result.returncode != 0
    assert "requires the SECRET_KEY" in result.stderr


def test_outside_production_a_secret_key_is_generated_once(tmp_path):
    assert run("check", KUOCHAN_VAR=str(tmp_path)).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run("check", KUOCHAN_VAR=str(tmp_path)).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KUOCHAN_ENV="production",
        SECRET_KEY="x" * 64 + "-production-secret-for-the-test",
        ALLOWED_HOSTS="kuochan.example.gov.cn",
        KUOCHAN_VAR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr


def test_passwords_are_hashed_with_pbkdf2_outside_the_tests():
    """The suite swaps in a fast hasher (conftest); the project's own settings keep Django's PBKDF2 first."""
    from django.conf import global_settings

    import kuochan.settings as project_settings

    hashers = getattr(project_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
