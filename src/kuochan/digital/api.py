"""The 数字化改造 API: coverage of above-scale enterprises on a date (what `kuochan digital coverage --format
json` prints), the year's three lists and their tasks (list, create, update), and the assessed levels. Same
scope, permissions and checks as the pages."""

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Day, Id, Input, Pages, Year, staff_only
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.digital import selectors, services
from kuochan.digital.models import DigitalLevel, DigitalTask
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code

router = Router(tags=["数字化改造"])
REFUSAL = "企业用户无权查看数字化改造工作台账。"
LevelCode = Literal["1.0", "2.0"]
StatusCode = Literal["pending", "underway", "done"]
Uscc = Field(max_length=40, description="统一社会信用代码")


class DigitalCoverageRowOut(Schema):
    name: str
    above_scale: int
    level_1: int
    level_2: int
    share_1: float | None = Field(description="1.0 覆盖率（%）")
    share_2: float | None = Field(description="2.0 覆盖率（%）")
    reasons: list[str]


class DigitalCoverageOut(Schema):
    as_of: str
    by: str
    rows: list[DigitalCoverageRowOut]
    total: DigitalCoverageRowOut


class DigitalTaskOut(Schema):
    id: int
    year: int
    uscc: str
    enterprise: str
    district: str
    target_level: str
    status: str
    status_label: str
    responsible: str
    responsible_username: str
    responsible_phone: str
    projects: list[str] = Field(description="项目代码")
    note: str


class DigitalTaskIn(Input):
    uscc: str = Uscc
    year: Year
    target_level: LevelCode
    responsible_username: str = Field(
        "", max_length=150, description="平台用户（须能办理该企业所在区县事务）"
    )
    responsible_name: str = Field("", max_length=64, description="平台外责任人姓名")
    responsible_phone: str = Field("", max_length=32)
    status: StatusCode = "pending"
    note: str = Field("", max_length=200)
    projects: list[str] = Field([], max_length=100, description="项目代码")


class DigitalTaskPatch(Input):
    target_level: LevelCode | None = None
    responsible_username: str | None = Field(None, max_length=150)
    responsible_name: str | None = Field(None, max_length=64)
    responsible_phone: str | None = Field(None, max_length=32)
    status: StatusCode | None = None
    note: str | None = Field(None, max_length=200)
    projects: list[str] | None = Field(None, max_length=100)


class DigitalLevelOut(Schema):
    id: int
    uscc: str
    enterprise: str
    level: str
    assessed_on: dt.date
    source: str
    note: str


class DigitalLevelIn(Input):
    uscc: str = Uscc
    level: LevelCode
    assessed_on: Day
    source: str = Field("", max_length=100)
    note: str = Field("", max_length=200)


def _enterprise(actor: Any, uscc: str) -> Enterprise:
    return get_scoped_or_404(Enterprise.objects.select_related("district"), actor, uscc=normalise_code(uscc))


def _responsible(username: str) -> Any:
    if not username:
        return None
    user = get_user_model().objects.select_related("org_unit").filter(username=username).first()
    if user is None:
        raise ValidationError({"responsible_username": f"没有用户“{username}”。"})
    return user


