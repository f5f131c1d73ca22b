"""Writes of 数字化改造: an enterprise's assessed level, and the tasks of the year's three lists with their
projects and responsible person. Each checks every object it is handed against the actor's scope and is
audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, fields_update, snapshot
from kuochan.core.scope import ensure_in_scope, path_in_scope
from kuochan.digital.models import DigitalLevel, DigitalTask, Level, TaskStatus
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise

STAFF_ONLY = "只有政府工作人员可以维护数字化改造数据。"
TASK_FIELDS = (
    "year",
    "target_level",
    "responsible",
    "responsible_name",
    "responsible_phone",
    "status",
    "note",
)


def ensure_may_edit(actor: Any, *objects: Any) -> None:
    """Staff who may edit (not leaders, not enterprises), and every object in their scope. No actor is the
    system (a command without --user)."""
    if actor is not None and (not actor.can_edit or actor.is_enterprise_user):
        raise PermissionDenied(STAFF_ONLY)
    ensure_in_scope(actor, *objects)


@transaction.atomic
def level_set(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    level: str,
    assessed_on: dt.date,
    level_source: str = "",
    note: str = "",
) -> DigitalLevel:
    """Record the level assessed on a date; a second assessment on the same date replaces the first."""
    ensure_may_edit(actor, enterprise)
    if level not in Level.values:
        raise ValidationError({"level": f"数字化改造水平应为：{'、'.join(Level.values)}。"})
    found = DigitalLevel.objects.filter(enterprise=enterprise, assessed_on=assessed_on).first()
    values = {"level": level, "source": level_source, "note": note}
    if found is None:
        found = DigitalLevel.objects.create(enterprise=enterprise, assessed_on=assessed_on, **values)
        audit_record(actor=actor, source=source, action=Action.CREATE, obj=found, after=snapshot(found))
        return found
    fields_update(found, actor=actor, source=source, **values)
    return found


@transaction.atomic
def level_remove(*, actor: Any, source: Source, level: DigitalLevel) -> None:
    ensure_may_edit(actor, level)
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=level, before=snapshot(level))
    level.delete()


def _check_task(
    *,
    actor: Any,
    enterprise: Enterprise,
    year: int,
    responsible: Any,
    responsible_name: str,
    projects: Iterable[Project],
    task: DigitalTask | None,
) -> list[Project]:
    """The task's projects once each is checked: refuses a project of another enterprise, a responsible
    user who cannot act in the enterprise's district, no responsible person at all, and a second task for
    the same enterprise and year."""
    errors: dict[str, str] = {}
    projects = list(projects)
    ensure_in_scope(actor, *projects)
    others = [p for p in projects if p.enterprise_id != enterprise.pk]
    if others:
        errors["projects"] = f"项目“{others[0].name}”（{others[0].code}）不是{enterprise.name}的项目。"
    if responsible is not None and (
        not responsible.is_active
        or responsible.is_enterprise_user
        or not responsible.can_edit
        or not path_in_scope(enterprise.district.path, responsible)
    ):
        errors["responsible"] = (
            f"责任人应为能办理{enterprise.district.name}企业事务的在岗工作人员，收到“{responsible}”；"
            "平台外人员请填写姓名和联系电话。"
        )
    if responsible is None and not responsible_name.strip():
        errors["responsible_name"] = "请指定责任人：选择平台用户，或填写姓名和联系电话。"
    twin = DigitalTask.objects.filter(enterprise=enterprise, year=year).exclude(pk=task.pk if task else None)
    if twin.exists():
        errors["year"] = f"{enterprise.name}已在{year}年清单中，请修改已有任务。"
    if errors:
        raise ValidationError(errors)
    return projects


def _task_after(task: DigitalTask) -> dict[str, Any]:
    after = snapshot(task)
    after["projects"] = sorted(p.name for p in task.projects.all())
    return after


@transaction.atomic
def task_save(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    year: int,
    target_level: str,
    responsible: Any = None,
    responsible_name: str = "",
    responsible_phone: str = "",
    status: str = TaskStatus.PENDING,
    note: str = "",
    projects: Iterable[Project] = (),
    task: DigitalTask | None = None,
) -> DigitalTask:
    """Add an enterprise to the year's lists, or change its task (`task`), with its projects and
    responsible person."""
    objects = [enterprise] if task is None else [enterprise, task]
    ensure_may_edit(actor, *objects)
    if task is not None and task.enterprise_id != enterprise.pk:
        raise ValidationError({"enterprise": "任务的企业不能更改，请删除后重新添加。"})
    if target_level not in Level.values:
        raise ValidationError({"target_level": f"目标水平应为：{'、'.join(Level.values)}。"})
    if status not in TaskStatus.values:
        raise ValidationError({"status": f"状态应为：{'、'.join(map(str, TaskStatus.labels))}。"})
    linked = _check_task(
        actor=actor, enterprise=enterprise, year=year, responsible=responsible,
        responsible_name=responsible_name, projects=projects, task=task,
    )  # fmt: skip
    values = {
        "year": year, "target_level": target_level, "responsible": responsible,
        "responsible_name": responsible_name.strip(), "responsible_phone": responsible_phone.strip(),
        "status": status, "note": note.strip(),
    }  # fmt: skip
    if task is None:
        task = DigitalTask.objects.create(enterprise=enterprise, **values)
        task.projects.set(linked)
        audit_record(actor=actor, source=source, action=Action.CREATE, obj=task, after=_task_after(task))
        return task
    before = _task_after(task)
    for name, value in values.items():
        setattr(task, name, value)
    task.save()
    task.projects.set(linked)
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=task, before=before, after=_task_after(task)
    )
    return task


@transaction.atomic
def task_status_set(*, actor: Any, source: Source, task: DigitalTask, status: str) -> DigitalTask:
    """The clerk's quick update from the list, on a phone."""
    ensure_may_edit(actor, task)
    if status not in TaskStatus.values:
        raise ValidationError({"status": f"状态应为：{'、'.join(map(str, TaskStatus.labels))}。"})
    fields_update(task, actor=actor, source=source, status=status)
    return task


@transaction.atomic
def task_remove(*, actor: Any, source: Source, task: DigitalTask) -> None:
    ensure_may_edit(actor, task)
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=task, before=_task_after(task))
    task.delete()
