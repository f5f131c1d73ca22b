"""The reads behind the light board and the three lists: only what was known on as_of, only in the
actor's scope."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.projects.models import Progress, Project, YearPlan
from kuochan.projects.rules import Light
from kuochan.projects.selectors import project_board, project_facts, project_lists
from kuochan.registry.models import AnnualMetric, Enterprise
from tests.conftest import ENTERPRISE_HEADER
from tests.xlsx import uscc, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprises(registered, tmp_path, run_cli):
    """The three registered enterprises (织里童装 and 南浔木业 above-scale) and two more below-scale ones."""
    path = write_xlsx(
        tmp_path / "more.xlsx",
        [[*ENTERPRISE_HEADER[:3], "是否规上"], [uscc(4), "吴兴精工有限公司", "吴兴区", "否"],
         [uscc(5, "330503"), "南浔小微有限公司", "南浔区", "否"]],
    )  # fmt: skip
    code, result = run_cli("enterprises", path)
    assert code == 0 and result["created"] == 2, result
    return {e.uscc: e for e in Enterprise.objects.select_related("district")}


def make_project(enterprise, code, name, *, status="active", total=None, **dates):
    return Project.objects.create(
        code=code,
        name=name,
        enterprise=enterprise,
        district=enterprise.district,
        status=status,
        total_wan=total,
        **dates,
    )


def started_project(enterprise, code="2026-330502-26-03-000001", name="智能产线改造项目", **more):
    """Signed, registered, started and in the statistics; completion planned for next year."""
    dates = {
        "signed_actual": dt.date(2025, 10, 1),
        "registered_actual": dt.date(2025, 11, 1),
        "started_planned": dt.date(2026, 2, 1),
        "started_actual": dt.date(2026, 2, 1),
        "in_stats_actual": dt.date(2026, 2, 20),
        "completed_planned": dt.date(2027, 6, 30),
    }
    return make_project(enterprise, code, name, total=Decimal("5000"), **{**dates, **more})


def reports(project, *months):
    for month, ytd in months:
        Progress.objects.create(project=project, month=month, ytd_wan=Decimal(ytd))


def facts_of(actor, as_of):
    return {f.code: f for f in project_facts(actor=actor, as_of=as_of)}


def verdict_of(project, as_of, actor=None):
    return project_board(actor=actor, as_of=as_of).by_id()[project.pk][1]


def test_progress_for_a_month_not_complete_on_as_of_does_not_count(enterprises):
    p = started_project(enterprises[uscc(1)])
    YearPlan.objects.create(project=p, year=2026, planned_wan=Decimal("1200"))
    YearPlan.objects.create(project=p, year=2025, planned_wan=Decimal("99999"))
    reports(p, (dt.date(2025, 12, 1), "9000"), (dt.date(2026, 5, 1), "100"), (dt.date(2026, 6, 1), "600"),
            (dt.date(2026, 7, 1), "700"))  # fmt: skip
    on_29 = facts_of(None, dt.date(2026, 6, 29))[p.code]
    assert (on_29.ytd, on_29.ytd_month, on_29.year_plan) == (10_000, dt.date(2026, 5, 1), 120_000)
    on_30 = facts_of(None, dt.date(2026, 6, 30))[p.code]
    assert (on_30.ytd, on_30.ytd_month) == (60_000, dt.date(2026, 6, 1))
    in_january = facts_of(None, dt.date(2026, 1, 31))[p.code]  # January done: its report would count
    assert (in_january.ytd, in_january.ytd_month) == (None, None)
    behind = verdict_of(p, dt.date(2026, 6, 29))
    assert behind.light == Light.RED
    assert behind.reasons == (
        "时序进度 41.67%，至 2026年5月累计完成投资 100.00 万元，占年度计划 1,200.00 万元的 8.33%，落后 33.33 个百分点"
        "（落后 10 个百分点以上（含本数）亮黄灯；超过 30 个百分点（不含本数）亮红灯）",
    )
    assert verdict_of(p, dt.date(2026, 6, 30)).light == Light.GREEN


def test_an_actual_date_after_as_of_never_counts(enterprises):
    p = make_project(
        enterprises[uscc(1)],
        "2026-330502-26-03-000002",
        "童装智能仓储项目",
        signed_actual=dt.date(2025, 10, 1),
        registered_actual=dt.date(2025, 12, 1),
        started_planned=dt.date(2026, 6, 1),
        started_actual=dt.date(2026, 7, 1),
        in_stats_actual=dt.date(2026, 7, 2),
        completed_planned=dt.date(2027, 12, 31),
    )
    before = verdict_of(p, dt.date(2026, 6, 30))
    assert (before.stage, before.light, before.stall) == ("registered", Light.YELLOW, "落地未开工")
    assert before.reasons == (
        "计划开工 2026-06-01，至 2026-06-30 尚未开工，已逾期 29 天（逾期 1 天以上（含本数）亮黄灯；90 天以上（含本数）亮红灯）",
    )
    on_the_day = verdict_of(p, dt.date(2026, 7, 1))
    assert (on_the_day.stage, on_the_day.light, on_the_day.stall) == ("started", Light.GREEN, None)


def test_a_district_user_sees_only_their_districts_projects(enterprises, users):
    wuxing = started_project(enterprises[uscc(1)])
    nanxun = started_project(
        enterprises[uscc(3, "330503")], code="2026-330503-26-03-000001", name="木业扩产项目"
    )
    as_of = dt.date(2026, 6, 30)
    assert set(facts_of(users["wuxing"], as_of)) == {wuxing.code}
    assert set(facts_of(users["nanxun"], as_of)) == {nanxun.code}
    assert (
        set(facts_of(users["city_staff"], as_of)) == set(facts_of(None, as_of)) == {wuxing.code, nanxun.code}
    )
    board = project_board(actor=users["wuxing"], as_of=as_of)
    assert [f.code for f in board.facts] == [wuxing.code] and len(board.verdicts) == 1


@pytest.fixture
def listed(enterprises):
    """Projects and enterprises for the three lists of 2026 Q3."""
    zhili, xincai, jinggong = enterprises[uscc(1)], enterprises[uscc(2)], enterprises[uscc(4)]
    nanxun_small = enterprises[uscc(5, "330503")]
    make_project(zhili, "2026-330502-26-03-000011", "拟开工项目", started_planned=dt.date(2026, 8, 1))
    make_project(zhili, "2026-330502-26-03-000012", "提前开工项目", started_planned=dt.date(2026, 7, 15),
                 started_actual=dt.date(2026, 6, 20))  # fmt: skip
    make_project(zhili, "2026-330502-26-03-000013", "已终止项目", status="terminated",
                 started_planned=dt.date(2026, 8, 1))  # fmt: skip
    make_project(zhili, "2026-330502-26-03-000014", "拟竣工项目", started_actual=dt.date(2025, 3, 1),
                 completed_planned=dt.date(2026, 9, 15))  # fmt: skip
    make_project(jinggong, "2026-330502-26-03-000015", "精工投产项目", started_actual=dt.date(2025, 3, 1),
                 completed_actual=dt.date(2026, 5, 1), producing_planned=dt.date(2026, 8, 5),
                 producing_actual=dt.date(2026, 8, 10))  # fmt: skip
    AnnualMetric.objects.create(enterprise=xincai, year=2024, main_revenue_wan=Decimal("1500"))
    AnnualMetric.objects.create(
        enterprise=xincai, year=2025, main_revenue_wan=Decimal("1800"), revenue_wan=Decimal("2600")
    )
    AnnualMetric.objects.create(enterprise=jinggong, year=2024, main_revenue_wan=Decimal("900"))
    AnnualMetric.objects.create(enterprise=jinggong, year=2025, main_revenue_wan=Decimal("1000"))
    # 2026's figures are not known before the year ends.
    AnnualMetric.objects.create(enterprise=jinggong, year=2026, main_revenue_wan=Decimal("5000"))
    AnnualMetric.objects.create(enterprise=zhili, year=2025, main_revenue_wan=Decimal("1500"))  # above-scale
    AnnualMetric.objects.create(enterprise=nanxun_small, year=2024, main_revenue_wan=Decimal("1000"))
    AnnualMetric.objects.create(enterprise=nanxun_small, year=2025, main_revenue_wan=Decimal("1900"))
    return enterprises


def entries(found):
    return {entry.key: (entry.name, entry.district, entry.reasons) for entry in found}


def test_the_lists_of_projects_to_start_and_to_complete_say_why(listed):
    lists = project_lists(actor=None, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    assert entries(lists.to_start) == {
        "2026-330502-26-03-000011": ("拟开工项目", "吴兴区", ("计划 2026-08-01 开工", "尚未开工")),
    }
    assert entries(lists.to_complete) == {
        "2026-330502-26-03-000014": ("拟竣工项目", "吴兴区", ("计划 2026-09-15 竣工", "尚未竣工")),
    }


def test_the_above_scale_list_projects_last_years_main_revenue_and_names_projects_reaching_production(listed):
    lists = project_lists(actor=None, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    assert entries(lists.to_above_scale) == {
        uscc(2): ("湖州吴兴新材料有限公司", "吴兴区", (
            "2025年主营业务收入 1,800.00 万元，较上年增长 20.0%，按此增速预计 2026 年 2,160.00 万元，"
            "可达规上标准 2,000.00 万元",
        )),
        uscc(4): ("吴兴精工有限公司", "吴兴区", ("项目“精工投产项目”已于 2026-08-10 投产",)),
        uscc(5, "330503"): ("南浔小微有限公司", "南浔区", (
            "2025年主营业务收入 1,900.00 万元，较上年增长 90.0%，按此增速预计 2026 年 3,610.00 万元，"
            "可达规上标准 2,000.00 万元",
        )),
    }  # fmt: skip


def test_the_lists_use_only_what_was_known_on_as_of(listed):
    lists = project_lists(
        actor=None, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30), as_of=dt.date(2026, 8, 1)
    )
    assert entries(lists.to_above_scale)[uscc(4)][2] == ("项目“精工投产项目”计划 2026-08-05 投产",)
    before_the_year = project_lists(actor=None, start=dt.date(2025, 7, 1), end=dt.date(2025, 9, 30))
    assert uscc(2) not in entries(before_the_year.to_above_scale)  # 2024's 1,500万元 has no growth to project


def test_an_enterprise_that_became_above_scale_leaves_the_list_from_that_day(listed):
    Enterprise.objects.filter(uscc=uscc(2)).update(above_scale=True, above_scale_since=dt.date(2026, 9, 1))
    during = project_lists(
        actor=None, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30), as_of=dt.date(2026, 8, 31)
    )
    assert uscc(2) in entries(during.to_above_scale)
    after = project_lists(actor=None, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    assert uscc(2) not in entries(after.to_above_scale)


def test_a_district_user_sees_only_their_districts_lists(listed, users):
    lists = project_lists(actor=users["nanxun"], start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    assert (lists.to_start, lists.to_complete) == ([], [])
    assert list(entries(lists.to_above_scale)) == [uscc(5, "330503")]
    wuxing = project_lists(actor=users["wuxing"], start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    assert set(entries(wuxing.to_above_scale)) == {uscc(2), uscc(4)}
