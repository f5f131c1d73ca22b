"""In headless Chromium at 1366×768: the preview of a 24,000-row file is a short page, its errors grouped by
column and message, with 导入 / 跳过错误行导入 / 取消 on the first screen."""

import pytest

from tests.web.test_registry_in_browser import sign_in
from tests.xlsx import uscc, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = 768


def big_file(path, registered):
    """24,000 rows: 300 good ones (losses among them), 100 with a negative area, and 23,600 naming
    enterprises the registry does not have."""
    rows = [["统一社会信用代码", "年度", "利润总额（万元）", "用地面积（亩）"]]
    for i in range(24_000):
        if i < 400:
            rows.append([registered[i % 3], 1950 + i // 3, -i, 10 if i < 300 else -3])
        else:
            rows.append([uscc(1000 + i), 2025, 100, 10])
    return write_xlsx(path, rows)


def test_a_24000_row_preview_is_short_with_its_actions_at_the_top(
    live_server, page, users, registered, tmp_path, screenshot, run_jobs
):
    sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("导入类型").select_option("enterprise-metrics")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(
        str(big_file(tmp_path / "指标.xlsx", registered))
    )
    page.get_by_role("button", name="检查文件").click()
    page.get_by_test_id("job-progress").wait_for()
    run_jobs()
    page.wait_for_url("**/imports/uploads/*/")
    groups = page.get_by_test_id("error-groups").locator("tbody tr")
    assert groups.count() == 2
    assert [groups.nth(i).locator("td").nth(2).inner_text() for i in range(2)] == ["23,600", "100"]
    negative = groups.nth(1).inner_text()
    assert (
        "用地面积(亩)" in negative
        and "不能为负数：本列应填 0 或正数" in negative
        and "第 302 行：-3" in negative
    )
    actions = page.get_by_test_id("preview-actions")
    skip = actions.get_by_role("button", name="跳过错误行导入（导入其余 300 行）")
    assert actions.get_by_role("button", name="导入", exact=True).is_disabled()
    assert actions.get_by_role("link", name="取消").is_visible()
    assert skip.bounding_box()["y"] + skip.bounding_box()["height"] < SCREEN  # on the first screen
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"preview of 24,000 rows: {height} px")
    assert height < 2 * SCREEN
    screenshot(page, "import-preview-24000-rows")
    page.get_by_text("逐条查看错误").click()  # the rest, one by one, in pages of 50
    assert page.get_by_test_id("preview-errors").locator("tbody tr").count() == 50
    screenshot(page, "import-preview-24000-rows-listed")
