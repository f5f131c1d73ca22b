import datetime as dt
from decimal import Decimal

from kuochan.digital.rules import level_as_of
from kuochan.digital.selectors import BY_INDUSTRY, coverage_of, coverage_report

AS_OF = dt.date(2025, 12, 31)


def test_coverage_by_district_counts_only_above_scale_on_the_date_and_levels_known_by_then(firms, users):
    report = coverage_of(actor=users["city_staff"], as_of=AS_OF)
    rows = {row.group: row for row in report.rows}
    wuxing, nanxun = rows["吴兴区"], rows["南浔区"]
    # 吴兴: A and B (C only above scale from 2026); both at 1.0, A at 2.0
    assert (wuxing.above_scale, wuxing.reached["1.0"], wuxing.reached["2.0"]) == (2, 2, 1)
    assert wuxing.share("2.0") == Decimal("50.00")
    # 南浔: D (assessed only in 2026) and F at 2.0; E is below scale
    assert (nanxun.above_scale, nanxun.reached["1.0"], nanxun.reached["2.0"]) == (2, 1, 1)
    total = report.total
    assert (total.above_scale, total.reached["1.0"], total.reached["2.0"]) == (4, 3, 2)
    assert total.sentence("1.0") == "1.0 覆盖 3 / 4 家，75.00%"
    assert total.sentence("2.0") == "2.0 覆盖 2 / 4 家，50.00%"


def test_coverage_by_industry_names_the_division(firms, users):
    report = coverage_report(coverage_of(actor=users["city_staff"], as_of=AS_OF, by=BY_INDUSTRY))
    rows = {row["name"]: row for row in report["rows"]}
    textile = next(row for name, row in rows.items() if name.startswith("18 "))
    assert (textile["above_scale"], textile["level_1"], textile["level_2"]) == (3, 3, 2)
    assert textile["share_2"] == 66.67
    wood = next(row for name, row in rows.items() if name.startswith("21 "))
    assert (wood["above_scale"], wood["level_1"], wood["level_2"], wood["share_1"]) == (1, 0, 0, 0.0)
    assert not any(name.startswith("26 ") for name in rows)  # C was not above scale yet


def test_a_year_earlier_the_same_enterprise_was_at_1_0(firms, users):
    report = coverage_of(actor=users["city_staff"], as_of=dt.date(2024, 12, 31))
    wuxing = next(row for row in report.rows if row.group == "吴兴区")
    assert (wuxing.above_scale, wuxing.reached["1.0"], wuxing.reached["2.0"]) == (2, 2, 0)


def test_district_staff_count_only_their_district(firms, users):
    report = coverage_of(actor=users["nanxun"], as_of=AS_OF)
    assert [row.group for row in report.rows] == ["南浔区"]
    assert report.total.above_scale == 2


def test_level_as_of_takes_the_latest_assessment_not_after_the_date():
    history = [(dt.date(2023, 1, 1), "1.0"), (dt.date(2025, 1, 1), "2.0")]
    assert level_as_of(history, dt.date(2022, 12, 31)) is None
    assert level_as_of(history, dt.date(2024, 12, 31)) == "1.0"
    assert level_as_of(history, dt.date(2025, 1, 1)) == "2.0"


def test_coverage_reads_in_a_few_queries_whatever_the_number_of_enterprises(
    firms, users, django_assert_max_num_queries
):
    actor = users["city_staff"]
    with django_assert_max_num_queries(3):
        coverage_of(actor=actor, as_of=AS_OF, by=BY_INDUSTRY)
