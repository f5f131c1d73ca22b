"""Projects through the API: created with the form's checks, edited with optimistic locking (the second of
two edits on the same version is refused with 409, naming who changed the project and when), milestones,
and a district's monthly progress at once."""

import re

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.projects.models import Progress, Project
from kuochan.registry.models import Enterprise
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

API = "/api/v1/projects"


def send(client, path, data, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def test_a_project_is_created_with_the_forms_checks(registered, users, client_for):
    client = client_for(users["wuxing"])
    own = Enterprise.objects.get(uscc=registered[0])
    body = {"name": "智能吊挂线技改", "enterprise": own.pk, "total_wan": "800", "equipment_wan": "900"}
    refused = send(client, "", body)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"equipment_wan": ["设备投资 900 万元超过总投资 800 万元。"]}
    made = send(client, "", {**body, "equipment_wan": "500"})
    assert made.status_code == 201, made.json()
    assert made.json()["code"].startswith(f"KC-{TODAY.year}-") and made.json()["district"] == "吴兴区"
    assert made.json()["version"] == 1
    entry = AuditEntry.objects.get(content_type__model="project", object_id=str(made.json()["id"]))
    assert entry.source == Source.API
    other = Enterprise.objects.get(uscc=registered[2])
    assert send(client, "", {**body, "enterprise": other.pk}).json()["errors"] == {
        "enterprise": ["您的数据范围内没有该企业。"]
    }
    assert send(client_for(users["leader"]), "", {**body, "equipment_wan": "500"}).status_code == 403


def test_the_second_edit_on_the_same_version_is_refused_with_who_and_when(pipeline, users, client_for):
    project = pipeline["yellow"]
    first, second = client_for(users["wuxing"]), client_for(users["city_staff"])
    version = first.get(f"{API}/{project.pk}").json()["version"]
    saved = send(first, f"/{project.pk}", {"version": version, "total_wan": "15000"}, "patch")
    assert saved.status_code == 200 and saved.json()["version"] == version + 1
    stale = send(second, f"/{project.pk}", {"version": version, "name": "另一处修改"}, "patch")
    assert stale.status_code == 409
    assert re.fullmatch(
        r"您打开此页后，该项目已被wuxing于 \d{4}-\d\d-\d\d \d\d:\d\d 修改，您的修改未保存。请刷新页面，在最新内容上重新修改。",
        stale.json()["detail"],
    )
    assert Project.objects.get(pk=project.pk).name == "新材料扩产项目"
    again = send(second, f"/{project.pk}", {"version": version + 1, "name": "另一处修改"}, "patch")
    assert again.status_code == 200 and again.json()["total_wan"] == "15000.00"
    assert send(second, f"/{project.pk}", {"name": "没有版本"}, "patch").json()["errors"] == {
        "version": ["必填。"]
    }


def test_milestones_keep_their_order_and_their_version(pipeline, users, client_for):
    project = pipeline["yellow"]
    client = client_for(users["wuxing"])
    version = client.get(f"{API}/{project.pk}").json()["version"]
    late = {"completed": {"planned": "2020-01-01"}}
    refused = send(client, f"/{project.pk}/milestones", {"version": version, "milestones": late}, "patch")
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["completed_planned"]
    body = {
        "version": version,
        "milestones": {"started": {"actual": TODAY.isoformat(), "evidence": "施工许可证"}},
    }
    saved = send(client, f"/{project.pk}/milestones", body, "patch")
    started = next(m for m in saved.json()["milestones"] if m["key"] == "started")
    assert (started["actual"], started["evidence"]) == (TODAY.isoformat(), "施工许可证")
    assert send(client, f"/{project.pk}/milestones", body, "patch").status_code == 409


def test_a_districts_month_is_saved_all_or_nothing(pipeline, users, client_for):
    client = client_for(users["city_staff"])
    month = f"{TODAY.year}-01"
    entries = [
        {"project": pipeline["red"].pk, "ytd_wan": "100"},
        {"project": pipeline["green"].pk, "ytd_wan": "-1"},
    ]
    refused = send(client, "/progress", {"month": month, "entries": entries})
    assert refused.status_code == 422
    assert refused.json()["errors"]["__all__"] == [
        "木业新建厂房项目：本年累计完成投资应为不小于 0 的金额（万元）。"
    ]
    assert not Progress.objects.exists()
    entries[1]["ytd_wan"] = "30"
    saved = send(client, "/progress", {"month": month, "entries": entries})
    assert saved.json() == {"month": month, "saved": 2, "warnings": []}
    nanxun = client_for(users["nanxun"])
    assert send(nanxun, "/progress", {"month": month, "entries": entries[:1]}).status_code == 404
