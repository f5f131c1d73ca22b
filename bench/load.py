"""Benchmark: the platform under load, at city scale on PostgreSQL behind gunicorn: 50 concurrent officials
for 5 minutes of mixed reads and edits. Zero errors, no lost update, p50/p95/p99 reported ([hardening]).

    .venv/bin/pip install -e '.[bench]'                              # gunicorn and locust
    .venv/bin/python bench/load.py                                    # 50 clients × 5 minutes
    .venv/bin/python bench/load.py --duration 30s                     # a short run while developing
    .venv/bin/python bench/load.py --duration 60s --no-version        # the contrast: edits without `version`
    .venv/bin/python bench/load.py --duration 60s --first-reports     # this month's first progress reports

Set-up (not timed, in a child process): a fresh PostgreSQL database, `migrate`, `load_reference`, `demo_data`
at city scale (5,000 enterprises, 1,429 projects, 7 districts and zones), then the bench's own accounts, made
as the command line makes them (the password policy applies): 8 leaders and 12 city staff at the city, and
district staff in every district (5 each), each with its password and an API token. HOT (20) projects, spread
evenly over the districts, take every edit, so that two officials really do save the same project at the
same moment: active projects whose last month's progress is in, and whose edit form, posted back unchanged by
the district's staff or the city's, passes every check.

The run: gunicorn (WORKERS sync workers) on 127.0.0.1 with DEBUG off and KUOCHAN_ENV=development, and locust
headless with 50 clients — 8 leaders, 12 city staff, 30 district staff, each its own account — spawned 10 a
second. Each signs in through the sign-in page (GET, then POST with the CSRF token); when all 50 are in, the
timed part starts and lasts `--duration`: every client acts, waits 0.5–2.5 s, acts again. The sign-in rows are
the ramp (50 password hashes at once on two cores); every other row and the total are the timed part.

The mix, reads first: the project list with a filter (light, stage, type, district, chain, 亿元以上, a page)
and a project's page, the enterprise list with a filter and an enterprise's profile, the ticket list
(`/outreach/`), the cockpit for one of the last six months (a leader's main page; edits renew its cache key,
so it is mostly computed afresh), and the API's project and enterprise lists and a project's detail with a
token.
Staff edit (about 1 action in 10): the edit form — `GET /projects/<id>/edit/`, a pause of 0.3–1.5 s while the
official types, the form posted back with its CSRF token and hidden `version`, then the project's page it
redirects to — or, 3 times in 10, the API (`GET`, then `PATCH /api/v1/projects/<id>` with `version`). District
staff also report last month's progress of a hot project (`POST /api/v1/projects/<id>/progress`, a correction
of a report already in). With `--first-reports` they report this month's instead, and at the start, as at a
reporting deadline, the staff of each district all send the first report of the same project within 10 ms.
Leaders never edit.

Every edit adds 1 to the project's 达产产值 (`capacity_output_wan`): the client reads N and saves N + 1. A save
refused because someone saved first (the form shown again with “…您的修改未保存…”, or 409 from the API) is the
right answer: counted as “refused (stale)”, not as an error; the client reads again and retries (RETRIES
times at most). Any other answer — a 5xx, an unexpected status, a form shown again with another message, an
exception in the client — is an error, and the server's log is searched for internal errors too. Each
client counts the saves it saw succeed, per project; after the run, in a fresh process, every hot project
must show final value = initial value + saves, final `version` = initial `version` + saves, and as many
audit entries (updates by the bench's accounts) as saves; “lost updates: 0” or the projects where that fails
is printed. `--no-version` posts the form without `version` (which turns the check off) and leaves out the
API edits (the API requires `version`): the same load then loses updates, and the check says so — the proof
that it would catch one.

No sign-in can fail: the lockout counts failed attempts only (5 per account, 20 per address in 15 minutes),
so 50 successful sign-ins from 127.0.0.1 count for nothing; the idle timeout (30 minutes) is longer than a
run. Files go to WORK (`var/bench`): the locust CSVs (`load_stats.csv`, `load_failures.csv`…), the server's
log (`load_server.log`), locust's output (`load_locust.log`), the plan the clients read and the counts they
wrote.

Target ([hardening]): zero errors and no lost update with 50 clients × 5 minutes; p50/p95/p99 reported. The
exit status is non-zero when there was an error or a lost update — as it is, by design, with `--no-version`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from decimal import Decimal

from harness import ROOT, WORK, child, fresh_postgres, setup_django

DATABASE = "kuochan_bench_load"
PORT = 8792
WORKERS = 5
CLIENTS = 50
SPAWN_RATE = 10
LEADERS, CITY_STAFF = 8, 12  # the rest of the clients are district staff
HOT = 20
RETRIES = 2  # a client refused as stale reads again and retries at most this many times
FIELD = "capacity_output_wan"
PASSWORD = "Load-Bench-2026!"
VAR = WORK / "load-var"
PLAN = WORK / "load_plan.json"
COUNTS = WORK / "load_counts.json"
STATS = WORK / "load"
SERVER_LOG = WORK / "load_server.log"
LOCUSTFILE = WORK / "load_locustfile.py"


def _months_before(today: dt.date, count: int) -> list[str]:
    """The last `count` complete months, oldest first, as 2026-06."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(f"{month:%Y-%m}")
    return months[::-1]