def _projects(actor: Any, codes: list[str]) -> list[Project]:
    found = {p.code: p for p in scoped(Project.objects.all(), actor).filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError({"projects": f"数据范围内没有项目“{'、'.join(missing)}”。"})
    return [found[code] for code in codes]


def _task(actor: Any, pk: int) -> DigitalTask:
    return get_scoped_or_404(
        DigitalTask.objects.select_related("enterprise__district", "responsible"), actor, pk=pk
    )


@router.get(
    "/coverage",
    response=DigitalCoverageOut,
    summary="规上工业企业数字化改造覆盖率（按区县或行业，截至 as_of，默认今天）",
)
def coverage(
    request: HttpRequest,
    as_of: Day | None = None,
    by: Literal["district", "industry"] = "district",
) -> dict[str, Any]:
    staff_only(request.auth, REFUSAL)
    report = selectors.coverage_of(actor=request.auth, as_of=as_of or timezone.localdate(), by=by)
    return selectors.coverage_report(report)


@router.get(
    "/tasks", response=list[DigitalTaskOut], summary="某年度（year，默认今年）数字化改造清单（待改造在前）"
)
@paginate(Pages)
def task_list(
    request: HttpRequest,
    year: Year | None = None,
    status: StatusCode | None = None,
    responsible: str = Query("", max_length=64, description="责任人用户名或姓名"),
) -> list[dict[str, Any]]:
    staff_only(request.auth, REFUSAL)
    tasks = selectors.tasks_of(
        actor=request.auth,
        year=year or timezone.localdate().year,
        status=status or "",
        responsible=responsible,
    )
    return [selectors.task_row(task) for task in tasks]


@router.post("/tasks", response={201: DigitalTaskOut}, summary="将企业加入某年度清单，并指定改造项目和责任人")
def task_create(request: HttpRequest, data: DigitalTaskIn) -> Status:
    staff_only(request.auth, REFUSAL)
    actor = request.auth
    task = services.task_save(
        actor=actor, source=Source.API, enterprise=_enterprise(actor, data.uscc), year=data.year,
        target_level=data.target_level, responsible=_responsible(data.responsible_username),
        responsible_name=data.responsible_name, responsible_phone=data.responsible_phone, status=data.status,
        note=data.note, projects=_projects(actor, data.projects),
    )  # fmt: skip
    return Status(201, selectors.task_row(_task(actor, task.pk)))


@router.patch("/tasks/{pk}", response=DigitalTaskOut, summary="修改清单任务（只改请求中给出的字段）")
def task_update(request: HttpRequest, pk: Id, data: DigitalTaskPatch) -> dict[str, Any]:
    staff_only(request.auth, REFUSAL)
    actor = request.auth
    task = _task(actor, pk)
    given = data.dict(exclude_unset=True)
    responsible = task.responsible
    if "responsible_username" in given:
        responsible = _responsible(given["responsible_username"] or "")
    projects = (
        _projects(actor, given["projects"])
        if given.get("projects") is not None
        else list(task.projects.all())
    )
    services.task_save(
        actor=actor, source=Source.API, enterprise=task.enterprise, year=task.year, task=task,
        target_level=given.get("target_level") or task.target_level, responsible=responsible,
        responsible_name=_given(given, "responsible_name", task), responsible_phone=_given(given, "responsible_phone", task),
        status=given.get("status") or task.status, note=_given(given, "note", task), projects=projects,
    )  # fmt: skip
    return selectors.task_row(_task(actor, pk))


def _given(given: dict[str, Any], name: str, task: DigitalTask) -> str:
    value = given.get(name)
    return getattr(task, name) if value is None else value


@router.get("/levels", response=list[DigitalLevelOut], summary="数字化改造水平评定记录（最新在前）")
@paginate(Pages)
def level_list(
    request: HttpRequest, uscc: str = Query("", max_length=40, description="只看该企业")
) -> list[dict[str, Any]]:
    staff_only(request.auth, REFUSAL)
    levels = scoped(DigitalLevel.objects.select_related("enterprise"), request.auth)
    if uscc:
        levels = levels.filter(enterprise=_enterprise(request.auth, uscc))
    return [_level_out(level) for level in levels.order_by("-assessed_on", "enterprise__uscc")]


@router.post(
    "/levels", response={201: DigitalLevelOut}, summary="登记企业某日评定的数字化改造水平（同日再登记即更正）"
)
def level_create(request: HttpRequest, data: DigitalLevelIn) -> Status:
    staff_only(request.auth, REFUSAL)
    if data.assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "评定日期不能晚于今天。"})
    level = services.level_set(
        actor=request.auth, source=Source.API, enterprise=_enterprise(request.auth, data.uscc), level=data.level,
        assessed_on=data.assessed_on, level_source=data.source, note=data.note,
    )  # fmt: skip
    return Status(201, _level_out(level))


def _level_out(level: DigitalLevel) -> dict[str, Any]:
    return {
        "id": level.pk, "uscc": level.enterprise.uscc, "enterprise": level.enterprise.name, "level": level.level,
        "assessed_on": level.assessed_on, "source": level.source, "note": level.note,
    }  # fmt: skip
