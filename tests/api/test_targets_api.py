"""The plan through the API: its table and indicators, the progress a district sees of its own targets, the
ranking for staff, districts' targets typed in by city staff, and official figures within scope."""

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.targets.models import Actual, DistrictTarget

pytestmark = pytest.mark.django_db

API = "/api/v1/targets/plans"
PLAN = "huzhou-2026-2030"


def send(client, path, data, method="post"):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def test_the_plan_is_read_as_the_document_lays_it_out(huzhou, users, client_for):
    client = client_for(users["wuxing"])
    assert [p["code"] for p in client.get(API).json()] == [PLAN, "huzhou-2025"]  # the latest first
    plan = client.get(f"{API}/{PLAN}").json()
    assert plan["period_start"] == 2026 and plan["table"][0] == plan["table"][0] and len(plan["table"]) > 1
    investment = next(i for i in plan["indicators"] if i["code"] == "renovation_investment")
    assert investment["unit"] == "亿元" and investment["splittable"] and investment["yearly"]["2026"]
    assert client.get(f"{API}/no-such-plan").status_code == 404


def test_a_district_sees_its_own_progress_and_no_other(huzhou, users, client_for):
    client = client_for(users["wuxing"])
    own = client.get(f"{API}/{PLAN}/progress", {"as_of": "2026-06"}).json()
    assert (own["unit"], own["as_of"]) == ("吴兴区", "2026-06")
    assert {row["code"] for row in own["indicators"]} >= {"renovation_investment", "projects_100m"}
    other = client.get(f"{API}/{PLAN}/progress", {"as_of": "2026-06", "district": huzhou["330503"].pk})
    assert other.status_code == 404
    city = client_for(users["city_staff"]).get(f"{API}/{PLAN}/progress", {"as_of": "2026-06"}).json()
    assert city["unit"] == "湖州市"
    outside = client.get(f"{API}/{PLAN}/progress", {"as_of": "2031-01"})
    assert outside.status_code == 422 and "规划期 2026—2030 年内" in outside.json()["errors"]["__all__"][0]


def test_the_ranking_is_for_staff_only(huzhou, users, enterprise_user, client_for):
    ranking = client_for(users["leader"]).get(f"{API}/{PLAN}/ranking", {"as_of": "2026-06"})
    assert ranking.status_code == 200 and len(ranking.json()) == 7
    assert client_for(enterprise_user).get(f"{API}/{PLAN}/ranking").status_code == 403


def test_city_staff_type_in_the_districts_targets_all_or_nothing(huzhou, users, client_for):
    path = f"/{PLAN}/indicators/renovation_investment/districts"
    wuxing, nanxun = huzhou["330502"].pk, huzhou["330503"].pk
    targets = [{"unit": wuxing, "year": 2026, "value": "130"}, {"unit": nanxun, "year": 2031, "value": "80"}]
    city = client_for(users["city_staff"])
    refused = send(city, path, {"targets": targets}, "put")
    assert refused.status_code == 422 and refused.json()["errors"]["__all__"] == [
        "2031 年不在规划期 2026—2030 年内。"
    ]
    assert not DistrictTarget.objects.exists()
    targets[1]["year"] = 2026
    saved = send(city, path, {"targets": targets}, "put").json()
    by_unit = {row["unit"]: row["targets"] for row in saved["districts"]}
    assert by_unit["吴兴区"] == {"2026": "130.0000"} and by_unit["南浔区"] == {"2026": "80.0000"}
    assert saved["findings"][0]["severity"] in ("error", "warning")
    assert AuditEntry.objects.filter(content_type__model="districttarget", source=Source.API).count() == 2
    assert send(client_for(users["wuxing"]), path, {"targets": targets}, "put").status_code == 403


def test_official_figures_are_entered_for_units_in_scope(huzhou, users, client_for):
    client = client_for(users["wuxing"])
    body = {"indicator": "smart_factories", "unit": huzhou["330502"].pk, "month": "2026-06", "value": "12"}
    made = send(client, f"/{PLAN}/actuals", body)
    assert made.status_code == 201 and made.json()["unit"] == "吴兴区"
    assert Actual.objects.get().value == 12
    assert send(client, f"/{PLAN}/actuals", {**body, "unit": huzhou["330503"].pk}).status_code == 404
    future = send(client, f"/{PLAN}/actuals", {**body, "month": "2099-01"})
    assert future.status_code == 422 and future.json()["errors"] == {"month": ["2099-01 尚未到来。"]}
