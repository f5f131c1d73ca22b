"""The evaluation API: the command's report, scoped; runs and scheme saves with the same permissions and
validation as the pages."""

import copy

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.evaluation.models import EvaluationRun, EvaluationScheme
from kuochan.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_results_match_the_command_and_are_scoped(with_metrics, users, login, evaluate_cli):
    _, report = evaluate_cli("--year", "2025")
    assert login(users["city_staff"]).get("/api/v1/evaluation/2025").json() == report
    district = login(users["nanxun"]).get("/api/v1/evaluation/2025").json()
    assert [row["name"] for row in district["enterprises"]] == ["南浔木业有限公司"]
    low = login(users["city_staff"]).get("/api/v1/evaluation/2025", {"low_efficiency": True}).json()
    assert len(low["enterprises"]) == 2


def test_runs_need_city_staff_and_go_to_the_worker(with_metrics, users, login, run_jobs):
    refused = login(users["wuxing"]).post("/api/v1/evaluation/2025/run")
    assert refused.status_code == 403 and not Job.objects.exists()  # refused at once, nothing queued
    client = login(users["city_staff"])
    started = client.post("/api/v1/evaluation/2025/run")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    assert started["Location"] == started.json()["url"]
    assert not EvaluationRun.objects.exists()  # the request did not compute it

    run_jobs()
    job = client.get(started.json()["url"]).json()
    run = EvaluationRun.objects.get()
    assert (job["status"], job["result"]) == (
        "done",
        {"year": 2025, "run": run.pk, "enterprises": 3, "api_url": "/api/v1/evaluation/2025"},
    )
    assert len(client.get(job["result"]["api_url"]).json()["enterprises"]) == 3
    assert AuditEntry.objects.get(content_type__model="evaluationrun").source == Source.API


def test_scheme_saves_validate_like_the_editor(huzhou, users, login):
    client = login(users["city_admin"])
    scheme = client.get("/api/v1/evaluation/2025/scheme").json()
    assert scheme["version"] == 1
    definition = copy.deepcopy(scheme["definition"])
    definition["groups"]["above"]["cutoffs"]["A"] = 30
    refused = client.post(
        "/api/v1/evaluation/2025/scheme", {"definition": definition}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"]["__all__"] == [
        "规上企业按排名分档时 A、B、C、D 类比例之和应为 100%，现为 110%。"
    ]
    definition["groups"]["above"]["cutoffs"]["B"] = 30
    saved = client.post(
        "/api/v1/evaluation/2025/scheme",
        {"definition": definition, "note": "A类扩到30%"},
        content_type="application/json",
    )
    assert saved.json()["version"] == 2 and EvaluationScheme.objects.filter(year=2025).count() == 2
    assert (
        login(users["city_staff"])
        .post("/api/v1/evaluation/2025/scheme", {"definition": definition}, content_type="application/json")
        .status_code
        == 403
    )
