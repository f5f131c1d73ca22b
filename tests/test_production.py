"""The README's production path works: under KUOCHAN_ENV=production, `collectstatic` succeeds, `check --deploy`
is clean, and the pages render with DEBUG off, hashed static URLs and the files served from STATIC_ROOT.

Each step runs in its own process with the production environment, on a fresh SQLite database in a temporary
folder (the database of the test run is not touched)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

# Runs in a production process: the site is migrated and loaded, then pages are fetched as a browser would
# through the reverse proxy (HTTPS), and what came back is printed as JSON for the test to judge.
PAGES = """
import json, re
import django, django.apps
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from kuochan.accounts.models import Role, User
from kuochan.orgs.models import OrgUnit

# Tables straight from the models, as pytest-django's --nomigrations does: the migrations are the test
# suite's business, and replaying them all would triple this test's time.
settings.MIGRATION_MODULES = {app.label: None for app in django.apps.apps.get_app_configs()}
call_command("migrate", run_syncdb=True, verbosity=0)
call_command("load_reference", verbosity=0)
user = User(username="city", role=Role.CITY_STAFF, org_unit=OrgUnit.objects.get(code="330500"))
user.set_password("Kuochan-Production-Test-2026")
user.save()

client = Client(headers={"X-Forwarded-Proto": "https"})  # as the bureau's reverse proxy sends it
pages = {}
for name, url in [("login", "/login/"), ("home", "/"), ("api-docs", "/api/v1/docs"), ("missing", "/no-such-page/")]:
    if name == "home":
        client.force_login(user)
    response = client.get(url)
    pages[name] = {"status": response.status_code, "body": response.content.decode()}
css = re.search(r'href="(/static/vendor/tabler/css/tabler\\.min\\.[0-9a-f]{12}\\.css)"', pages["login"]["body"])
static = client.get(css.group(1)) if css else None
print(json.dumps({
    "debug": settings.DEBUG,
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "pages": pages,
    "static": static and {
        "status": static.status_code,
        "cache": static.get("Cache-Control", ""),
        "bytes": len(b"".join(static.streaming_content)),
    },
}))
"""


def production(tmp_path: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DEBUG", "KUOCHAN_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {
        **environment,
        "KUOCHAN_ENV": "production",
        "SECRET_KEY": "production-test-" + "s3cr3t-" * 8,
        "ALLOWED_HOSTS": "kuochan.example.gov.cn,testserver",
        "KUOCHAN_VAR": str(tmp_path),
    }


def kuochan(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kuochan", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def test_the_production_path_collects_checks_and_serves_pages(tmp_path):
    environment = production(tmp_path)

    collected = kuochan(environment, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for used in ("vendor/tabler/css/tabler.min.css", "vendor/echarts/echarts.min.js", "kuochan/home-map.js"):
        assert used in manifest

    checked = kuochan(environment, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stderr

    done = subprocess.run(
        [sys.executable, "-c", PAGES], capture_output=True, text=True, env=environment, timeout=300
    )
    assert done.returncode == 0, done.stderr
    site = json.loads(done.stdout.splitlines()[-1])
    assert site["debug"] is False and "Manifest" in site["storage"]
    pages = site["pages"]
    assert {name: page["status"] for name, page in pages.items()} == {
        "login": 200,
        "home": 200,
        "api-docs": 200,
        "missing": 404,
    }
    for name in ("login", "home"):
        static_urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', pages[name]["body"])
        assert static_urls, name
        for url in static_urls:  # every file by its hashed name, so browsers may keep it for good
            assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", url), url
    assert re.search(r"/static/ninja/swagger-ui-bundle\.[0-9a-f]{12}\.js", pages["api-docs"]["body"])
    assert "Traceback" not in pages["missing"]["body"]
    static = site["static"]
    assert static["status"] == 200 and static["bytes"] > 100_000 and "immutable" in static["cache"]


def test_every_static_file_a_template_names_is_served():
    """A file a page names but the finders lack is a broken page in development and a server error in
    production (the manifest has no entry): e.g. a new front-end file not added to KUOCHAN_VENDOR_FILES."""
    from django.contrib.staticfiles import finders

    import kuochan

    named = set()
    for template in Path(kuochan.__file__).parent.glob("**/templates/**/*.html"):
        named.update(re.findall(r"""\{%\s*static\s+['"]([^'"]+)['"]""", template.read_text()))
    assert "vendor/echarts/echarts.min.js" in named
    assert [path for path in sorted(named) if not finders.find(path)] == []
