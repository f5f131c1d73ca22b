"""Plausible demo data, reproducible from a seed. Pure: returns rows; the command writes them."""

from __future__ import annotations

import random
from typing import Any

# One demo user per role, in the city's Huzhou data set. Passwords are printed by `make demo`.
DEMO_PASSWORD = "kuochan-demo-2026"
DEMO_USERS = (
    ("admin", "city_admin", "330500", "市经信局管理员"),
    ("city", "city_staff", "330500", "市经信局 工作人员"),
    ("wuxing", "district_staff", "330502", "吴兴区经信局 工作人员"),
    ("nanxun", "district_staff", "330503", "南浔区经信局 工作人员"),
    ("qiye", "enterprise", "330502", "企业联络员"),
    ("leader", "leader", "330500", "分管领导"),
)

PROVINCE_CODE = "DEMO-PROVINCE"
_TOWN_SUFFIXES = ("街道", "镇", "镇", "乡", "经济开发区")
_SYLLABLES = "安宁和平新城东西南北江湖山河泉林桥溪源丰华兴盛春秋清远长乐永福明光金银"


def _place_name(rng: random.Random, used: set[str], suffix: str) -> str:
    while True:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(2)) + suffix
        if name not in used:
            used.add(name)
            return name


def province_tree(*, seed: int, cities: int, districts: int, towns: int) -> list[dict[str, Any]]:
    """A synthetic province of `cities - 1` other cities, each with `districts` districts of `towns` towns,
    as nested reference rows. The caller re-hangs the loaded city under it, so the tree has real depth."""
    rng = random.Random(seed)
    used: set[str] = set()
    children: list[dict[str, Any]] = []
    for c in range(1, cities):
        city = {
            "code": f"DEMO-C{c:02d}",
            "name": _place_name(rng, used, "市"),
            "kind": "city",
            "children": [],
        }
        for d in range(1, districts + 1):
            district = {
                "code": f"DEMO-C{c:02d}-D{d:02d}",
                "name": _place_name(rng, used, rng.choice(("区", "县"))),
                "kind": "district",
                "children": [],
            }
            for t in range(1, towns + 1):
                suffix = rng.choice(_TOWN_SUFFIXES)
                district["children"].append(
                    {
                        "code": f"DEMO-C{c:02d}-D{d:02d}-T{t:02d}",
                        "name": _place_name(rng, used, suffix),
                        "kind": "park" if suffix.endswith("区") else "town",
                    }
                )
            city["children"].append(district)
        children.append(city)
    return [{"code": PROVINCE_CODE, "name": "演示省", "kind": "province", "children": children}]
