"""Plausible demo data, reproducible from a seed. Pure: returns rows; the command writes them."""

from __future__ import annotations

import datetime as dt
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


# Huzhou's industrial mix, roughly: (GB/T 4754 code, weight, words for names, chain or traditional tag).
INDUSTRIES = (
    ("1811", 8, ("童装", "服饰", "织造"), "童装"),
    ("1713", 6, ("丝绸", "纺织", "织物"), "丝绸"),
    ("1752", 4, ("印染", "染整"), "印染"),
    ("2110", 7, ("家居", "家具", "木业"), "现代家具与智能家电"),
    ("2130", 4, ("椅业", "座椅"), "椅业"),
    ("2651", 5, ("新材料", "化工"), "高端新材料"),
    ("2710", 3, ("生物", "医药", "药业"), "生物医药"),
    ("3011", 3, ("建材", "水泥"), "水泥"),
    ("3311", 5, ("金属", "精工"), None),
    ("3435", 6, ("电梯", "机电"), "电梯"),
    ("3441", 5, ("物流装备", "叉车", "机械"), "智能物流装备"),
    ("3670", 7, ("汽车部件", "车业"), "新能源汽车及关键零部件"),
    ("3841", 5, ("新能源", "电池", "储能"), "新能源装备"),
    ("3985", 4, ("光电", "半导体", "电子"), "半导体及光电"),
    ("3562", 2, ("智能装备", "数控"), None),
    ("3742", 1, ("航空", "飞行器"), "低空飞行装备"),
    ("2223", 2, ("纸业", "包装"), "造纸"),
    ("3391", 3, ("铸造", "精密铸件"), "铸造"),
    ("2664", 2, ("电子化学", "半导体材料"), "集成电路材料"),
    ("2411", 1, ("湖笔", "文具"), "湖笔"),
)
_BRANDS = (
    "宏达",
    "华美",
    "金鑫",
    "永盛",
    "恒通",
    "天成",
    "立新",
    "佳信",
    "瑞丰",
    "鼎力",
    "东方",
    "富达",
    "正大",
    "德华",
    "兴业",
    "长安",
    "振华",
    "博远",
    "中天",
    "新锐",
    "精工",
    "三峰",
    "远航",
    "明辉",
    "康宁",
    "泰和",
    "华宇",
    "汇通",
    "诚信",
    "国盛",
    "海鸿",
    "凯达",
    "安达",
    "百盛",
    "创新",
    "大洋",
    "飞跃",
    "光明",
    "和谐",
    "金桥",
    "锦程",
    "巨力",
    "蓝天",
    "龙腾",
    "美达",
    "南洋",
    "鹏程",
    "齐力",
    "荣昌",
    "森林",
    "顺发",
    "太湖",
    "万丰",
    "祥和",
    "星火",
    "亚太",
    "银河",
    "宇航",
    "振兴",
    "卓越",
    "苕溪",
    "弁山",
    "莫干",
    "吴越",
    "菰城",
    "南浔",
    "织里",
    "霅溪",
    "碧浪",
    "竹乡",
)
_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "科技有限公司")
METRIC_YEARS = (2021, 2022, 2023, 2024, 2025)
HONOUR_RATES = (  # (kind, share of above-scale firms, share of others)
    ("high_tech", 0.35, 0.06),
    ("tech_sme", 0.25, 0.12),
    ("innovative_sme", 0.15, 0.08),
    ("provincial_srdi", 0.12, 0.02),
    ("little_giant", 0.04, 0.0),
    ("listed", 0.02, 0.0),
    ("golden_bull", 0.01, 0.0),
)


def uscc_for(rng: random.Random, area: str) -> str:
    from kuochan.registry.rules import USCC_CHARSET, uscc_check_char

    body = "91" + area + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


