"""Plausible demo data, reproducible from a seed. Pure: returns rows; the command writes them."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from kuochan.projects.rules import complete_months

# One demo user per role, in the city's Huzhou data set. Passwords are printed by `make demo`.
DEMO_PASSWORD = "kuochan-demo-2026"
DEMO_USERS = (
    ("admin", "city_admin", "330500", "市经信局管理员"),
    ("city", "city_staff", "330500", "市经信局 工作人员"),
    ("wuxing", "district_staff", "330502", "吴兴区经信局 工作人员"),
    ("nanxun", "district_staff", "330503", "南浔区经信局 工作人员"),
    ("qiye", "enterprise", "330502", "企业联络员"),
    ("leader", "leader", "330500", "分管领导"),
    ("sysadmin", "system_admin", "330500", "系统管理员"),
    ("secadmin", "security_admin", "330500", "安全管理员"),
    ("auditor", "auditor", "330500", "安全审计员"),
)

_TOWN_SUFFIXES = ("街道", "镇", "镇", "乡", "经济开发区")
_SYLLABLES = "安宁和平新城东西南北江湖山河泉林桥溪源丰华兴盛春秋清远长乐永福明光金银"


def _place_name(rng: random.Random, used: set[str], suffix: str) -> str:
    while True:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(2)) + suffix
        if name not in used:
            used.add(name)
            return name


def other_cities(*, seed: int, cities: int, districts: int, towns: int) -> list[dict[str, Any]]:
    """`cities - 1` synthetic cities, each with `districts` districts of `towns` towns, as nested reference
    rows. The caller hangs them beside the loaded city under its province, so the province holds `cities`."""
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
    return children


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


def _title_figures(rng: random.Random, metric: dict[str, Any], *, last: bool, size: str) -> dict[str, Any]:
    """The balance sheet, staff, intellectual property and, for the last year of a small or medium firm, the
    专精特新 development score the titles' criteria read."""
    assets = metric["revenue_wan"] * rng.uniform(0.6, 1.6)
    srdi = last and size in ("small", "medium") and rng.random() < 0.5
    return {
        "assets_wan": round(assets, 2),
        "liabilities_wan": round(assets * rng.uniform(0.3, 0.8), 2),
        "tech_staff": int(metric["employees"] * rng.uniform(0.03, 0.3)),
        "ip_class1": int(rng.expovariate(0.5)),
        "ip_class2": int(rng.expovariate(0.15)),
        "srdi_score": round(rng.uniform(45, 85), 1) if srdi else None,
    }


def enterprise_rows(
    *, seed: int, count: int, districts: list[tuple[int, str, list[int]]]
) -> list[dict[str, Any]]:
    """Plausible enterprises: name, district and town, industry, size, above-scale, tags, metrics by year,
    honours and survey answers. `districts` is (district id, area code, town ids), weighted evenly."""
    rng = random.Random(seed)
    spending = random.Random(f"rnd:{seed}")  # its own stream: the other figures stay as they were
    titles = random.Random(f"titles:{seed}")  # the titles' figures (cultivation), in their own stream too
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
                    "zero_carbon_10k_kwh": round(revenue * rng.uniform(0, 0.003), 2),
                    "land_mu": land,
                    "employees": max(5, int(revenue / rng.uniform(40, 120))),
                }
            )
            metrics[-1]["rnd_spending_wan"] = round(metrics[-1]["rnd_wan"] * spending.uniform(0.85, 1.3), 2)
            metrics[-1].update(_title_figures(titles, metrics[-1], last=year == METRIC_YEARS[-1], size=size))
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
                "segment_since": dt.date(titles.randint(established.year, max(established.year, 2022)), 1, 1),
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


# Projects ------------------------------------------------------------------------------------------


class ProjectOwner(NamedTuple):
    """An enterprise that may own demo projects: what its projects take from it."""

    enterprise_id: int
    district_id: int
    area: str  # the district's 6-digit administrative code, for the national project code
    town_id: int | None
    industry_code: str
    chain_id: int | None
    above_scale: bool


