"""The project page as an official reads it: history in words, charts that fit the project, the progress
form with what it needs beside it, and the monthly grid's lights."""

import datetime as dt
import json
import re
from decimal import Decimal

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.imports.models import ImportBatch
from kuochan.projects import services
from kuochan.projects.models import Progress, Project, YearPlan
from kuochan.projects.rules import complete_months
from tests.conftest import TODAY, days_ago


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def history(response) -> str:
    page = text(response)
    return page[page.index("变更记录") :]


def test_history_says_who_changed_what_and_creation_once(pipeline, users, login):
    admin = users["city_admin"]
    admin.full_name = "王建国"
    admin.save()
    project = pipeline["red"]
    services.project_update(actor=admin, source=Source.WEB, project=project, total_wan=Decimal("15000"))
    services.progress_record(
        actor=admin,
        source=Source.WEB,
        project=project,
        month=days_ago(40).replace(day=1),
        ytd_wan=Decimal("80"),
    )
    shown = history(login(users["city_staff"]).get(f"/projects/{project.pk}/"))
    assert shown.count("新增项目") == 1
    assert "王建国 新增项目（来源：网页）" in shown
    assert "王建国 修改项目" in shown and "总投资（万元）： 12,000.00 → 15,000.00" in shown
    month = days_ago(40)
    assert f"王建国 新增{month.year}年{month.month}月进展" in shown
    assert (
        "本年累计完成投资（万元）： 80.00" in shown and project.name not in shown
    )  # named without the project


def test_an_imported_projects_creation_is_one_line_with_its_batch(pipeline, users, login):
    enterprise = pipeline["green"].enterprise
    batch = ImportBatch.objects.create(
        kind="projects", file_name="南浔区项目.xlsx", file_sha256="0" * 64, actor_name="admin", source="import",
        scope_path="",
    )  # fmt: skip
    project = Project.objects.create(
        code="2026-330503-26-03-000009", name="导入的项目", enterprise=enterprise, district=enterprise.district,
        status="active", created_batch=batch.pk,
    )  # fmt: skip
    written = [project] + [
        Progress.objects.create(project=project, month=dt.date(2025, month, 1), ytd_wan=month * 10)
        for month in (1, 2, 3)
    ]
    for obj in written:
        audit_record(
            actor=users["city_admin"], source=Source.IMPORT, action=Action.CREATE, obj=obj, after=snapshot(obj),
            batch_id=batch.pk,
        )  # fmt: skip
    shown = history(login(users["city_staff"]).get(f"/projects/{project.pk}/"))
    assert (
        f"admin 新增项目（来源：导入，导入批次 #{batch.pk}“南浔区项目.xlsx”），同时录入月度进展 3 条" in shown
    )
    assert "2025年1月进展" not in shown and "查看导入批次" in shown


def test_milestone_chart_spans_the_projects_dates_and_an_earlier_above_scale_date_is_text(
    pipeline, users, login
):
    project = pipeline["green"]
    enterprise = project.enterprise
    enterprise.above_scale, enterprise.above_scale_since = True, dt.date(2012, 3, 1)
    enterprise.save()
    response = login(users["city_staff"]).get(f"/projects/{project.pk}/")
    page = response.content.decode()
    data = json.loads(re.search(r'id="milestone-chart-data"[^>]*>(.*?)</script>', page).group(1))
    assert "上规" not in data["milestones"]
    assert data["start"] == (days_ago(400) - dt.timedelta(days=30)).isoformat()
    assert data["end"] == (TODAY + dt.timedelta(days=230)).isoformat()
    assert "企业已于 2012-03-01 纳入规上，早于本项目各节点" in text(response)
    enterprise.above_scale_since = days_ago(100)  # within the project's dates: a point on the chart
    enterprise.save()
    page = login(users["city_staff"]).get(f"/projects/{project.pk}/").content.decode()
    data = json.loads(re.search(r'id="milestone-chart-data"[^>]*>(.*?)</script>', page).group(1))
    assert data["milestones"][-1] == "上规" and data["actual"][-1] == days_ago(100).isoformat()
    assert "纳入规上，早于" not in page


