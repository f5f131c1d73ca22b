"""Titles' criteria against hand-built facts, with the gaps computed by hand from the published figures
(examples of docs/research/cultivation/NOTES.md; as of 2026-06-30, so 上年 = 2025)."""

import datetime as dt
from decimal import Decimal

import pytest

from kuochan.cultivation.rules import (
    MET,
    NOT_MET,
    PENDING_STATUS,
    Criterion,
    YearFigures,
    assess,
    criterion_rule,
    derived_facts,
    figure,
)
from kuochan.reference import read_json

AS_OF = dt.date(2026, 6, 30)
TITLES = {t["code"]: t for t in read_json("common", "titles.json")["titles"]}


def criteria(code: str) -> list[Criterion]:
    return [
        Criterion(c["code"], c["text"], criterion_rule(c["rule"]), c["source"])
        for c in TITLES[code]["criteria"]
    ]


# 上年末 balance sheet, staff and IP that meet every title's bar unless a test says otherwise: 负债率 50%,
# 科技人员 30%, 5 项Ⅰ类, 专精特新发展评价 70 分, 细分市场自 2010 年 (截至 2025 年末 15 年).
SOUND = dict(assets_wan=Decimal(1000), liabilities_wan=Decimal(500), employees=100, tech_staff=30, ip_class1=5,
             ip_class2=0, srdi_score=Decimal(70))  # fmt: skip


def facts(
    years: dict[int, tuple], *, size="small", honours=(), tax=None, established=dt.date(2010, 1, 1),
    segment_since=dt.date(2010, 1, 1), **last_year,
):  # fmt: skip
    """years: {year: (revenue, main revenue, R&D)} in 万元; `last_year` overrides SOUND for 上年."""
    figures = {
        year: YearFigures(
            *(None if v is None else Decimal(str(v)) for v in values),
            **({**SOUND, **last_year} if year == AS_OF.year - 1 else {}),
        )
        for year, values in years.items()
    }
    last = figures.get(AS_OF.year - 1, YearFigures())
    return {
        "enterprise.size_class": size,
        "enterprise.above_scale": True,
        "enterprise.honours": set(honours),
        "enterprise.revenue_wan": last.revenue_wan,
        "enterprise.tax_wan": None if tax is None else Decimal(tax),
        "enterprise.established_on": established,
        **derived_facts(figures, as_of=AS_OF, established_on=established, segment_since=segment_since),
    }


def verdict(assessment, code):
    return next(v for v in assessment.verdicts if v.code == code)


def test_every_shipped_criterion_parses_and_names_its_source():
    assert len(TITLES) == 23
    for title in TITLES.values():
        for criterion in title["criteria"]:
            criterion_rule(criterion["rule"])
            assert criterion["source"], (title["code"], criterion["code"])


def test_high_tech_three_year_rnd_share_misses_by_048_points():
    # 丙: 营业收入 6,000 / 7,000 / 8,000万, 研发 180 / 250 / 310万 → 740 / 21,000 = 3.52% < 4% (5,000万–2亿档)
    result = assess(
        criteria("high_tech"),
        facts({2023: (6000, None, 180), 2024: (7000, None, 250), 2025: (8000, None, 310)}),
    )
    rnd = verdict(result, "rnd_share")
    assert rnd.status == NOT_MET
    [gap] = rnd.shortfalls
    assert gap.text == "近三年研发费用总额占同期销售收入总额比重 3.52%，差 0.48 个百分点"
    assert gap.threshold == 4 and figure(gap.gap) == "0.48"
    assert not result.met


@pytest.mark.parametrize(
    ("revenue", "rnd", "status"),
    [
        (5000, 250, MET),  # 恰 5,000万 → 5% 档, 恰 5%
        (5000, 249, NOT_MET),
        (20000, 800, MET),  # 恰 2亿 → 4% 档 (原文“（含）”)
        (20000, 799, NOT_MET),
        (20001, 600.03, MET),  # 2亿以上 → 3% 档
    ],
)
def test_high_tech_bands_include_their_upper_bound(revenue, rnd, status):
    years = {year: (revenue, None, rnd) for year in (2023, 2024, 2025)}
    assert verdict(assess(criteria("high_tech"), facts(years)), "rnd_share").status == status


def test_a_ratio_just_below_the_bound_is_not_rounded_up():
    # 2.995% must not pass “不低于3%”
    years = {2024: (2000, 1900, 100), 2025: (20000, 19000, 599)}
    rnd = verdict(assess(criteria("srdi_sme"), facts(years, honours={"innovative_sme"})), "rnd")
    assert rnd.status == NOT_MET
    assert rnd.shortfalls[0].text == "近两年研发费用占营业收入比重（较低一年） 2.995%，差 0.005 个百分点"


