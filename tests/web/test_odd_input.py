"""Every page of the web app, driven with odd values for every parameter it reads, never answers with a server
error: the pages' counterpart of the API's schemathesis run.

The pages are found by walking the URL configuration (all but the API), their path arguments filled with the ids
of one data set that has one object of each kind (the API tests' `world`, plus what only the pages show). Each
page is opened as city staff, district staff, an enterprise user and a leader (and as an administrator or
anonymously when none of them may see it). What it may read is collected from its GET forms and its links' query
strings, plus names list pages commonly read, and every one is sent odd values at once: a superscript digit
(`str.isdigit()` accepts it, `int()` does not), a number too long for the database, dates that are not dates,
full-width digits, a NUL, a very long text, the same key twice. The first role that sees a page gets every odd
value in every parameter; each other role sends one request mixing the type breakers, so that between them every
parameter gets each (what differs by role is the scope, not the parsing). A server error is narrowed down by
halving the parameters. Every POST form found on the way is sent once per breaker in every field but the CSRF
token. Each request runs in a savepoint that is rolled back, so none changes what the next one sees. All server
errors are collected and reported together, with the line that raised, rather than stopping at the first."""

import datetime as dt
import logging
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from kuochan.accounts.services import token_create
from kuochan.audit.models import Source
from kuochan.cockpit import services as cockpit
from kuochan.cultivation.models import Round, Title
from kuochan.cultivation.services import entry_add
from kuochan.digital.services import level_set, task_save
from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset
from kuochan.imports.models import ImportUpload
from kuochan.jobs.models import Job
from kuochan.orgs.models import OrgUnit
from kuochan.outreach.services import ticket_attachment_add
from kuochan.projects.services import progress_record
from kuochan.registry.models import LandParcel, LandTenancy
from kuochan.resources.services import photo_add
from tests.api.conftest import world  # noqa: F401  (the API tests' data set: one object of each kind)
from tests.conftest import PDF, TODAY, attach

ODD_VALUES: list[str | list[str]] = [
    "²",  # str.isdigit() says yes, int() says no
    "9" * 25,  # beyond a database integer
    "-1",
    "0",
    "foo",
    "",
    "2026-13-45",
    "2026-99",
    "１２",  # full-width digits
    "1e9",
    "\x00",  # PostgreSQL refuses a NUL in a text
    "长" * 3000,
    ["2", "foo"],  # the same key twice
]
# Names list pages commonly read, sent to every page whether or not it links them.
COMMON_PARAMETERS = [
    "page", "export", "as_of", "month", "year", "district", "unit", "status", "kind", "q", "light", "stage",
    "scheme", "version", "plan", "indicator", "enterprise", "project", "policy", "pool", "element", "category",
    "tag", "date", "from", "to", "sort", "tab", "next",
]  # fmt: skip
# The values that break hand-parsed input most often: every POST form gets these.
BREAKERS: list[str | list[str]] = ["²", "9" * 25, "-1", "foo", "\x00"]
# The roles after the first that sees a page share these, one request each (what differs by role is the scope,
# not the parsing).
TYPE_BREAKERS: list[str | list[str]] = ["²", "9" * 25, "\x00"]
# Each page is opened as each of these roles; the others only open the pages none of these sees.
ROLES = ["city_staff", "wuxing", "enterprise", "leader"]
OTHER_ROLES = ["city_admin", "system", "security", "auditor", "anonymous"]
SOURCE_ROOT = str(Path(__file__).resolve().parents[2] / "src")


@dataclass
class Site:
    """The data set, plus what only pages show: the three administrators, a monthly report, a meeting, a photo,
    an attachment, a token and a month's progress."""

    world: Any
    users: dict[str, Any]
    report: Any
    photo: Any
    attachment: Any
    token: Any
    job: Any
    upload: Any
    ticket_file: Any
    export: Any = None
    parcel: Any = None
    tenancy: Any = None
    offset: Any = None
    benchmark: Any = None
    digital_task: Any = None
    digital_level: Any = None
    entry: Any = None


