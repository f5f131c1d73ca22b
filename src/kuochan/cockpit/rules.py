"""The monthly report's narrative (月度通报), written from the month's figures by fixed templates in the
bureau's official style: the same figures always give the same words. Nothing here is free-written; every
sentence states a computed figure. Pure functions: the figures in, sections of text out."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kuochan.core.figures import NO_DATA, NOT_APPLICABLE, quantity_text, share_text
from kuochan.statistics.rules import Standing, standings_sentence

CHINESE_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...]


def number(value: float | Decimal | int | None, places: int = 2, missing: str = NO_DATA) -> str:
    """A figure as the report prints it: thousands marked, trailing zeros dropped (12,345.5, 3); a missing
    one says why (无数据 unless told)."""
    text = quantity_text(value, places)
    return missing if text is None else text


def percent(share: float | None, missing: str = NOT_APPLICABLE) -> str:
    """A share as a percentage with one decimal (0.230865 → 23.1%); a missing one says why."""
    text = share_text(share)
    return missing if text is None else text


def achieved(indicator: Mapping[str, Any]) -> str:
    """How far an indicator has come this year: a level's count added against the count to add, else the
    share of the year's target done."""
    return indicator.get("level_text") or f"年度目标完成率 {percent(indicator['completion'])}"


def _pace_words(completion: float, pace: float) -> str:
    gap = Decimal(str(completion)) * 100 - Decimal(str(pace)) * 100
    if abs(gap) < Decimal("0.05"):
        return "与时序进度持平"
    return f"{'快于' if gap > 0 else '落后'}时序进度 {number(abs(gap), 1)} 个百分点"


def _joined(names: Sequence[str]) -> str:
    return "、".join(names)


def overall(figures: Mapping[str, Any]) -> Section:
    month = int(figures["month"][5:])
    lights = figures["lights"]
    judged = [i for i in figures["indicators"] if i["light"] in ("red", "yellow", "green")]
    counts = {key: sum(1 for i in judged if i["light"] == key) for key in ("green", "yellow", "red")}
    paragraphs = []
    if judged:
        paragraphs.append(
            f"截至 {month} 月底，{figures['unit']}纳入监测的 {len(judged)} 项年度指标中，绿灯 {counts['green']} 项、"
            f"黄灯 {counts['yellow']} 项、红灯 {counts['red']} 项。"
        )
    for i in judged[:3]:
        paragraphs.append(
            f"{i['name']}{number(i['actual'])}{i['unit']}（年度目标 {number(i['year_target'])}{i['unit']}），"
            f"{achieved(i)}，{_pace_words(i['completion'], i['time_pace'])}。"
        )
    total = sum(lights.values())
    paragraphs.append(
        f"全市在库增资扩产项目 {total} 个，其中红灯 {lights['red']} 个、黄灯 {lights['yellow']} 个、"
        f"绿灯 {lights['green']} 个，不亮灯 {lights['none']} 个。"
    )
    events, tickets = figures["events"], figures["tickets"]
    paragraphs.append(
        f"本年累计开展供需对接活动 {events['events']} 场次，参与企业 {events['enterprises']} 家，对接订单 "
        f"{number(Decimal(events['orders_wan']) / 10000)} 亿元、融资 {number(Decimal(events['financing_wan']) / 10000)} 亿元；"
        f"受理企业诉求 {tickets['raised']} 件，办结并回访 {tickets['closed']} 件。"
    )
    return Section("总体情况", tuple(paragraphs))


STATISTICS_TITLE = "工业经济主要指标"


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def statistics(figures: Mapping[str, Any]) -> Section:
    """The statistics bureau's figures for the month, cited as the bureau writes them; when none are
    published (or imported) the section says so rather than vanish."""
    year, month = int(figures["month"][:4]), int(figures["month"][5:])
    found = figures["statistics"]
    standings = [
        Standing(
            indicator=s["indicator"], kind=s["kind"], unit=s["unit"], ytd=_decimal(s["ytd"]),
            growth=_decimal(s["growth"]), rank=s["rank"], peers=s["peers"], peers_growth=_decimal(s["peers_growth"]),
        )
        for s in found["standings"]
    ]  # fmt: skip
    sentence = standings_sentence(standings, month=month, subject=found["subject"])
    if sentence is None:
        return Section(STATISTICS_TITLE, (f"{year}年{month}月工业经济统计数据尚未导入，本期暂不通报。",))
    return Section(STATISTICS_TITLE, (sentence,))


def districts(figures: Mapping[str, Any]) -> Section:
    ranked = [r for r in figures["ranking"] if r["rank"] is not None]
    paragraphs = []
    if len(ranked) >= 4:
        ranked.sort(key=lambda r: r["rank"])
        top, bottom = [r["unit"] for r in ranked[:3]], [r["unit"] for r in ranked[-2:]]
        paragraphs.append(f"按赛马综合得分，{_joined(top)}位列前三，{_joined(bottom)}排名靠后。")
    elif figures["ranking"]:
        paragraphs.append("各区县年度目标尚未全部分解，本月暂不排名。")
    red = sorted(
        ((unit, n) for unit, n in figures["red_by_district"].items() if n),
        key=lambda pair: (-pair[1], pair[0]),
    )
    if red:
        shown = "、".join(f"{unit}（{n} 个）" for unit, n in red[:3])
        paragraphs.append(f"红灯项目较多的是{shown}。")
    else:
        paragraphs.append("各区县均无红灯项目。")
    return Section("各区县进展", tuple(paragraphs))