# industry code → (product, unit, smallest and largest yearly capacity in that unit)
PRODUCTS = {
    "1811": ("童装", "万件", 100, 2000),
    "1713": ("高档丝绸面料", "万米", 100, 3000),
    "1752": ("功能性印染面料", "万米", 1000, 10000),
    "2110": ("智能家居", "万套", 5, 100),
    "2130": ("办公座椅", "万把", 50, 500),
    "2651": ("高性能复合材料", "万吨", 1, 30),
    "2710": ("原料药", "吨", 50, 2000),
    "3011": ("绿色建材", "万吨", 10, 200),
    "3311": ("精密金属结构件", "万件", 50, 1000),
    "3435": ("智能电梯", "台", 2000, 30000),
    "3441": ("智能叉车", "台", 5000, 50000),
    "3670": ("新能源汽车零部件", "万套", 10, 500),
    "3841": ("储能电池", "GWh", 1, 20),
    "3985": ("光电器件", "万只", 500, 10000),
    "3562": ("数控机床", "台", 200, 3000),
    "3742": ("工业级无人机", "架", 500, 10000),
    "2223": ("环保包装纸", "万吨", 5, 60),
    "3391": ("精密铸件", "万吨", 1, 10),
    "2664": ("电子化学品", "吨", 1000, 50000),
    "2411": ("湖笔", "万支", 50, 500),
}
_ANY_PRODUCT = ("智能家电", "万台", 5, 100)
# (project type, weight, construction nature, name patterns with {n}{unit}{product} to fill in)
_PROJECT_TYPES = (
    ("renovation", 45, "renovation", ("年产{n}{unit}{product}智能化技术改造项目", "{product}数字化车间改造项目")),
    ("extension", 27, "extension", ("年产{n}{unit}{product}扩产项目", "新增年产{n}{unit}{product}生产线项目")),
    ("new", 18, "new", ("年产{n}{unit}{product}新建项目", "{product}智能制造基地建设项目")),
    ("merger", 3, "purchase", ("{product}产能兼并重组项目",)),
    ("ipo_funded", 7, "extension", ("年产{n}{unit}{product}募投项目",)),
)  # fmt: skip
ORDER = ("signed", "registered", "started", "completed", "producing", "at_capacity")
# planned days from the milestone before to this one
_GAP_DAYS = {
    "registered": (20, 90),
    "started": (30, 150),
    "completed": (240, 720),
    "producing": (15, 90),
    "at_capacity": (180, 540),
}
_SLIPS = ((-30, -1), (0, 20), (21, 90), (91, 240))  # days an actual date is early or late
_EVIDENCE = {
    "signed": "投资协议",
    "registered": "项目备案信息表",
    "started": "施工许可证",
    "in_stats": "固定资产投资项目入库信息",
    "completed": "竣工验收备案表",
    "producing": "投产情况说明",
    "at_capacity": "达产核查表",
}
_NOTES = {
    None: ("前期手续办理中", "施工图设计中", "土地已摘牌，施工准备中"),
    "started": ("桩基工程施工中", "厂房主体结构施工中", "厂房已结顶，内部装修中", "设备采购招标中", "设备进场安装中"),
    "completed": ("设备安装调试中", "试生产准备中"),
    "producing": ("已投产，产能逐步释放", "试生产中，良品率爬坡"),
    "at_capacity": ("已达产，生产运行稳定",),
}  # fmt: skip
_ISSUES = (  # (存在问题, 需协调事项)
    ("用地指标尚未落实", "请求协调新增建设用地指标"),
    ("能耗指标紧张，用能预算未批复", "请求协调用能指标"),
    ("企业资金到位不足，银行授信审批中", "请求对接银行融资"),
    ("进口设备交货周期延长", ""),
    ("施工许可办理进度滞后", "请求加快施工许可审批"),
    ("电力增容尚未完成", "请求协调供电公司电力增容"),
    ("环评批复尚未取得", "请求协调环评审批"),
    ("市场需求变化，企业放缓投资节奏", ""),
    ("技术工人短缺", "请求对接人才招聘"),
)
YI = 10_000_00  # 亿元 in hundredths of 万元
IN_STATS_MIN = 500_00  # projects of 500万元 or more enter the investment statistics (入库)


@dataclass(frozen=True, slots=True)
class _Scenario:
    """Where a project stands on `today`: its status, the milestone due next (None: at capacity already)
    and how many days from today that milestone is planned (None: later this month)."""

    status: str
    pending: str | None
    offset: int | None
    pace: float = 1.05  # investment done / investment planned, for the pace rule
    in_stats: bool = True
    below_scale: bool = False


