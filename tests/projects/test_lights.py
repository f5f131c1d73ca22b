"""The light, stage and stall rules at their boundaries, on facts built by hand (no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuochan.projects.rules import (
    MILESTONES,
    Light,
    LightRules,
    ProjectFacts,
    complete_months,
    light_rule_words,
    project_verdicts,
)

RULES = LightRules()
AS_OF = dt.date(2026, 6, 30)
SCHEDULE_RULE = "逾期 1 天以上（含本数）亮黄灯；90 天以上（含本数）亮红灯"
PACE_RULE = "落后 10 个百分点以上（含本数）亮黄灯；超过 30 个百分点（不含本数）亮红灯"
IN_STATS_RULE = "开工超过 30 天（不含本数）未入库亮黄灯；超过 60 天（不含本数）亮红灯"


def facts(*, status="active", total=None, year_plan=None, ytd=None, ytd_month=None, **dates):
    """A project with the given dates: `started_planned=…`, `signed_actual=…`."""
    return ProjectFacts(
        id=1,
        code="2026-330502-26-03-000001",
        name="示例项目",
        district="吴兴区",
        status=status,
        planned={name: dates.get(f"{name}_planned") for name in MILESTONES},
        actual={name: dates.get(f"{name}_actual") for name in MILESTONES},
        total=total,
        year_plan=year_plan,
        ytd=ytd,
        ytd_month=ytd_month,
    )


def verdict(project, as_of=AS_OF, rules=RULES):
    return project_verdicts([project], as_of=as_of, rules=rules)[0]


def signed_and_registered(**more):
    return facts(signed_actual=dt.date(2025, 10, 1), registered_actual=dt.date(2025, 11, 1), **more)


@pytest.mark.parametrize(
    ("late", "light"), [(0, Light.GREEN), (1, Light.YELLOW), (89, Light.YELLOW), (90, Light.RED)]
)
def test_missed_start_by_days(late, light):
    planned = AS_OF - dt.timedelta(days=late)
    result = verdict(signed_and_registered(started_planned=planned))
    assert result.light == light
    if late:
        assert result.reasons == (
            f"计划开工 {planned}，至 {AS_OF} 尚未开工，已逾期 {late} 天（{SCHEDULE_RULE}）",
        )
        assert result.stall == "落地未开工"
    else:
        assert result.stall is None


def test_start_missed_by_exactly_90_days_is_red_and_by_89_yellow():
    assert verdict(signed_and_registered(started_planned=AS_OF - dt.timedelta(days=90))).light == Light.RED
    assert verdict(signed_and_registered(started_planned=AS_OF - dt.timedelta(days=89))).light == Light.YELLOW


def test_a_schedule_red_that_excludes_its_bound_is_red_only_after_90_days():
    rules = LightRules(schedule_red_inclusive=False)
    assert verdict(
        signed_and_registered(started_planned=AS_OF - dt.timedelta(days=90)), rules=rules
    ).light == (Light.YELLOW)
    late = verdict(signed_and_registered(started_planned=AS_OF - dt.timedelta(days=91)), rules=rules)
    assert late.light == Light.RED
    assert late.reasons[0].endswith(
        "已逾期 91 天（逾期 1 天以上（含本数）亮黄灯；超过 90 天（不含本数）亮红灯）"
    )


def test_the_rules_say_whether_each_threshold_includes_its_bound():
    assert light_rule_words(RULES) == {
        "schedule": SCHEDULE_RULE,
        "pace": PACE_RULE,
        "in_stats": IN_STATS_RULE,
    }


def test_stage_is_the_last_milestone_reached():
    project = signed_and_registered(started_actual=dt.date(2026, 3, 1), completed_planned=dt.date(2027, 1, 1))
    result = verdict(project)
    assert result.stage == "started" and result.stage_label == "开工"
    assert result.light == Light.GREEN


def test_next_milestone_follows_the_furthest_reached_even_when_an_earlier_date_is_missing():
    project = facts(
        signed_actual=dt.date(2025, 10, 1),
        registered_planned=dt.date(2025, 12, 1),  # never recorded, but the project has started
        started_actual=dt.date(2026, 2, 1),
        completed_planned=dt.date(2026, 12, 31),
    )
    assert verdict(project).light == Light.GREEN


def paced(ytd, rules=RULES):
    """A project started this year with 10,000.00万元 planned for it and `ytd` hundredths of 万元 done by
    June: as of 30 June the time pace is exactly 50 %, so 1,999.00万元 done is exactly 30.01 points behind."""
    project = signed_and_registered(
        started_actual=dt.date(2026, 1, 10),
        in_stats_actual=dt.date(2026, 1, 20),
        completed_planned=dt.date(2027, 6, 30),
        total=5_000_000,
        year_plan=1_000_000,
        ytd=ytd,
        ytd_month=dt.date(2026, 6, 1),
    )
    return verdict(project, rules=rules)


@pytest.mark.parametrize(
    ("ytd", "light", "done", "gap"),
    [
        (400_100, Light.GREEN, None, None),  # 9.99 points behind
        (400_000, Light.YELLOW, "40.00", "10.00"),  # 10 points and more, 含本数
        (200_100, Light.YELLOW, "20.01", "29.99"),
        (200_000, Light.YELLOW, "20.00", "30.00"),  # exactly 30: still yellow, red only 超过 30
        (199_900, Light.RED, "19.99", "30.01"),
    ],
)
def test_investment_pace_points_behind(ytd, light, done, gap):
    result = paced(ytd)
    assert result.light == light
    if gap:
        assert result.reasons == (
            f"时序进度 50.00%，至 2026年6月累计完成投资 {ytd // 100:,}.00 万元，占年度计划 10,000.00 万元的 "
            f"{done}%，落后 {gap} 个百分点（{PACE_RULE}）",
        )
    else:
        assert result.reasons == ("按计划推进：下一节点竣工，计划 2027-06-30",)


def test_a_pace_red_that_includes_its_bound_is_red_at_exactly_30_points():
    rules = LightRules(pace_red_inclusive=True)
    assert paced(200_000, rules).light == Light.RED
    assert paced(200_100, rules).light == Light.YELLOW
    assert (
        paced(200_000, rules)
        .reasons[0]
        .endswith(
            "落后 30.00 个百分点（落后 10 个百分点以上（含本数）亮黄灯；30 个百分点以上（含本数）亮红灯）"
        )
    )


def test_a_pace_yellow_that_excludes_its_bound_is_none_at_exactly_10_points():
    rules = LightRules(pace_yellow_inclusive=False, pace_yellow_hundredths=1050)
    assert paced(400_000, rules).light == Light.GREEN  # 10.00 < 10.5
    assert paced(395_000, rules).light == Light.GREEN  # exactly 10.5, not included
    assert paced(394_900, rules).light == Light.YELLOW  # 10.51
    assert "落后超过 10.5 个百分点（不含本数）亮黄灯" in paced(394_900, rules).reasons[0]


def test_no_progress_reported_counts_as_nothing_done():
    project = signed_and_registered(
        started_actual=dt.date(2026, 1, 10), completed_planned=dt.date(2027, 6, 30), year_plan=100_000
    )
    result = verdict(project)
    assert result.light == Light.RED
    assert "2026年尚未报送完成投资" in result.reasons[0]


def test_pace_rule_ignores_completed_projects():
    project = signed_and_registered(
        started_actual=dt.date(2025, 12, 1),
        in_stats_actual=dt.date(2025, 12, 10),
        completed_actual=dt.date(2026, 5, 1),
        producing_planned=dt.date(2026, 12, 1),
        year_plan=100_000,
        ytd=0,
    )
    assert verdict(project).light == Light.GREEN


@pytest.mark.parametrize(
    ("days", "light"), [(30, Light.GREEN), (31, Light.YELLOW), (60, Light.YELLOW), (61, Light.RED)]
)
def test_not_in_statistics_database_after_start(days, light):
    project = signed_and_registered(
        started_actual=AS_OF - dt.timedelta(days=days), completed_planned=dt.date(2027, 12, 31), total=50_000
    )
    result = verdict(project)
    assert result.light == light
    if light != Light.GREEN:
        assert result.reasons[0].endswith(f"开工 {days} 天，尚未入库（总投资 500.00 万元；{IN_STATS_RULE}）")
    else:  # exactly 30 days: 超过 30 天 has not yet come
        assert result.reasons == ("按计划推进：下一节点竣工，计划 2027-12-31",)


@pytest.mark.parametrize(
    ("days", "light"), [(29, Light.GREEN), (30, Light.YELLOW), (59, Light.YELLOW), (60, Light.RED)]
)
def test_in_stats_thresholds_that_include_their_bound_fire_on_the_day(days, light):
    rules = LightRules(in_stats_yellow_inclusive=True, in_stats_red_inclusive=True)
    project = signed_and_registered(
        started_actual=AS_OF - dt.timedelta(days=days), completed_planned=dt.date(2027, 12, 31), total=50_000
    )
    result = verdict(project, rules=rules)
    assert result.light == light
    if light != Light.GREEN:
        assert "开工 30 天以上（含本数）未入库亮黄灯；60 天以上（含本数）亮红灯" in result.reasons[0]


def test_in_stats_rule_starts_at_500_wan():
    project = signed_and_registered(
        started_actual=AS_OF - dt.timedelta(days=100), completed_planned=dt.date(2027, 12, 31), total=49_999
    )
    assert verdict(project).light == Light.GREEN


def test_the_worst_rule_wins_and_every_rule_that_fires_is_a_reason():
    project = signed_and_registered(
        started_actual=AS_OF - dt.timedelta(days=45),
        completed_planned=AS_OF - dt.timedelta(days=100),
        total=50_000,
        year_plan=10_000,
        ytd=4_500,
        ytd_month=dt.date(2026, 6, 1),
    )
    result = verdict(project)
    assert result.light == Light.RED
    assert len(result.reasons) == 2 and "逾期 100 天" in result.reasons[0] and "尚未入库" in result.reasons[1]
    assert result.stall == "开工未竣工"


@pytest.mark.parametrize(
    ("project", "reason"),
    [
        (facts(status="terminated", signed_actual=dt.date(2025, 1, 1), registered_planned=dt.date(2025, 3, 1)), "项目已终止，不亮灯"),
        (facts(status="reserve", registered_planned=dt.date(2025, 3, 1)), "储备项目，尚未签约，不亮灯"),
        (
            facts(at_capacity_actual=dt.date(2026, 5, 1), started_actual=dt.date(2024, 1, 1), total=900_000),
            "已于 2026-05-01 达产，不再亮灯",
        ),
    ],
)  # fmt: skip
def test_projects_without_a_light(project, reason):
    result = verdict(project)
    assert result.light == Light.NONE and result.stall is None and result.reasons == (reason,)


def test_a_project_with_no_plan_has_no_light_and_says_why():
    result = verdict(signed_and_registered())
    assert result.light == Light.NONE
    assert result.reasons == ("未填写计划开工日期，无法判断进度",)


@pytest.mark.parametrize(
    ("milestone", "stall"),
    [("registered", "签约未落地"), ("started", "落地未开工"), ("completed", "开工未竣工"), ("producing", "竣工未投产"), ("at_capacity", "投产未达产")],
)  # fmt: skip
def test_stall_category_names_the_overdue_milestone(milestone, stall):
    order = RULES.milestone_order
    dates = {f"{name}_actual": dt.date(2025, 1, 1) for name in order[: order.index(milestone)]}
    project = facts(**dates, **{f"{milestone}_planned": dt.date(2026, 5, 1)})
    assert verdict(project).stall == stall


def test_thresholds_and_milestone_order_are_data():
    rules = LightRules(
        schedule_yellow_days=15, schedule_red_days=30, milestone_order=("signed", "started", "completed")
    )
    project = facts(signed_actual=dt.date(2026, 1, 1), started_planned=AS_OF - dt.timedelta(days=20))
    result = verdict(project, rules=rules)
    assert result.light == Light.YELLOW
    assert (
        verdict(
            facts(signed_actual=dt.date(2026, 1, 1), started_planned=AS_OF - dt.timedelta(days=10)),
            rules=rules,
        ).light
        == Light.GREEN
    )


@pytest.mark.parametrize(
    ("as_of", "months"),
    [(dt.date(2026, 6, 30), 6), (dt.date(2026, 6, 29), 5), (dt.date(2026, 1, 15), 0), (dt.date(2026, 12, 31), 12), (dt.date(2024, 2, 29), 2)],
)  # fmt: skip
def test_time_pace_counts_complete_months(as_of, months):
    assert complete_months(as_of) == months


@given(
    late=st.integers(min_value=-400, max_value=400),
    as_of=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_an_actual_date_after_as_of_never_counts(late, as_of):
    """Whatever happens after as_of, the verdict on as_of is the one computed without it."""
    base = dict(
        signed_actual=as_of - dt.timedelta(days=300), registered_actual=as_of - dt.timedelta(days=200)
    )
    planned = as_of + dt.timedelta(days=late)
    without = facts(**base, started_planned=planned)
    with_future = facts(**base, started_planned=planned, started_actual=as_of + dt.timedelta(days=1))
    assert verdict(with_future, as_of=as_of) == verdict(without, as_of=as_of)


def test_a_light_for_a_missing_report_names_the_month():
    """As of 30 November the last report is for August: the red light says November's report is missing."""
    project = signed_and_registered(
        started_actual=dt.date(2026, 1, 10),
        in_stats_actual=dt.date(2026, 1, 20),
        completed_planned=dt.date(2027, 6, 30),
        year_plan=100_000,
        ytd=30_000,
        ytd_month=dt.date(2026, 8, 1),
    )
    result = verdict(project, as_of=dt.date(2026, 11, 30))
    assert result.light == Light.RED
    assert result.reasons[0].startswith(
        "2026年11月进展未填报；时序进度 91.67%，至 2026年8月累计完成投资 300.00 万元"
    )