@pytest.fixture
def site(world, admins) -> Site:  # noqa: F811
    city, wuxing = world.users["city_staff"], world.users["wuxing"]
    web = Source.WEB
    progress_record(
        actor=wuxing, source=web, project=world.projects["red"], month=TODAY.replace(day=1), ytd_wan=Decimal(300),
        year_plan_wan=Decimal(3000), progress_note="设备进场",
    )  # fmt: skip
    cockpit.meeting_record(
        actor=city, source=web, date=TODAY - dt.timedelta(days=3), title="工作例会", notes="",
        decisions=[cockpit.Decision("协调用能指标", "市发展改革委", wuxing, TODAY + dt.timedelta(days=30))],
    )  # fmt: skip
    return Site(
        world=world,
        users={**world.users, **admins},
        report=cockpit.report_generate(actor=city, source=web, year=TODAY.year, month=TODAY.month),
        photo=photo_add(
            actor=wuxing,
            source=web,
            listing=world.listing,
            name="厂房.png",
            content=b"\x89PNG\r\n\x1a\n" + bytes(64),
        ),
        attachment=attach(world.users["enterprise"], world.application),
        token=token_create(actor=None, source=Source.CLI, user=city, name="测试").token,
        job=Job.objects.create(
            handler="kuochan.imports.jobs.import_check", title="导入企业：企业.xlsx", actor=city
        ),
        upload=previewed_upload(wuxing),
        export=exported_file(city),
        ticket_file=ticket_attachment_add(
            actor=world.users["enterprise"], source=web, ticket=world.ticket, name="说明.pdf", content=PDF
        ),
        **land_and_carbon(world),
        digital_task=task_save(
            actor=wuxing,
            source=web,
            enterprise=world.zhili,
            year=TODAY.year,
            target_level="2.0",
            responsible=wuxing,
            projects=[world.projects["red"]],
        ),
        digital_level=level_set(
            actor=wuxing, source=web, enterprise=world.zhili, level="1.0", assessed_on=dt.date(2024, 6, 30)
        ),
        entry=entry_add(
            actor=wuxing,
            source=web,
            title=Title.objects.get(code="srdi_sme"),
            year=TODAY.year,
            enterprise=world.zhili,
            today=TODAY,
        ),
    )


def land_and_carbon(data: Any) -> dict[str, Any]:
    """A parcel of one enterprise rented by the other, an offset and a provincial benchmark."""
    parcel = LandParcel.objects.create(enterprise=data.zhili, code="WX-001", area_mu=Decimal(30))
    return {
        "parcel": parcel,
        "tenancy": LandTenancy.objects.create(enterprise=data.muye, parcel=parcel, started_on=TODAY),
        "offset": CarbonOffset.objects.create(
            enterprise=data.zhili, year=2025, kind="sink", amount=Decimal(5), source="核证"
        ),
        "benchmark": CarbonBenchmark.objects.create(
            year=2025, industry="18", average_l=Decimal(1), source="省发布"
        ),
    }


def exported_file(actor: Any) -> Job:
    """A large 导出当前数据 the worker has written, waiting to be downloaded."""
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "export.xlsx").write_bytes(b"PK")
    return Job.objects.create(
        handler="kuochan.imports.jobs.export_current", title="导出企业名单", actor=actor, status="done",
        result={"file": "export.xlsx"},
    )  # fmt: skip


def previewed_upload(actor: Any) -> ImportUpload:
    """A file waiting on the import page, checked, with an error and the list of every error."""
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "f.xlsx").write_bytes(b"PK")
    (folder / "f-errors.csv").write_text("行,列,值,问题\n", encoding="utf-8-sig")
    problem = {"row": 2, "column": "统一社会信用代码", "value": "123", "message": "应为 18 位"}
    return ImportUpload.objects.create(
        kind="enterprises", file_name="企业.xlsx", stored_file="uploads/f.xlsx", actor=actor,
        errors_file="uploads/f-errors.csv",
        preview={"rows": 2, "created": 1, "updated": 0, "unchanged": 0, "error_count": 1, "refused_rows": 1,
                 "errors": [problem], "warning_count": 0, "warnings": []},
    )  # fmt: skip


