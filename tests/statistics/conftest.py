import pytest

from tests.xlsx import write_xlsx

TITLE = "2025年1-6月湖州市分区县主要工业经济指标"


def bureau_rows(title: str = TITLE) -> tuple[list[list[object]], tuple]:
    """The bureau's wide table as it comes: a merged title, a units line, a merged two-row header with
    units in it, one indicator titled across its columns without a merge, indented names, a blank line and
    footnotes."""
    rows = [
        [title, None, None, None, None, None, None, None, None, None, None],
        [None, None, None, None, None, None, None, None, None, None, "单位：亿元、%"],
        [
            "地区",
            "规上工业增加值",
            None,
            "规上工业营业收入（亿元）",
            None,
            None,
            "制造业投资",
            None,
            "技改投资",
            None,
            "备注",
        ],
        [
            None,
            "增速(%)",
            "位次",
            "1-6月累计",
            "增速（%）",
            "位次",
            "增速\n(%)",
            "全省位次",
            "增速",
            "位次",
            None,
        ],
        ["全省", 6.9, "—", 52345.67, 4.1, None, 3.3, None, 8.2, None, None],
        ["湖州市", 7.3, 2, "4,321.5", 5.6, 3, 13.4, 2, 30.6, 2, None],
        ["  吴兴区", 8.1, 2, 812.3, 6.2, 2, 15.0, 3, 35.2, 1, None],
        ["南浔区", 6.0, 5, 650.0, 3.1, 5, "-2.5", 7, 12.0, 6, "快报数"],
        ["德清县", 8.8, 1, 900.25, 7.7, 1, 20.1, 1, 28.4, 3, None],
        ["长兴县", 7.0, 3, 1000, 5.0, 3, 16.2, 2, 31.0, 2, None],
        ["安吉", 6.5, 4, 520.4, 4.4, 4, 10.0, 5, 25.5, 4, None],
        ["南太湖新区", 5.2, 7, 300.1, 2.0, 6, 12.2, 4, 20.0, 5, None],
        ["长合区", 5.9, 6, 138.45, 1.5, 7, 8.0, 6, "—", None, None],
        [None] * 11,
        ["注：1.增加值增速按可比价计算；2.制造业投资位次为全省排位。"] + [None] * 10,
        ["数据来源：湖州市统计局"] + [None] * 10,
    ]
    merges = (
        (0, 0, 0, 10, title),
        (2, 0, 3, 0, "地区"),
        (2, 1, 2, 2, "规上工业增加值"),
        (2, 3, 2, 5, "规上工业营业收入（亿元）"),
        (2, 6, 2, 7, "制造业投资"),
        (14, 0, 14, 10, rows[14][0]),
    )
    return rows, merges


@pytest.fixture
def bureau_file(tmp_path):
    rows, merges = bureau_rows()
    for r1, c1, _r2, _c2, _text in merges:  # a merged range's text is written by the merge
        rows[r1][c1] = None
    return write_xlsx(tmp_path / "bureau.xlsx", rows, merges=merges)
