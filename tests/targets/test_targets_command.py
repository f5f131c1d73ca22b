"""`kuochan targets`: each indicator's standing as of a month, from official figures where entered and
derived from the registry otherwise."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import Enterprise, Honour
from kuochan.targets.models import Actual, Indicator

pytestmark = pytest.mark.django_db
KEYS = {
    "code",
    "name",
    "unit",
    "year_target",
    "actual",
    "completion",
    "time_pace",
    "light",
    "period_target",
    "period_actual",
}


def run(capsys, *options):
    try:
        call_command("targets", *options)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, capsys.readouterr().out


def by_code(report):
    return {row["code"]: row for row in report["indicators"]}


def test_json_has_exactly_the_documented_keys(huzhou, capsys):
    code, out = run(capsys, "--as-of", "2026-06", "--format", "json")
    report = json.loads(out)
    assert code == 0 and set(report) == {"as_of", "indicators"} and report["as_of"] == "2026-06"
    assert all(set(row) == KEYS for row in report["indicators"])
    assert len(report["indicators"]) == 21


def test_an_official_figure_gives_the_light(huzhou, capsys):
    growth = Indicator.objects.get(plan__code="huzhou-2026-2030", code="renovation_growth")
    Actual.objects.create(
        indicator=growth,
        org_unit=OrgUnit.objects.get(code="330500"),
        month=dt.date(2026, 6, 1),
        value=Decimal("9.5"),
    )
    row = by_code(json.loads(run(capsys, "--as-of", "2026-06", "--format", "json")[1]))["renovation_growth"]
    assert (row["actual"], row["year_target"], row["light"]) == (
        9.5,
        11.0,
        "yellow",
    )  # 1.5 points below the floor
    assert row["time_pace"] is None


def test_honour_counts_are_derived_from_the_registry_by_district(registered, capsys):
    for uscc, year in ((registered[0], 2024), (registered[2], 2026)):
        Honour.objects.create(enterprise=Enterprise.objects.get(uscc=uscc), kind="listed", year_granted=year)
    city = by_code(json.loads(run(capsys, "--as-of", "2026-06", "--format", "json")[1]))["listed_companies"]
    assert (city["actual"], city["year_target"]) == (2.0, 67.0)
    district = by_code(
        json.loads(run(capsys, "--as-of", "2026-06", "--district", "南浔区", "--format", "json")[1])
    )
    assert district["listed_companies"]["actual"] == 1.0 and district["listed_companies"]["light"] == "none"


def test_the_text_report_says_where_each_figure_comes_from(registered, capsys):
    Honour.objects.create(
        enterprise=Enterprise.objects.get(uscc=registered[0]), kind="listed", year_granted=2024
    )
    out = run(capsys, "--as-of", "2026-06")[1]
    assert "上市公司\t1家\t推算（企业库推算）" in out
    assert "湖州市 截至 2026-06：共 21 项指标" in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--as-of", "2026-13"], "--as-of 应为月份 YYYY-MM"),
        (["--as-of", "2026-06", "--district", "火星区"], "未知的区县“火星区”。"),
    ],
)
def test_refusals(huzhou, capsys, options, message):
    code, error = run(capsys, *options)
    assert code == 2 and message in error


def test_new_honours_count_each_year_once(registered, capsys):
    for uscc, year in ((registered[0], 2026), (registered[2], 2027)):
        Honour.objects.create(
            enterprise=Enterprise.objects.get(uscc=uscc), kind="innovative_sme", year_granted=year
        )
    row = by_code(json.loads(run(capsys, "--as-of", "2027-12", "--format", "json")[1]))["innovative_sme_new"]
    assert (row["actual"], row["period_actual"]) == (1.0, 2.0)


def test_a_month_outside_the_plan_is_refused(huzhou, capsys):
    assert run(capsys, "--as-of", "2031-06") == (2, "截至月份应在规划期 2026—2030 年内，收到 2031 年。")
    try:
        call_command("forecast", "--as-of", "2024-06")  # no plan covers 2024: the latest plan refuses
    except CommandError as exc:
        assert exc.returncode == 2 and "规划期 2026—2030 年内" in str(exc)
    else:
        raise AssertionError("the forecast should refuse a month outside the plan")


def test_enterprise_users_do_not_see_the_governments_working_figures(huzhou, users, login):
    client = login(users["enterprise"])
    for url in ("/targets/ranking/", "/targets/decomposition/", "/targets/forecast/"):
        assert client.get(url).status_code == 403