def problems(figures: Mapping[str, Any]) -> Section:
    paragraphs = []
    behind = [i for i in figures["indicators"] if i["light"] == "red"]
    for n, i in enumerate(behind, start=1):
        paragraphs.append(f"{n}. {i['name']}{achieved(i)}，{_pace_words(i['completion'], i['time_pace'])}。")
    stalls = figures["stalls"]
    if total := sum(stalls.values()):
        parts = "、".join(f"{label} {count} 个" for label, count in stalls.items() if count)
        paragraphs.append(f"{len(paragraphs) + 1}. “破五未”项目 {total} 个，其中{parts}。")
    tickets = figures["tickets"]
    if tickets["overdue"]:
        paragraphs.append(
            f"{len(paragraphs) + 1}. 企业诉求逾期未办结 {tickets['overdue']} 件，其中 {tickets['escalated']} 件已升级市级督办。"
        )
    return Section("存在问题", tuple(paragraphs) or ("本月各项指标和项目均无红灯，未发现突出问题。",))


def next_month(figures: Mapping[str, Any]) -> Section:
    steps = []
    lights, lists, stalls = figures["lights"], figures["lists"], figures["stalls"]
    if lights["red"]:
        steps.append(f"紧盯 {lights['red']} 个红灯项目，逐个分析原因、明确责任、限期整改，推动红灯转黄转绿。")
    if lists["to_start"] or lists["to_complete"]:
        steps.append(
            f"对照“三张清单”，推动拟开工清单 {lists['to_start']} 个项目按期开工、竣工清单 {lists['to_complete']} 个项目按期竣工，"
            f"做好升规清单 {lists['to_above_scale']} 家企业的培育服务。"
        )
    worst = max(stalls.items(), key=lambda item: item[1], default=(None, 0))
    if worst[1]:
        steps.append(f"聚焦“{worst[0]}”等“破五未”项目开展专项攻坚，协调解决要素保障和审批问题。")
    behind = [i["name"] for i in figures["indicators"] if i["light"] == "red"]
    if behind:
        steps.append(f"针对{_joined(behind[:3])}等落后时序进度的指标，压实区县责任，加快追赶进度。")
    if figures["tickets"]["overdue"]:
        steps.append("督促承办部门办结逾期企业诉求，做好回访评价，确保闭环解决。")
    if not steps:
        steps.append("保持良好态势，持续做好项目服务和要素保障。")
    return Section("下月工作重点", tuple(f"{n}. {text}" for n, text in enumerate(steps, start=1)))


def narrative(figures: Mapping[str, Any]) -> list[Section]:
    """The 通报's sections, in order: 总体情况, 工业经济主要指标, 各区县进展, 存在问题, 下月工作重点."""
    return [overall(figures), statistics(figures), districts(figures), problems(figures), next_month(figures)]


def heading(index: int, section: Section) -> str:
    return f"{CHINESE_ORDINALS[index]}、{section.title}"


# Supervision (督办) -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskFacts:
    starts_on: dt.date
    deadline: dt.date
    done_on: dt.date | None
    report_day: int
    reported: frozenset[dt.date]  # months (first days) with a progress report made by the as-of date


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def report_due(month: dt.date, report_day: int) -> dt.date:
    """A month's progress report is due by `report_day` of the month after (the month's last day at most)."""
    following = _next_month(month)
    return following.replace(day=min(report_day, calendar.monthrange(following.year, following.month)[1]))


def supervision_light(task: TaskFacts, *, as_of: dt.date, soon_days: int = 7) -> tuple[str, tuple[str, ...]]:
    """A supervised task's light as of a date, with every reason: red past its deadline or with two monthly
    reports missing; yellow within `soon_days` of the deadline or with one report missing; none once done."""
    if task.done_on is not None and task.done_on <= as_of:
        return "none", (f"已于 {task.done_on} 完成",)
    found: list[tuple[str, str]] = []
    days_left = (task.deadline - as_of).days
    if days_left < 0:
        found.append(("red", f"完成期限 {task.deadline}，已逾期 {-days_left} 天"))
    elif days_left <= soon_days:
        found.append(("yellow", f"完成期限 {task.deadline}，还有 {days_left} 天"))
    missing = []
    month = task.starts_on.replace(day=1)
    while report_due(month, task.report_day) < as_of:
        if month not in task.reported:
            missing.append(month)
        month = _next_month(month)
    if missing:
        months = "、".join(f"{m.year}年{m.month}月" for m in missing)
        found.append(
            ("red" if len(missing) >= 2 else "yellow",
             f"{months}进展未报送（每月 {task.report_day} 日前报送上月进展）"),
        )  # fmt: skip
    if not found:
        return "green", (f"完成期限 {task.deadline}，进展按时报送",)
    light = "red" if any(level == "red" for level, _ in found) else "yellow"
    return light, tuple(reason for _, reason in found)