def test_srdi_sme_misses_revenue_by_180_and_rnd_by_40():
    # 丁: 2025 营业收入 1,320万、主营 1,254万（95%）; 研发 2024 = 60万 / 1,200万, 2025 = 66万 / 1,320万
    result = assess(
        criteria("srdi_sme"),
        facts({2024: (1200, 1140, 60), 2025: (1320, 1254, 66)}, honours={"innovative_sme"}),
    )
    assert [s.text for s in result.missing] == [
        "上年营业收入 1,320万元，差 180 万元",
        "近两年研发费用（较低一年） 60万元，差 40 万元",
    ]
    assert verdict(result, "main_share").status == MET and verdict(result, "prerequisite").status == MET
    assert not result.met
    assert not result.near(Decimal(20))  # 40 万元 is 40% of 100 万元
    assert result.near(Decimal(40))  # exactly at the margin counts


def test_a_title_met_at_exactly_its_bounds():
    # 营业收入恰 1,500万, 主营占比恰 80%, 研发较低一年恰 100万 and 恰 3%（不低于、以上含本数）
    years = {2024: (3000, 2400, 100), 2025: (1500, 1200, 100)}
    result = assess(criteria("srdi_sme"), facts(years, honours={"tech_sme"}))
    assert result.met and not result.missing
    assert result.pending  # the placeholders are listed, never counted


def test_little_giant_main_share_and_rnd_sum():
    # 戊: 营业收入 8,500 / 9,000 / 9,800万, 主营 8,624万 = 88%; 研发 300 + 320 = 620万 < 1,200万
    years = {2023: (8500, None, None), 2024: (9000, None, 300), 2025: (9800, 8624, 320)}
    result = assess(criteria("little_giant"), facts(years, size="medium", honours={"provincial_srdi"}))
    assert verdict(result, "growth").status == MET  # √(9,800/8,500) − 1 = 7.38%
    assert [s.text for s in result.missing] == [
        "上年主营业务收入占营业收入比重 88%，差 2 个百分点",
        "近两年研发费用合计 620万元，差 580 万元",
    ]


def test_single_champion_average_main_revenue_and_its_alternative():
    # 己: 主营 32,000 / 35,000 / 39,000万 → 平均 35,333.33万, 对 4亿差 4,666.67万元
    years = {2023: (33000, 32000, None), 2024: (36000, 35000, None), 2025: (40000, 39000, None)}
    alone = assess(criteria("single_champion"), facts(years, size="large"))
    assert [s.text for s in alone.missing] == ["近3年平均主营业务收入 35,333.33万元，差 4,666.67 万元"]
    assert alone.near(Decimal(20))
    giant = assess(criteria("single_champion"), facts(years, size="large", honours={"little_giant"}))
    assert giant.met  # 省级专精特新或小巨人可放宽至 2亿元


def test_golden_elephant_reports_the_closest_alternative():
    # 壬: 税金 23,000万（差 7,000万，23%）或营收 620,000万（差 380,000万，38%）: the nearer one is shown
    result = assess(criteria("golden_elephant"), facts({2025: (620000, None, None)}, size="large", tax=23000))
    assert [s.text for s in result.missing] == ["上年实缴税金 23,000万元，差 7,000 万元"]


def test_a_placeholder_is_never_met():
    result = assess(criteria("beautiful_factory"), facts({2025: (1000, 900, 50)}))
    assert not result.met and not result.missing
    assert [v.status for v in result.verdicts] == [PENDING_STATUS]
    assert result.pending[0].endswith("（该条件待主管部门明确）")


def test_a_placeholder_alternative_does_not_stand_in_for_a_figure():
    # 营业收入不足 1,500万 and the 股权投资 alternative is a placeholder: the revenue gap is what the data shows
    result = assess(
        criteria("srdi_sme"), facts({2024: (1000, 950, 80), 2025: (1400, 1330, 84)}, honours={"tech_sme"})
    )
    assert "上年营业收入 1,400万元，差 100 万元" in [s.text for s in result.missing]


def test_missing_figures_are_unknown_not_zero():
    result = assess(criteria("little_giant"), facts({2025: (9800, 8624, 320)}, honours={"provincial_srdi"}))
    assert verdict(result, "rnd").status == "unknown"
    assert "缺少近两年研发费用合计" in verdict(result, "rnd").reason
    assert not result.near(Decimal(100))


def test_a_not_met_honour_has_no_figure_and_is_never_near():
    result = assess(criteria("srdi_sme"), facts({2024: (2000, 1900, 100), 2025: (2000, 1900, 100)}))
    [gap] = result.missing
    assert gap.value is None and gap.text.startswith("不满足：企业荣誉包含其一")
    assert not result.near(Decimal(100))


