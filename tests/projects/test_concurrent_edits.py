"""Two officials editing the same project: the second save, made on what the first has since changed, is
refused with a clear message and changes nothing (optimistic locking), on the project form, the milestone
form, and after an import."""

import datetime as dt
import re
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kuochan.audit.models import AuditEntry, Source
from kuochan.projects import services
from kuochan.projects.models import Progress, Project
from kuochan.projects.views import _project_initial

pytestmark = pytest.mark.django_db


def form_data(project: Project) -> dict:
    """What the edit form posts back unchanged."""

    def posted(value: object) -> object:
        if value is None or value is False:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        return getattr(value, "pk", value)

    return {name: posted(value) for name, value in _project_initial(project).items()}


def opened_version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_the_second_of_two_edits_is_refused_and_changes_nothing(pipeline, users, login):
    project = pipeline["red"]
    url = f"/projects/{project.pk}/edit/"
    opened = int(opened_version(login(users["wuxing"]).get(url).content.decode()))
    data = form_data(project) | {"version": opened}
    # both opened the page on the same version; the city saves first
    saved = login(users["city_staff"]).post(url, data | {"name": "童装智能工厂技改项目（一期）"})
    assert saved.status_code == 302
    refused = login(users["wuxing"]).post(url, data | {"total_wan": "15000"})
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "您打开此页后，该项目已被city于" in page
    assert "您的修改未保存。请刷新页面，在最新内容上重新修改。" in page
    project.refresh_from_db()
    assert (project.name, project.total_wan, project.version) == (
        "童装智能工厂技改项目（一期）",
        12000,
        opened + 1,
    )
    assert opened_version(login(users["wuxing"]).get(url).content.decode()) == str(opened + 1)
    resaved = login(users["wuxing"]).post(
        url, form_data(project) | {"version": opened + 1, "total_wan": "15000"}
    )
    assert resaved.status_code == 302
    project.refresh_from_db()
    assert (project.total_wan, project.version) == (15000, opened + 2)


def test_milestone_edits_are_checked_the_same_way(pipeline, users, login):
    project = pipeline["yellow"]
    url = f"/projects/{project.pk}/milestones/"
    version = opened_version(login(users["wuxing"]).get(url).content.decode())
    started = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    login(users["city_staff"]).post(url, {"version": version, "started_actual": started})
    refused = login(users["wuxing"]).post(
        url, {"version": version, "started_actual": "", "started_planned": started}
    )
    assert "您的修改未保存" in refused.content.decode()
    project.refresh_from_db()
    assert project.started_actual.isoformat() == started


def test_an_import_in_between_counts_as_an_edit(pipeline, users, login, tmp_path, run_cli):
    from tests.xlsx import write_xlsx

    project = pipeline["green"]
    url = f"/projects/{project.pk}/edit/"
    data = form_data(project) | {
        "version": opened_version(login(users["city_staff"]).get(url).content.decode())
    }
    path = write_xlsx(
        tmp_path / "projects.xlsx",
        [
            ["项目代码", "项目名称", "统一社会信用代码", "总投资（万元）"],
            [project.code, project.name, project.enterprise.uscc, 350],
        ],
    )
    code, result = run_cli("projects", path)
    assert code == 0 and result["updated"] == 1, result
    refused = login(users["city_staff"]).post(url, data | {"name": "木业新建厂房项目（改）"})
    assert "您的修改未保存" in refused.content.decode()
    project.refresh_from_db()
    assert (project.name, project.total_wan) == ("木业新建厂房项目", 350)


def at_the_same_moment(monkeypatch, module, name: str, calls: list) -> dict:
    """Run each of `calls` in its own thread, started together; `module.name` is slowed down by 0.4 s so
    that, without the lock under test, both would act on what they read before the other wrote."""
    original = getattr(module, name)

    def slowly(*args, **kwargs):
        found = original(*args, **kwargs)
        time.sleep(0.4)
        return found

    monkeypatch.setattr(module, name, slowly)
    barrier, outcomes = threading.Barrier(len(calls)), {}

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test: any failure, whatever its type
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_first_reports_of_a_month_at_the_same_moment_both_land(pipeline, users, monkeypatch):
    """The second is a correction of the first, not a server error."""
    project, month = pipeline["green"], timezone.localdate().replace(day=1)
    Progress.objects.filter(project=project, month=month).delete()

    def report(actor, ytd):
        return lambda: services.progress_record(
            actor=actor, source=Source.API, project=project, month=month, ytd_wan=Decimal(ytd)
        )

    outcomes = at_the_same_moment(
        monkeypatch,
        services,
        "can_report_progress",
        [report(users["city_admin"], 100), report(users["city_staff"], 120)],
    )
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    stored = Progress.objects.get(project=project, month=month)
    assert stored.ytd_wan in (Decimal(100), Decimal(120))
    assert AuditEntry.objects.filter(content_type__model="progress", object_id=str(stored.pk)).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_projects_created_at_the_same_moment_get_different_codes(pipeline, users, monkeypatch):
    enterprise = pipeline["green"].enterprise

    def create(name):
        return lambda: services.project_create(
            actor=users["city_staff"], source=Source.WEB, name=name, enterprise=enterprise,
            district=enterprise.district, total_wan=Decimal(500),
        )  # fmt: skip

    outcomes = at_the_same_moment(
        monkeypatch, services, "platform_serial_taken", [create("并发新建一"), create("并发新建二")]
    )
    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    codes = {project.code for project in outcomes.values()}
    assert len(codes) == 2 and all(code.startswith("KC-") for code in codes)
