"""The demo's cockpit side: tasks under each of the plan's measures (some reported on time, some late), a work
meeting with its decisions, and last month's cycle run with its report — so 督办, 月度通报 and 月度流程 have
something to show."""

from __future__ import annotations

import datetime as dt

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.cockpit.models import Measure, SupervisedTask
from kuochan.cockpit.selectors import default_month
from kuochan.cockpit.services import Decision, cycle_run, meeting_record, task_create, task_report

TASKS = (
    ("measure-1", "建立重点企业跟踪评价名单并按季更新", "市经信局", "city"),
    ("measure-2", "梳理亿元以上增资扩产项目审批堵点", "市发展改革委", "city"),
    ("measure-2", "吴兴区重点项目并联审批试点", "吴兴区经信局", "wuxing"),
    ("measure-3", "组织企业研发需求与高校院所对接", "市科技局", "city"),
    ("measure-4", "推进童装、椅业行业数字化改造", "南浔区经信局", "nanxun"),
    ("measure-5", "开展童装、电梯行业质量对标", "市市场监管局", "city"),
    ("measure-6", "组织“外贸优品中华行”参展企业", "市商务局", "city"),
    ("measure-7", "建立能耗、用地指标统筹台账", "市资规局", "city"),
    ("measure-8", "举办技术改造供需对接会", "市经信局", "city"),
)


def demo_cockpit(today: dt.date) -> dict[str, int]:
    """Once: a second run leaves what is there."""
    if SupervisedTask.objects.exists():
        return {"existing": SupervisedTask.objects.count()}
    users = {u.username: u for u in User.objects.filter(username__in=["city", "wuxing", "nanxun"])}
    city = users["city"]
    measures = {m.code: m for m in Measure.objects.all()}
    start = (today.replace(day=1) - dt.timedelta(days=120)).replace(day=1)
    made = 0
    for n, (code, title, department, owner) in enumerate(TASKS):
        if code not in measures:
            continue
        deadline = today + dt.timedelta(days=(-10 if n == 4 else 5 if n == 5 else 60 + 30 * n))
        task = task_create(
            actor=city, source=Source.CLI, decision=Decision(title, department, users[owner], deadline),
            measure=measures[code], starts_on=start,
        )  # fmt: skip
        month, reported = start, 0
        while month < today.replace(day=1) and reported < (4 if n % 3 else 2):
            task_report(
                actor=users[owner], source=Source.CLI, task=task, month=month, percent=min(100, 20 * (reported + 1)),
                text=f"按计划推进，完成阶段任务 {reported + 1} 项。",
            )  # fmt: skip
            month = (month + dt.timedelta(days=32)).replace(day=1)
            reported += 1
        made += 1
    meeting_record(
        actor=city, source=Source.CLI, date=today - dt.timedelta(days=20), title="全市增资扩产工作例会",
        notes="听取各区县项目推进情况，研究红灯项目攻坚。",
        decisions=[
            Decision("南浔区 3 个落地未开工项目限期开工", "南浔区经信局", users["nanxun"], today + dt.timedelta(days=25)),
            Decision("协调吴兴区亿元以上项目用能指标", "市发展改革委", users["wuxing"], today - dt.timedelta(days=2)),
        ],
    )  # fmt: skip
    year, month = default_month(today)
    run = cycle_run(year=year, month=month, trigger="command")
    return {"tasks": made + 2, "cycle": run.status == "succeeded"}