def test_high_tech_tech_staff_share_misses_by_one_point():
    # 丙: 科技人员 18 / 职工 200 = 9.00% < 10%
    years = {2023: (6000, None, 180), 2024: (7000, None, 250), 2025: (8000, None, 310)}
    result = assess(criteria("high_tech"), facts(years, employees=200, tech_staff=18))
    staff = verdict(result, "tech_staff")
    assert staff.status == NOT_MET
    assert staff.shortfalls[0].text == "上年科技人员占职工总数比重 9%，差 1 个百分点"
    exactly = assess(criteria("high_tech"), facts(years, employees=200, tech_staff=20))  # 20 / 200 = 10%
    assert verdict(exactly, "tech_staff").status == MET


def test_srdi_sme_segment_years_to_the_end_of_last_year():
    # 丁: 细分市场自 2021-03 → 截至 2025-12-31 满 4 年 (≥ 3); 自 2023-01-01 → 满 2 年, 差 1 年; 自 2023-01-02 → 2 年
    years = {2024: (3000, 2400, 100), 2025: (1500, 1200, 100)}
    for since, status in (
        (dt.date(2021, 3, 1), MET),
        (dt.date(2023, 1, 1), MET),
        (dt.date(2023, 1, 2), NOT_MET),
    ):
        result = assess(criteria("srdi_sme"), facts(years, honours={"tech_sme"}, segment_since=since))
        assert verdict(result, "segment_years").status == status, since
    late = assess(criteria("srdi_sme"), facts(years, honours={"tech_sme"}, segment_since=dt.date(2024, 6, 1)))
    assert verdict(late, "segment_years").shortfalls[0].text == "截至上年末从事细分市场年限 1年，差 2 年"
    unknown = assess(criteria("srdi_sme"), facts(years, honours={"tech_sme"}, segment_since=None))
    assert verdict(unknown, "segment_years").reason == "待核实：缺少截至上年末从事细分市场年限数据"


@pytest.mark.parametrize(
    ("liabilities", "status"), [(800, MET), (Decimal("800.01"), NOT_MET), (None, "unknown")]
)
def test_srdi_sme_debt_ratio_not_above_80_percent(liabilities, status):
    years = {2024: (3000, 2400, 100), 2025: (1500, 1200, 100)}
    result = assess(criteria("srdi_sme"), facts(years, honours={"tech_sme"}, liabilities_wan=liabilities))
    assert verdict(result, "debt_ratio").status == status  # of 资产 1,000万: 80% = 800万


def test_little_giant_ip_and_srdi_score():
    # 戊: Ⅰ类知识产权 3 项 → 差 1 项; 评价得分 66 ≥ 60; 负债率 68% ≤ 75%
    years = {2023: (8500, None, None), 2024: (9000, None, 300), 2025: (9800, 8624, 320)}
    result = assess(
        criteria("little_giant"),
        facts(years, size="medium", honours={"provincial_srdi"}, ip_class1=3, srdi_score=Decimal(66),
              liabilities_wan=Decimal(680)),
    )  # fmt: skip
    assert verdict(result, "ip").shortfalls[0].text == "Ⅰ类知识产权 3项，差 1 项"
    assert verdict(result, "score").status == MET and verdict(result, "debt_ratio").status == MET


def test_a_multi_year_figure_is_unknown_when_a_year_is_missing():
    got = derived_facts({2025: YearFigures(Decimal(100), None, Decimal(5))}, as_of=AS_OF)
    assert got["enterprise.rnd_sum2_wan"] is None and got["enterprise.rnd_share_pct"] == Decimal(5)
    assert got["enterprise.debt_ratio_pct"] is None and got["enterprise.tech_staff_share_pct"] is None
    assert got["score.tech_sme"] is None


def test_the_hundred_yi_chain_leader_reads_last_year_s_gross_output():
    # 百亿“链主”：年工业总产值 100 亿元以上（含本数）；上年 98.5 亿元，差 1.5 亿元
    output = [c for c in criteria("chain_leader") if c.code == "output"]
    below = derived_facts({AS_OF.year - 1: YearFigures(output_wan=Decimal(985000))}, as_of=AS_OF)
    assessment = assess(output, below)
    assert not assessment.met and assessment.missing[0].text == "上年工业总产值 985,000万元，差 15,000 万元"
    on_the_bound = derived_facts({AS_OF.year - 1: YearFigures(output_wan=Decimal(1000000))}, as_of=AS_OF)
    assert assess(output, on_the_bound).met