def _saves_unchanged(project, actor) -> bool:
    """Whether the edit form, posted back unchanged by `actor`, passes every check (a project the demo made
    with, say, more equipment investment than total investment would refuse every edit)."""
    from django.core.exceptions import ValidationError
    from django.db.models import Model

    from kuochan.projects import services
    from kuochan.projects.views import ProjectForm, _project_initial

    data = {}
    for name, value in _project_initial(project).items():
        if isinstance(value, Model):
            value = value.pk
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else str(value)
    form = ProjectForm(data, actor=actor)
    if not form.is_valid():
        return False
    values = {name: form.cleaned_data.get(name) for name in services.PROJECT_FIELDS}
    try:
        services._clean_project(actor, values, project)
    except ValidationError:
        return False
    return True


def phase_setup() -> dict:
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    from kuochan.accounts.models import Role
    from kuochan.accounts.services import token_create, user_create
    from kuochan.audit.models import Source
    from kuochan.core.scope import scoped
    from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
    from kuochan.projects.models import Progress, Project, ProjectStatus, ProjectType
    from kuochan.projects.rules import MILESTONE_LABELS, Light
    from kuochan.registry.models import Enterprise, IndustryTag

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    call_command("demo_data", "--enterprises", "5000", "--format", "json")
    city = OrgUnit.objects.filter(parent=None).order_by("depth", "id").first()
    districts = list(
        OrgUnit.objects.filter(kind__in=REPORTING_KINDS, parent=city).order_by("sort_order", "path")
    )

    def account(username: str, role: str, unit: OrgUnit) -> dict:
        user = user_create(actor=None, source=Source.CLI, username=username, role=role, org_unit=unit,
                           password=PASSWORD, full_name=username)  # fmt: skip
        token = token_create(actor=user, source=Source.CLI, user=user, name="压力测试")
        return {"username": username, "password": PASSWORD, "token": token.raw, "user": user}

    leaders = [account(f"load-leader-{n:02d}", Role.LEADER, city) for n in range(1, LEADERS + 1)]
    city_staff = [account(f"load-city-{n:02d}", Role.CITY_STAFF, city) for n in range(1, CITY_STAFF + 1)]
    per_district = max(3, -(-(CLIENTS - LEADERS - CITY_STAFF) // len(districts)))
    district_staff = {
        unit.pk: [
            account(f"load-{unit.code}-{n:02d}", Role.DISTRICT_STAFF, unit)
            for n in range(1, per_district + 1)
        ]
        for unit in districts
    }
    # hot projects: the same number in every district, active, with last month's progress reported (so the
    # progress the clients send for it is a correction, unless --first-reports), each one saving cleanly for
    # its district's staff and the city's
    today = timezone.localdate()
    last_month = dt.date.fromisoformat(f"{_months_before(today, 1)[0]}-01")
    hot: dict[int, list[int]] = {}
    for unit in districts:
        chosen = []
        candidates = (
            Project.objects.filter(district=unit, status=ProjectStatus.ACTIVE, progress__month=last_month)
            .select_related("enterprise", "district", "town", "chain")
            .order_by("pk")
        )
        for project in candidates:
            if _saves_unchanged(project, district_staff[unit.pk][0]["user"]) and _saves_unchanged(
                project, city_staff[0]["user"]
            ):
                chosen.append(project.pk)
            if len(chosen) == -(-HOT // len(districts)):
                break
        if not chosen:
            raise SystemExit(f"{unit.name}: no project fit to take edits (active, reported, saving cleanly)")
        hot[unit.pk] = chosen
    hot_all = [pk for pks in hot.values() for pk in pks][:HOT]
    hot = {unit: [pk for pk in pks if pk in hot_all] for unit, pks in hot.items()}
    initial = {
        str(project.pk): {"value": str(getattr(project, FIELD) or 0), "version": project.version}
        for project in Project.objects.filter(pk__in=hot_all)
    }
    leader_user = leaders[0]["user"]
    projects = {
        unit.pk: list(
            Project.objects.filter(district__path__startswith=unit.path).values_list("pk", flat=True)
        )
        for unit in districts
    }
    enterprises = {
        unit.pk: list(
            scoped(Enterprise.objects.all(), district_staff[unit.pk][0]["user"]).values_list("pk", flat=True)
        )
        for unit in districts
    }

    def public(accounts: list[dict], **extra: object) -> list[dict]:
        return [{k: v for k, v in a.items() if k != "user"} | extra for a in accounts]

    # district staff in turn by district, so that every district gets its share of the clients
    turns = [
        public([staff[n]], district=unit)[0]
        for n in range(per_district)
        for unit, staff in district_staff.items()
    ]
    plan = {
        "field": FIELD,
        "leaders": public(leaders),
        "city_staff": public(city_staff),
        "district_staff": turns,
        "districts": [unit.pk for unit in districts],
        "hot": {str(unit): pks for unit, pks in hot.items()},
        "hot_all": hot_all,
        "projects": {str(unit): pks for unit, pks in projects.items()},
        "projects_all": list(scoped(Project.objects.all(), leader_user).values_list("pk", flat=True)),
        "enterprises": {str(unit): pks for unit, pks in enterprises.items()},
        "enterprises_all": list(scoped(Enterprise.objects.all(), leader_user).values_list("pk", flat=True)),
        "months": _months_before(today, 6),
        "lights": [light.value for light in Light],
        "stages": list(MILESTONE_LABELS),
        "types": list(ProjectType.values),
        "chains": list(IndustryTag.objects.values_list("pk", flat=True)[:20]),
        "initial": initial,
    }
    PLAN.write_text(json.dumps(plan, ensure_ascii=False))
    return {
        "projects": len(plan["projects_all"]),
        "enterprises": len(plan["enterprises_all"]),
        "districts": [unit.name for unit in districts],
        "accounts": len(leaders) + len(city_staff) + sum(len(s) for s in district_staff.values()),
        "hot": len(hot_all),
        "last_month": plan["months"][-1],
        "this_month": f"{today:%Y-%m}",
        "hot_reported": [
            Progress.objects.filter(project__in=hot_all, month=month).count()
            for month in (dt.date.fromisoformat(f"{plan['months'][-1]}-01"), today.replace(day=1))
        ],
    }


def phase_check() -> dict:
    """Every hot project: the value, the version and the audit trail against the saves the clients saw."""
    setup_django()
    from django.contrib.contenttypes.models import ContentType

    from kuochan.audit.models import Action, AuditEntry
    from kuochan.projects.models import Project

    plan = json.loads(PLAN.read_text())
    counts = json.loads(COUNTS.read_text()) if COUNTS.exists() else {"saved": {}}
    saved = {pk: int(counts["saved"].get(pk, 0)) for pk in plan["initial"]}
    audited = defaultdict(int)
    for object_id in AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Project),
        object_id__in=list(plan["initial"]),
        action=Action.UPDATE,
        actor__username__startswith="load-",
    ).values_list("object_id", flat=True):
        audited[str(object_id)] += 1
    rows, lost, wrong = [], 0, []
    for project in Project.objects.filter(pk__in=[int(pk) for pk in plan["initial"]]).order_by("pk"):
        pk, start = str(project.pk), plan["initial"][str(project.pk)]
        gained = int((project.capacity_output_wan or Decimal(0)) - Decimal(start["value"]))
        versions = project.version - start["version"]
        row = {"project": project.pk, "saves": saved[pk], "value_gain": gained, "versions": versions,
               "audited": audited[pk]}  # fmt: skip
        rows.append(row)
        lost += max(0, saved[pk] - gained)
        if not (gained == versions == audited[pk] == saved[pk]):
            wrong.append(row)
    return {"rows": rows, "lost": lost, "wrong": wrong, "saves": sum(saved.values())}


LOCUST_SOURCE = r'''
"""Written by bench/load.py: the officials of the load test (see its docstring)."""

import json
import os
import random
import re
import time
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from itertools import count

import gevent
from gevent.event import Event
from locust import HttpUser, between, events
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
NO_VERSION = os.environ.get("LOAD_NO_VERSION") == "1"
WAIT = [float(s) for s in os.environ.get("LOAD_WAIT", "0.5,2.5").split(",")]
FIELD = PLAN["field"]
STALE_TEXT = "您的修改未保存"
RETRIES = int(os.environ["LOAD_RETRIES"])
PROGRESS_MONTH = os.environ["LOAD_PROGRESS_MONTH"]
FIRST_REPORTS = os.environ.get("LOAD_FIRST_REPORTS") == "1"
SAVED = Counter()  # project id -> saves the clients saw succeed
TALLY = Counter()  # stale refusals and the like
TURN = {"leader": count(), "city": count(), "district": count()}
CLIENTS, SECONDS = int(os.environ["LOAD_CLIENTS"]), float(os.environ["LOAD_SECONDS"])
SIGNED_IN = count(1)
ALL_IN = Event()  # the timed run starts when every client has signed in
TIMES = {"first sign-in": None, "all signed in": None, "stopped": None}


class FormReader(HTMLParser):
    """The fields of every POST form of a page, as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms, self.select, self.first_option = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "checkbox":
                if "checked" in a:
                    self.forms[-1][a["name"]] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self.forms[-1][a["name"]] = a.get("value") or ""
        elif tag == "select":
            self.select, self.first_option = a.get("name"), None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
                self.forms[-1].setdefault(self.select, self.first_option)
            if "selected" in a:
                self.forms[-1][self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def form_with(html, field):
    reader = FormReader()
    reader.feed(html)
    return next((form for form in reader.forms if field in form), None)


def problem_of(html):
    """What a page refused, for the failure report."""
    if "Server Error (500)" in html:
        return "Server Error (500)"
    found = re.findall(r'(?:invalid-feedback d-block|alert alert-danger)[^>]*>(.*?)</div>', html, re.S)
    return "；".join(re.sub(r"<[^>]+>", "", text).strip() for text in found)[:200] or html[:200]


@events.quitting.add_listener
def write_counts(environment, **kwargs):
    """The saves seen, the tallies, and the statistics as they stand once every client has stopped (the CSV
    files are written once a second, and may miss the last requests)."""
    stats = environment.stats
    rows = [
        {"method": entry.method or "", "name": "total" if entry is stats.total else entry.name,
         "count": entry.num_requests, "failures": entry.num_failures, "rps": entry.total_rps,
         **{f"p{round(q * 100)}": entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)}}
        for entry in [*sorted(stats.entries.values(), key=lambda e: (e.name, e.method)), stats.total]
    ]
    errors = [{"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
              for e in stats.errors.values()]
    exceptions = [{"count": e["count"], "message": e["msg"]} for e in environment.runner.exceptions.values()]
    with open(os.environ["LOAD_COUNTS"], "w", encoding="utf-8") as out:
        json.dump({"saved": {str(k): v for k, v in SAVED.items()}, "tally": dict(TALLY), "times": TIMES,
                   "stats": rows, "errors": errors, "exceptions": exceptions}, out, ensure_ascii=False)


def timed_run(environment):
    """Everyone is in: the totals start from here, and the run lasts SECONDS from now."""
    TIMES["all signed in"] = time.time()
    environment.stats.total.reset()
    ALL_IN.set()

    def stop():
        TIMES["stopped"] = time.time()
        environment.runner.quit()

    gevent.spawn_later(SECONDS, stop)


class Official(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    kind = ""

    def on_start(self):
        accounts = {"leader": PLAN["leaders"], "city": PLAN["city_staff"], "district": PLAN["district_staff"]}
        mine = accounts[self.kind]
        self.account = mine[next(TURN[self.kind]) % len(mine)]
        self.district = self.account.get("district")
        key = str(self.district) if self.district else None
        self.projects = PLAN["projects"][key] if key else PLAN["projects_all"]
        self.enterprises = PLAN["enterprises"][key] if key else PLAN["enterprises_all"]
        self.hot = PLAN["hot"][key] if key else PLAN["hot_all"]
        self.api = {"Authorization": f"Bearer {self.account['token']}"}
        TIMES["first sign-in"] = TIMES["first sign-in"] or time.time()
        page = self.client.get("/login/", name="/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/login/", {"username": self.account["username"], "password": self.account["password"],
                        "csrfmiddlewaretoken": token.group(1) if token else ""},
            name="/login/ (sign in)", allow_redirects=False, catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
                answer.failure(f"sign-in refused: {answer.status_code} {problem_of(answer.text)}")
                raise StopUser()
        if next(SIGNED_IN) == CLIENTS:
            timed_run(self.environment)
        ALL_IN.wait()
        if FIRST_REPORTS and self.kind == "district":
            time.sleep(random.uniform(0, 0.01))
            self.progress(self.hot[0], ytd=Decimal(5000))  # a reporting deadline: the district at once
        time.sleep(random.uniform(0, WAIT[1]))  # not all at the same instant

    # reads ------------------------------------------------------------------------------------------

    def get(self, url, name, **kwargs):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False, **kwargs) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")
            return answer

    def project_list(self):
        params = random.choice([
            {}, {"light": random.choice(PLAN["lights"])}, {"stage": random.choice(PLAN["stages"])},
            {"type": random.choice(PLAN["types"])}, {"large": "1"}, {"page": str(random.randint(1, 5))},
            {"district": str(random.choice(PLAN["districts"]))} if not self.district else {"light": "red"},
            {"chain": str(random.choice(PLAN["chains"]))} if PLAN["chains"] else {},
        ])
        self.get("/projects/", "/projects/ (filters)", params=params)

    def project_detail(self):
        pool = self.hot if random.random() < 0.3 else self.projects
        self.get(f"/projects/{random.choice(pool)}/", "/projects/[id]/")

    def enterprise_list(self):
        params = random.choice([
            {}, {"above_scale": "1"}, {"above_scale": "0"}, {"page": str(random.randint(1, 10))},
            {"q": random.choice(["科技", "机械", "新材料", "纺织", "电子"])},
            {"district": str(random.choice(PLAN["districts"]))} if not self.district else {"size": "small"},
        ])
        self.get("/enterprises/", "/enterprises/ (filters)", params=params)

    def enterprise_detail(self):
        self.get(f"/enterprises/{random.choice(self.enterprises)}/", "/enterprises/[id]/")

    def tickets(self):
        params = random.choice([{}, {"queue": "1"}, {"status": "handling"}, {"light": "red"}])
        self.get("/outreach/", "/outreach/ (tickets)", params=params)

    def cockpit(self):
        self.get("/cockpit/", "/cockpit/?month=", params={"month": random.choice(PLAN["months"])})

    def api_projects(self):
        params = random.choice([{}, {"light": "red"}, {"offset": str(random.randint(0, 500))},
                                {"large": "true"}])
        self.get("/api/v1/projects", "/api/v1/projects", params={"limit": "50", **params}, headers=self.api)

    def api_enterprises(self):
        params = random.choice([{}, {"above_scale": "true"}, {"offset": str(random.randint(0, 2000))}])
        params = {"limit": "50", **params}
        self.get("/api/v1/enterprises", "/api/v1/enterprises", params=params, headers=self.api)

    # edits ------------------------------------------------------------------------------------------

    def edit(self):
        """Staff edit through the form 7 times in 10, else through the API (which needs `version`)."""
        self.edit_form() if NO_VERSION or random.random() < 0.7 else self.edit_api()

    def edit_form(self):
        """The edit page: read N, the official types, post N + 1 with the form's version and CSRF token."""
        pk = random.choice(self.hot)
        for _ in range(1 + RETRIES):
            with self.client.get(f"/projects/{pk}/edit/", name="/projects/[id]/edit/ (form)",
                                 allow_redirects=False, catch_response=True) as page:  # fmt: skip
                form = form_with(page.text, FIELD) if page.status_code == 200 else None
                if form is None:
                    page.failure(f"status {page.status_code}, no edit form: {problem_of(page.text)}")
                    return
            time.sleep(random.uniform(0.3, 1.5))
            form[FIELD] = str(Decimal(form[FIELD] or "0") + 1)
            if NO_VERSION:
                form.pop("version", None)
            with self.client.post(f"/projects/{pk}/edit/", form, name="/projects/[id]/edit/ (save)",
                                  allow_redirects=False, catch_response=True) as answer:  # fmt: skip
                saved = answer.headers.get("Location", "").endswith(f"/projects/{pk}/")
                if answer.status_code == 302 and saved:
                    SAVED[pk] += 1
                    TALLY["saved (form)"] += 1
                    answer.success()
                    self.get(answer.headers["Location"], "/projects/[id]/")
                    return
                if answer.status_code == 200 and STALE_TEXT in answer.text:
                    TALLY["refused (stale)"] += 1
                    answer.success()
                    continue
                answer.failure(f"status {answer.status_code}: {problem_of(answer.text)}")
                return
        TALLY["gave up after retries"] += 1

    def edit_api(self):
        """The same edit through the API: read the project, PATCH N + 1 with its version (409 when stale)."""
        pk = random.choice(self.hot)
        for _ in range(1 + RETRIES):
            read = self.get(f"/api/v1/projects/{pk}", "/api/v1/projects/[id]", headers=self.api)
            if read.status_code != 200:
                return
            project = read.json()
            time.sleep(random.uniform(0.1, 0.5))
            value = Decimal(str(project[FIELD] or 0)) + 1
            body = {"version": project["version"], FIELD: str(value)}
            with self.client.patch(f"/api/v1/projects/{pk}", json=body, headers=self.api,
                                   name="/api/v1/projects/[id] (PATCH)", catch_response=True) as answer:
                if answer.status_code == 200:
                    SAVED[pk] += 1
                    TALLY["saved (API)"] += 1
                    answer.success()
                    return
                if answer.status_code == 409:
                    TALLY["refused (stale)"] += 1
                    TALLY["refused (stale, API 409)"] += 1
                    answer.success()
                    continue
                answer.failure(f"status {answer.status_code}: {problem_of(answer.text)}")
                return
        TALLY["gave up after retries"] += 1

    def progress(self, pk=None, ytd=None):
        """A month's progress of a project of one's district: last month's, as the monthly report does (a
        correction once the first report is in), or with --first-reports this month's, the first of each.
        The year-to-date figure goes on from what the project reported so far this year."""
        pk = pk or random.choice(self.hot)
        month = PROGRESS_MONTH
        if ytd is None:
            read = self.get(f"/api/v1/projects/{pk}", "/api/v1/projects/[id]", headers=self.api)
            if read.status_code != 200:
                return
            ytd = max([Decimal(str(p["ytd_wan"])) for p in read.json()["progress"]
                       if p["month"][:4] == month[:4]] or [Decimal(0)])  # fmt: skip
        body = {"month": month, "ytd_wan": str(ytd + random.randint(0, 50)), "progress_note": "按计划推进（压力测试）"}
        with self.client.post(f"/api/v1/projects/{pk}/progress", json=body, headers=self.api,
                              name="/api/v1/projects/[id]/progress (POST)", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}: {problem_of(answer.text)}")
            else:
                TALLY["progress reported"] += 1


class Leader(Official):
    """Reads only: the cockpit first of all."""

    fixed_count = int(os.environ["LOAD_LEADERS"])
    kind = "leader"
    tasks = {
        Official.cockpit: 5, Official.project_list: 3, Official.project_detail: 3,
        Official.enterprise_list: 1, Official.enterprise_detail: 1, Official.tickets: 1,
        Official.api_projects: 1,
    }  # fmt: skip


class CityStaff(Official):
    fixed_count = int(os.environ["LOAD_CITY_STAFF"])
    kind = "city"

    tasks = {
        Official.project_list: 5, Official.project_detail: 5, Official.enterprise_list: 3,
        Official.enterprise_detail: 3, Official.tickets: 2, Official.cockpit: 1, Official.api_projects: 2,
        Official.api_enterprises: 2, Official.edit: 3,
    }  # fmt: skip


class DistrictStaff(Official):
    weight = 1
    kind = "district"

    tasks = {
        Official.project_list: 5, Official.project_detail: 5, Official.enterprise_list: 3,
        Official.enterprise_detail: 3, Official.tickets: 2, Official.cockpit: 1, Official.api_projects: 2,
        Official.api_enterprises: 2, Official.edit: 3, Official.progress: 1,
    }  # fmt: skip
'''


def seconds(duration: str) -> int:
    """5m, 30s, 1m30s, 300 → seconds."""
    if duration.isdigit():
        return int(duration)
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    if not parts or not any(parts.groups()):
        raise SystemExit(f"--duration: {duration!r} is not a duration such as 5m, 90s or 1m30s")
    hours, minutes, secs = (int(part or 0) for part in parts.groups())
    return hours * 3600 + minutes * 60 + secs


def _wait_for_server(process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn ended at start; see {SERVER_LOG}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer; see {SERVER_LOG}")


def load_run(url: str, args: argparse.Namespace, progress_month: str) -> None:
    """gunicorn on loopback, locust against it; the CSVs, logs and the clients' counts are left in WORK."""
    env = {
        **os.environ, "KUOCHAN_VAR": str(VAR), "KUOCHAN_ENV": "development", "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1", "PYTHONPATH": str(ROOT / "src"), "DATABASE_URL": url,
    }  # fmt: skip
    gunicorn = [
        sys.executable, "-m", "gunicorn", "kuochan.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
        "--workers", str(args.workers), "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    COUNTS.unlink(missing_ok=True)
    with open(SERVER_LOG, "w") as log:
        server = subprocess.Popen(
            gunicorn, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_server(server)
        LOCUSTFILE.write_text(LOCUST_SOURCE)
        locust_env = {
            **os.environ, "LOAD_PLAN": str(PLAN), "LOAD_COUNTS": str(COUNTS), "LOAD_WAIT": args.wait,
            "LOAD_NO_VERSION": "1" if args.no_version else "0", "LOAD_LEADERS": str(LEADERS),
            "LOAD_CITY_STAFF": str(CITY_STAFF), "LOAD_RETRIES": str(RETRIES),
            "LOAD_PROGRESS_MONTH": progress_month, "LOAD_FIRST_REPORTS": "1" if args.first_reports else "0",
            "LOAD_CLIENTS": str(CLIENTS), "LOAD_SECONDS": str(seconds(args.duration)),
        }  # fmt: skip
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(CLIENTS),
            "-r", str(SPAWN_RATE), "-t", f"{seconds(args.duration) + 600}s",
            "--host", f"http://127.0.0.1:{PORT}", "--csv", str(STATS),
            "--only-summary", "--stop-timeout", "30", "--loglevel", "WARNING",
        ]  # fmt: skip
        ran = subprocess.run(command, env=locust_env, capture_output=True, text=True, check=False)
        (WORK / "load_locust.log").write_text(ran.stdout + ran.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def server_errors() -> Counter:
    """The server's internal errors by path and exception, from its log."""
    found: Counter = Counter()
    path = None
    for line in SERVER_LOG.read_text(errors="replace").splitlines() if SERVER_LOG.exists() else []:
        if line.startswith("Internal Server Error: "):
            path = re.sub(r"/\d+", "/[id]", line.removeprefix("Internal Server Error: "))
        elif path and re.match(r"^[\w.]+(Error|Exception)\b", line):
            found[f"{path}: {line[:160]}"] += 1
            path = None
    return found


def report(check: dict, args: argparse.Namespace) -> int:
    if not COUNTS.exists():
        print(f"the clients wrote no counts; see {WORK / 'load_locust.log'}")
        return 2
    counts = json.loads(COUNTS.read_text())
    tally, times = counts["tally"], counts["times"]
    mode = "edit forms posted WITHOUT version (--no-version)" if args.no_version else "optimistic locking on"
    print(f"\n{CLIENTS} clients × {args.duration}, gunicorn ({args.workers} workers) on 127.0.0.1, {mode}")
    if times.get("all signed in") and times.get("stopped"):
        print(
            f"all {CLIENTS} signed in within {times['all signed in'] - times['first sign-in']:.0f} s (the "
            f"sign-in rows); then {times['stopped'] - times['all signed in']:.0f} s of work (every other row "
            "and the total)"
        )
    else:
        print("the clients did not all sign in: the run stopped at its time limit")
    print(f"{'request':<46} {'count':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>6}")
    for row in counts["stats"]:
        name = "total" if row["name"] == "total" else f"{row['method']} {row['name']}"
        if name == "total":
            print("-" * 87)
        print(
            f"{name[:46]:<46} {row['count']:>6} {row['failures']:>5} {row['p50']:>6.0f} {row['p95']:>6.0f} "
            f"{row['p99']:>6.0f} {row['rps']:>6.1f}"
        )
    print("(milliseconds)")
    errors = sum(row["count"] for row in counts["errors"]) + sum(row["count"] for row in counts["exceptions"])
    for row in counts["errors"][:15]:
        print(f"  failure ×{row['count']}: {row['method']} {row['name']}: {row['error'][:160]}")
    for row in counts["exceptions"][:10]:
        print(f"  client exception ×{row['count']}: {row['message'][:160]}")
    internal = server_errors()
    for what, occurrences in internal.most_common(10):
        print(f"  server error ×{occurrences}: {what}")
    print(f"errors: {errors}")
    print(
        f"refused (stale): {tally.get('refused (stale)', 0)} (of which API 409: "
        f"{tally.get('refused (stale, API 409)', 0)}); gave up after {RETRIES} retries: "
        f"{tally.get('gave up after retries', 0)}"
    )
    print(
        f"successful edits: {check['saves']} (form {tally.get('saved (form)', 0)}, API "
        f"{tally.get('saved (API)', 0)}) on {len(check['rows'])} hot projects; progress reports: "
        f"{tally.get('progress reported', 0)}"
    )
    print(f"{'project':>8} {'saves':>6} {'value +':>8} {'version +':>9} {'audited':>8}")
    for row in check["rows"]:
        mark = ""
        if row in check["wrong"]:
            mark = "  ← lost" if row["value_gain"] < row["saves"] else "  ← mismatch"
        print(
            f"{row['project']:>8} {row['saves']:>6} {row['value_gain']:>8} {row['versions']:>9} "
            f"{row['audited']:>8}{mark}"
        )
    if check["wrong"]:
        where = ", ".join(str(row["project"]) for row in check["wrong"])
        print(f"lost updates: {check['lost']} (on {len(check['wrong'])} projects: {where})")
    else:
        print("lost updates: 0")
    return 1 if errors or internal or check["wrong"] else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default="5m", help="locust's run time: 5m, 30s… (default 5m)")
    parser.add_argument("--no-version", action="store_true", help="post the edit form without version")
    parser.add_argument(
        "--first-reports", action="store_true", help="report this month's progress (the first report of each)"
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--wait", default="0.5,2.5", help="seconds between a client's actions: min,max")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = phase_setup() if args.phase == "setup" else phase_check()
        print(json.dumps(result, ensure_ascii=False))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    url = fresh_postgres(DATABASE)
    if url is None:
        raise SystemExit("PostgreSQL: no server could be reached or started")
    start = time.perf_counter()
    made = child(__file__, "setup", VAR, url)
    print(
        f"setup ({time.perf_counter() - start:.0f} s): {made['projects']} projects, {made['enterprises']} "
        f"enterprises, {made['accounts']} bench accounts, {made['hot']} hot projects in "
        f"{len(made['districts'])} districts ({'、'.join(made['districts'])}); progress for "
        f"{made['this_month'] if args.first_reports else made['last_month']}, "
        f"{made['hot_reported'][1 if args.first_reports else 0]} of the hot projects already reported"
    )
    load_run(url, args, made["this_month"] if args.first_reports else made["last_month"])
    check = child(__file__, "check", VAR, url)
    sys.exit(report(check, args))


if __name__ == "__main__":
    main()
