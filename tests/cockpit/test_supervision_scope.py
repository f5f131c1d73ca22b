"""Supervised tasks and meetings are read within scope like everything else: a task belongs to its unit's
subtree, a meeting to its unit, unless city staff mark it shared. Across two districts, on the pages and
through the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.cockpit.models import SupervisedTask
from kuochan.cockpit.services import Decision, meeting_record, task_create, task_report

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DEADLINE = TODAY + dt.timedelta(days=60)
API = "/api/v1/cockpit"


@pytest.fixture
def tasks(users):
    """One task of each district, one of the city shared with every district, and a meeting of the city with
    a decision for 吴兴区."""
    city = users["city_staff"]
    wuxing = task_create(
        actor=city, source=Source.WEB, decision=Decision("吴兴童装园区扩产督办", "吴兴区经信局", users["wuxing"], DEADLINE)
    )  # fmt: skip
    nanxun = task_create(
        actor=city, source=Source.WEB, decision=Decision("南浔木业搬迁督办", "南浔区经信局", users["nanxun"], DEADLINE)
    )  # fmt: skip
    shared = task_create(
        actor=city, source=Source.WEB, decision=Decision("全市技改政策宣讲", "市经信局", city, DEADLINE), shared=True
    )  # fmt: skip
    meeting = meeting_record(
        actor=city, source=Source.WEB, date=TODAY, title="市级闭门协调会", notes="讨论南浔区某企业外迁风险",
        decisions=[Decision("协调吴兴区用能指标", "市发展改革委", users["wuxing"], DEADLINE)],
    )  # fmt: skip
    return {"wuxing": wuxing, "nanxun": nanxun, "shared": shared, "meeting": meeting}


def test_a_task_belongs_to_its_contacts_unit_by_default(tasks, huzhou):
    assert tasks["wuxing"].unit == huzhou["330502"] and tasks["nanxun"].unit == huzhou["330503"]
    assert tasks["meeting"].unit == huzhou["330500"]


def test_district_staff_see_their_own_and_shared_tasks_only_on_the_page(tasks, users, login):
    page = login(users["nanxun"]).get("/cockpit/supervision/").content.decode()
    assert "南浔木业搬迁督办" in page and "全市技改政策宣讲" in page
    assert "吴兴童装园区扩产督办" not in page and "协调吴兴区用能指标" not in page
    export = login(users["nanxun"]).get("/cockpit/supervision/", {"export": "xlsx"})
    assert export.status_code == 200
    city = login(users["city_staff"]).get("/cockpit/supervision/").content.decode()
    assert all(t in city for t in ("南浔木业搬迁督办", "吴兴童装园区扩产督办", "全市技改政策宣讲"))


def test_district_staff_cannot_open_another_districts_task(tasks, users, login):
    client = login(users["nanxun"])
    assert client.get(f"/cockpit/supervision/{tasks['wuxing'].pk}/").status_code == 404
    assert client.get(f"/cockpit/supervision/{tasks['shared'].pk}/").status_code == 200
    assert client.get(f"{API}/tasks/{tasks['wuxing'].pk}").status_code == 404
    titles = {t["title"] for t in client.get(f"{API}/tasks").json()["items"]}
    assert titles == {"南浔木业搬迁督办", "全市技改政策宣讲"}


def test_meetings_are_their_units_unless_shared(tasks, users, login):
    client = login(users["nanxun"])
    assert "市级闭门协调会" not in client.get("/cockpit/meetings/").content.decode()
    assert client.get(f"{API}/meetings").json()["items"] == []
    wuxing = login(users["wuxing"]).get("/cockpit/meetings/").content.decode()
    assert "市级闭门协调会" not in wuxing  # its decision is 吴兴's, the meeting is the city's
    assert "协调吴兴区用能指标" in login(users["wuxing"]).get("/cockpit/supervision/").content.decode()


def test_a_meeting_city_staff_share_reaches_every_district_with_its_decisions(users, login):
    city = login(users["city_staff"])
    response = city.post(
        "/cockpit/meetings/",
        {"date": TODAY.isoformat(), "title": "全市增资扩产推进会", "shared": "1", "d1_title": "各区县梳理亿元项目",
         "d1_department": "市经信局", "d1_deadline": DEADLINE.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    page = login(users["nanxun"]).get("/cockpit/meetings/").content.decode()
    assert "全市增资扩产推进会" in page and "各区县梳理亿元项目" in page
    [meeting] = login(users["nanxun"]).get(f"{API}/meetings").json()["items"]
    assert meeting["shared"] and [t["title"] for t in meeting["tasks"]] == ["各区县梳理亿元项目"]


def test_shared_is_set_on_the_form_and_through_the_api(users, login, huzhou):
    city = login(users["city_staff"])
    city.post(
        "/cockpit/supervision/new/",
        {
            "title": "全市用地指标统筹",
            "department": "市资规局",
            "deadline": DEADLINE.isoformat(),
            "shared": "1",
        },
    )
    assert SupervisedTask.objects.get(title="全市用地指标统筹").shared
    made = city.post(
        f"{API}/tasks",
        {"title": "吴兴专项督办", "department": "吴兴区经信局", "owner": "city", "deadline": DEADLINE.isoformat(),
         "unit": huzhou["330502"].pk},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201 and (made.json()["unit"], made.json()["shared"]) == ("吴兴区", False)
    assert "吴兴专项督办" not in login(users["nanxun"]).get("/cockpit/supervision/").content.decode()


def test_services_refuse_an_out_of_scope_task_or_a_contact_who_cannot_see_it(tasks, users, huzhou):
    with pytest.raises(PermissionDenied):
        task_report(
            actor=users["nanxun"], source=Source.WEB, task=tasks["wuxing"], month=TODAY.replace(day=1), text="x",
            percent=10,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="所属单位应为联络人所在单位或其下属单位"):
        task_create(
            actor=users["city_staff"], source=Source.WEB,
            decision=Decision("错配", "南浔区经信局", users["wuxing"], DEADLINE, huzhou["330503"]),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/cockpit/", {"month": "²"}),
        ("/cockpit/", {"month": "2026-13"}),
        ("/cockpit/", {"month": "9" * 25}),
        ("/cockpit/", {"screen": "foo"}),
        ("/cockpit/supervision/", {"as_of": "2026-02-30"}),
        ("/cockpit/supervision/", {"light": "foo"}),
        ("/cockpit/supervision/", {"export": "pdf"}),
    ],
)
def test_odd_query_values_show_the_page_with_a_chinese_message(users, login, huzhou, url, query):
    response = login(users["city_staff"]).get(url, query)
    assert response.status_code == 200
    assert "已忽略" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/cockpit/reports/", {"month": "²"}, "月份应为 YYYY-MM"),
        ("/cockpit/reports/", {"month": ""}, "请选择月份"),
        ("/cockpit/reports/", {"action": "publish", "report": "9" * 25}, "没有该月度通报"),
        ("/cockpit/reports/", {"action": "generate", "month": "2026-13"}, "月份应为 YYYY-MM"),
        ("/cockpit/reports/", {"action": "foo"}, "有效"),
        ("/cockpit/cycle/", {"action": "settings", "day": "²"}, "每月运行日"),
        ("/cockpit/cycle/", {"action": "settings", "day": "9" * 25}, "每月运行日"),
        ("/cockpit/cycle/", {"action": "run", "month": "2026-99"}, "月份应为 YYYY-MM"),
        (
            "/cockpit/supervision/new/",
            {"title": "x", "department": "y", "deadline": "2026-02-30"},
            "完成期限",
        ),
        ("/cockpit/supervision/new/", {"title": "x", "department": "y", "owner": "9" * 25}, "联络人"),
        ("/cockpit/supervision/new/", {"title": "x", "measure": "²", "deadline": "2030-01-01"}, "所属举措"),
        (
            "/cockpit/supervision/new/",
            {"title": "x", "report_day": "²", "deadline": "2030-01-01"},
            "每月报送日",
        ),
        (
            "/cockpit/meetings/",
            {"title": "会", "d1_title": "x", "d1_owner": "²", "d1_deadline": "2030-01-01"},
            "联络人",
        ),
        ("/cockpit/meetings/", {"title": "会", "date": "²", "d1_title": "x"}, "会议日期"),
    ],
)
def test_odd_form_values_give_a_chinese_message_not_a_server_error(users, login, huzhou, url, data, message):
    response = login(users["city_admin"]).post(url, data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize("data", [{"percent": "²", "month": "2026-01"}, {"percent": "9" * 25, "month": "x"}])
def test_odd_progress_reports_give_a_chinese_message(tasks, users, login, data):
    response = login(users["wuxing"]).post(
        f"/cockpit/supervision/{tasks['wuxing'].pk}/", {"text": "进展", **data}, follow=True
    )
    assert response.status_code == 200 and (
        "完成进度" in response.content.decode() or "月份" in response.content.decode()
    )


def test_a_huge_id_in_the_path_is_not_found_not_a_server_error(users, login, huzhou):
    client = login(users["city_staff"])
    assert client.get(f"/cockpit/reports/{'9' * 25}/xlsx/").status_code == 404
    assert client.get(f"/cockpit/supervision/{'9' * 25}/").status_code == 404
