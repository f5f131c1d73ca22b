"""A missing page answers in the platform's own layout, in Chinese, with a way back (and fits a phone)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_missing_page_says_so_in_chinese_with_the_menu_and_a_way_home(users, login):
    response = login(users["wuxing"]).get("/projects/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'href="/"' in page
    assert 'name="viewport"' in page  # the site's layout, which fits a phone, not a bare error page