def path_arguments(site: Site) -> dict[str, dict[str, Any]]:
    """The site's objects for each page whose path names one, by the page's URL name."""
    w = site.world
    unit = w.users["wuxing"].org_unit_id
    mapped = OrgUnit.objects.exclude(map_file="").order_by("depth").first()
    red, policy = w.projects["red"].pk, w.application.policy.code
    return {
        "unit-map": {"unit_id": mapped.pk},
        "accounts:token-revoke": {"pk": site.token.pk},
        "accounts:user-detail": {"pk": w.users["wuxing"].pk},
        "cockpit:report-file": {"pk": site.report.pk, "kind": "xlsx"},
        "cockpit:task": {"pk": w.task.pk},
        "imports:template": {"kind": "enterprises"},
        "imports:export": {"kind": "enterprises"},
        "imports:export-file": {"pk": site.export.pk},
        "jobs:job": {"pk": site.job.pk},
        "jobs:progress": {"pk": site.job.pk},
        "imports:batch": {"pk": w.batch.pk},
        "imports:preview": {"pk": site.upload.pk},
        "imports:apply": {"pk": site.upload.pk},
        "imports:errors": {"pk": site.upload.pk},
        "imports:rollback": {"pk": w.batch.pk},
        "notifications:retry": {"pk": w.notification.pk},
        "orgs:detail": {"pk": unit},
        "orgs:edit": {"pk": unit},
        "orgs:add-child": {"pk": unit},
        "outreach:ticket": {"pk": w.ticket.pk},
        "outreach:ticket-attachment": {"pk": site.ticket_file.pk},
        "portal:ticket": {"pk": w.ticket.pk},
        "outreach:visit": {"pk": w.visit.pk},
        "outreach:event": {"pk": w.event.pk},
        "policies:enterprise": {"pk": w.zhili.pk},
        "policies:application": {"pk": w.application.pk},
        "policies:attachment": {"pk": site.attachment.pk},
        "policies:detail": {"code": policy},
        "policies:matches": {"code": policy},
        "policies:apply": {"code": policy},
        "policies:rule-check": {"code": policy},
        "policies:edit": {"code": policy},
        "policies:copy": {"code": policy},
        "policies:publish": {"code": policy},
        "policies:close": {"code": policy},
        "targets:plan-edit": {"code": "huzhou-2025"},
        "targets:plan-copy": {"code": "huzhou-2025"},
        "targets:plan-retire": {"code": "huzhou-2025"},
        "projects:detail": {"pk": red},
        "projects:edit": {"pk": red},
        "projects:milestones": {"pk": red},
        "projects:progress": {"pk": red},
        "registry:detail": {"pk": w.zhili.pk},
        "registry:edit": {"pk": w.zhili.pk},
        "registry:contact-add": {"pk": w.zhili.pk},
        "registry:contact-remove": {"pk": w.contact.pk},
        "registry:tag-change": {"pk": w.tag.pk},
        "resources:pool": {"pk": w.pool.pk},
        "resources:listing": {"pk": w.listing.pk},
        "resources:photo": {"pk": site.photo.pk},
        "resources:need": {"pk": w.need.pk},
        "registry:parcel-create": {"pk": w.zhili.pk},
        "registry:parcel-edit": {"pk": site.parcel.pk},
        "registry:parcel-remove": {"pk": site.parcel.pk},
        "registry:tenancy-create": {"pk": w.zhili.pk},
        "registry:tenancy-edit": {"pk": site.tenancy.pk},
        "registry:tenancy-remove": {"pk": site.tenancy.pk},
        "evaluation:benchmark-edit": {"pk": site.benchmark.pk},
        "evaluation:benchmark-remove": {"pk": site.benchmark.pk},
        "evaluation:offset-create": {"pk": w.zhili.pk},
        "evaluation:offset-remove": {"pk": site.offset.pk},
        "cultivation:round": {"pk": title_round().pk},
        "cultivation:round-results": {"pk": title_round().pk},
        "cultivation:title": {"code": "high_tech"},
        "cultivation:title-rule-check": {"code": "high_tech"},
        "cultivation:criterion-edit": {"code": "high_tech", "criterion": "tech_staff"},
        "digital:task-edit": {"pk": site.digital_task.pk},
        "digital:task-status": {"pk": site.digital_task.pk},
        "digital:task-remove": {"pk": site.digital_task.pk},
        "digital:level-remove": {"pk": site.digital_level.pk},
        "cultivation:library": {"code": "srdi_sme"},
        "cultivation:fill": {"code": "srdi_sme"},
        "cultivation:feed": {"code": "srdi_sme"},
        "cultivation:nominate": {"code": "srdi_sme"},
        "cultivation:entry": {"pk": site.entry.pk},
        "cultivation:entry-remove": {"pk": site.entry.pk},
        "cultivation:entry-reenter": {"pk": site.entry.pk},
    }


def title_round() -> Round:
    """This year's 基础级智能工厂 round of Huzhou."""
    round_, _ = Round.objects.get_or_create(
        title=Title.objects.get(code="smart_factory_basic"), year=TODAY.year, city=OrgUnit.objects.get(code="330500"),
        defaults={"opens_on": TODAY, "nomination_deadline": TODAY, "review_deadline": TODAY},
    )  # fmt: skip
    return round_


@dataclass
class Page:
    name: str  # the URL name, namespaced
    converters: dict[str, Any]


