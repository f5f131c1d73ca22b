"""Keeping plans through the API, as the plan pages keep them: a new plan from its content (the plan file's
shape), refused whole with every problem named; each save a new version; a copy with its years moved on;
retiring one. Only plans the caller reads are found; only their keepers change them."""

import json
from pathlib import Path

import pytest

import kuochan
from kuochan.audit.models import AuditEntry, Source
from kuochan.targets.models import Plan

pytestmark = pytest.mark.django_db

API = "/api/v1/targets/plans"
WORK_PLAN = Path(kuochan.__file__).parent / "reference" / "data" / "huzhou" / "plan_2025.json"


def send(client, path, data=None, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def district_plan(code: str = "wuxing-2026") -> dict:
    """A district's own one-year plan, one indicator from the statistics library."""
    return {
        "code": code, "name": "吴兴区2026年工作计划", "org_unit": "330502", "period": [2026, 2026],
        "baseline_year": 2025, "period_label": "2026年",
        "indicators": [
            {"code": "industrial_investment_growth", "name": "工业投资增速", "unit": "%", "kind": "min_avg_growth",
             "actual_source": "statistics", "statistic": "industrial-investment", "threshold": 10,
             "yearly": {"2026": "10"}},
        ],
        "statements": [
            {"section": "目标", "sentence": "工业投资增长10%以上。", "indicator": "industrial_investment_growth",
             "claim": "min_avg_growth", "value": 10, "year": 2026},
        ],
    }  # fmt: skip


def test_a_plan_file_as_shipped_becomes_a_plan_read_back_as_sent(huzhou, users, client_for):
    content = json.loads(WORK_PLAN.read_text(encoding="utf-8"))
    content["code"] = "huzhou-2025-api"
    content["measures"] = [{**m, "code": f"api-{m['code']}"[:32]} for m in content["measures"]]
    client = client_for(users["city_staff"])
    made = send(client, "", content)
    assert made.status_code == 201, made.json()
    assert (made.json()["code"], made.json()["org_unit"], made.json()["period_start"]) == (
        "huzhou-2025-api",
        "湖州市",
        2025,
    )
    back = client.get(f"{API}/huzhou-2025-api/content").json()
    assert back["name"] == content["name"] and len(back["indicators"]) == len(content["indicators"])
    assert [i["code"] for i in back["indicators"]] == [i["code"] for i in content["indicators"]]
    assert back["measures"][0]["code"] == content["measures"][0]["code"]
    assert [(v["number"], v["note"]) for v in client.get(f"{API}/huzhou-2025-api/versions").json()] == [
        (1, "新建")
    ]
    assert AuditEntry.objects.filter(content_type__model="plan", source=Source.API).count() == 1


def test_a_plan_with_problems_is_refused_whole_each_problem_named(huzhou, users, client_for):
    content = district_plan()
    content["org_unit"] = "999999"
    content["indicators"][0] |= {"kind": "somehow", "yearly": {"2027": "12"}, "baseline": "很多"}
    refused = send(client_for(users["city_staff"]), "", content)
    assert refused.status_code == 422
    problems = refused.json()["errors"]["__all__"]
    assert "规划的制定单位“999999”不在组织单位中。" in problems
    assert any("指标“工业投资增速”的类型“somehow”不正确" in p for p in problems)
    assert "指标“工业投资增速”的 2027 年目标不在规划期 2026—2026 年内。" in problems
    assert "指标“工业投资增速”：“很多”不是数字。" in problems
    assert not Plan.objects.filter(code="wuxing-2026").exists()
    typed = send(client_for(users["city_staff"]), "", {**district_plan(), "colour": "red"})
    assert typed.status_code == 422 and typed.json()["errors"] == {"colour": ["没有这一项，请检查名称。"]}


def test_each_save_is_a_new_version_and_an_unchanged_save_is_none(huzhou, users, client_for):
    client = client_for(users["city_staff"])
    content = client.get(f"{API}/huzhou-2025/content").json()
    first = content["indicators"][0]
    assert [v["number"] for v in client.get(f"{API}/huzhou-2025/versions").json()] == [1]
    first["baseline"] = "7.4"
    saved = send(client, "/huzhou-2025", {**content, "note": "按统计年鉴更正基期值"}, "put")
    assert saved.status_code == 200 and saved.json() == {"code": "huzhou-2025", "version": 2, "changed": True}
    again = send(client, "/huzhou-2025", content, "put")
    assert again.json() == {"code": "huzhou-2025", "version": 2, "changed": False}
    versions = client.get(f"{API}/huzhou-2025/versions").json()
    assert [(v["number"], v["saved_by"], v["note"]) for v in versions] == [
        (2, str(users["city_staff"]), "按统计年鉴更正基期值"),
        (1, "系统", "随参考数据加载"),
    ]
    assert client.get(f"{API}/huzhou-2025/content").json()["indicators"][0]["baseline"] == "7.4"
    bad = send(client, "/huzhou-2025", {**content, "period": [2025, 2045]}, "put")
    assert bad.status_code == 422 and bad.json()["errors"]["__all__"] == [
        "规划期 2025—2045 年不正确：截止年应不早于起始年，且跨度不超过 10 年。"
    ]
    assert len(client.get(f"{API}/huzhou-2025/versions").json()) == 2
    # a save based on version 1, made after version 2: refused, not an undoing of version 2
    first["baseline"] = "7.1"
    stale = send(client, "/huzhou-2025", {**content, "based_on": 1}, "put")
    assert stale.status_code == 422 and "改为第 2 版" in stale.json()["errors"]["__all__"][0]
    assert client.get(f"{API}/huzhou-2025/content").json()["indicators"][0]["baseline"] == "7.4"


def test_a_copy_moves_the_years_on_and_a_retired_plan_stays(huzhou, users, client_for):
    client = client_for(users["city_staff"])
    copy = send(client, "/huzhou-2025/copy", {"code": "huzhou-2026-work", "name": "市经信局2026年工作计划"})
    assert copy.status_code == 201 and (copy.json()["period_start"], copy.json()["baseline_year"]) == (
        2026,
        2025,
    )
    content = client.get(f"{API}/huzhou-2026-work/content").json()
    assert content["statements"] == [] and all(i["baseline"] is None for i in content["indicators"])
    assert all(set(i["yearly"]) <= {"2026"} for i in content["indicators"])
    taken = send(client, "/huzhou-2025/copy", {"code": "huzhou-2026-work", "name": "再复制"})
    assert taken.status_code == 422 and taken.json()["errors"] == {
        "code": ["编号“huzhou-2026-work”已被其他规划使用。"]
    }
    retired = send(client, "/huzhou-2025/retire")
    assert retired.status_code == 200 and retired.json()["retired_at"]
    again = send(client, "/huzhou-2025/retire")
    assert again.status_code == 422 and "已于" in again.json()["errors"]["__all__"][0]
    assert client.get(f"{API}/huzhou-2025/content").status_code == 200  # kept, with its versions
    long_code = "huzhou-2027-industrial-work-plan-of-the-city"  # measures' codes stay within 32 characters
    for code in (long_code, long_code + "-b"):
        assert send(client, "/huzhou-2025/copy", {"code": code, "name": code}).status_code == 201
    measures = [m["code"] for m in client.get(f"{API}/{long_code}-b/content").json()["measures"]]
    assert len(measures) == 6 and all(len(code) <= 32 for code in measures)


def test_a_district_keeps_its_own_plan_others_neither_find_nor_change_it(
    huzhou, users, enterprise_user, other_city, client_for
):
    wuxing, nanxun = client_for(users["wuxing"]), client_for(users["nanxun"])
    assert send(wuxing, "", district_plan()).status_code == 201
    assert send(wuxing, "/wuxing-2026", {**district_plan(), "name": "改名"}, "put").json()["version"] == 2
    content = district_plan()
    for client in (nanxun, client_for(other_city["staff"])):
        assert client.get(f"{API}/wuxing-2026/content").status_code == 404
        assert client.get(f"{API}/wuxing-2026/versions").status_code == 404
        assert send(client, "/wuxing-2026", content, "put").status_code == 404
        assert send(client, "/wuxing-2026/retire").status_code == 404
    assert send(client_for(other_city["staff"]), "/huzhou-2025", content, "put").status_code == 404
    city_plan = send(wuxing, "/huzhou-2025/retire")  # the district reads the city's plan, keeps none of it
    assert city_plan.status_code == 403 and "规划由市级或本区县工作人员维护" in city_plan.json()["detail"]
    elsewhere = send(nanxun, "", district_plan("nanxun-for-wuxing"))
    assert elsewhere.status_code == 403 and not Plan.objects.filter(code="nanxun-for-wuxing").exists()
    enterprise = client_for(enterprise_user)
    assert send(enterprise, "", district_plan("by-enterprise")).status_code == 403
    assert enterprise.get(f"{API}/wuxing-2026/versions").status_code == 403
    assert (
        Plan.objects.get(code="wuxing-2026").name == "改名"
        and Plan.objects.get(code="huzhou-2025").retired_at is None
    )