def test_a_finished_project_without_monthly_figures_says_so_instead_of_an_empty_chart(pipeline, users, login):
    project = pipeline["green"]
    services.milestones_update(
        actor=users["city_admin"], source=Source.WEB, project=project, completed_actual=days_ago(30)
    )
    page = login(users["city_staff"]).get(f"/projects/{project.pk}/")
    assert 'id="progress-chart"' not in page.content.decode()
    assert f"项目已于 {days_ago(30)} 竣工，平台没有其建设期的月度投资数据" in text(page)


def test_the_progress_form_shows_the_years_plan_and_last_months_figures(pipeline, users, login):
    project = pipeline["green"]
    month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    YearPlan.objects.create(project=project, year=month.year, planned_wan=Decimal("250"))
    if month.month > 1:
        before = month.replace(month=month.month - 1)
        Progress.objects.create(
            project=project, month=before, ytd_wan=Decimal("120"), problems="用电增容待批"
        )
    shown = text(login(users["nanxun"]).get(f"/projects/{project.pk}/progress/"))
    assert f"{month.year}年计划投资 250.00 万元" in shown
    assert (
        'value="250.00"' in login(users["nanxun"]).get(f"/projects/{project.pk}/progress/").content.decode()
    )
    if month.month > 1:
        assert f"{before.year}年{before.month}月本年累计完成 120.00 万元" in shown
        assert "占年度计划 48.0%" in shown and "用电增容待批" in shown


def test_saving_progress_says_how_the_light_changed(pipeline, users, login):
    project = pipeline["green"]
    month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    client = login(users["nanxun"])
    first = client.post(
        f"/projects/{project.pk}/progress/",
        {"month": f"{month:%Y-%m}", "ytd_wan": "0", "year_plan_wan": "1000"},
        follow=True,
    )
    # The light is today's: nothing done is (months complete today)/12 behind, red beyond 30 points (4 months
    # and more), yellow from 10 (2 or 3 months); last December's report sets no plan for this year.
    months = complete_months(TODAY) if month.year == TODAY.year else 0
    light = "红灯" if months >= 4 else "黄灯" if months >= 2 else None
    if light:
        assert f"亮灯由绿灯变为{light}：" in text(first) and "时序进度" in text(first)
    else:
        assert "亮灯仍为绿灯" in text(first)
    second = client.post(
        f"/projects/{project.pk}/progress/",
        {"month": f"{month:%Y-%m}", "ytd_wan": "1000", "year_plan_wan": "1000"},
        follow=True,
    )
    if light:
        assert f"亮灯由{light}变为绿灯：按计划推进" in text(second)
    else:
        assert "亮灯仍为绿灯" in text(second)


def test_the_monthly_grid_shows_lights_and_filters_the_unreported(pipeline, users, login):
    client = login(users["wuxing"])
    month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    red, yellow = pipeline["red"], pipeline["yellow"]
    Progress.objects.create(project=yellow, month=month, ytd_wan=Decimal("10"))
    every = client.get("/projects/progress/", {"month": f"{month:%Y-%m}"})
    cells = re.findall(r'data-testid="grid-light">(.*?)</td>', every.content.decode(), re.S)
    assert len(cells) == 2 and any('data-light="red"' in cell and "尚未开工" in cell for cell in cells)
    missing = text(client.get("/projects/progress/", {"month": f"{month:%Y-%m}", "unreported": "1"}))
    assert "未填报的推进中项目共 1 个" in missing
    assert red.name in missing and yellow.name not in missing


def test_saving_the_grid_says_whose_light_changed(pipeline, users, login):
    """Nothing done of the year's plan by a month from April on is red. The month is the latest complete one
    from April on (last December early in the year), when the green project had long started."""
    project = pipeline["green"]
    month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if month.month < 4:
        month = dt.date(month.year - 1, 12, 1)
    assert project.started_actual < month  # started 350 days ago: before any month so chosen
    client = login(users["nanxun"])
    response = client.post(
        f"/projects/progress/?month={month:%Y-%m}",
        {f"ytd_wan-{project.pk}": "0", f"year_plan_wan-{project.pk}": "1000"},
        follow=True,
    )
    assert f"亮灯变化：{project.name}由绿灯变为红灯。" in text(response)