def web_pages(patterns: list | None = None, namespace: str = "", prefix: str = "") -> list[Page]:
    """Every page the URL configuration routes to, apart from the API and static files."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(("api/", "static/", "media/", "__")):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += web_pages(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append(Page(namespace + pattern.name, dict(pattern.pattern.converters)))
    return found


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of inputs, selects, textareas
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons


class PageReader(HTMLParser):
    """The forms of a page and the URLs its links and htmx attributes lead to."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for attr in ("href", "hx-get", "data-url"):
            if a.get(attr):
                self.links.append(a[attr])
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        name = a.get("name")
        if self._form is None or not name:
            return
        if tag == "button" or (tag == "input" and a.get("type") in ("submit", "image")):
            self._form.buttons.append((name, a.get("value", "")))
        elif tag in ("input", "select", "textarea"):
            self._form.fields.append((name, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def view_name(url: str, here: str) -> tuple[str, str] | None:
    """The URL name and path a link or a form's action leads to, when it is a page of the web app."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path or here
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if path.startswith("/api/"):
        return None
    return match.view_name, path


def where(exc_info: tuple | None) -> str:
    """The innermost line of the project's code the exception passed, and the exception."""
    if not exc_info:
        return "no exception recorded"
    frames = [f for f in traceback.extract_tb(exc_info[2]) if f.filename.startswith(SOURCE_ROOT)]
    frame = frames[-1] if frames else traceback.extract_tb(exc_info[2])[-1]
    return f"{frame.filename.removeprefix(SOURCE_ROOT + '/')}:{frame.lineno} `{frame.line}` → {exc_info[0].__name__}: {str(exc_info[1])[:160]}"


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 40 else text[:30] + f"…({len(value)} chars)"


class Driver:
    """Sends requests as one role, each in a savepoint rolled back afterwards, and records server errors."""

    def __init__(self, role: str, user: Any, failures: dict[tuple, list[str]]) -> None:
        self.role, self.failures, self.count = role, failures, 0
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)

    def send(self, method: str, path: str, data: dict, note: str, record: bool = True) -> int:
        cookies = self.client.cookies
        self.client.cookies = type(cookies)(cookies)  # a POST that signs out must not sign out the next one
        with transaction.atomic():
            response = getattr(self.client, method)(path, data)
            transaction.set_rollback(True)
        self.client.cookies = cookies
        self.count += 1
        if response.status_code >= 500 and record:
            key = (response.status_code, method.upper(), path, note, where(response.exc_info))
            roles = self.failures.setdefault(key, [])
            if self.role not in roles:
                roles.append(self.role)
        self.last = response
        return response.status_code

    def fuzz(self, path: str, base: dict, names: list[str], values: list) -> None:
        """Each value in every parameter at once (over the page's own query, if it needs one)."""
        for value in values:
            self.narrow(path, base, dict.fromkeys(names, value))

    def fuzz_mixed(self, path: str, base: dict, names: list[str], values: list, offset: int) -> None:
        """One request, the parameters taking the values in turn from `offset` (roles take turns at the offset,
        so that between them every parameter gets every value)."""
        self.narrow(path, base, {name: values[(i + offset) % len(values)] for i, name in enumerate(names)})

    def narrow(self, path: str, base: dict, odd: dict[str, Any]) -> bool:
        """Whether the odd values give a server error; if so, the smallest failing sets found by halving are
        recorded (one parameter each, unless only a combination fails)."""
        if self.send("get", path, {**base, **odd}, "", record=False) < 500:
            return False
        if len(odd) > 1:
            names, half = list(odd), len(odd) // 2
            parts = ({n: odd[n] for n in names[:half]}, {n: odd[n] for n in names[half:]})
            if [self.narrow(path, base, part) for part in parts] != [False, False]:
                return True
        note = "&".join(f"{name}={shown(value)}" for name, value in odd.items())
        self.send("get", path, {**base, **odd}, note)  # again, to record it with its exception
        return True


def opens(role: str, status: int) -> bool:
    """A page answers a role: it shows, or it sends a signed-in user on (a step that only redirects)."""
    return status == 200 or (status == 302 and role != "anonymous")


def test_no_page_answers_odd_input_with_a_server_error(site, caplog):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # the errors are reported below, once each
    started = time.perf_counter()
    arguments = path_arguments(site)
    pages = web_pages()
    failures: dict[tuple, list[str]] = {}
    missing = [p.name for p in pages if p.converters and p.name not in arguments]
    assert not missing, (
        f"pages whose path names an object the data set lacks (add to path_arguments): {missing}"
    )
    paths = {p.name: reverse(p.name, kwargs=arguments.get(p.name)) for p in pages}
    users = site.users
    drivers = {role: Driver(role, users.get(role), failures) for role in ROLES + OTHER_ROLES}

    # Open every page as every role; note who sees it, what it may read and its POST forms.
    parameters: dict[str, set[str]] = defaultdict(lambda: set(COMMON_PARAMETERS))
    visible: dict[str, list[str]] = defaultdict(list)
    refused: dict[str, set[int]] = defaultdict(set)
    examples: dict[str, tuple[str, dict]] = {}  # a link's path and query, for a page that needs a query
    base: dict[str, dict] = defaultdict(dict)
    post_forms: dict[tuple[str, tuple], tuple[str, str, Form]] = {}

    def open_page(name: str, path: str, query: dict) -> None:
        for role in ROLES + OTHER_ROLES:
            if role in OTHER_ROLES and visible[name]:
                return
            driver = drivers[role]
            if not opens(role, status := driver.send("get", path, query, "no parameters")):
                if role in ROLES:
                    refused[name].add(status)
                continue
            visible[name].append(role)
            if not driver.last.get("Content-Type", "").startswith("text/html"):
                continue
            reader = PageReader()
            reader.feed(driver.last.content.decode())
            for link in reader.links:
                if (target := view_name(link, path)) and (link_query := urlsplit(link).query):
                    pairs = parse_qsl(link_query, keep_blank_values=True)
                    parameters[target[0]].update(key for key, _ in pairs)
                    examples.setdefault(target[0], (target[1], dict(pairs)))
            for form in reader.forms:
                if not (target := view_name(form.action, path)):
                    continue
                if form.method == "get":
                    parameters[target[0]].update(n for n, _ in form.fields + form.buttons)
                else:
                    key = (target[0], tuple(sorted({n for n, _ in form.fields + form.buttons})))
                    post_forms.setdefault(key, (role, target[1], form))

    for name, path in paths.items():
        open_page(name, path, {})
    # A page that needs a query (a project to request an element for) is opened the way a link leads to it.
    for name in [name for name in paths if not visible[name] and name in examples]:
        paths[name], base[name] = examples[name]
        refused[name].clear()
        open_page(name, paths[name], base[name])
    # Any other page nobody can open must be a form's target (405 to a GET), or the data set lacks its object.
    unopened = {name: sorted(refused[name]) for name in paths if not visible[name] and refused[name] != {405}}
    assert not unopened, f"pages no role could open, with what they answered: {unopened}"

    # Odd values in every parameter: each of them in turn as the first role that sees the page, the type
    # breakers mixed as the others; then the path's own ids out of range.
    converters = {p.name: p.converters for p in pages}
    for name, path in paths.items():
        first, *others = visible[name] or [None]
        if first:
            drivers[first].fuzz(path, base[name], sorted(parameters[name]), ODD_VALUES)
        for offset, role in enumerate(others):
            drivers[role].fuzz_mixed(path, base[name], sorted(parameters[name]), TYPE_BREAKERS, offset)
        for key in (k for k, c in converters[name].items() if c.regex == "[0-9]+" and visible[name]):
            for value in ("0", "9" * 25):
                kwargs = {**arguments[name], key: value}
                drivers[visible[name][0]].send("get", reverse(name, kwargs=kwargs), {}, f"path {key}={value}")

    # Every POST form as the first role that found it, the breakers in every field but the CSRF token; a named
    # button keeps its value (it says what to do), and each is pressed.
    for role, action, form in post_forms.values():
        csrf = [(n, v) for n, v in form.fields if n == "csrfmiddlewaretoken"]
        names = sorted({n for n, _ in form.fields if n != "csrfmiddlewaretoken"})
        for button in form.buttons or [None]:
            for value in BREAKERS:
                data = {**dict(csrf), **dict.fromkeys(names, value), **(dict([button]) if button else {})}
                note = f"every field = {shown(value)}" + (
                    f", button {button[0]}={button[1]}" if button else ""
                )
                drivers[role].send("post", action, data, note)

    elapsed = time.perf_counter() - started
    total = sum(d.count for d in drivers.values())
    print(f"{len(paths)} pages, {len(post_forms)} POST forms, {total} requests in {elapsed:.1f} s")
    report = [
        f"{status} {method} {path} {note} (as {', '.join(roles)})\n    {line}"
        for (status, method, path, note, line), roles in failures.items()
    ]
    assert not report, f"{len(report)} server errors:\n" + "\n".join(report)
