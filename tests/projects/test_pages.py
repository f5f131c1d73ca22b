"""The project pages: what an official sees and can do, in their data scope."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest

from kuochan.audit.models import AuditEntry
from kuochan.projects.models import LightRuleSet, Progress, Project, YearPlan
from kuochan.registry.models import Enterprise
from tests.conftest import TODAY, days_ago
from tests.xlsx import exported_rows


def test_list_shows_lights_with_reasons_and_filters_by_light(pipeline, users, login):
    client = login(users["city_staff"])
    page = client.get("/projects/").content.decode()
    assert "红灯 1，黄灯 1，绿灯 1，不亮灯 1" in page
    assert "已逾期 120 天" in page
    red = client.get("/projects/", {"light": "red"}).content.decode()
    assert "童装智能工厂技改项目" in red and "新材料扩产项目" not in red


def test_list_filters_by_district_stage_type_and_size(pipeline, users, login, huzhou):
    client = login(users["city_staff"])
    nanxun = client.get("/projects/", {"district": huzhou["330503"].pk}).content.decode()
    assert "木业新建厂房项目" in nanxun and "童装智能工厂技改项目" not in nanxun
    started = client.get("/projects/", {"stage": "started"}).content.decode()
    assert "木业新建厂房项目" in started and "新材料扩产项目" not in started
    large = client.get("/projects/", {"large": "1"}).content.decode()
    assert "童装智能工厂技改项目" in large and "木业新建厂房项目" not in large  # 300万元 is not 亿元以上


def test_list_exports_what_it_shows(pipeline, users, login):
    response = login(users["city_staff"]).get("/projects/", {"light": "red", "export": "xlsx"})
    rows = exported_rows(response)
    header = rows.index(next(r for r in rows if r and r[0] == "项目代码"))
    assert rows[header + 1][0] == "2026-330502-26-03-000001" and rows[header + 1][7] == "红灯"
    assert len([r for r in rows[header + 1 :] if r and r[0]]) == 1


def test_a_district_user_sees_only_their_district(pipeline, users, login):
    client = login(users["nanxun"])
    page = client.get("/projects/").content.decode()
    assert "木业新建厂房项目" in page and "童装智能工厂技改项目" not in page
    assert client.get(f"/projects/{pipeline['red'].pk}/").status_code == 404


def test_detail_shows_reasons_milestones_progress_and_trail(pipeline, users, login):
    page = login(users["city_staff"]).get(f"/projects/{pipeline['red'].pk}/").content.decode()
    assert f"计划开工 {days_ago(120)}，至 {TODAY} 尚未开工，已逾期 120 天" in page
    assert "落地未开工" in page
    assert 'id="milestone-chart-data"' in page
    assert "变更记录" in page and "新增项目（来源：网页）" in page


def test_detail_as_of_an_earlier_date(pipeline, users, login):
    earlier = days_ago(115)
    page = (
        login(users["city_staff"])
        .get(f"/projects/{pipeline['red'].pk}/", {"as_of": earlier})
        .content.decode()
    )
    assert f"截至 {earlier}：黄灯" in page


def test_light_board_counts_by_district_and_drills_down(pipeline, users, login, huzhou):
    page = login(users["city_staff"]).get("/projects/board/").content.decode()
    wuxing = huzhou["330502"].pk
    assert f"/projects/?district={wuxing}&light=red&as_of={TODAY}" in page


def test_stall_board_by_category_and_district(pipeline, users, login):
    page = login(users["city_staff"]).get("/projects/stalls/").content.decode()
    assert "落地未开工" in page and "stall=%E8%90%BD%E5%9C%B0%E6%9C%AA%E5%BC%80%E5%B7%A5" in page
    listed = login(users["city_staff"]).get("/projects/", {"stall": "落地未开工"}).content.decode()
    assert (
        "童装智能工厂技改项目" in listed and "新材料扩产项目" in listed and "木业新建厂房项目" not in listed
    )


def test_three_lists_page_with_a_period(pipeline, users, login):
    client = login(users["city_staff"])
    page = client.get("/projects/lists/", {"from": days_ago(130), "to": TODAY}).content.decode()
    assert "拟开工清单（2）" in page and f"计划 {days_ago(120)} 开工" in page
    response = client.get("/projects/lists/", {"from": days_ago(130), "to": TODAY, "export": "start"})
    assert [r[0] for r in exported_rows(response) if r and str(r[0]).startswith("2026-")] == [
        "2026-330502-26-03-000001",
        "2026-330502-26-03-000002",
    ]


def test_data_quality_lists_what_is_wrong(pipeline, users, login):
    project = pipeline["green"]
    Project.objects.filter(pk=project.pk).update(
        producing_actual=TODAY + dt.timedelta(days=3), completed_actual=days_ago(360)
    )
    page = login(users["city_staff"]).get("/projects/quality/").content.decode()
    assert f"实际投产日期 {TODAY + dt.timedelta(days=3)} 晚于今天 {TODAY}" in page
    assert f"实际竣工日期 {days_ago(360)} 早于实际开工日期 {days_ago(350)}" in page
    assert "缺少计划投产、达产日期" in page


def test_create_a_project_without_a_code_gets_a_platform_code(registered, users, login):
    client = login(users["wuxing"])
    response = client.post(
        "/projects/new/",
        {"name": "智能仓储项目", "enterprise": registered[0].lower(), "status": "active", "total_wan": "800"},
    )
    project = Project.objects.get(name="智能仓储项目")
    assert response.status_code == 302 and project.code == f"KC-{TODAY.year}-000001"
    assert project.district.name == "吴兴区"


def test_a_district_user_cannot_create_a_project_for_another_districts_enterprise(registered, users, login):
    page = login(users["wuxing"]).post(
        "/projects/new/", {"name": "越权项目", "enterprise": registered[2], "status": "active"}
    )
    assert "您的数据范围内没有统一社会信用代码" in page.content.decode()
    assert not Project.objects.filter(name="越权项目").exists()


def test_milestones_form_refuses_planned_dates_out_of_order(pipeline, users, login):
    project = pipeline["yellow"]
    response = login(users["wuxing"]).post(
        f"/projects/{project.pk}/milestones/",
        {"started_planned": "2026-09-01", "completed_planned": "2026-03-01"},
    )
    assert "计划竣工日期 2026-03-01 早于计划开工日期 2026-09-01" in response.content.decode()
    project.refresh_from_db()
    assert project.started_planned == days_ago(10)


def test_progress_form_records_the_month_and_the_years_plan_and_warns_when_ytd_falls(pipeline, users, login):
    project = pipeline["green"]
    client = login(users["nanxun"])
    march = dt.date(TODAY.year, 3, 1) if TODAY.month > 4 else dt.date(TODAY.year - 1, 3, 1)
    client.post(
        f"/projects/{project.pk}/progress/",
        {"month": f"{march:%Y-%m}", "ytd_wan": "120", "year_plan_wan": "250"},
    )
    response = client.post(
        f"/projects/{project.pk}/progress/", {"month": f"{march.year}年4月", "ytd_wan": "100"}, follow=True
    )
    assert Progress.objects.filter(project=project).count() == 2
    assert YearPlan.objects.get(project=project, year=march.year).planned_wan == 250
    assert "本年累计完成投资 100 万元低于 3 月已报的 120.00 万元" in response.content.decode()


def test_an_enterprise_user_reports_their_own_projects_progress_only(pipeline, users, login, registered):
    from kuochan.registry.models import Enterprise

    user = users["enterprise"]
    user.enterprise = Enterprise.objects.get(uscc=registered[0])
    user.save()
    client = login(user)
    assert client.get(f"/projects/{pipeline['red'].pk}/progress/").status_code == 200
    assert client.get(f"/projects/{pipeline['yellow'].pk}/progress/").status_code == 404


def test_leaders_read_but_cannot_edit(pipeline, users, login):
    client = login(users["leader"])
    assert client.get(f"/projects/{pipeline['red'].pk}/").status_code == 200
    assert client.get(f"/projects/{pipeline['red'].pk}/edit/").status_code == 403


@pytest.mark.parametrize("role", ["city_staff", "wuxing"])
def test_only_city_admins_change_the_light_rules(huzhou, users, login, role):
    response = login(users[role]).post("/projects/rules/", {"schedule_red_days": "60"})
    assert response.status_code == 403


# The rules as shipped: the checkboxes of 节点逾期 and the pace's yellow ticked, the others not.
RULES_FORM = {
    "schedule_yellow_days": "1", "schedule_yellow_inclusive": "on", "schedule_red_days": "90",
    "schedule_red_inclusive": "on", "pace_yellow_points": "10", "pace_yellow_inclusive": "on",
    "pace_red_points": "30", "in_stats_min_total_wan": "500", "in_stats_yellow_after_days": "30",
    "in_stats_red_after_days": "60", "above_scale_revenue_wan": "2000",
    "milestone_order": "签约→备案→开工→竣工→投产→达产", "basis": "测试",
}  # fmt: skip


def test_city_admin_changes_a_threshold_and_the_lights_follow(pipeline, users, login):
    client = login(users["city_admin"])
    assert client.post("/projects/rules/", RULES_FORM | {"schedule_red_days": "5"}).status_code == 302
    assert LightRuleSet.objects.get().schedule_red_days == 5
    assert AuditEntry.objects.filter(content_type__model="lightruleset", action="update").exists()
    page = client.get("/projects/", {"light": "red"}).content.decode()
    assert "新材料扩产项目" in page  # 10 days late is now red


def test_the_editor_shows_the_milestone_order_as_it_takes_it(huzhou, users, login):
    page = login(users["city_admin"]).get("/projects/rules/").content.decode()
    assert 'value="签约→备案→开工→竣工→投产→达产"' in page


def checkbox(page: str, name: str) -> str:
    start = page.index(f'name="{name}"')
    return page[page.rindex("<input", 0, start) : page.index(">", start) + 1]


def test_the_rules_page_says_whether_each_threshold_includes_its_bound(huzhou, users, login):
    page = html.unescape(login(users["city_staff"]).get("/projects/rules/").content.decode())
    assert "逾期 1 天以上（含本数）亮黄灯；90 天以上（含本数）亮红灯" in page
    assert "落后 10 个百分点以上（含本数）亮黄灯；超过 30 个百分点（不含本数）亮红灯" in page
    assert "开工超过 30 天（不含本数）未入库亮黄灯；超过 60 天（不含本数）亮红灯" in page
    assert "总投资 500.00 万元以上（含本数）的项目" in page
    assert "修改规则" not in page  # read only for city staff


def test_the_editor_saves_the_bound_a_threshold_includes_and_the_page_and_lights_follow(
    pipeline, users, login
):
    """The yellow project is exactly 10 days late: with the red threshold at 10 days it turns red only once
    the red threshold includes its bound (含本数)."""
    client = login(users["city_admin"])
    page = client.get("/projects/rules/").content.decode()
    assert " checked" in checkbox(page, "schedule_red_inclusive")
    assert " checked" not in checkbox(page, "pace_red_inclusive")
    assert 'aria-label="投资进度落后红灯含本数"' in checkbox(page, "pace_red_inclusive")

    exclusive = RULES_FORM | {"schedule_red_days": "10"}
    del exclusive["schedule_red_inclusive"]
    assert client.post("/projects/rules/", exclusive).status_code == 302
    assert LightRuleSet.objects.get().schedule_red_inclusive is False
    assert "新材料扩产项目" not in client.get("/projects/", {"light": "red"}).content.decode()
    rules_page = html.unescape(client.get("/projects/rules/").content.decode())
    assert "逾期 1 天以上（含本数）亮黄灯；超过 10 天（不含本数）亮红灯" in rules_page
    assert " checked" not in checkbox(rules_page, "schedule_red_inclusive")

    inclusive = RULES_FORM | {"schedule_red_days": "10", "pace_red_inclusive": "on"}
    assert client.post("/projects/rules/", inclusive).status_code == 302
    stored = LightRuleSet.objects.get()
    assert stored.schedule_red_inclusive is True and stored.pace_red_inclusive is True
    red = client.get("/projects/", {"light": "red"}).content.decode()
    assert "新材料扩产项目" in red and "10 天以上（含本数）亮红灯" in html.unescape(red)
    rules_page = html.unescape(client.get("/projects/rules/").content.decode())
    assert "落后 10 个百分点以上（含本数）亮黄灯；30 个百分点以上（含本数）亮红灯" in rules_page

    trail = html.unescape(client.get("/audit/", {"model": "projects.lightruleset"}).content.decode())
    trail = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", trail))
    assert "投资进度落后红灯含本数： 否 → 是" in trail and "节点逾期红灯含本数： 否 → 是" in trail
    assert "节点逾期红灯含本数： 是 → 否" in trail and "_inclusive" not in trail
    assert "10.00 → 10.00" not in trail  # an unchanged threshold sent as "10" is no change


def test_enterprise_profile_lists_its_projects(pipeline, users, login):
    project = pipeline["red"]
    page = login(users["city_staff"]).get(project.enterprise.get_absolute_url()).content.decode()
    assert project.name in page and project.code in page


def grid_month():
    """A complete month of this year that is not January (so 'the month before' exists)."""
    return dt.date(TODAY.year, 3, 1) if TODAY.month > 3 else dt.date(TODAY.year - 1, 3, 1)


def test_monthly_grid_saves_a_districts_projects_in_one_go(pipeline, users, login):
    client = login(users["wuxing"])
    month = grid_month()
    url = f"/projects/progress/?month={month:%Y-%m}"
    page = client.get(url).content.decode()
    red, yellow = pipeline["red"], pipeline["yellow"]
    assert red.name in page and yellow.name in page and pipeline["green"].name not in page
    response = client.post(
        url, {f"ytd_wan-{red.pk}": "1,200.5", f"year_plan_wan-{red.pk}": "5000", f"problems-{yellow.pk}": "用地指标未落实",
              f"ytd_wan-{yellow.pk}": "0"}, follow=True,
    )  # fmt: skip
    assert "已保存" in response.content.decode()
    assert Progress.objects.get(project=red, month=month).ytd_wan == Decimal("1200.50")
    assert Progress.objects.get(project=yellow, month=month).problems == "用地指标未落实"
    assert YearPlan.objects.get(project=red, year=month.year).planned_wan == 5000


def test_monthly_grid_writes_nothing_when_one_row_is_wrong(pipeline, users, login):
    client = login(users["wuxing"])
    month = grid_month()
    red, yellow = pipeline["red"], pipeline["yellow"]
    response = client.post(
        f"/projects/progress/?month={month:%Y-%m}",
        {f"ytd_wan-{red.pk}": "100", f"ytd_wan-{yellow.pk}": "一百"},
    )
    page = response.content.decode()
    assert f"{yellow.name}：本年累计完成投资“一百”应为金额（万元）" in page
    assert 'value="100"' in page  # what was typed is still there
    assert not Progress.objects.exists()


def test_odd_filter_values_show_the_pages_with_a_warning(pipeline, users, login):
    client = login(users["city_staff"])
    response = client.get(
        "/projects/", {"district": "²", "chain": "9" * 25, "as_of": "2026-13-45", "light": "foo"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and pipeline["red"].name in page
    assert (
        "筛选条件「区县」的值“²”无效，已忽略" in page and "筛选条件「截至日期」的值“2026-13-45”无效" in page
    )
    grid = client.get("/projects/progress/", {"month": "2026-99", "district": "²"})
    assert grid.status_code == 200 and "筛选条件「年月」的值“2026-99”无效" in grid.content.decode()


def test_monthly_grid_refuses_an_amount_beyond_what_is_stored(pipeline, users, login):
    client = login(users["wuxing"])
    red = pipeline["red"]
    response = client.post(
        f"/projects/progress/?month={grid_month():%Y-%m}",
        {f"ytd_wan-{red.pk}": "1e20", f"problems-{red.pk}": "a\x00"},
    )
    assert f"{red.name}：本年累计完成投资“1e20”" in response.content.decode()
    assert not Progress.objects.exists()


def many_projects(enterprise, count: int, prefix: str = "批量技改项目") -> None:
    """`count` projects of one enterprise whose start was due 120 days ago: red, each with its reason."""
    Project.objects.bulk_create(
        Project(
            code=f"KC-TEST-{n:06d}", name=f"{prefix}{n:03d}", enterprise=enterprise,
            district=enterprise.district, status="active", total_wan=Decimal(800 + n),
            signed_actual=days_ago(200), registered_actual=days_ago(100), started_planned=days_ago(120),
        )
        for n in range(count)
    )  # fmt: skip


def test_the_list_opens_on_red_then_yellow_then_green_then_unlit(pipeline, users, login, huzhou):
    # the red project moves to the last district with the last code: by district it would come last
    Project.objects.filter(pk=pipeline["red"].pk).update(
        district=huzhou["330503"], code="2026-330503-26-03-000009"
    )
    page = login(users["city_staff"]).get("/projects/").content.decode()
    table = page.split('data-testid="project-table"')[1]
    order = [
        table.index(name)
        for name in ("童装智能工厂技改项目", "新材料扩产项目", "木业新建厂房项目", "已终止项目")
    ]
    assert order == sorted(order)
    assert "红灯在前" in page


def test_amounts_read_in_the_tables_unit_with_the_unit_in_the_header(pipeline, users, login):
    page = login(users["city_staff"]).get("/projects/").content.decode()
    assert "总投资（亿元）" in page and "总投资（万元）" not in page  # three of the four are 1.2 亿元
    row = page.split("童装智能工厂技改项目")[1].split("</tr>")[0]
    assert '<td class="text-end">1.20</td>' in row
    small = login(users["city_staff"]).get("/projects/", {"q": "木业新建"}).content.decode()
    assert "总投资（万元）" in small and '<td class="text-end">300.00</td>' in small


def test_a_long_list_shows_50_rows_and_its_total_and_keeps_its_filters(registered, users, login):
    many_projects(Enterprise.objects.get(uscc=registered[0]), 120)
    client = login(users["city_staff"])
    page = client.get("/projects/", {"q": "批量", "light": "red"}).content.decode()
    table = page.split('data-testid="project-table"')[1].split("</table>")[0]
    assert table.count("<tr>") - 1 == 50  # the header row and 50 projects
    assert "共 120 条，第 1/3 页" in page
    assert "?q=%E6%89%B9%E9%87%8F&light=red&page=2" in html.unescape(page)  # 下一页 keeps the filters
    last = client.get("/projects/", {"q": "批量", "light": "red", "page": 3}).content.decode()
    assert "第 3/3 页" in last and "批量技改项目119" in last


def test_the_three_lists_show_one_list_at_a_time_with_each_lists_count(pipeline, users, login):
    client = login(users["city_staff"])
    page = client.get(
        "/projects/lists/", {"from": days_ago(130), "to": TODAY, "show": "complete"}
    ).content.decode()
    assert "拟开工清单（2）" in page and 'data-testid="list-complete"' in page
    assert "童装智能工厂技改项目" not in page.split('data-testid="list-complete"')[1]
