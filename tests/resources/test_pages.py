"""The pages of 要素保障: pools and balances, the pool page with the recommendation to approve, the request
form from a project, advances with lights; every list exports; scope."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from kuochan.resources.models import Advance, Movement, Pool, Request, RequestStatus
from tests.xlsx import exported_rows

D = Decimal


def test_city_staff_open_a_pool_and_everyone_sees_only_their_own(huzhou, users, login):
    client = login(users["city_staff"])
    response = client.post(
        "/resources/", {"year": 2026, "org_unit": huzhou["330502"].pk, "element": "land", "amount": "120.5"}
    )
    pool = Pool.objects.get()
    assert response["Location"] == f"/resources/pools/{pool.pk}/"
    assert "吴兴区2026年用地池" in client.get("/resources/", {"year": 2026}).content.decode()
    refused = client.post(
        "/resources/",
        {"year": 2026, "org_unit": huzhou["330502"].pk, "element": "land", "amount": "NaN"},
        follow=True,
    ).content.decode()
    assert "期初额度：应为数字，收到“NaN”" in refused
    rows = exported_rows(client.get("/resources/", {"year": 2026, "export": "xlsx"}))
    assert ["吴兴区", "用地", "亩", 120.5] in rows
    assert (
        "吴兴区"
        not in login(users["nanxun"])
        .get("/resources/", {"year": 2026})
        .content.decode()
        .split("pool-table")[1]
    )
    assert login(users["nanxun"]).get(f"/resources/pools/{pool.pk}/").status_code == 404


def test_the_pool_page_recommends_and_staff_approve_part_of_it(asked, city_pool, users, login):
    red, green = asked
    client = login(users["city_staff"])
    page = client.get(f"/resources/pools/{city_pool.pk}/").content.decode()
    assert "推荐合计 1000.00 吨标准煤" in page and "足额分配 500.00" in page
    client.post(
        f"/resources/pools/{city_pool.pk}/",
        {"action": "approve", "pick": [green.pk], f"amount-{green.pk}": "500"},
    )
    green.refresh_from_db()
    assert green.status == RequestStatus.ALLOCATED
    page = client.get(f"/resources/pools/{city_pool.pk}/").content.decode()
    assert "余额 500.00 吨标准煤" in page and "分配给木业新建厂房项目" in page
    rows = exported_rows(client.get(f"/resources/pools/{city_pool.pk}/", {"export": "xlsx"}))
    assert [r[1] for r in rows if r and r[1] in ("期初额度", "分配给项目")] == ["期初额度", "分配给项目"]
    refused = client.post(
        f"/resources/pools/{city_pool.pk}/", {"action": "approve", "pick": [red.pk], f"amount-{red.pk}": "600"},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "不足分配给项目 600" in refused and Movement.objects.count() == 2


def test_the_pool_page_solves_without_touching_the_process_standard_output(asked, city_pool, users, login):
    """A web process must not swap file descriptor 1 (process-wide) to hush the solver: every other request
    served at the same moment would lose its output."""
    client = login(users["city_staff"])
    swapped: list[tuple] = []
    before = os.fstat(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "dup2", lambda *args: swapped.append(args))
        page = client.get(f"/resources/pools/{city_pool.pk}/")
    after = os.fstat(1)
    assert page.status_code == 200 and "推荐合计 1000.00 吨标准煤" in page.content.decode()
    assert swapped == [] and (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


def test_a_project_asks_for_an_element_from_its_page(city_pool, pipeline, users, enterprise_user, login):
    client = login(users["wuxing"])
    project = pipeline["red"]
    assert "申请要素" in client.get(f"/projects/{project.pk}/").content.decode()
    page = client.get("/resources/requests/new/", {"project": project.pk}).content.decode()
    assert "湖州市 用能（吨标准煤）" in page
    client.post(
        f"/resources/requests/new/?project={project.pk}",
        {"pool": city_pool.pk, "amount": "300", "minimum": "", "justification": "新增产线"},
    )
    request = Request.objects.get()
    assert (request.amount, request.minimum) == (D(300), D(300))
    assert login(users["nanxun"]).get("/resources/requests/new/", {"project": project.pk}).status_code == 404
    own = login(enterprise_user).get("/resources/requests/").content.decode()
    assert "童装智能工厂技改项目" in own


def test_advances_show_their_light_and_take_repayments(city_pool, wuxing_pool, users, login):
    client = login(users["city_staff"])
    late = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    client.post(
        f"/resources/pools/{city_pool.pk}/",
        {"action": "advance", "borrower": wuxing_pool.pk, "amount": "50", "reason": "重大项目提前用能",
         "due_on": [late, ""], "due_amount": ["50", ""]},
    )  # fmt: skip
    page = login(users["wuxing"]).get("/resources/advances/").content.decode()
    assert 'data-light="yellow"' in page and "逾期 5 天" in page
    login(users["wuxing"]).post("/resources/advances/", {"advance": Advance.objects.get().pk, "amount": "50"})
    assert 'data-light="none"' in login(users["wuxing"]).get("/resources/advances/").content.decode()
