"""申报批次 pages, posted as a browser posts them: the city opens a round, a district nominates, the city
reviews, uploads the result list (checked and applied by the worker) and closes; odd input gives a message."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kuochan.cultivation.models import Entry, EntryStatus, Round, Title
from kuochan.imports.models import ImportUpload
from kuochan.registry.models import Honour
from tests.cultivation.round_setup import NOMINATION, NUMBER, PUBLISHED, YEAR, make_smart_round
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def smart_round(users, huzhou):
    return make_smart_round(huzhou)


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=TZ), tick=False)


def texts(response):
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_city_opens_a_round_and_odd_dates_give_a_message(users, login):
    client = login(users["city_staff"])
    giant = Title.objects.get(code="little_giant")
    url = reverse("cultivation:rounds")
    body = {"title": giant.pk, "year": YEAR, "opens_on": f"{YEAR}-04-01", "nomination_deadline": f"{YEAR}-03-01",
            "review_deadline": f"{YEAR}-05-01", "notice": "通知"}  # fmt: skip
    page = client.post(url, body, follow=True)
    assert page.status_code == 200 and "早于启动日期" in texts(page) and not Round.objects.exists()
    page = client.post(url, {**body, "opens_on": "2026-13-45"}, follow=True)
    assert "启动日期：应为日期" in texts(page)
    page = client.post(url, {**body, "nomination_deadline": f"{YEAR}-04-20"}, follow=True)
    made = Round.objects.get()
    assert page.redirect_chain[-1][0] == reverse("cultivation:round", args=[made.pk])
    listing = client.get(url, {"year": YEAR})
    assert "专精特新“小巨人”企业" in listing.content.decode() and listing.status_code == 200


def test_a_district_cannot_open_rounds(users, login):
    client = login(users["wuxing"])
    body = {"title": Title.objects.get(code="little_giant").pk, "year": YEAR, "opens_on": f"{YEAR}-03-01",
            "nomination_deadline": f"{YEAR}-04-01", "review_deadline": f"{YEAR}-05-01"}  # fmt: skip
    page = client.post(reverse("cultivation:rounds"), body, follow=True)
    assert "市级工作人员" in texts(page) and not Round.objects.exists()


def test_the_round_through_its_page(smart_round, users, login, client, tmp_path, run_jobs):
    r = smart_round
    url = reverse("cultivation:round", args=[r["round"].pk])
    entries = r["entries"]
    with at(NOMINATION):
        wuxing = login(users["wuxing"])
        page = wuxing.get(url)
        body = page.content.decode()
        assert (
            'data-testid="nominate"' in body and r["companies"]["丁"].name not in body
        )  # 南浔's is not shown
        page = wuxing.post(
            url, {"action": "nominate", "entries": [entries["甲"].pk, entries["乙"].pk]}, follow=True
        )
        assert "已推荐 2 家企业申报" in texts(page)
        page = wuxing.post(url, {"action": "nominate", "entries": [entries["丁"].pk]}, follow=True)
        assert "所选企业不在可选范围内" in texts(page) and entries["丁"].status == EntryStatus.ENTERED
        page = wuxing.post(url, {"action": "nominate", "entries": ["²"]}, follow=True)
        assert page.status_code == 200 and "所选企业不在可选范围内" in texts(page)
    with at(NOMINATION + dt.timedelta(days=1)):
        wuxing = login(users["wuxing"])  # a day later the session has ended
        assert 'data-testid="nominate"' not in wuxing.get(url).content.decode()
        page = wuxing.post(url, {"action": "nominate", "entries": [entries["丙"].pk]}, follow=True)
        assert texts(page) == f"区县推荐已于 {NOMINATION} 截止，不能再推荐。"
        assert Entry.objects.get(pk=entries["丙"].pk).status == EntryStatus.ENTERED
    with at(dt.date(YEAR, 6, 10)):
        city = login(users["city_staff"])
        page = city.post(
            url, {"action": "review", "entries": [entries["乙"].pk], "decision": "reject"}, follow=True
        )
        assert "不予推荐须写明理由" in texts(page)
        page = city.post(
            url,
            {"action": "review", "entries": [entries["甲"].pk, entries["乙"].pk], "decision": "recommend"},
            follow=True,
        )
        assert "已推荐 2 家企业" in texts(page)
        path = write_xlsx(
            tmp_path / "名单.xlsx", [["统一社会信用代码", "结果"], [r["companies"]["甲"].uscc, "认定"]]
        )
        with path.open("rb") as file:
            page = city.post(reverse("cultivation:round-results", args=[r["round"].pk]),
                             {"file": file, "document_number": NUMBER, "published_on": str(PUBLISHED)})  # fmt: skip
        assert page.status_code == 302
        run_jobs()
        upload = ImportUpload.objects.get(kind="title-results")
        assert upload.preview["created"] == 1 and not upload.preview["errors"], upload.preview
        city.post(reverse("imports:apply", args=[upload.pk]))
        run_jobs()
        honour = Honour.objects.get(enterprise=r["companies"]["甲"], year_granted=YEAR)
        assert (honour.document_number, honour.granted_on) == (NUMBER, PUBLISHED)
        page = city.post(url, {"action": "close"}, follow=True)
        assert "1 家推荐企业未列入认定名单" in texts(page)
        body = page.content.decode()
        assert 'data-testid="results"' in body and NUMBER in body
        assert Entry.objects.get(pk=entries["乙"].pk).status == EntryStatus.REJECTED


def test_odd_posts_give_a_message(smart_round, users, login, tmp_path):
    r = smart_round
    url = reverse("cultivation:round", args=[r["round"].pk])
    city = login(users["city_staff"])
    for body in (
        {"action": "²"},
        {"action": "update", "opens_on": "foo"},
        {"action": "review", "decision": "x"},
    ):
        page = city.post(url, body, follow=True)
        assert page.status_code == 200 and texts(page)
    upload = reverse("cultivation:round-results", args=[r["round"].pk])
    page = city.post(upload, {"document_number": NUMBER, "published_on": "2026-99-99"}, follow=True)
    assert "请选择要上传的 Excel 文件" in texts(page) and "发文日期" in texts(page)
    page = login(users["wuxing"]).post(upload, {"document_number": NUMBER}, follow=True)
    assert "市级工作人员导入" in texts(page)


def test_a_round_of_another_city_is_not_found_and_enterprises_see_no_rounds(
    smart_round, users, login, two_cities
):
    url = reverse("cultivation:round", args=[smart_round["round"].pk])
    assert login(two_cities["b_staff"]).get(url).status_code == 404
    assert login(users["enterprise"]).get(reverse("cultivation:rounds")).status_code == 403
    assert login(users["leader"]).get(url).status_code == 200


def test_the_forecast_on_the_rounds_page_and_beside_the_plan(smart_round, users, login):
    city = login(users["city_staff"])
    rounds = city.get(reverse("cultivation:rounds")).content.decode()
    assert 'data-testid="forecast"' in rounds
    assert (
        "已认定 1 家，推荐 0 家、申报 0 家，按全部通过可达 1 家，本年度未设目标" in rounds
    )  # smart factories: 庚
    assert "candidates=1" in rounds and "未计算" in rounds  # the criteria of every title: only when asked
    computed = city.get(reverse("cultivation:rounds"), {"candidates": "1"})
    assert computed.status_code == 200 and "candidates=1" not in computed.content.decode()
    plan = city.get(reverse("targets:plan")).content.decode()
    assert "已认定 0 家，推荐 0 家、申报 0 家，按全部通过可达 0 家，年度目标 160 家，差 160 家" in plan
    assert (
        'data-testid="forecast"'
        not in login(users["enterprise"]).get(reverse("targets:plan")).content.decode()
    )
