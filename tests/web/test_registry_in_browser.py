"""In headless Chromium: the registry list, an enterprise profile with its trend chart, and an import."""

import pytest

from tests.conftest import ENTERPRISE_HEADER, PASSWORD
from tests.xlsx import uscc, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # the home page: the to-do of staff at /, the enterprise's own at /my/
    page.wait_for_url(lambda url: url in (f"{live_server.url}/", f"{live_server.url}/my/"))


def test_district_user_imports_a_file_and_opens_the_new_enterprise(
    live_server, page, users, tmp_path, screenshot, run_jobs
):
    path = write_xlsx(
        tmp_path / "吴兴区企业名单.xlsx",
        [
            ["2025年吴兴区企业名单"],
            ENTERPRISE_HEADER,
            [uscc(81), "湖州织里示范童装有限公司", "吴兴区", "织里镇", "2016-04-01", "1811", "中", "是"],
        ],
    )
    sign_in(page, live_server, "wuxing")
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("导入类型").select_option("enterprises")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="检查文件").click()
    assert "排队中" in page.get_by_test_id("job-progress").inner_text()  # the worker checks the file
    run_jobs()
    page.wait_for_url("**/imports/uploads/*/")  # the progress bar, polled, hands over to the preview
    assert "将新增" in page.get_by_test_id("preview-counts").inner_text()
    screenshot(page, "import-preview")
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_test_id("job-progress").wait_for()
    run_jobs()
    page.wait_for_url("**/imports/*/")
    page.get_by_role("link", name="湖州织里示范童装有限公司").click()
    assert page.get_by_role("heading", level=1).inner_text() == "湖州织里示范童装有限公司"
    assert "的数据导入" in page.get_by_test_id("created-by").inner_text()


def test_profile_draws_the_metric_trend(live_server, page, users, registered, tmp_path, run_cli, screenshot):
    metrics = [["统一社会信用代码", "年度", "营业收入（万元）", "实缴税金（万元）"]] + [
        [registered[0], year, 1000 + 150 * i, 40 + 5 * i] for i, year in enumerate(range(2021, 2026))
    ]
    assert run_cli("enterprise-metrics", write_xlsx(tmp_path / "m.xlsx", metrics))[0] == 0
    sign_in(page, live_server, "wuxing")
    page.goto(f"{live_server.url}/enterprises/")
    page.get_by_role("link", name="湖州织里童装有限公司").click()
    page.wait_for_selector('#metric-chart[data-ready="true"]')
    assert page.locator("#metric-chart canvas").count() >= 1
    assert page.get_by_test_id("metrics").locator("tbody tr").count() == 5
    screenshot(page, "enterprise-profile")
