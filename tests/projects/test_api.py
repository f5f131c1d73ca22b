"""The project API: the same scope, verdicts and validation as the pages and the CLI."""

import json

from kuochan.projects.models import Progress
from tests.conftest import TODAY, days_ago


def test_list_gives_each_projects_light_with_reasons(pipeline, users, login):
    data = login(users["city_staff"]).get("/api/v1/projects", {"light": "red"}).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert (
        item["code"] == "2026-330502-26-03-000001"
        and item["light"] == "red"
        and item["stall"] == "落地未开工"
    )
    assert item["reasons"] == [
        f"计划开工 {days_ago(120)}，至 {TODAY} 尚未开工，已逾期 120 天（逾期 1 天以上（含本数）亮黄灯；90 天以上（含本数）亮红灯）"
    ]


def test_lights_endpoint_matches_the_command(pipeline, users, login, capsys):
    from django.core.management import call_command

    api = login(users["city_staff"]).get("/api/v1/projects/lights", {"as_of": TODAY.isoformat()}).json()
    call_command("lights", "--as-of", TODAY.isoformat(), "--format", "json")
    assert api == json.loads(capsys.readouterr().out)


def test_a_district_user_gets_only_their_district_and_404_elsewhere(pipeline, users, login):
    client = login(users["nanxun"])
    assert {p["district"] for p in client.get("/api/v1/projects").json()["items"]} == {"南浔区"}
    assert client.get(f"/api/v1/projects/{pipeline['red'].pk}").status_code == 404


def test_detail_has_milestones_in_order(pipeline, users, login):
    data = login(users["city_staff"]).get(f"/api/v1/projects/{pipeline['red'].pk}").json()
    assert [m["milestone"] for m in data["milestones"]] == [
        "签约",
        "备案",
        "开工",
        "入库",
        "竣工",
        "投产",
        "达产",
    ]
    assert data["milestones"][2]["planned"] == days_ago(120).isoformat()


def test_progress_is_reported_through_the_api_with_warnings(pipeline, users, login):
    client = login(users["nanxun"])
    url = f"/api/v1/projects/{pipeline['green'].pk}/progress"
    year = TODAY.year if TODAY.month > 3 else TODAY.year - 1
    first = client.post(url, {"month": f"{year}年2月", "ytd_wan": "80"}, content_type="application/json")
    assert first.status_code == 200 and first.json() == {"month": f"{year}-02", "warnings": []}
    second = client.post(
        url, {"month": f"{year}-03", "ytd_wan": "60"}, content_type="application/json"
    ).json()
    assert second["warnings"] == ["本年累计完成投资 60 万元低于 2 月已报的 80.00 万元"]
    assert Progress.objects.filter(project=pipeline["green"]).count() == 2


def test_progress_refuses_bad_input_in_chinese_and_writes_nothing(pipeline, users, login):
    client = login(users["nanxun"])
    url = f"/api/v1/projects/{pipeline['green'].pk}/progress"
    response = client.post(url, {"month": "2026年13月", "ytd_wan": "80"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"] == {"month": ["年月“2026年13月”不存在"]}
    response = client.post(url, {"month": "2026-01", "ytd_wan": "-5"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"ytd_wan": ["本年累计完成投资应为不小于 0 的金额（万元）。"]}
    assert not Progress.objects.exists()


def test_leaders_cannot_report_progress(pipeline, users, login):
    response = login(users["leader"]).post(
        f"/api/v1/projects/{pipeline['green'].pk}/progress", {"month": "2026-01", "ytd_wan": "1"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403
