"""/api/v1/cultivation/rounds: each route, with the same checks as the pages."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from kuochan.cultivation.models import Entry, EntryStatus, Round
from kuochan.imports.models import ImportBatch
from kuochan.registry.models import Honour
from tests.cultivation.round_setup import NOMINATION, NUMBER, PUBLISHED, YEAR, make_smart_round
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db
API = "/api/v1/cultivation/rounds"
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def smart_round(users, huzhou):
    return make_smart_round(huzhou)


@pytest.fixture
def client_for():
    def signed_in(user):
        client = Client()
        client.force_login(user)
        return client

    return signed_in


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=TZ), tick=False)


def test_list_create_update(users, login, smart_round):
    city = login(users["city_staff"])
    listed = city.get(API, {"year": YEAR}).json()
    assert [r["title"] for r in listed] == ["smart_factory_basic"] and listed[0]["counts"]["entered"] == 5
    body = {"title": "little_giant", "year": YEAR, "opens_on": f"{YEAR}-03-01",
            "nomination_deadline": f"{YEAR}-04-01", "review_deadline": f"{YEAR}-05-01"}  # fmt: skip
    made = city.post(API, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["city"] == "湖州市"
    again = city.post(API, body, content_type="application/json")
    assert again.status_code == 422 and "已经存在" in str(again.json())
    pk = made.json()["id"]
    changed = city.put(
        f"{API}/{pk}", {**body, "review_deadline": f"{YEAR}-03-15"}, content_type="application/json"
    )
    assert changed.status_code == 422 and "早于区县推荐截止日" in str(changed.json())
    changed = city.put(f"{API}/{pk}", {**body, "notice": "通知"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["notice"] == "通知"
    unknown = city.post(API, {**body, "title": "nope"}, content_type="application/json")
    assert unknown.status_code == 422 and "没有称号" in str(unknown.json())
    district = login(users["wuxing"]).post(API, {**body, "year": YEAR + 1}, content_type="application/json")
    assert district.status_code == 403


def test_nominate_review_results_close(users, client_for, smart_round, tmp_path):
    r = smart_round
    pk, entries = r["round"].pk, r["entries"]
    with at(NOMINATION):
        wuxing = client_for(users["wuxing"])
        done = wuxing.post(
            f"{API}/{pk}/nominate", {"entries": [entries["甲"].pk]}, content_type="application/json"
        )
        assert done.status_code == 200 and done.json()[0]["status"] == "applied"
        other = wuxing.post(
            f"{API}/{pk}/nominate", {"entries": [entries["丁"].pk]}, content_type="application/json"
        )
        assert other.status_code == 422 and "不在本批次或不在您的数据范围内" in str(other.json())
        seen = wuxing.get(f"{API}/{pk}/entries").json()
        assert {e["district"] for e in seen} == {"吴兴区"}
    with at(NOMINATION + dt.timedelta(days=1)):
        late = client_for(users["wuxing"]).post(
            f"{API}/{pk}/nominate", {"entries": [entries["乙"].pk]}, content_type="application/json"
        )
        assert late.status_code == 422 and f"区县推荐已于 {NOMINATION} 截止" in str(late.json())
        city = client_for(users["city_staff"])
        body = {"entries": [entries["甲"].pk], "decision": "recommend"}
        assert (
            client_for(users["wuxing"])
            .post(f"{API}/{pk}/review", body, content_type="application/json")
            .status_code
            == 403
        )
        reviewed = city.post(f"{API}/{pk}/review", body, content_type="application/json")
        assert reviewed.status_code == 200 and reviewed.json()[0]["status"] == "recommended"
        path = write_xlsx(
            tmp_path / "名单.xlsx", [["统一社会信用代码", "结果"], [r["companies"]["甲"].uscc, "认定"]]
        )
        form = {"document_number": NUMBER, "published_on": str(PUBLISHED)}
        with path.open("rb") as file:
            checked = city.post(f"{API}/{pk}/results", {**form, "dry_run": "true", "file": file})
        assert checked.status_code == 200 and checked.json()["created"] == 1 and not checked.json()["applied"]
        assert not Honour.objects.filter(year_granted=YEAR).exists()
        with path.open("rb") as file:
            applied = city.post(f"{API}/{pk}/results", {**form, "file": file}).json()
        assert applied["applied"] and ImportBatch.objects.get(pk=applied["batch"]).kind == "title-results"
        assert Honour.objects.get(year_granted=YEAR).document_number == NUMBER
        assert Entry.objects.get(pk=entries["甲"].pk).status == EntryStatus.GRANTED
        closed = city.post(f"{API}/{pk}/close")
        assert closed.status_code == 200 and closed.json() == []
        assert Round.objects.get(pk=pk).result_document_number == NUMBER


def test_a_bad_result_list_is_refused_by_row(users, client_for, smart_round, tmp_path):
    pk = smart_round["round"].pk
    path = write_xlsx(tmp_path / "名单.xlsx", [["统一社会信用代码", "结果"], ["123", "认定"]])
    with path.open("rb") as file:
        answer = client_for(users["city_staff"]).post(
            f"{API}/{pk}/results", {"document_number": NUMBER, "published_on": str(PUBLISHED), "file": file}
        )
    result = answer.json()
    assert answer.status_code == 200 and not result["applied"]
    assert (result["errors"][0]["row"], result["errors"][0]["column"], result["errors"][0]["value"]) == (
        2,
        "统一社会信用代码",
        "123",
    )


def test_enterprises_and_other_cities_see_no_round(users, client_for, smart_round, two_cities):
    pk = smart_round["round"].pk
    assert client_for(users["enterprise"]).get(API).status_code == 403
    assert client_for(two_cities["b_staff"]).get(f"{API}/{pk}").status_code == 404
    assert client_for(users["leader"]).get(f"{API}/{pk}").status_code == 200
