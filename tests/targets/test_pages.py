"""The plan pages: the target table laid out like the document with the text's sentences beside it, and
the plan check's findings."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_plan_page_shows_the_table_and_the_text_side_by_side(huzhou, users, login):
    page = login(users["wuxing"]).get("/targets/").content.decode()
    assert "表 “十五五”湖州市增资扩产工作目标表" in page
    assert '<td colspan="6">年均增幅11%以上</td>' in page  # a merged cell spans the years, as printed
    assert "规上工业企业研发费用占营业收入比重达到3.14%。" in page  # the text beside the table's 3.5
    assert "国家单项冠军企业" in page and "科技型中小企业" in page  # targets only the text states
    assert page.count("累计完成3500亿元，较“十四五”翻一番。") == 1  # two targets, one sentence shown once


def test_the_check_page_lists_the_findings_with_their_severity(huzhou, users, login):
    page = login(users["leader"]).get("/targets/check/").content.decode()
    assert "错误 1 条，警示 2 条" in page
    assert 'data-severity="error"' in page and "二者不一致，须核定以哪个为准" in page
