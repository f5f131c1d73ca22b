"""In headless Chromium: city staff compute the year's evaluation, read the class chart, open an enterprise's
evaluation, and a city admin changes a weight in the scheme editor."""

import pytest

from kuochan.evaluation.models import EvaluationScheme
from tests.web.test_registry_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compute_the_year_and_open_an_enterprise(
    live_server, page, with_metrics, users, screenshot, run_jobs
):
    sign_in(page, live_server, "city")
    page.get_by_role("link", name="评价分类").click()
    page.get_by_label("评价年度").select_option("2025")
    page.get_by_role("button", name="查看").click()
    page.get_by_test_id("run").click()
    page.get_by_test_id("job-progress").wait_for()  # the worker computes; the page follows its progress
    run_jobs()
    page.wait_for_url("**/evaluation/?year=2025")
    assert "重新计算 2025 年评价：3 家企业" in page.get_by_role("alert").inner_text()
    page.wait_for_selector('#class-chart[data-ready="true"]')
    assert page.locator("#class-chart canvas").count() >= 1
    rows = page.get_by_test_id("result-table").locator("tbody tr")
    assert rows.count() == 3
    badge = rows.first.locator("[data-class]")
    colour = badge.evaluate("element => getComputedStyle(element).backgroundColor")
    assert colour == "rgb(32, 107, 196)"  # class B's blue, as on every page
    screenshot(page, "evaluation-results")
    rows.first.get_by_role("link", name="湖州织里童装有限公司").click()
    card = page.get_by_test_id("enterprise-evaluation")
    assert "B类（提升发展类）" in card.inner_text()
    assert (
        card.locator("[data-grade='3']").evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(245, 159, 0)"
    )
    screenshot(page, "evaluation-profile")


def test_a_city_admin_changes_a_weight(live_server, page, huzhou, users, screenshot):
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/evaluation/scheme/?year=2025")
    page.get_by_label("规上企业亩均税收权重").fill("35")
    page.get_by_label("规上企业研发经费占营业收入比重权重").fill("5")
    page.get_by_label("本次修改说明").fill("提高亩均税收权重")
    page.get_by_test_id("save").click()
    assert "已保存湖州市 2025 年评价方案（第 2 版）" in page.get_by_role("alert").inner_text()
    assert "提高亩均税收权重" in page.get_by_test_id("versions").inner_text()
    weights = {
        item["code"]: item["weight"]
        for item in EvaluationScheme.objects.get(year=2025, version=2).definition["groups"]["above"][
            "indicators"
        ]
    }
    assert weights["tax_per_mu"] == 35 and weights["rnd_share"] == 5
    screenshot(page, "evaluation-scheme")
