"""The demo's 数字化改造 (seed 002): every above-scale enterprise at 1.0 by the end of 2024 (全覆盖), a share
assessed at 2.0 since, the year's three lists with the district users responsible where the demo has one
(outside persons with a phone elsewhere) and renovation projects linked, and smart-factory and provincial
digital-workshop titles with their dates. Reproducible from the seed; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from kuochan.accounts.models import Role, User
from kuochan.audit.models import Action, Source
from kuochan.digital.models import DigitalLevel, DigitalTask, TaskStatus
from kuochan.digital.selectors import above_scale_on
from kuochan.imports.engine import write_audit
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise, Honour, HonourKind

FULL_COVERAGE = dt.date(2024, 12, 31)  # "在全省率先完成规上工业企业数字化1.0水平全覆盖" (2024)
SHARE_AT_2 = 0.25
SHARE_ON_LIST = 0.15
FACTORY_TITLES = (
    (HonourKind.SMART_FACTORY_BASIC, 0.06),
    (HonourKind.SMART_FACTORY_ADVANCED, 0.02),
    (HonourKind.SMART_FACTORY_EXCELLENT, 0.003),
    (HonourKind.ZJ_DIGITAL_WORKSHOP, 0.05),
    (HonourKind.ZJ_SMART_FACTORY, 0.02),
    (HonourKind.ZJ_FUTURE_FACTORY, 0.004),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡"


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


@transaction.atomic
def demo_digital(today: dt.date, seed: int) -> dict[str, int]:
    existing = DigitalLevel.objects.count()
    if existing:
        return {"existing": existing}
    rng = random.Random(seed + 25)
    firms = list(Enterprise.objects.filter(above_scale_on(today)).select_related("district").order_by("uscc"))
    levels = []
    for firm in firms:
        levels.append(DigitalLevel(enterprise=firm, level="1.0", assessed_on=_day_between(rng, dt.date(2023, 1, 1), FULL_COVERAGE), source="省数字化改造评估"))  # fmt: skip
        if rng.random() < SHARE_AT_2:
            levels.append(DigitalLevel(enterprise=firm, level="2.0", assessed_on=_day_between(rng, dt.date(2025, 1, 1), today), source="省数字化改造评估"))  # fmt: skip
    DigitalLevel.objects.bulk_create(levels, batch_size=2000)
    at_two = {level.enterprise_id for level in levels if level.level == "2.0"}
    staff = {user.org_unit_id: user for user in User.objects.filter(role=Role.DISTRICT_STAFF, is_active=True)}
    projects: dict[int, list[Project]] = {}
    for project in Project.objects.filter(enterprise__in=firms, is_renovation=True).order_by("code"):
        projects.setdefault(project.enterprise_id, []).append(project)
    tasks, links = [], []
    for firm in firms:
        if firm.pk in at_two or rng.random() > SHARE_ON_LIST:
            continue
        user = staff.get(firm.district_id)
        task = DigitalTask(
            enterprise=firm, year=today.year, target_level="2.0", responsible=user,
            responsible_name="" if user else f"{rng.choice(SURNAMES)}工",
            responsible_phone="" if user else f"139{rng.randrange(10**8):08d}",
            status=rng.choice([TaskStatus.PENDING, TaskStatus.UNDERWAY, TaskStatus.UNDERWAY, TaskStatus.DONE]),
        )  # fmt: skip
        tasks.append(task)
        links.append(projects.get(firm.pk, [])[:2])
    DigitalTask.objects.bulk_create(tasks, batch_size=2000)
    through = DigitalTask.projects.through
    through.objects.bulk_create(
        [
            through(digitaltask_id=task.pk, project_id=p.pk)
            for task, linked in zip(tasks, links, strict=True)
            for p in linked
        ]
    )
    honours = []
    for kind, share in FACTORY_TITLES:
        for firm in rng.sample(firms, k=min(len(firms), max(1, round(len(firms) * share)))):
            granted = _day_between(rng, dt.date(today.year - 3, 1, 1), today)
            honours.append(
                Honour(enterprise=firm, kind=kind, year_granted=granted.year, granted_on=granted,
                       document_number=f"（演示）认定文件〔{granted.year}〕{rng.randrange(1, 60)}号")
            )  # fmt: skip
    Honour.objects.bulk_create(honours, batch_size=2000)  # one sample per title: no enterprise twice
    for model, objects in ((DigitalLevel, levels), (DigitalTask, tasks), (Honour, honours)):
        write_audit(
            model,
            [(obj.pk, Action.CREATE, {}, f"{obj.enterprise.name} {obj}" if model is Honour else str(obj), obj.enterprise.district.path, obj.enterprise_id) for obj in objects],
            actor=None, source=Source.CLI, batch_id=None,
        )  # fmt: skip
    return {"levels": len(levels), "tasks": len(tasks), "honours": len(honours)}
