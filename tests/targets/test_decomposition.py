"""Splitting the city's targets among the reporting units: by baseline share (adding up exactly) or by
hand, audited, checked for reconciliation, and used for each unit's progress."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from kuochan.audit.models import AuditEntry, Source
from kuochan.orgs.models import OrgUnit
from kuochan.targets import services
from kuochan.targets.models import Actual, DistrictTarget, Indicator
from kuochan.targets.rules import reconciliation, split_by_share
from kuochan.targets.selectors import district_targets

pytestmark = pytest.mark.django_db
UNITS = ("330502", "330503", "330521", "330522", "330523", "330500-NTH", "330500-CHQ")


def test_shares_add_up_exactly_with_the_largest_remainders_taking_the_cents():
    split = split_by_share({2026: D(100)}, {"甲": D(1), "乙": D(1), "丙": D(1)})
    assert split == {"甲": {2026: D("33.34")}, "乙": {2026: D("33.33")}, "丙": {2026: D("33.33")}}
    split = split_by_share({2026: D(555)}, {"甲": D("300"), "乙": D("213.6")})
    assert split["甲"][2026] + split["乙"][2026] == D(555)
    assert split["甲"][2026] == D("324.18")  # 555 × 300 / 513.6 = 324.1822…


def test_reconciliation_names_each_year_that_does_not_add_up():
    [finding] = reconciliation(
        "技改投资",
        "亿元",
        {2026: D(555), 2027: D(615)},
        {"甲": {2026: D(300), 2027: D(315)}, "乙": {2026: D(255), 2027: D(299)}},
    )
    assert finding.message == "2027 年各单位目标合计 614亿元，与全市目标 615亿元 相差 -1亿元。"


@pytest.fixture
def baselines(huzhou):
    """Official 2025 renovation investment (亿元) of the seven units: 513.6 in all."""
    indicator = Indicator.objects.get(code="renovation_investment")
    for code, value in zip(UNITS, ("120", "80", "90", "100", "60", "40", "23.6"), strict=True):
        Actual.objects.create(
            indicator=indicator, org_unit=huzhou[code], month=dt.date(2025, 12, 1), value=D(value)
        )
    return indicator


def test_split_by_baseline_share_is_stored_audited_and_reconciles(baselines, users):
    split = services.decomposition_by_share(actor=users["city_staff"], source=Source.WEB, indicator=baselines)
    assert split["吴兴区"][2026] == D("129.67")  # 555 × 120 / 513.6 = 129.6729…
    for year, target in ((2026, 555), (2030, 860)):
        assert sum(values[year] for values in split.values()) == target
    assert DistrictTarget.objects.filter(indicator=baselines).count() == 35
    assert AuditEntry.objects.filter(content_type__model="districttarget").count() == 35
    assert reconciliation("技改投资", "亿元", {2026: D(555)}, district_targets(baselines)) == []


def test_a_hand_entered_target_replaces_the_share_and_shows_as_unreconciled(baselines, users):
    services.decomposition_by_share(actor=users["city_staff"], source=Source.WEB, indicator=baselines)
    services.district_target_set(
        actor=users["city_admin"], source=Source.WEB, indicator=baselines, unit=OrgUnit.objects.get(code="330502"),
        year=2026, value="140",
    )  # fmt: skip
    [finding] = reconciliation("技改投资", "亿元", {2026: D(555)}, district_targets(baselines))
    assert "相差 10.33亿元" in finding.message


def test_only_the_city_splits_and_a_missing_baseline_is_named(huzhou, users, baselines):
    with pytest.raises(PermissionDenied):
        services.decomposition_by_share(actor=users["wuxing"], source=Source.WEB, indicator=baselines)
    platforms = Indicator.objects.get(code="pilot_platforms_new")  # official figures only
    for code in UNITS[:-1]:
        Actual.objects.create(
            indicator=platforms, org_unit=huzhou[code], month=dt.date(2025, 12, 1), value=D(1)
        )
    with pytest.raises(ValidationError) as refused:
        services.decomposition_by_share(actor=users["city_staff"], source=Source.WEB, indicator=platforms)
    assert refused.value.messages == [
        "缺少长三角（湖州）产业合作区 2025 年的基期值，无法按基期占比分解：请录入统计数据或手工分解。"
    ]
    share = Indicator.objects.get(code="rnd_share")  # a ratio applies to every unit as it is
    with pytest.raises(ValidationError, match="比重、底线或区间指标"):
        services.decomposition_by_share(actor=users["city_staff"], source=Source.WEB, indicator=share)
    growth = Indicator.objects.get(plan__code="huzhou-2026-2030", code="renovation_growth")
    with pytest.raises(ValidationError):
        services.decomposition_by_share(actor=users["city_staff"], source=Source.WEB, indicator=growth)


def test_a_districts_progress_uses_its_own_target(baselines, users, capsys):
    services.decomposition_by_share(actor=users["city_staff"], source=Source.WEB, indicator=baselines)
    Actual.objects.create(
        indicator=baselines,
        org_unit=OrgUnit.objects.get(code="330502"),
        month=dt.date(2026, 6, 1),
        value=D("64.8"),
    )
    call_command("targets", "--as-of", "2026-06", "--district", "吴兴区", "--format", "json")
    row = next(
        r for r in json.loads(capsys.readouterr().out)["indicators"] if r["code"] == "renovation_investment"
    )
    assert (row["year_target"], row["actual"], row["light"]) == (
        129.67,
        64.8,
        "green",
    )  # 49.97 % at 50 % pace
    assert row["period_target"] == pytest.approx(float(sum(district_targets(baselines)["吴兴区"].values())))


def test_the_decomposition_page_splits_edits_and_checks(baselines, users, login):
    client = login(users["city_staff"])
    page = client.post(
        "/targets/decomposition/", {"indicator": "renovation_investment", "action": "split"}, follow=True
    )
    text = page.content.decode()
    assert (
        "已按 2025 年基期占比分解“增资扩产投资额（技改投资）”" in text
        and "各单位目标合计与全市目标逐年一致" in text
    )
    wuxing = OrgUnit.objects.get(code="330502")
    client.post(
        "/targets/decomposition/",
        {"indicator": "renovation_investment", "action": "save", f"t-{wuxing.pk}-2026": "140"},
    )
    assert DistrictTarget.objects.get(indicator=baselines, org_unit=wuxing, year=2026).value == D(140)
    assert "2026 年各单位目标合计 565.33亿元" in client.get("/targets/decomposition/").content.decode()
    refused = login(users["wuxing"]).post(
        "/targets/decomposition/", {"indicator": "renovation_investment", "action": "split"}, follow=True
    )
    assert "区县目标由市级分解" in refused.content.decode()


def test_the_ranking_page_ranks_units_on_their_own_targets(baselines, users, login):
    services.decomposition_by_share(actor=users["city_staff"], source=Source.WEB, indicator=baselines)
    for code, value in (
        ("330502", "64.8"),
        ("330503", "30"),
    ):  # 吴兴 at pace; 南浔 behind (its target ≈ 86.45)
        Actual.objects.create(
            indicator=baselines,
            org_unit=OrgUnit.objects.get(code=code),
            month=dt.date(2026, 6, 1),
            value=D(value),
        )
    page = login(users["leader"]).get("/targets/ranking/", {"as_of": "2026-06"}).content.decode()
    assert page.index("吴兴区") < page.index("南浔区")
    assert "增资扩产投资额（技改投资） 99.9" in page
    assert (
        "增资扩产投资额（技改投资） 0.0，平均 0.00 分" in page
    )  # a unit that did nothing scores 0, not "no rank"


def test_the_ranking_says_why_a_unit_has_no_score(huzhou, users, login):
    page = login(users["leader"]).get("/targets/ranking/", {"as_of": "2026-06"}).content.decode()
    table = page.split('data-testid="ranking-table"')[1].split("</table>")[0]
    assert "不参与排名" in table and "无可计分指标" in table  # nothing split to the districts yet
    assert "没有分解到本单位且有实际值的指标，不参与排名" in table
    assert "截至 2026年6月" in page


def test_a_grid_with_one_bad_cell_saves_nothing_and_names_the_cell(baselines, users, login):
    wuxing, nanxun = OrgUnit.objects.get(code="330502"), OrgUnit.objects.get(code="330503")
    form = {
        "indicator": "renovation_investment",
        "action": "save",
        f"t-{wuxing.pk}-2026": "140",
        f"t-{nanxun.pk}-2026": "九十",
    }
    page = login(users["city_staff"]).post("/targets/decomposition/", form, follow=True).content.decode()
    assert "南浔区 2026 年目标：“九十”不是数字。" in page
    assert not DistrictTarget.objects.exists()
