"""Pools and their ledger: opening, transfers between levels, allocations approved from the recommendation,
releases, advances and repayments — balances derived from the ledger and never negative, also when two
allocations are approved at the same moment; data scope; `kuochan allocate`."""

import datetime as dt
import json
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.resources import selectors, services
from kuochan.resources.models import Movement, RequestStatus

D = Decimal
YEAR = 2026


def test_an_opened_pool_s_balance_is_its_ledger(city_pool):
    assert selectors.balance(city_pool) == D(1000)
    (line,) = selectors.ledger(city_pool)
    assert (line.kind, line.delta, line.actor_name, line.reason) == (
        "opening",
        D(1000),
        "city",
        "2026年度市级用能蓄水池",
    )


def test_a_transfer_moves_quota_between_levels_and_never_below_zero(city_pool, wuxing_pool, users):
    services.pool_transfer(
        actor=users["city_staff"], source=Source.WEB, from_pool=city_pool, to_pool=wuxing_pool, amount=D(300),
        reason="下达吴兴区",
    )  # fmt: skip
    assert (selectors.balance(city_pool), selectors.balance(wuxing_pool)) == (D(700), D(400))
    with pytest.raises(ValidationError, match=r"余额 400\.00吨标准煤，不足调出 500吨标准煤"):
        services.pool_transfer(
            actor=users["city_staff"], source=Source.WEB, from_pool=wuxing_pool, to_pool=city_pool, amount=D(500),
            reason="收回",
        )  # fmt: skip
    assert Movement.objects.count() == 4
    with pytest.raises(PermissionDenied):
        services.pool_transfer(
            actor=users["wuxing"], source=Source.WEB, from_pool=wuxing_pool, to_pool=city_pool, amount=D(1),
            reason="x",
        )  # fmt: skip


def test_the_recommendation_is_approved_in_part_and_written_to_the_ledger(asked, city_pool, users):
    red, green = asked
    found = selectors.recommendation(city_pool)
    granted = {g.claim_id: g.amount for g in found.allocation.grants}
    assert granted == {green.pk: D(500), red.pk: D(500)}  # 木业 in full, 童装 the rest (≥ its 400)
    services.allocation_approve(
        actor=users["city_staff"], source=Source.WEB, pool=city_pool, approved={green.pk: D(500)}
    )
    assert selectors.balance(city_pool) == D(500)
    green.refresh_from_db()
    assert green.status == RequestStatus.ALLOCATED and services.allocated_to(green) == D(500)
    with pytest.raises(ValidationError, match=r"应在最低可行量 400\.00 与申请量 600\.00 之间"):
        services.allocation_approve(
            actor=users["city_staff"], source=Source.WEB, pool=city_pool, approved={red.pk: D(300)}
        )
    with pytest.raises(ValidationError, match="不是本池待分配的申请"):
        services.allocation_approve(
            actor=users["city_staff"], source=Source.WEB, pool=city_pool, approved={green.pk: D(500)}
        )
    with pytest.raises(ValidationError, match="不足分配给项目 600"):
        services.allocation_approve(
            actor=users["city_staff"], source=Source.WEB, pool=city_pool, approved={red.pk: D(600)}
        )
    release = services.allocation_release(
        actor=users["city_staff"], source=Source.WEB, request=green, amount=D(200), reason="项目缩减一期"
    )
    assert release.delta == D(200) and services.allocated_to(green) == D(300)
    with pytest.raises(ValidationError, match=r"现有分配 300\.00"):
        services.allocation_release(
            actor=users["city_staff"], source=Source.WEB, request=green, amount=D(301), reason="取消"
        )


def test_an_enterprise_the_rules_exclude_cannot_be_approved(asked, city_pool, users, with_metrics):
    from kuochan.evaluation.models import EvaluationResult
    from kuochan.evaluation.services import evaluation_run

    red, _ = asked
    evaluation_run(actor=None, source=Source.CLI, year=2025)
    EvaluationResult.objects.filter(enterprise=red.project.enterprise, year=2025).update(klass="D")
    with pytest.raises(ValidationError, match="企业亩均评价为 D 类，不予保障，不能分配"):
        services.allocation_approve(
            actor=users["city_staff"], source=Source.WEB, pool=city_pool, approved={red.pk: D(500)}
        )
    assert selectors.balance(city_pool) == D(1000)


def test_requests_keep_to_scope_and_to_pools_above_the_project(
    asked, city_pool, wuxing_pool, pipeline, users
):
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=users["nanxun"], source=Source.WEB, project=pipeline["red"], pool=city_pool, amount=D(1),
            minimum=None, justification="x",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="不覆盖项目所在的南浔区"):
        services.request_create(
            actor=users["city_staff"], source=Source.WEB, project=pipeline["green"], pool=wuxing_pool,
            amount=D(1), minimum=None, justification="x",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="最低可行量应大于 0 且不超过申请量"):
        services.request_create(
            actor=users["wuxing"], source=Source.WEB, project=pipeline["yellow"], pool=wuxing_pool, amount=D(10),
            minimum=D(20), justification="x",
        )  # fmt: skip
    assert {p.pk for p in selectors.pools(actor=users["wuxing"])} == {wuxing_pool.pk}
    assert {r.project.district.name for r in selectors.requests(actor=users["nanxun"])} == {"南浔区"}
    with pytest.raises(PermissionDenied):
        services.allocation_approve(
            actor=users["wuxing"], source=Source.WEB, pool=city_pool, approved={asked[0].pk: D(500)}
        )