def enterprise_rows(
    *, seed: int, count: int, districts: list[tuple[int, str, list[int]]]
) -> list[dict[str, Any]]:
    """Plausible enterprises: name, district and town, industry, size, above-scale, tags, metrics by year,
    honours and survey answers. `districts` is (district id, area code, town ids), weighted evenly."""
    rng = random.Random(seed)
    weights = [weight for _, weight, _, _ in INDUSTRIES]
    used_names: set[str] = set()
    used_codes: set[str] = set()
    rows = []
    for _ in range(count):
        district_id, area, towns = rng.choice(districts)
        code, _, words, tag = rng.choices(INDUSTRIES, weights=weights)[0]
        name = f"湖州{rng.choice(_BRANDS)}{rng.choice(words)}{rng.choice(_SUFFIXES)}"
        while name in used_names:  # a second brand word, as firms of the same name do
            name = f"湖州{''.join(rng.sample(_BRANDS, 2))}{rng.choice(words)}{rng.choice(_SUFFIXES)}"
        used_names.add(name)
        uscc = uscc_for(rng, area)
        while uscc in used_codes:
            uscc = uscc_for(rng, area)
        used_codes.add(uscc)
        scale = rng.lognormvariate(8.0, 1.2)  # 2025 revenue in 万元: median ≈ 3,000
        above = scale >= 2000
        size = "large" if scale > 40000 else "medium" if scale > 8000 else "small" if scale > 800 else "micro"
        established = dt.date(rng.randint(1995, 2023), rng.randint(1, 12), rng.randint(1, 28))
        land = round(max(3.0, scale / rng.uniform(80, 400)), 2)
        growth = rng.uniform(-0.05, 0.18)
        metrics = []
        for year in METRIC_YEARS:
            if year < established.year + 1:
                continue
            revenue = scale / (1 + growth) ** (2025 - year)
            value_added = revenue * rng.uniform(0.18, 0.32)
            metrics.append(
                {
                    "year": year,
                    "revenue_wan": round(revenue, 2),
                    "main_revenue_wan": round(revenue * rng.uniform(0.9, 1.0), 2),
                    "output_wan": round(revenue * rng.uniform(0.95, 1.1), 2),
                    "value_added_wan": round(value_added, 2),
                    "tax_wan": round(revenue * rng.uniform(0.015, 0.06), 2),
                    "profit_wan": round(revenue * rng.uniform(-0.02, 0.12), 2),
                    "rnd_wan": round(revenue * rng.uniform(0.005, 0.05), 2),
                    "export_wan": round(revenue * rng.uniform(0, 0.3), 2),
                    "energy_tce": round(revenue * rng.uniform(0.01, 0.12), 2),
                    "electricity_10k_kwh": round(revenue * rng.uniform(0.03, 0.3), 2),
                    "pollutant_t": round(revenue * rng.uniform(0.0001, 0.002), 2),
                    "carbon_t": round(value_added * rng.uniform(0.2, 2.6), 2),
                    "zero_carbon_10k_kwh": round(revenue * rng.uniform(0, 0.03), 2),
                    "land_mu": land,
                    "employees": max(5, int(revenue / rng.uniform(40, 120))),
                }
            )
        honours = [
            {"kind": kind, "year_granted": rng.randint(max(2015, established.year + 1), 2025)}
            for kind, above_rate, other_rate in HONOUR_RATES
            if established.year < 2025 and rng.random() < (above_rate if above else other_rate)
        ]
        willingness = rng.choices(("yes", "watching", "no"), weights=(35, 40, 25))[0]
        needs = [need for need in ("用地", "用能", "资金", "人才", "审批", "市场") if rng.random() < 0.3]
        rows.append(
            {
                "uscc": uscc,
                "name": name,
                "district_id": district_id,
                "town_id": rng.choice(towns) if towns and rng.random() < 0.9 else None,
                "established_on": established,
                "industry_code": code,
                "size_class": size,
                "above_scale": above,
                "above_scale_since": max(established, dt.date(min(2025, rng.randint(2010, 2025)), 1, 1))
                if above
                else None,
                "tag": tag,
                "metrics": metrics,
                "honours": honours,
                "survey": {
                    "year": 2026,
                    "willingness": willingness,
                    "planned_investment_wan": round(scale * rng.uniform(0.05, 0.4), 2)
                    if willingness == "yes"
                    else None,
                    "planned_start": dt.date(2026, rng.randint(1, 12), 1) if willingness == "yes" else None,
                    "needs": "、".join(needs),
                },
            }
        )
    return rows
