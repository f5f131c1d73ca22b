import pytest

from kuochan.audit.models import Source
from kuochan.digital.models import DigitalLevel, DigitalTask
from kuochan.digital.services import level_set, task_save
from kuochan.registry.models import Honour, HonourKind
from tests.conftest import TODAY
from tests.xlsx import exported_rows

YEAR = TODAY.year


@pytest.fixture
def listed(pipeline, users):
    red, green = pipeline["red"], pipeline["green"]
    actor = users["city_staff"]
    level_set(
        actor=actor,
        source=Source.WEB,
        enterprise=red.enterprise,
        level="1.0",
        assessed_on=TODAY.replace(month=1, day=1),
    )
    return {
        "red": task_save(
            actor=actor, source=Source.WEB, enterprise=red.enterprise, year=YEAR, target_level="2.0",
            responsible=users["wuxing"], projects=[red],
        ),
        "green": task_save(
            actor=actor, source=Source.WEB, enterprise=green.enterprise, year=YEAR, target_level="2.0",
            responsible_name="赵工", responsible_phone="13700000000", status="underway",
        ),
    }  # fmt: skip


def test_overview_shows_coverage_and_exports_it(listed, users, login):
    client = login(users["city_staff"])
    page = client.get("/digital/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1.0 覆盖 1 / 2 家，50.00%" in text  # 童装 at 1.0; 木业 above scale, not assessed
    response = client.get("/digital/", {"export": "district"})
    rows = exported_rows(response)
    header = rows.index(next(r for r in rows if r[0] == "分组"))
    body = {row[0]: row for row in rows[header + 1 :] if row[0]}
    assert body["吴兴区"][1:4] == [1, 1, 100.0]
    assert list(body["合计"][1:6]) == [2, 1, 50.0, 0, 0.0]


def test_task_list_is_most_urgent_first_and_exports_three_lists(listed, users, login):
    client = login(users["city_staff"])
    page = client.get("/digital/tasks/")
    text = page.content.decode()
    assert text.index("湖州织里童装有限公司") < text.index("南浔木业有限公司")  # 待改造 before 改造中
    response = client.get("/digital/tasks/", {"export": "xlsx"})
    flat = [cell for row in exported_rows(response) for cell in row if cell not in (None, "")]
    assert (
        "项目清单" in flat
        and "责任人清单" in flat
        and "赵工" in flat
        and listed["red"].projects.get().code in flat
    )


def test_clerk_updates_a_status_as_the_browser_posts(listed, users, login):
    client = login(users["wuxing"])
    response = client.post(
        f"/digital/tasks/{listed['red'].pk}/status/",
        {"status": "done", "next": "/digital/tasks/?status=pending"},
    )
    assert response.status_code == 302 and response["Location"] == "/digital/tasks/?status=pending"
    listed["red"].refresh_from_db()
    assert listed["red"].status == "done"


def test_odd_status_is_a_message_not_an_error(listed, users, login):
    client = login(users["wuxing"])
    response = client.post(f"/digital/tasks/{listed['red'].pk}/status/", {"status": "finished"}, follow=True)
    assert response.status_code == 200 and "状态" in response.content.decode()
    listed["red"].refresh_from_db()
    assert listed["red"].status == "pending"


def test_another_districts_task_is_not_found(listed, users, login):
    client = login(users["wuxing"])
    assert client.post(f"/digital/tasks/{listed['green'].pk}/status/", {"status": "done"}).status_code == 404
    assert client.get(f"/digital/tasks/{listed['green'].pk}/edit/").status_code == 404
    assert "南浔木业有限公司" not in client.get("/digital/tasks/").content.decode()


def test_task_form_refuses_a_duplicate_with_a_message(listed, users, login, pipeline):
    client = login(users["city_staff"])
    response = client.post(
        "/digital/tasks/new/",
        {"enterprise": pipeline["red"].enterprise.uscc, "year": YEAR, "target_level": "2.0", "status": "pending",
         "responsible_name": "钱工"},
    )  # fmt: skip
    assert response.status_code == 200 and "已在" in response.content.decode()
    assert DigitalTask.objects.count() == 2


def test_task_form_adds_one_with_an_outside_person(listed, users, login, pipeline):
    client = login(users["wuxing"])
    response = client.post(
        "/digital/tasks/new/",
        {"enterprise": pipeline["yellow"].enterprise.name, "year": YEAR, "target_level": "1.0", "status": "pending",
         "responsible_name": "孙工", "responsible_phone": "13600000000", "projects": [pipeline["yellow"].pk]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    task = DigitalTask.objects.get(enterprise=pipeline["yellow"].enterprise)
    assert task.responsible_name == "孙工" and list(task.projects.all()) == [pipeline["yellow"]]


def test_level_form_and_profile_section(listed, users, login, pipeline):
    green = pipeline["green"].enterprise
    Honour.objects.create(
        enterprise=green, kind=HonourKind.ZJ_DIGITAL_WORKSHOP, year_granted=YEAR - 1,
        granted_on=TODAY.replace(year=YEAR - 1, month=3, day=15), document_number="浙经信〔2025〕1号",
    )  # fmt: skip
    client = login(users["nanxun"])
    response = client.post(
        "/digital/levels/new/",
        {"enterprise": green.uscc, "level": "2.0", "assessed_on": TODAY.isoformat(), "source": "区县核定"},
    )
    assert response.status_code == 302 and DigitalLevel.objects.get(enterprise=green).level == "2.0"
    profile = client.get(green.get_absolute_url()).content.decode()
    assert "现为 2.0" in profile and "省级数字化车间" in profile and "浙经信〔2025〕1号" in profile
    assert f"{YEAR - 1}-03-15" in profile


def test_level_form_with_a_bad_date_says_so(users, login, registered):
    client = login(users["city_staff"])
    response = client.post(
        "/digital/levels/new/", {"enterprise": registered[0], "level": "1.0", "assessed_on": "明天"}
    )
    assert response.status_code == 200 and "评定日期" in response.content.decode()
    assert not DigitalLevel.objects.exists()


def test_enterprise_users_cannot_open_the_workbench(users, login, enterprise_user):
    client = login(enterprise_user)
    assert client.get("/digital/").status_code == 403
    assert client.get("/digital/tasks/").status_code == 403


def test_another_citys_staff_find_nothing(listed, two_cities, login):
    client = login(two_cities["b_staff"])
    assert client.get(f"/digital/tasks/{listed['red'].pk}/edit/").status_code == 404
    assert client.post(f"/digital/tasks/{listed['red'].pk}/remove/").status_code == 404
    assert "湖州织里童装有限公司" not in client.get("/digital/tasks/").content.decode()


def test_a_project_of_another_enterprise_posted_is_a_message(listed, users, login, pipeline):
    client = login(users["city_staff"])
    response = client.post(
        f"/digital/tasks/{listed['red'].pk}/edit/",
        {"enterprise": pipeline["red"].enterprise.uscc, "year": YEAR, "target_level": "2.0", "status": "pending",
         "responsible": users["wuxing"].pk, "projects": [pipeline["yellow"].pk]},
    )  # fmt: skip
    assert response.status_code == 200 and "改造项目" in response.content.decode()
    assert list(listed["red"].projects.all()) == [pipeline["red"]]


def test_a_level_recorded_in_error_is_removed_from_the_profile(listed, users, login, pipeline):
    level = DigitalLevel.objects.get(enterprise=pipeline["red"].enterprise)
    assert login(users["nanxun"]).post(f"/digital/levels/{level.pk}/remove/").status_code == 404
    response = login(users["wuxing"]).post(f"/digital/levels/{level.pk}/remove/")
    assert response.status_code == 302 and not DigitalLevel.objects.filter(pk=level.pk).exists()