@pytest.mark.django_db(transaction=True)
def test_two_allocations_at_the_same_moment_never_overdraw_the_pool(asked, city_pool, users, monkeypatch):
    """600 + 500 > 1000: each alone fits. Reading the balance is slowed down so that, without the lock on
    the pool, both would read 1000 and pass."""
    red, green = asked
    slow = services.balance_of

    def balance_slowly(pool_id):
        found = slow(pool_id)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "balance_of", balance_slowly)
    barrier, outcomes = threading.Barrier(2), {}

    def approve(request, amount):
        barrier.wait()
        try:
            services.allocation_approve(
                actor=users["city_staff"], source=Source.WEB, pool=city_pool, approved={request.pk: amount}
            )
            outcomes[request.pk] = "approved"
        except ValidationError as exc:
            outcomes[request.pk] = exc.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=args) for args in ((red, D(600)), (green, D(500)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values(), key=len)[0] == "approved"
    assert "不足分配给项目" in sorted(outcomes.values(), key=len)[1]
    assert selectors.balance(city_pool) >= 0


def test_an_advance_is_repaid_on_its_schedule_and_lit_when_late(city_pool, wuxing_pool, users):
    today = timezone.localdate()
    schedule = [(today - dt.timedelta(days=40), D(100)), (today + dt.timedelta(days=60), D(100))]
    with pytest.raises(ValidationError, match=r"还款计划合计 150\.00，应等于预支量 200"):
        services.advance_create(
            actor=users["city_staff"], source=Source.WEB, lender=city_pool, borrower=wuxing_pool, amount=D(200),
            schedule=[(today, D(150))], reason="x",
        )  # fmt: skip
    advance = services.advance_create(
        actor=users["city_staff"], source=Source.WEB, lender=city_pool, borrower=wuxing_pool, amount=D(200),
        schedule=schedule, reason="重大项目提前用能",
    )  # fmt: skip
    assert (selectors.balance(city_pool), selectors.balance(wuxing_pool)) == (D(800), D(300))
    (row,) = selectors.advances(actor=users["wuxing"])
    assert row.light.light == "red" and "逾期 40 天" in row.light.reasons[0]
    services.repayment_record(actor=users["wuxing"], source=Source.WEB, advance=advance, amount=D(100))
    (row,) = selectors.advances(actor=users["wuxing"])
    assert (row.light.light, row.repaid) == ("green", D(100))
    with pytest.raises(ValidationError, match=r"尚欠 100\.00吨标准煤，还款 150 超出"):
        services.repayment_record(actor=users["wuxing"], source=Source.WEB, advance=advance, amount=D(150))
    assert selectors.advances(actor=users["nanxun"]) == []


def test_kuochan_allocate_recommends_without_writing(asked, city_pool, capsys):
    call_command("allocate", "--pool", str(city_pool.pk), "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert report["pool"]["balance"] == "1000.00" and report["total"] == "1000.00"
    assert {row["project"]: row["granted"] for row in report["requests"]} == {
        "童装智能工厂技改项目": "500.00",
        "木业新建厂房项目": "500.00",
    }
    assert Movement.objects.count() == 1
    with pytest.raises(CommandError, match="没有编号为 999 的要素池") as refused:
        call_command("allocate", "--pool", "999")
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="不在您的数据范围内"):
        call_command("allocate", "--pool", str(city_pool.pk), "--user", "wuxing")


def test_terminated_projects_neither_ask_nor_get(city_pool, pipeline, users):
    with pytest.raises(ValidationError, match="已终止，不能申请要素"):
        services.request_create(
            actor=users["nanxun"], source=Source.WEB, project=pipeline["terminated"], pool=city_pool, amount=D(10),
            minimum=None, justification="x",
        )  # fmt: skip


def test_requests_are_withdrawn_or_turned_down_and_a_full_release_closes_one(asked, city_pool, users):
    red, green = asked
    with pytest.raises(PermissionDenied):
        services.request_close(actor=users["nanxun"], source=Source.WEB, request=red, status="cancelled")
    services.request_close(actor=users["wuxing"], source=Source.WEB, request=red, status="cancelled")
    with pytest.raises(ValidationError, match="申请当前为“已撤销”"):
        services.request_close(actor=users["city_staff"], source=Source.WEB, request=red, status="rejected")
    assert [r.pk for r in selectors.pending_requests(city_pool)] == [green.pk]
    services.allocation_approve(
        actor=users["city_staff"], source=Source.WEB, pool=city_pool, approved={green.pk: D(500)}
    )
    services.allocation_release(
        actor=users["city_staff"], source=Source.WEB, request=green, amount=D(500), reason="项目取消"
    )
    green.refresh_from_db()
    assert green.status == RequestStatus.CANCELLED and selectors.balance(city_pool) == D(1000)


def test_odd_ids_and_numbers_in_forms_get_a_message_not_an_error_page(city_pool, users, login):
    client = login(users["city_staff"])
    for data in ({"action": "transfer", "to_pool": "²", "amount": "1"}, {"action": "approve", "pick": ["²", "x"]},
                 {"action": "advance", "borrower": "999999", "amount": "Infinity"}):  # fmt: skip
        page = client.post(f"/resources/pools/{city_pool.pk}/", data, follow=True)
        assert page.status_code == 200 and 'class="alert alert-danger"' in page.content.decode()
    assert client.get("/resources/", {"year": "²"}).status_code == 200
    assert client.get("/resources/requests/", {"project": "²"}).status_code == 200
