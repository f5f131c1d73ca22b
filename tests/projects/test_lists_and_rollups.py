"""The three lists, the data-quality findings and the roll-ups the targets use, on facts built by hand."""

import datetime as dt

import pytest
from django.utils import timezone

from kuochan.projects.rules import (
    MILESTONES,
    EnterpriseFacts,
    LightRules,
    ProjectFacts,
    large_projects_started,
    milestones_reached,
    quality_findings,
    renovation_investment_by_month,
    three_lists,
)

RULES = LightRules()
START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


def project(pk=1, *, status="active", enterprise_id=None, district="吴兴区", total=None, **dates):
    return ProjectFacts(
        id=pk, code=f"2026-330502-26-03-{pk:06d}", name=f"项目{pk}", district=district, status=status,
        planned={m: dates.get(f"{m}_planned") for m in MILESTONES},
        actual={m: dates.get(f"{m}_actual") for m in MILESTONES},
        total=total, enterprise_id=enterprise_id,
    )  # fmt: skip


def enterprise(pk=1, *, revenue, above_scale=False, since=None):
    return EnterpriseFacts(pk, f"USCC{pk}", f"企业{pk}", "吴兴区", above_scale, since, revenue)


def lists(projects=(), enterprises=(), as_of=END):
    return three_lists(list(projects), list(enterprises), start=START, end=END, as_of=as_of, rules=RULES)


@pytest.mark.parametrize(
    ("planned", "actual", "listed"),
    [
        (dt.date(2026, 6, 30), None, False),  # planned before the period
        (dt.date(2026, 7, 1), None, True),  # first day
        (dt.date(2026, 9, 30), None, True),  # last day
        (dt.date(2026, 10, 1), None, False),
        (dt.date(2026, 8, 1), dt.date(2026, 6, 15), False),  # started before the period
        (dt.date(2026, 8, 1), dt.date(2026, 7, 1), True),  # started on its first day: still this period's
    ],
)
def test_to_start_list(planned, actual, listed):
    result = lists([project(started_planned=planned, started_actual=actual)])
    assert bool(result.to_start) is listed


def test_to_start_entry_says_why_and_whether_it_started():
    result = lists([project(started_planned=dt.date(2026, 8, 1), started_actual=dt.date(2026, 8, 20))])
    assert result.to_start[0].reasons == ("计划 2026-08-01 开工", "已于 2026-08-20 开工")


def test_a_start_after_as_of_is_not_known_yet():
    result = lists(
        [project(started_planned=dt.date(2026, 8, 1), started_actual=dt.date(2026, 8, 20))],
        as_of=dt.date(2026, 8, 10),
    )
    assert result.to_start[0].reasons == ("计划 2026-08-01 开工", "尚未开工")


def test_to_complete_list_and_terminated_projects_are_left_out():
    result = lists([
        project(1, completed_planned=dt.date(2026, 9, 1)),
        project(2, completed_planned=dt.date(2026, 9, 1), status="terminated"),
        project(3, completed_planned=dt.date(2026, 12, 1)),
    ])  # fmt: skip
    assert [e.key for e in result.to_complete] == ["2026-330502-26-03-000001"]
    assert result.to_complete[0].reasons == ("计划 2026-09-01 竣工", "尚未竣工")


def test_above_scale_candidate_from_projected_revenue():
    grower = enterprise(1, revenue={2024: 150_000, 2025: 180_000})  # +20 % → 2,160万元 in 2026
    flat = enterprise(2, revenue={2024: 180_000, 2025: 180_000})
    result = lists(enterprises=[grower, flat])
    assert [e.key for e in result.to_above_scale] == ["USCC1"]
    assert result.to_above_scale[0].reasons == (
        "2025年主营业务收入 1,800.00 万元，较上年增长 20.0%，按此增速预计 2026 年 2,160.00 万元，可达规上标准 2,000.00 万元",
    )


def test_above_scale_candidate_already_over_the_bar_and_the_current_year_does_not_count():
    result = lists(enterprises=[enterprise(1, revenue={2025: 210_000, 2026: 100})])
    assert result.to_above_scale[0].reasons == (
        "2025年主营业务收入 2,100.00 万元，已达规上标准 2,000.00 万元，尚未纳规",
    )


def test_above_scale_enterprises_are_not_candidates_unless_they_became_so_after_as_of():
    already = enterprise(1, revenue={2025: 300_000}, above_scale=True, since=dt.date(2024, 1, 1))
    later = enterprise(2, revenue={2025: 300_000}, above_scale=True, since=dt.date(2027, 1, 1))
    assert [e.key for e in lists(enterprises=[already, later]).to_above_scale] == ["USCC2"]


def test_above_scale_candidate_from_a_project_reaching_production_in_the_period():
    result = lists(
        [project(producing_planned=dt.date(2026, 8, 15), enterprise_id=1)], [enterprise(1, revenue={})]
    )
    assert result.to_above_scale[0].reasons == ("项目“项目1”计划 2026-08-15 投产",)


