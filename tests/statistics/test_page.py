"""工业经济月报: the month's table by indicator with units, separators and ranks, the growth trend with the
province's line, the export, and what each user may see."""

import json

import pytest
from django.urls import reverse

from tests.xlsx import exported_rows

pytestmark = pytest.mark.django_db
URL = reverse("statistics:monthly")


@pytest.fixture
def imported(province, bureau_file, run_cli):
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