# One project each, so that even a small demo shows every light, stall category and list.
SCENARIOS = (
    _Scenario("active", "registered", -30),  # 签约未落地, yellow
    _Scenario("active", "started", -120),  # 落地未开工, red
    _Scenario("active", "completed", -45),  # 开工未竣工, yellow
    _Scenario("active", "producing", -100),  # 竣工未投产, red
    _Scenario("active", "at_capacity", -20),  # 投产未达产, yellow
    _Scenario("active", "started", None),  # green, on this month's 拟开工 list
    _Scenario("active", "completed", None),  # green, on this month's 竣工 list
    _Scenario("active", "producing", None, below_scale=True),  # its enterprise on the 升规 list
    _Scenario("active", "completed", 200, pace=0.4),  # red: investment far behind the time pace
    _Scenario("active", "completed", 120, in_stats=False),  # started months ago, not in the statistics
    _Scenario("terminated", "started", -200),  # no light
    _Scenario("active", None, -300),  # at capacity: no light (and its 入库 date is before its 开工)
    _Scenario("reserve", "signed", 90),  # not signed yet: no light
)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _capacity(rng: random.Random, low: int, high: int) -> int:
    """A round yearly capacity between low and high, as project names state them."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    digits = 10 ** max(0, int(math.log10(value)) - 1)
    return max(low, round(value / digits) * digits)


def _draw(rng: random.Random) -> _Scenario:
    """A project's standing on `today`, in proportions like a city's project book."""
    status = rng.choices(("active", "reserve", "terminated"), weights=(88, 6, 4))[0]
    if status == "reserve":
        return _Scenario(status, "signed", rng.randint(15, 300))
    if status == "terminated":
        return _Scenario(status, rng.choice(ORDER[1:4]), -rng.randint(30, 400))
    pending = rng.choices((*ORDER[1:], None), weights=(6, 15, 38, 12, 19, 10))[0]
    roll = rng.random()
    if pending is None:
        offset = -rng.randint(30, 700)
    elif roll < 0.62:
        offset = rng.randint(1, 540 if pending == "completed" else 365)
    elif roll < 0.87:
        offset = -rng.randint(1, 89)
    else:
        offset = -rng.randint(90, 420)
    late = offset < 0 and pending is not None
    pace = rng.choices((1.0, 0.8, 0.5), weights=(55, 35, 10) if late else (82, 13, 5))[0] * rng.uniform(
        0.92, 1.15
    )
    return _Scenario(status, pending, offset, pace=pace, in_stats=rng.random() > 0.04)


def _timeline(
    rng: random.Random, pending: str | None, due: dt.date, today: dt.date, *, steady: bool = False
) -> tuple[dict[str, dt.date], dict[str, dt.date]]:
    """Planned and actual dates of a project whose next milestone `pending` is planned for `due` (None:
    every milestone reached; `due` is then the planned 达产 date). Planned dates keep the order
    签约→备案→开工→竣工→投产→达产; actual dates slip against them (by up to 20 days when `steady`) and
    never pass today."""
    reached = len(ORDER) if pending is None else ORDER.index(pending)
    anchor = min(reached, len(ORDER) - 1)
    planned = {ORDER[anchor]: due}
    for k in range(anchor - 1, -1, -1):
        gap = rng.randint(*_GAP_DAYS[ORDER[k + 1]])
        if k == reached - 1:  # the milestone reached last was planned before today
            gap = max(gap, (due - today).days + rng.randint(20, 200))
        planned[ORDER[k]] = planned[ORDER[k + 1]] - _days(gap)
    for k in range(anchor + 1, len(ORDER)):
        planned[ORDER[k]] = planned[ORDER[k - 1]] + _days(rng.randint(*_GAP_DAYS[ORDER[k]]))
    actual: dict[str, dt.date] = {}
    bound = today  # each milestone reached at least a week before the next one
    for name in reversed(ORDER[:reached]):
        slip = rng.randint(*((0, 20) if steady else rng.choices(_SLIPS, weights=(15, 45, 28, 12))[0]))
        latest = (bound - planned[name]).days
        if slip > latest:  # it was reached, so it slipped no further than that
            slip = rng.randint(min(latest, -30), latest)
        actual[name] = planned[name] + _days(slip)
        bound = actual[name] - _days(7)
    return planned, actual


def _overlap(first: dt.date, last: dt.date, year: int) -> float:
    """The share of [first, last] that falls in `year`."""
    first, last = min(first, last), max(first, last)
    inside = (min(last, dt.date(year, 12, 31)) - max(first, dt.date(year, 1, 1))).days + 1
    return max(0, inside) / ((last - first).days + 1)


def _investment(
    rng: random.Random,
    planned: dict[str, dt.date],
    actual: dict[str, dt.date],
    *,
    total: int,
    pace: float,
    years: tuple[int, ...],
    last_month: dt.date,
    stop: dt.date | None,
    issue: tuple[str, str] | None,
) -> tuple[list[tuple[int, int]], list[tuple[dt.date, int, int | None, str, str, str]]]:
    """Year plans and monthly reports. A year has a plan when the project's construction (as planned, or
    as it happens) falls in it. A project reports every month from signing to the end of the year it
    reaches capacity, up to `last_month` (or `stop`). It spends evenly over its construction months at
    `pace` times the plan, so the year-to-date figure never falls within a year."""
    plans: list[tuple[int, int]] = []
    reports: list[tuple[dt.date, int, int | None, str, str, str]] = []
    signed, began = actual.get("signed"), actual.get("started")
    if signed is None:
        return plans, reports
    expected_end = actual.get("completed") or max(planned["completed"], last_month + _days(90))
    end = min(last_month, stop or last_month, dt.date(actual.get("at_capacity", last_month).year, 12, 1))
    for year in years:
        share = _overlap(planned["started"], planned["completed"], year) or _overlap(
            began or planned["started"], expected_end, year
        )
        plan = max(100, round(total * share * rng.uniform(0.9, 1.1) / 100) * 100) if share else None
        spent = [0] * 13  # year to date at the end of each month 1–12
        if plan is not None:
            plans.append((year, plan))
            if began is not None and began.year <= year <= expected_end.year:
                first = began.month if began.year == year else 1
                last = expected_end.month if expected_end.year == year else 12
                monthly = plan * pace / (last - first + 1)
                for month in range(1, 13):
                    spend = round(monthly * rng.uniform(0.8, 1.2)) if first <= month <= last else 0
                    spent[month] = spent[month - 1] + spend
        month = max(dt.date(year, 1, 1), signed.replace(day=1))
        while month <= min(dt.date(year, 12, 1), end):
            if rng.random() > 0.03:  # now and then a month goes unreported
                month_end = _month_after(month) - _days(1)
                stages = [name for name in ORDER[2:] if actual.get(name, dt.date.max) <= month_end]
                note = rng.choice(_NOTES[stages[-1] if stages else None])
                problems = coordination = ""
                if issue is not None and (last_month - month).days < 120 and rng.random() < 0.8:
                    problems, coordination = issue
                elif rng.random() < 0.02:
                    problems, coordination = rng.choice(_ISSUES)
                reports.append((month, spent[month.month], plan, note, problems, coordination))
            month = _month_after(month)
    return plans, reports


def project_rows(
    *,
    seed: int,
    owners: Sequence[ProjectOwner],
    count: int,
    today: dt.date,
    years: int = 2,
    start: int = 0,
) -> Iterator[dict[str, Any]]:
    """`count` projects of the owners' enterprises as they stand on `today`, one dict each: the project's
    columns (amounts in integers of hundredths), its `year_plans` (year, planned) for the last `years`
    years up to this one, and its monthly `progress` (month, year to date, year plan, note, problems,
    coordination) from the first of those Januaries to the last complete month.

    Most projects are drawn at random: milestones slip, some actual dates are missing, some projects lag
    on investment, and a few have data-quality problems (an actual date out of order, a missing planned
    date, planned dates out of order). The first len(SCENARIOS) are spread among them and cover every
    light, stall category and list. `start` numbers the codes when a large book is made in parts.
    """
    rng = random.Random(f"projects:{seed}")
    scenarios = dict(zip(rng.sample(range(count), min(count, len(SCENARIOS))), SCENARIOS, strict=False))
    weights = list(itertools.accumulate(3 if owner.above_scale else 1 for owner in owners))
    below_scale = [owner for owner in owners if not owner.above_scale] or list(owners)
    months = complete_months(today)
    last_month = dt.date(today.year, months, 1) if months else dt.date(today.year - 1, 12, 1)
    month_end = _month_after(today.replace(day=1)) - _days(1)
    plan_years = tuple(range(today.year - years + 1, today.year + 1))
    platform = start
    for index in range(count):
        scenario = scenarios.get(index)
        forced = scenario is not None
        if scenario is None:
            scenario = _draw(rng)
        owner = (
            rng.choice(below_scale) if scenario.below_scale else rng.choices(owners, cum_weights=weights)[0]
        )
        offset = rng.randint(0, (month_end - today).days) if scenario.offset is None else scenario.offset
        planned, actual = _timeline(rng, scenario.pending, today + _days(offset), today, steady=forced)
        planned_dates: dict[str, dt.date | None] = dict(planned)
        actual_dates: dict[str, dt.date | None] = dict(actual)
        total_wan = max(
            150, round(rng.lognormvariate(math.log(3500), 1.1) * (1.6 if owner.above_scale else 0.7))
        )
        total = min(total_wan if total_wan < 1000 else total_wan // 10 * 10, 500_000) * 100
        if not scenario.in_stats:
            total = max(total, 2 * IN_STATS_MIN)  # large enough to be due in the statistics
        kind, _, nature, patterns = rng.choices(_PROJECT_TYPES, weights=[t[1] for t in _PROJECT_TYPES])[0]
        if total >= IN_STATS_MIN:
            planned_dates["in_stats"] = planned["started"] + _days(rng.randint(15, 45))
            if "started" in actual:
                day = actual["started"] + _days(rng.randint(3, 40))
                if day <= today and (scenario.in_stats or "completed" in actual):
                    actual_dates["in_stats"] = day
        if scenario.pending is None and forced:
            actual_dates["in_stats"] = actual["started"] - _days(10)  # a data-quality finding
        if not forced:
            reached = [
                name for name in ORDER[:-1] if name in actual and ORDER[ORDER.index(name) + 1] in actual
            ]
            if reached and rng.random() < 0.04:  # a date nobody filled in; a later one shows it happened
                actual_dates[rng.choice(reached)] = None
            flaw = rng.random()
            if (
                flaw < 0.01
                and actual_dates.get("registered")
                and actual.get("started", today) < today - _days(30)
            ):
                actual_dates["registered"] = actual["started"] + _days(rng.randint(5, 30))
            elif flaw < 0.025 and scenario.pending is not None and scenario.status != "terminated":
                planned_dates[scenario.pending] = None
            elif flaw < 0.035 and "started" not in actual:
                planned_dates["completed"] = planned["started"] - _days(rng.randint(10, 60))
        product, unit, low, high = PRODUCTS.get(owner.industry_code, _ANY_PRODUCT)
        name = rng.choice(patterns).format(n=_capacity(rng, low, high), unit=unit, product=product)
        if scenario.pending in ("signed", "registered"):
            platform += 1
            code = f"KC-{today.year}-{platform:06d}"
        else:
            division = owner.industry_code[:2] if owner.industry_code[:2].isdigit() else "39"
            approval = "02" if total >= 3 * YI and rng.random() < 0.3 else "03"
            serial = 10_000 + 6 * (start + index) + rng.randrange(6)
            year = (actual.get("registered") or planned["registered"]).year
            code = f"{year}-{owner.area}-{division}-{approval}-{serial:06d}"
        share = rng.randint(50, 85) if kind == "renovation" else rng.randint(25, 60)  # percent of the total
        equipment = total * share // 10_000 * 100
        output = round(total * rng.uniform(1.2, 3.0) / 100) * 100
        zero_land = kind in ("renovation", "merger") or rng.random() < 0.15
        stop = today - _days(rng.randint(30, 330)) if scenario.status == "terminated" else None
        troubled = ((scenario.offset or 0) < 0 and scenario.pending is not None) or scenario.pace < 0.8
        plans, progress = _investment(
            rng,
            planned,
            actual,
            total=total,
            pace=scenario.pace,
            years=plan_years,
            last_month=last_month,
            stop=stop,
            issue=rng.choice(_ISSUES) if troubled and scenario.status != "reserve" else None,
        )
        row = {
            "code": code,
            "name": name,
            "enterprise_id": owner.enterprise_id,
            "district_id": owner.district_id,
            "town_id": owner.town_id,
            "project_type": kind,
            "nature": nature,
            "is_renovation": kind == "renovation" or (kind == "extension" and rng.random() < 0.4),
            "chain_id": owner.chain_id,
            "total_wan": total,
            "equipment_wan": equipment,
            "is_provincial_major": total >= 3 * YI and rng.random() < 0.5,
            "is_ipo_funded": kind == "ipo_funded",
            "approval_track": "major" if total >= 3 * YI else "general" if total >= 3000_00 else "simple",
            "capacity_output_wan": output,
            "capacity_tax_wan": round(output * rng.uniform(0.03, 0.08) / 100) * 100,
            "land_mu": 0 if zero_land else round(total / rng.uniform(200, 450)),
            "zero_new_land": zero_land,
            "energy_tce": round(output * rng.uniform(0.01, 0.08)),
            "status": scenario.status,
        }
        for milestone in (*ORDER[:3], "in_stats", *ORDER[3:]):
            day = actual_dates.get(milestone)
            row[f"{milestone}_planned"] = planned_dates.get(milestone)
            row[f"{milestone}_actual"] = day
            row[f"{milestone}_evidence"] = _EVIDENCE[milestone] if day and rng.random() < 0.85 else ""
        row["year_plans"] = plans
        row["progress"] = progress
        yield row
