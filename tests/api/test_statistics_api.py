"""工业经济月报 through the API: the indicator library, and a month's figures the same as `kuochan statistics
--format json` prints for the caller: a district's staff see their district, the city and the province;
another city's staff see none of Huzhou's; enterprises are refused; odd input is a message by field."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from kuochan.orgs.models import OrgUnit
from kuochan.statistics.models import StatFigure, StatIndicator

pytestmark = pytest.mark.django_db

API = "/api/v1/statistics"
JUNE = dt.date(2025, 6, 1)
D = Decimal


@pytest.fixture
def figures(other_city):
    """June 2025 as the bureau published it: revenue (amounts, growth, rank) and manufacturing investment
    (growth and rank only) for the province, Huzhou, two of its districts and the other city."""
    revenue = StatIndicator.objects.get(code="above-scale-revenue")
    manufacturing = StatIndicator.objects.get(code="manufacturing-investment")
    province = OrgUnit.objects.get(kind="province")
    rows = [
        (revenue, province, D("52345.67"), D("4.1"), None),
        (revenue, OrgUnit.objects.get(code="330500"), D("4321.5"), D("5.6"), 3),
        (revenue, OrgUnit.objects.get(code="330502"), D("812.3"), D("6.2"), 2),
        (revenue, OrgUnit.objects.get(code="330503"), D("650"), D("3.1"), 5),
        (revenue, other_city["city"], D("3000"), D("2.0"), 6),
        (manufacturing, OrgUnit.objects.get(code="330500"), None, D("13.4"), 2),
        (manufacturing, OrgUnit.objects.get(code="330502"), None, D("15.0"), 3),
        (manufacturing, OrgUnit.objects.get(code="330503"), None, D("-2.5"), 7),
    ]
    for indicator, area, ytd, growth, rank in rows:
        StatFigure.objects.create(
            indicator=indicator, area=area, month=JUNE, ytd=ytd, growth=growth, rank=rank
        )
    return other_city


def command(capsys, *options: str) -> dict:
    call_command("statistics", "--month", "2025-06", "--format", "json", *options)
    return json.loads(capsys.readouterr().out)


def test_the_month_is_what_the_command_prints_for_the_same_user(figures, users, client_for, capsys):
    answer = client_for(users["city_staff"]).get(f"{API}/", {"month": "2025-06"})
    assert answer.status_code == 200
    assert answer.json() == command(capsys, "--user", "city")
    revenue = [row for row in answer.json()["rows"] if row["indicator_code"] == "above-scale-revenue"]
    assert [row["area"] for row in revenue] == ["浙江省", "湖州市", "吴兴区", "南浔区"]  # no other city's
    assert revenue[1] == {
        "indicator": "规上工业营业收入", "indicator_code": "above-scale-revenue", "unit": "亿元", "area": "湖州市",
        "area_code": "330500", "value": None, "ytd": 4321.5, "growth": 5.6, "rank": 3,
    }  # fmt: skip
    assert client_for(users["city_staff"]).get(f"{API}/", {"month": "2025年7月"}).json() == {
        "month": "2025-07",
        "rows": [],
    }


def test_a_district_sees_itself_the_city_and_the_province(figures, users, client_for, capsys):
    wuxing = client_for(users["wuxing"]).get(f"{API}/", {"month": "2025-06"}).json()
    assert wuxing == command(capsys, "--user", "wuxing")
    assert {row["area"] for row in wuxing["rows"]} == {"浙江省", "湖州市", "吴兴区"}
    nanxun = client_for(users["nanxun"])
    assert {row["area"] for row in nanxun.get(f"{API}/", {"month": "2025-06"}).json()["rows"]} == {
        "浙江省",
        "湖州市",
        "南浔区",
    }
    assert nanxun.get(f"{API}/", {"month": "2025-06", "area": "吴兴区"}).json()["rows"] == []


def test_another_city_sees_itself_and_the_province_not_huzhou(figures, client_for):
    rows = client_for(figures["staff"]).get(f"{API}/", {"month": "2025-06"}).json()["rows"]
    assert [(row["area"], row["ytd"]) for row in rows] == [("浙江省", 52345.67), ("乙市", 3000.0)]


def test_one_area_by_code_or_name(figures, users, client_for):
    client = client_for(users["city_staff"])
    by_code = client.get(f"{API}/", {"month": "2025-06", "area": "330502"}).json()
    assert by_code == client.get(f"{API}/", {"month": "2025-06", "area": "吴兴区"}).json()
    assert [(row["indicator_code"], row["growth"], row["rank"]) for row in by_code["rows"]] == [
        ("manufacturing-investment", 15.0, 3),
        ("above-scale-revenue", 6.2, 2),
    ]


def test_odd_input_is_refused_by_field_in_chinese(figures, users, client_for):
    client = client_for(users["city_staff"])
    unknown = client.get(f"{API}/", {"month": "2025-06", "area": "火星区"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"area": ["未知的地区“火星区”：应为组织单位的代码或名称。"]}
    assert client.get(f"{API}/", {"month": "六月"}).json()["errors"] == {
        "month": ["应为年月，如 2026-06 或 2026年6月"]
    }
    assert client.get(f"{API}/").json()["errors"] == {"month": ["必填。"]}


def test_the_indicator_library(huzhou, users, client_for):
    library = client_for(users["wuxing"]).get(f"{API}/indicators").json()
    assert [item["code"] for item in library][:3] == [
        "above-scale-value-added",
        "industrial-investment",
        "manufacturing-investment",
    ]
    revenue = next(item for item in library if item["code"] == "above-scale-revenue")
    assert (revenue["name"], revenue["unit"], revenue["kind"], revenue["kind_label"]) == (
        "规上工业营业收入",
        "亿元",
        "amount",
        "总量",
    )
    assert "规模以上工业营业收入" in revenue["aliases"]


def test_enterprises_are_refused(figures, enterprise_user, client_for):
    client = client_for(enterprise_user)
    for answer in (client.get(f"{API}/", {"month": "2025-06"}), client.get(f"{API}/indicators")):
        assert answer.status_code == 403 and answer.json() == {"detail": "企业用户无权查看工业经济月报。"}
