"""In headless Chromium, 三员分立 and the second factor through the real pages: the system administrator
creates an account, the security administrator gives it a role, and the city admin binds an authenticator
by its QR code and then signs in with password and code."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from kuochan.accounts.models import Role, User
from tests.conftest import PASSWORD
from tests.web.test_cockpit_in_browser import console_error

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_accounts_are_created_by_one_administrator_and_given_roles_by_another(
    live_server, page, huzhou, admins, screenshot
):
    errors: list[str] = []
    page.on("console", lambda message: console_error(message, errors))
    sign_in(page, live_server, "sysadmin")
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()  # the administrator's own queues
    page.get_by_label("账号菜单").click()
    page.get_by_role("banner").get_by_role("link", name="账号管理").click()
    expect(page.get_by_role("heading", name="账号管理")).to_be_visible()
    expect(page.get_by_role("navigation", name="功能模块")).to_have_count(0)  # no business modules
    page.get_by_label("用户名").fill("deqing")
    page.get_by_label("姓名").fill("德清经信局")
    page.get_by_label("所属单位").select_option(label="德清县")
    page.get_by_label("初始密码").fill("Moganshan-2026-kc")
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_role("alert")).to_contain_text("请安全管理员为其分配角色")
    expect(page.get_by_test_id("user-table").get_by_role("row", name="deqing")).to_contain_text("待分配角色")

    sign_in(page, live_server, "secadmin")
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    page.get_by_label("账号菜单").click()
    page.get_by_role("banner").get_by_role("link", name="账号管理").click()
    page.get_by_role("link", name="deqing").click()
    page.get_by_test_id("role-form").get_by_label("角色").select_option(label="区县工作人员")
    page.get_by_role("button", name="保存角色").click()
    expect(page.get_by_test_id("account")).to_contain_text("区县工作人员")
    screenshot(page, "accounts-role-given")
    assert User.objects.get(username="deqing").role == Role.DISTRICT_STAFF
    assert errors == []


def test_the_city_admin_binds_an_authenticator_and_signs_in_with_a_code(live_server, page, users, screenshot):
    errors: list[str] = []
    page.on("console", lambda message: console_error(message, errors))
    sign_in(page, live_server, "admin")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/otp/")
    page.get_by_role("button", name="绑定身份验证器").click()
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    screenshot(page, "accounts-totp-qr")
    totp = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text())
    page.get_by_label("动态口令").fill(totp.now())
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_test_id("totp-status")).to_contain_text("已启用")

    sign_in(page, live_server, "admin")
    expect(page.get_by_role("heading", name="输入动态口令")).to_be_visible()
    page.get_by_label("动态口令").fill(totp.at(time.time() + 30))  # the next window: a code works once
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("navigation", name="功能模块")).to_be_visible()
    assert errors == []
