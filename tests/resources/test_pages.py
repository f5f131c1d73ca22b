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
    assert "推荐合计 1,000.00 吨标准煤" in page and "足额分配 500.00" in page
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
    assert page.status_code == 200 and "推荐合计 1,000.00 吨标准煤" in page.content.decode()
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


def test_a_long_request_list_pages_by_50_keeps_its_filter_and_opens_on_pending_requests(
    asked, city_pool, users, login
):
    red, _ = asked
    Request.objects.bulk_create(
        Request(project=red.project, pool=city_pool, amount=D(10 + i), minimum=D(5), justification="历史申请",
                status=RequestStatus.CANCELLED, created_by=users["wuxing"])
        for i in range(118)
    )  # fmt: skip
    client = login(users["city_staff"])
    page = client.get("/resources/requests/").content.decode()
    assert "共 120 条，第 1/3 页" in page and page.count('data-status="') == 50
    statuses = [part.split('"')[0] for part in page.split('data-status="')[1:]]
    assert statuses[:2] == ["pending", "pending"]  # what waits for a decision comes first
    assert "600.00 吨标准煤" in page  # amounts with their unit
    filtered = client.get("/resources/requests/", {"status": "cancelled", "page": 2}).content.decode()
    assert "共 118 条，第 2/3 页" in filtered and 'href="?status=cancelled&page=3"' in filtered


def test_the_pool_page_puts_its_recommended_requests_first_and_names_no_software(
    asked, city_pool, users, login
):
    red, green = asked
    Request.objects.filter(pk=red.pk).update(amount=D(5000), minimum=D(5000))  # cannot be met from 1,000
    page = login(users["city_staff"]).get(f"/resources/pools/{city_pool.pk}/").content.decode()
    recommended = page.split('data-testid="recommendation"')[1].split("</table>")[0]
    declined = page.split('data-testid="declined"')[1].split("</details>")[0]
    assert green.project.name in recommended and red.project.name not in recommended
    assert red.project.name in declined and "未推荐的申请 1 项" in declined
    assert "HiGHS" not in page and "5,000.00" in declined
