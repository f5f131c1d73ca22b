"""督办: the plan's measures ship as data, tasks and meetings' decisions get lights from their deadlines and
monthly reports, and only the right people report on them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kuochan.audit.models import Source
from kuochan.cockpit.models import Measure, SupervisedTask
from kuochan.cockpit.rules import TaskFacts, report_due, supervision_light
from kuochan.cockpit.selectors import supervision_board
from kuochan.cockpit.services import Decision, meeting_record, task_create, task_done, task_report
from tests.outreach.conftest import at


def facts(reported=(), done_on=None, deadline=dt.date(2026, 9, 30)):
    return TaskFacts(dt.date(2026, 3, 10), deadline, done_on, 5, frozenset(reported))


def test_reports_are_due_by_the_report_day_of_the_next_month():
    assert report_due(dt.date(2026, 3, 1), 5) == dt.date(2026, 4, 5)
    assert report_due(dt.date(2026, 1, 1), 31) == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("as_of", "reported", "light", "reasons"),
    [
        (dt.date(2026, 4, 5), (), "green", ("完成期限 2026-09-30，进展按时报送",)),
        (dt.date(2026, 4, 6), (), "yellow", ("2026年3月进展未报送（每月 5 日前报送上月进展）",)),
        (
            dt.date(2026, 5, 6),
            (dt.date(2026, 3, 1),),
            "yellow",
            ("2026年4月进展未报送（每月 5 日前报送上月进展）",),
        ),
        (dt.date(2026, 5, 6), (), "red", ("2026年3月、2026年4月进展未报送（每月 5 日前报送上月进展）",)),
    ],
)
def test_missing_monthly_reports_turn_a_task_yellow_then_red(as_of, reported, light, reasons):
    assert supervision_light(facts(reported), as_of=as_of) == (light, reasons)


def test_deadlines_light_a_task_and_done_tasks_have_none():
    months = {dt.date(2026, m, 1) for m in range(3, 9)}
    assert supervision_light(facts(months), as_of=dt.date(2026, 9, 23)) == (
        "yellow",
        ("完成期限 2026-09-30，还有 7 天",),
    )
    assert supervision_light(facts(months | {dt.date(2026, 9, 1)}), as_of=dt.date(2026, 10, 2)) == (
        "red", ("完成期限 2026-09-30，已逾期 2 天",),
    )  # fmt: skip
    assert supervision_light(facts(done_on=dt.date(2026, 9, 1)), as_of=dt.date(2026, 12, 1)) == (
        "none",
        ("已于 2026-09-01 完成",),
    )


def test_the_plans_eight_measures_and_four_key_tasks_ship_with_their_departments(huzhou):
    assert (
        Measure.objects.filter(kind="measure").count() == 8
        and Measure.objects.filter(kind="task").count() == 4
    )
    land = Measure.objects.get(code="measure-7")
    assert (land.title, land.lead) == ("深化资源要素保障", "市人力社保局")
    assert land.co_responsible[:4] == ["市经信局", "市资规局", "市发展改革委", "市生态环境局"]


def test_tasks_are_given_by_city_staff_and_reported_on_by_their_contact(huzhou, users):
    measure = Measure.objects.get(code="measure-2")
    decision = Decision("梳理亿元以上项目审批堵点", "市发展改革委", users["wuxing"], dt.date(2026, 9, 30))
    with pytest.raises(PermissionDenied):
        task_create(actor=users["wuxing"], source=Source.WEB, decision=decision, measure=measure)
    with at("2026-03-10"):
        task = task_create(actor=users["city_staff"], source=Source.WEB, decision=decision, measure=measure)
    with at("2026-04-03"):
        with pytest.raises(PermissionDenied):
            task_report(
                actor=users["nanxun"],
                source=Source.WEB,
                task=task,
                month=dt.date(2026, 3, 1),
                text="x",
                percent=10,
            )
        with pytest.raises(ValidationError, match="完成进度应为 0 到 100 的整数"):
            task_report(
                actor=users["wuxing"],
                source=Source.WEB,
                task=task,
                month=dt.date(2026, 3, 1),
                text="x",
                percent=120,
            )
        task_report(
            actor=users["wuxing"],
            source=Source.WEB,
            task=task,
            month=dt.date(2026, 3, 1),
            text="已摸排 12 个",
            percent=20,
        )
        task_report(
            actor=users["wuxing"],
            source=Source.WEB,
            task=task,
            month=dt.date(2026, 3, 1),
            text="已摸排 14 个",
            percent=25,
        )
    assert [(r.text, r.percent) for r in task.reports.all()] == [("已摸排 14 个", 25)]
    [row] = supervision_board(actor=None, as_of=dt.date(2026, 5, 7))
    assert (row.light, row.reasons, row.last.percent) == (
        "yellow",
        ("2026年4月进展未报送（每月 5 日前报送上月进展）",),
        25,
    )
    with at("2026-05-08"):
        task_done(actor=users["wuxing"], source=Source.WEB, task=task)
    assert supervision_board(actor=None, as_of=dt.date(2026, 5, 8))[0].light == "none"


def test_a_meetings_decisions_become_tasks_all_or_nothing(huzhou, users):
    good = Decision("协调南浔区用地指标", "市资规局", users["nanxun"], dt.date(2026, 7, 31))
    bad = Decision("", "", users["enterprise"], dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as refused:
        meeting_record(
            actor=users["city_staff"], source=Source.WEB, date=dt.date(2026, 6, 5), title="6 月工作例会", notes="",
            decisions=[good, bad],
        )  # fmt: skip
    assert refused.value.messages[:2] == [
        "第 2 项议定事项：请写明督办事项。",
        "第 2 项议定事项：请写明责任单位。",
    ]
    assert SupervisedTask.objects.count() == 0
    meeting = meeting_record(
        actor=users["city_staff"], source=Source.WEB, date=dt.date(2026, 6, 5), title="6 月工作例会", notes="议定 1 项",
        decisions=[good],
    )  # fmt: skip
    task = meeting.tasks.get()
    assert (task.title, task.starts_on, task.owner) == (
        "协调南浔区用地指标",
        dt.date(2026, 6, 5),
        users["nanxun"],
    )


def test_supervision_pages_list_tasks_with_lights_and_take_reports(huzhou, users, login):
    client = login(users["city_staff"])
    measure = Measure.objects.get(code="measure-1")
    client.post(
        "/cockpit/supervision/new/",
        {"measure": measure.pk, "title": "建立重点企业跟踪评价", "department": "市经信局", "owner": users["wuxing"].pk,
         "deadline": "2030-12-31", "report_day": "5"},
    )  # fmt: skip
    task = SupervisedTask.objects.get()
    page = client.get("/cockpit/supervision/").content.decode()
    assert "建立重点企业跟踪评价" in page and "实施分类精准引导" in page and "牵头：市经信局" in page
    month = f"{timezone.localdate():%Y-%m}"
    login(users["wuxing"]).post(
        f"/cockpit/supervision/{task.pk}/", {"month": month, "percent": "30", "text": "已建立名单"}
    )
    assert task.reports.get().percent == 30
    assert login(users["enterprise"]).get("/cockpit/supervision/").status_code == 403