def test_quality_findings_never_raise_and_name_each_problem():
    today = dt.date(2026, 11, 22)
    facts = [
        project(1, started_actual=dt.date(2026, 5, 1), completed_actual=dt.date(2026, 3, 1), producing_planned=dt.date(2026, 12, 1),
                at_capacity_planned=dt.date(2027, 6, 1), registered_actual=dt.date(2026, 1, 1)),
        project(2, started_planned=dt.date(2026, 9, 1), completed_planned=dt.date(2026, 3, 1),
                producing_actual=dt.date(2026, 12, 25)),
        project(3, status="terminated"),
    ]  # fmt: skip
    found = {(f.project_id, f.kind): f.message for f in quality_findings(facts, today=today, rules=RULES)}
    assert found[(1, "actual_order")] == "实际竣工日期 2026-03-01 早于实际开工日期 2026-05-01"
    assert found[(2, "planned_order")] == "计划竣工日期 2026-03-01 早于计划开工日期 2026-09-01"
    assert found[(2, "future")] == "实际投产日期 2026-12-25 晚于今天 2026-11-22"
    assert found[(2, "missing_planned")] == "缺少计划备案、达产日期"
    assert (1, "missing_planned") not in found and not any(pk == 3 for pk, _ in found)


def test_renovation_investment_carries_a_projects_last_report_forward():
    reports = [
        ("吴兴区", 1, dt.date(2026, 1, 1), 10_000),
        ("吴兴区", 1, dt.date(2026, 3, 1), 30_000),  # skipped February
        ("吴兴区", 2, dt.date(2026, 2, 1), 5_000),
        ("南浔区", 3, dt.date(2026, 5, 1), 7_000),  # May is not complete on as_of
        ("南浔区", 3, dt.date(2025, 12, 1), 99_000),  # another year
    ]
    result = renovation_investment_by_month(reports, year=2026, as_of=dt.date(2026, 4, 30))
    assert result["吴兴区"][:5] == [10_000, 15_000, 35_000, 35_000, 35_000]
    assert "南浔区" not in result


def test_large_projects_started_per_year_and_milestones_reached_per_period():
    facts = [
        project(1, total=1_000_000, started_actual=dt.date(2026, 3, 1)),
        project(2, total=999_999, started_actual=dt.date(2026, 3, 1)),
        project(3, total=3_000_000, started_actual=dt.date(2025, 3, 1), district="南浔区"),
        project(4, total=3_000_000, started_actual=dt.date(2026, 12, 1)),  # after as_of
    ]
    as_of = dt.date(2026, 11, 22)
    assert large_projects_started(facts, as_of=as_of) == {("吴兴区", 2026): 1, ("南浔区", 2025): 1}
    reached = milestones_reached(facts, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), as_of=as_of)
    assert reached["started"] == {"吴兴区": 2} and reached["completed"] == {}


def test_renovation_roll_up_from_stored_progress(pipeline, users):
    from decimal import Decimal

    from kuochan.audit.models import Source
    from kuochan.projects.selectors import renovation_reports
    from kuochan.projects.services import progress_record

    year = timezone.localdate().year - 1
    for month, ytd in ((1, "100"), (2, "250.5")):
        progress_record(
            actor=users["city_staff"], source=Source.WEB, project=pipeline["red"], month=dt.date(year, month, 1),
            ytd_wan=Decimal(ytd),
        )  # fmt: skip
    reports = renovation_reports(actor=users["city_staff"], year=year)
    totals = renovation_investment_by_month(reports, year=year, as_of=dt.date(year, 12, 31))
    assert totals == {"吴兴区": [10_000, 25_050] + [25_050] * 10}
    assert renovation_reports(actor=users["nanxun"], year=year) == []


def test_above_scale_reason_names_the_revenue_figure_used():
    e = EnterpriseFacts(1, "USCC1", "企业1", "吴兴区", False, None, {2025: 210_000}, revenue_label="营业收入")
    assert lists(enterprises=[e]).to_above_scale[0].reasons[0].startswith("2025年营业收入 2,100.00 万元")


def test_the_sql_pre_filter_of_the_above_scale_list_leaves_out_no_candidate(registered):
    """Series at and around the boundaries: the pre-filtered read finds exactly the candidates the full
    read finds, whichever year the latest figure is from and whichever revenue figure is reported."""
    from decimal import Decimal

    from kuochan.projects.selectors import enterprise_facts, light_rules
    from kuochan.registry.models import AnnualMetric, Enterprise

    district = Enterprise.objects.get(uscc=registered[1]).district
    series = [
        {2025: "1999.99"}, {2025: "2000"}, {2024: "1000", 2025: "1414.22"}, {2024: "1000", 2025: "1414.21"},
        {2023: "1000", 2024: "1260"}, {2023: "1000", 2024: "1259"}, {2022: "500", 2023: "800"},
        {2024: "1900", 2025: "1800"}, {2023: "2100"}, {2024: "0", 2025: "1999"},
    ]  # fmt: skip
    for i, values in enumerate(series):
        for main in (True, False):
            firm = Enterprise.objects.create(
                uscc=f"91330502TEST{i:02d}{int(main)}X", name=f"测试{i}{main}", district=district
            )
            for year, amount in values.items():
                field = "main_revenue_wan" if main else "revenue_wan"
                AnnualMetric.objects.create(enterprise=firm, year=year, **{field: Decimal(amount)})
    as_of, rules = dt.date(2026, 6, 30), light_rules()
    start, end = dt.date(2026, 6, 1), as_of
    every = three_lists(
        [], enterprise_facts(actor=None, as_of=as_of), start=start, end=end, as_of=as_of, rules=rules
    )
    filtered = enterprise_facts(actor=None, as_of=as_of, rules=rules, also=[])
    assert len(filtered) < len(enterprise_facts(actor=None, as_of=as_of))
    result = three_lists([], filtered, start=start, end=end, as_of=as_of, rules=rules)
    by_key = lambda entries: {e.key: e for e in entries}  # noqa: E731
    assert by_key(result.to_above_scale) == by_key(every.to_above_scale)
    assert {e.name for e in every.to_above_scale} >= {"测试1True", "测试2True", "测试4False", "测试8True"}
