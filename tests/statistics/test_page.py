"""工业经济月报: the month's table by indicator with units, separators and ranks, the growth trend with the
province's line, the export, and what each user may see."""

import json

import pytest
from django.urls import reverse

from tests.xlsx import exported_rows

pytestmark = pytest.mark.django_db
URL = reverse("statistics:monthly")


@pytest.fixture
def imported(huzhou, bureau_file, run_cli):
    code, result = run_cli("statistics", bureau_file)
    assert code == 0, result["errors"]


def test_the_month_table_shows_units_separators_and_ranks_most_relevant_first(imported, users, login):
    page = login(users["city_staff"]).get(URL).content.decode()
    assert "2025年6月" in page or "2025-06" in page
    revenue = page.split('data-testid="table-above-scale-revenue"')[1].split("</table>")[0]
    assert (
        "累计（亿元）" in revenue and "4,321.5" in revenue and "52,345.67" in revenue and "第3位" in revenue
    )
    order = [revenue.index(name) for name in ("浙江省", "湖州市", "德清县", "吴兴区", "长兴县")]
    assert order == sorted(order)  # the province, the city, then the districts by rank
    assert "5.6%" in revenue


def test_the_trend_has_every_area_and_the_province_line(imported, users, login):
    response = login(users["city_staff"]).get(
        URL, {"month": "2025-06", "indicator": "manufacturing-investment"}
    )
    trend = json.loads(
        response.content.decode()
        .split('id="growth-trend-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    by_name = {series["name"]: series for series in trend["series"]}
    assert by_name["浙江省"]["province"] and by_name["浙江省"]["data"][5] == 3.3
    assert by_name["湖州市"]["data"][5] == 13.4 and by_name["湖州市"]["data"][4] is None
    assert len(trend["series"]) == 9 and trend["series"][0]["name"] == "浙江省"


def test_the_export_is_the_month_table(imported, users, login):
    response = login(users["city_staff"]).get(URL, {"month": "2025-06", "export": "xlsx"})
    rows = exported_rows(response)
    assert rows[0] == ["指标", "地区", "累计值", "本月值", "计量单位", "增速（%）", "位次"]
    assert ["规上工业营业收入", "湖州市", 4321.5, "", "亿元", 5.6, 3] in [list(r) for r in rows]
    assert len(rows) == 36


def test_a_district_sees_itself_the_city_and_the_province(imported, users, login):
    page = login(users["nanxun"]).get(URL, {"month": "2025-06"}).content.decode()
    table = page.split('data-testid="table-above-scale-revenue"')[1].split("</table>")[0]
    assert "南浔区" in table and "湖州市" in table and "浙江省" in table
    assert "吴兴区" not in table and "德清县" not in table


def test_enterprises_may_not_open_it_and_odd_input_is_a_message(imported, users, login):
    assert login(users["enterprise"]).get(URL).status_code == 403
    response = login(users["city_staff"]).get(URL, {"month": "六月", "indicator": "../x"})
    assert response.status_code == 200 and "无效，已忽略" in response.content.decode()


def test_without_figures_the_page_says_how_to_get_them(huzhou, users, login):
    page = login(users["city_staff"]).get(URL).content.decode()
    assert "还没有统计数据" in page


def test_city_staff_add_an_indicator_the_next_import_recognises(huzhou, users, login):
    from kuochan.audit.models import AuditEntry
    from kuochan.statistics.models import StatIndicator

    client = login(users["city_staff"])
    assert "增加统计指标" in client.get(URL).content.decode()
    response = client.post(
        reverse("statistics:indicator-new"),
        {"code": "digital-core", "name": "数字经济核心产业制造业增加值增速", "kind": "growth", "unit": "亿元",
         "aliases": "数字经济核心产业增加值，数字经济增加值", "source": "统计局月报"},
    )  # fmt: skip
    assert response.status_code == 302
    added = StatIndicator.objects.get(code="digital-core")
    assert added.aliases == ["数字经济核心产业增加值", "数字经济增加值"]
    assert AuditEntry.objects.filter(content_type__model="statindicator", object_id=str(added.pk)).exists()
    again = client.post(
        reverse("statistics:indicator-new"), {"code": "x2", "name": added.name, "kind": "growth"}, follow=True
    )
    assert "已存在" in again.content.decode()


def test_districts_may_not_add_indicators(huzhou, users, login):
    from kuochan.statistics.models import StatIndicator

    client = login(users["wuxing"])
    assert "增加统计指标" not in client.get(URL).content.decode()
    response = client.post(
        reverse("statistics:indicator-new"), {"code": "x", "name": "某指标", "kind": "amount"}, follow=True
    )
    assert "只有市级人员可以增加统计指标" in response.content.decode()
    assert not StatIndicator.objects.filter(code="x").exists()


def test_a_growth_only_indicator_has_no_empty_amount_columns(imported, users, login):
    page = login(users["city_staff"]).get(URL, {"month": "2025-06"}).content.decode()
    manufacturing = page.split('data-testid="table-manufacturing-investment"')[1].split("</table>")[0]
    assert "累计（" not in manufacturing and "13.4%" in manufacturing and "第2位" in manufacturing
