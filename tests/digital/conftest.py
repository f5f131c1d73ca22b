import datetime as dt

import pytest

from kuochan.digital.models import DigitalLevel
from kuochan.registry.models import Enterprise
from tests.xlsx import uscc

D = dt.date


@pytest.fixture
def firms(huzhou):
    """Six enterprises for hand-computed coverage as of 2025-12-31 (吴兴 330502, 南浔 330503):

    A 吴兴 18 above since 2020, 1.0 on 2023-05-01 then 2.0 on 2025-03-01
    B 吴兴 18 above (no date),  1.0 on 2024-01-01
    C 吴兴 26 above only from 2026-02-01 (after the date), 2.0 on 2025-01-01        → not counted
    D 南浔 21 above,            1.0 only on 2026-01-10 (assessed after the date)     → counted, not covered
    E 南浔 21 below scale,      2.0 on 2025-01-01                                    → not counted
    F 南浔 18 above,            2.0 on 2025-06-01
    """
    wuxing, nanxun = huzhou["330502"], huzhou["330503"]
    spec = {
        "A": (1, wuxing, "18", True, D(2020, 1, 1), [("1.0", D(2023, 5, 1)), ("2.0", D(2025, 3, 1))]),
        "B": (2, wuxing, "18", True, None, [("1.0", D(2024, 1, 1))]),
        "C": (3, wuxing, "26", True, D(2026, 2, 1), [("2.0", D(2025, 1, 1))]),
        "D": (4, nanxun, "21", True, None, [("1.0", D(2026, 1, 10))]),
        "E": (5, nanxun, "21", False, None, [("2.0", D(2025, 1, 1))]),
        "F": (6, nanxun, "18", True, None, [("2.0", D(2025, 6, 1))]),
    }
    made = {}
    for label, (serial, district, division, above, since, levels) in spec.items():
        area = "330502" if district == wuxing else "330503"
        firm = Enterprise.objects.create(
            uscc=uscc(100 + serial, area), name=f"数改测试企业{label}", district=district,
            industry_code=f"{division}10", industry_division=division, above_scale=above, above_scale_since=since,
        )  # fmt: skip
        for level, day in levels:
            DigitalLevel.objects.create(enterprise=firm, level=level, assessed_on=day)
        made[label] = firm
    return made
