import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kuochan.audit.models import AuditEntry, Source
from kuochan.digital.models import DigitalTask
from kuochan.digital.selectors import lists_report, three_lists
from kuochan.digital.services import level_set, task_save, task_status_set
from kuochan.registry.models import Enterprise
from tests.conftest import TODAY

YEAR = TODAY.year


@pytest.fixture
def tasks(pipeline, users):
    """The year's lists: 童装 (吴兴) with its project, wuxing responsible, 改造中; 新材料 (吴兴) with an outside
    person, 已完成; 木业 (南浔) with nanxun responsible, 待改造."""
    tongzhuang, xincailiao, muye = (pipeline[k].enterprise for k in ("red", "yellow", "green"))
    actor = users["city_staff"]
    return {
        "tongzhuang": task_save(
            actor=actor, source=Source.WEB, enterprise=tongzhuang, year=YEAR, target_level="2.0",
            responsible=users["wuxing"], status="underway", projects=[pipeline["red"]],
        ),
        "xincailiao": task_save(
            actor=actor, source=Source.WEB, enterprise=xincailiao, year=YEAR, target_level="1.0",
            responsible_name="王工", responsible_phone="13900000000", status="done",
        ),
        "muye": task_save(
            actor=actor, source=Source.WEB, enterprise=muye, year=YEAR, target_level="2.0",
            responsible=users["nanxun"], projects=[pipeline["green"]],
        ),
    }  # fmt: skip


def test_three_lists_give_enterprises_projects_and_people(tasks, users, pipeline):
    lists = three_lists(actor=users["city_staff"], year=YEAR, today=TODAY)
    # most urgent first: 待改造, then 改造中, then 已完成
    assert [t.enterprise.name for t in lists.tasks] == [
        "南浔木业有限公司",
        "湖州织里童装有限公司",
        "湖州吴兴新材料有限公司",
    ]
    report = lists_report(lists)
    projects = {p["code"]: p for p in report["projects"]}
    assert set(projects) == {pipeline["red"].code, pipeline["green"].code}
    assert projects[pipeline["green"].code]["total_wan"] == "300.00"
    assert projects[pipeline["green"].code]["state"].startswith("已开工")
    people = {p["name"]: p for p in report["responsible"]}
    assert people["王工"] == {"name": "王工", "phone": "13900000000", "username": "", "tasks": 1, "done": 1}
    assert people["wuxing"]["tasks"] == 1 and people["wuxing"]["done"] == 0


def test_district_staff_see_only_their_district_tasks(tasks, users):
    lists = three_lists(actor=users["nanxun"], year=YEAR, today=TODAY)
    assert [t.enterprise.name for t in lists.tasks] == ["南浔木业有限公司"]


def test_filters_by_status_and_responsible(tasks, users):
    assert [
        t.pk for t in three_lists(actor=users["city_staff"], year=YEAR, today=TODAY, status="done").tasks
    ] == [tasks["xincailiao"].pk]
    found = three_lists(actor=users["city_staff"], year=YEAR, today=TODAY, responsible="nanxun").tasks
    assert [t.pk for t in found] == [tasks["muye"].pk]


def test_a_project_of_another_enterprise_is_refused(tasks, users, pipeline):
    with pytest.raises(ValidationError) as refused:
        task_save(
            actor=users["city_staff"], source=Source.WEB, enterprise=pipeline["red"].enterprise, year=YEAR + 1,
            target_level="2.0", responsible=users["wuxing"], projects=[pipeline["yellow"]],
        )  # fmt: skip
    assert "不是湖州织里童装有限公司的项目" in refused.value.message_dict["projects"][0]
    assert not DigitalTask.objects.filter(year=YEAR + 1).exists()


def test_a_responsible_user_outside_the_district_is_refused(tasks, users, pipeline):
    with pytest.raises(ValidationError) as refused:
        task_save(
            actor=users["city_staff"], source=Source.WEB, enterprise=pipeline["red"].enterprise, year=YEAR + 1,
            target_level="2.0", responsible=users["nanxun"],
        )  # fmt: skip
    assert "吴兴区" in refused.value.message_dict["responsible"][0]


def test_a_second_task_for_the_same_enterprise_and_year_is_refused(tasks, users, pipeline):
    with pytest.raises(ValidationError) as refused:
        task_save(
            actor=users["city_staff"], source=Source.WEB, enterprise=pipeline["red"].enterprise, year=YEAR,
            target_level="1.0", responsible=users["wuxing"],
        )  # fmt: skip
    assert "已在" in refused.value.message_dict["year"][0]


def test_district_staff_cannot_touch_another_district(tasks, users):
    with pytest.raises(PermissionDenied):
        task_status_set(actor=users["wuxing"], source=Source.WEB, task=tasks["muye"], status="done")
    with pytest.raises(PermissionDenied):
        level_set(
            actor=users["wuxing"], source=Source.WEB, enterprise=Enterprise.objects.get(name="南浔木业有限公司"),
            level="1.0", assessed_on=TODAY,
        )  # fmt: skip


def test_status_change_is_audited(tasks, users):
    task_status_set(actor=users["wuxing"], source=Source.WEB, task=tasks["tongzhuang"], status="done")
    entry = AuditEntry.objects.filter(object_id=str(tasks["tongzhuang"].pk)).order_by("-id").first()
    assert entry.changes == {"status": ["underway", "done"]} and entry.actor == users["wuxing"]


def test_leaders_and_enterprises_cannot_edit(tasks, users, enterprise_user):
    for actor in (users["leader"], enterprise_user):
        with pytest.raises(PermissionDenied):
            task_status_set(actor=actor, source=Source.WEB, task=tasks["tongzhuang"], status="done")


def test_the_three_lists_read_in_two_queries(tasks, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        lists_report(three_lists(actor=users["city_staff"], year=YEAR, today=TODAY))
