"""要素保障 writes through the API: pools opened and moved between by the city, advances repaid by the
district, requests withdrawn or turned down, and the 厂房超市's listings and needs with their matches."""

from decimal import Decimal

import pytest

from kuochan.audit.models import AuditEntry, Source
from kuochan.resources import services
from kuochan.resources.models import Movement, Request
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

API = "/api/v1/resources"


def send(client, path, data=None, method="post"):
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")


@pytest.fixture
def pools(huzhou, users):
    city = services.pool_open(
        actor=users["city_staff"], source=Source.WEB, org_unit=huzhou["330500"], element="energy", year=TODAY.year,
        amount=Decimal(1000),
    )  # fmt: skip
    district = services.pool_open(
        actor=users["city_staff"], source=Source.WEB, org_unit=huzhou["330502"], element="energy", year=TODAY.year,
        amount=Decimal(100),
    )  # fmt: skip
    return city, district


def test_the_city_opens_pools_and_moves_quota_between_them(huzhou, pools, users, client_for):
    body = {"org_unit": huzhou["330503"].pk, "element": "land", "year": TODAY.year, "amount": "30"}
    assert send(client_for(users["wuxing"]), "/pools", body).status_code == 403
    city = client_for(users["city_staff"])
    made = send(city, "/pools", body)
    assert made.status_code == 201 and (made.json()["balance"], made.json()["measure"]) == ("30.00", "亩")
    twice = send(city, "/pools", body)
    assert twice.status_code == 422 and twice.json()["errors"]["__all__"] == [
        f"南浔区{TODAY.year}年已有用地池。"
    ]
    moved = send(city, "/transfers", {"from_pool": pools[0].pk, "to_pool": pools[1].pk, "amount": "200"})
    assert [p["balance"] for p in moved.json()] == ["800.00", "300.00"]
    too_much = send(city, "/transfers", {"from_pool": pools[1].pk, "to_pool": pools[0].pk, "amount": "301"})
    assert too_much.status_code == 422 and "不足" in too_much.json()["errors"]["__all__"][0]


def test_an_advance_is_repaid_by_the_borrowing_district(pools, users, client_for):
    city_pool, district_pool = pools
    schedule = [{"due_on": TODAY.isoformat(), "amount": "40"}]
    body = {"lender": city_pool.pk, "borrower": district_pool.pk, "amount": "50", "schedule": schedule}
    city = client_for(users["city_staff"])
    mismatch = send(city, "/advances", body)
    assert mismatch.json()["errors"]["__all__"] == ["还款计划合计 40.00，应等于预支量 50。"]
    schedule[0]["amount"] = "50"
    made = send(city, "/advances", body)
    assert made.status_code == 201 and made.json()["repaid"] == "0.00"
    wuxing = client_for(users["wuxing"])
    assert (
        send(
            client_for(users["nanxun"]), f"/advances/{made.json()['id']}/repayments", {"amount": "5"}
        ).status_code
        == 404
    )
    over = send(wuxing, f"/advances/{made.json()['id']}/repayments", {"amount": "60"})
    assert over.status_code == 422 and "还款 60 超出" in over.json()["errors"]["__all__"][0]
    repaid = send(wuxing, f"/advances/{made.json()['id']}/repayments", {"amount": "50"})
    assert repaid.status_code == 201 and (repaid.json()["repaid"], repaid.json()["light"]) == (
        "50.00",
        "none",
    )


def test_requests_are_withdrawn_by_the_applicant_or_turned_down_by_the_pools_staff(
    pipeline, pools, users, client_for
):
    body = {
        "project_code": pipeline["yellow"].code,
        "pool": pools[0].pk,
        "amount": "50",
        "justification": "扩产",
    }
    wuxing = client_for(users["wuxing"])
    made = send(wuxing, "/requests", body)
    assert made.status_code == 201 and made.json()["status"] == "pending"
    assert [r["id"] for r in wuxing.get(f"{API}/requests").json()["items"]] == [made.json()["id"]]
    assert client_for(users["nanxun"]).get(f"{API}/requests").json()["count"] == 0
    assert send(wuxing, f"/requests/{made.json()['id']}/reject").status_code == 403
    rejected = send(client_for(users["city_staff"]), f"/requests/{made.json()['id']}/reject")
    assert rejected.json()["status"] == "rejected"
    again = send(wuxing, "/requests", body)
    withdrawn = send(wuxing, f"/requests/{again.json()['id']}/cancel")
    assert withdrawn.json()["status_label"] == "已撤销"
    assert set(Request.objects.values_list("status", flat=True)) == {"rejected", "cancelled"}
    assert not Movement.objects.filter(request__isnull=False).exists()


def test_listings_and_needs_meet_in_the_market(huzhou, registered, users, client_for):
    wuxing = client_for(users["wuxing"])
    listing = {"code": "WX-001", "area": huzhou["330502-T02"].pk, "address": "朝阳街道某路 1 号", "floor_area_m2": "3000",
               "owner_name": "王先生", "owner_phone": "13800000000", "rent_yuan_m2_month": "12"}  # fmt: skip
    assert send(client_for(users["nanxun"]), "/listings", listing).status_code == 403
    made = send(wuxing, "/listings", listing)
    assert made.status_code == 201 and made.json()["area"] == "朝阳街道"
    assert send(wuxing, "/listings", listing).json()["errors"] == {"code": ["房源编号 WX-001 已被使用。"]}
    need = send(wuxing, "/needs", {"uscc": registered[0], "min_area_m2": "2000", "max_area_m2": "1000"})
    assert need.json()["errors"] == {"max_area_m2": ["最大面积 1000 小于最小面积 2000。"]}
    need = send(
        wuxing, "/needs", {"uscc": registered[0], "min_area_m2": "2000", "max_rent_yuan_m2_month": "15"}
    )
    assert need.status_code == 201 and [m["listing"]["code"] for m in need.json()["matches"]] == ["WX-001"]
    let = send(wuxing, f"/listings/{made.json()['id']}", {"status": "let"}, "patch")
    assert let.json()["status"] == "let"
    assert wuxing.get(f"{API}/needs/{need.json()['id']}").json()["matches"] == []
    found = send(wuxing, f"/needs/{need.json()['id']}", {"is_open": False}, "patch")
    assert found.json()["is_open"] is False and wuxing.get(f"{API}/needs").json()["count"] == 0
    assert AuditEntry.objects.filter(content_type__model="spaceneed", source=Source.API).count() == 2
