"""The 项目管理 API: projects with their lights, details, edits with optimistic locking (a save on an old
`version` is refused with 409), milestones and monthly progress; the same scope and checks as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.core.api import Amount, Day, ErrorOut, Id, Input, Money, Month, chosen, month_of
from kuochan.core.scope import scoped
from kuochan.orgs.selectors import reporting_units, towns
from kuochan.projects import selectors, services
from kuochan.projects.models import (
    ApprovalTrack,
    ConstructionNature,
    Milestone,
    Progress,
    Project,
    ProjectStatus,
    ProjectType,
)
from kuochan.projects.rules import Light
from kuochan.registry.models import Enterprise, IndustryTag

router = Router(tags=["项目管理"])


class ProjectQuery(Schema):
    as_of: Day | None = None
    q: str = Field("", max_length=200)
    district: Id | None = None
    light: Light | Literal[""] = ""
    stage: Milestone | Literal[""] = ""
    stall: str = Field("", max_length=32)
    chain: Id | None = None
    project_type: ProjectType | Literal[""] = ""
    large: bool = False


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    district: str
    total_wan: float | None
    stage: str | None
    light: str
    stall: str | None
    reasons: list[str]


class LightRowOut(Schema):
    code: str
    name: str
    district: str
    stage: str | None
    light: str
    stall: str | None
    reasons: list[str]


class LightsOut(Schema):
    as_of: str
    projects: list[LightRowOut]
    summary: dict[str, int]


class MilestoneOut(Schema):
    key: Milestone
    milestone: str
    planned: dt.date | None
    actual: dt.date | None
    evidence: str


class MonthProgressOut(Schema):
    month: str
    ytd_wan: Decimal
    year_plan_wan: Decimal | None
    progress_note: str
    problems: str
    coordination: str

    @staticmethod
    def resolve_month(progress: Progress) -> str:
        return f"{progress.month:%Y-%m}"


class ProjectDetailOut(Schema):
    id: int
    version: int
    code: str
    name: str
    enterprise_id: int
    enterprise_uscc: str
    enterprise: str
    district_id: int
    district: str
    town_id: int | None
    chain_id: int | None
    project_type: str
    nature: str
    is_renovation: bool
    total_wan: Decimal | None
    equipment_wan: Decimal | None
    is_provincial_major: bool
    is_ipo_funded: bool
    approval_track: str
    capacity_output_wan: Decimal | None
    capacity_tax_wan: Decimal | None
    land_mu: Decimal | None
    zero_new_land: bool
    energy_tce: Decimal | None
    status: str
    milestones: list[MilestoneOut]
    year_plans: dict[int, Decimal]
    progress: list[MonthProgressOut]


class ProgressFields(Input):
    """One month's report of a project, as the progress form takes it."""

    ytd_wan: Amount
    year_plan_wan: Amount | None = None
    progress_note: str = Field("", max_length=5000)
    problems: str = Field("", max_length=5000)
    coordination: str = Field("", max_length=5000)


class ProgressIn(ProgressFields):
    month: Month


class ProgressResult(Schema):
    month: str
    warnings: list[str]


class ProjectFields(Input):
    """What the project form holds; amounts in 万元, ids of the enterprise, units and industry chain."""

    name: str = Field(max_length=200)
    enterprise: Id = Field(description="企业 id（数据范围内）")
    district: Id | None = Field(None, description="所属区县的组织单位 id；不填则取企业所属区县")
    town: Id | None = None
    project_type: ProjectType | Literal[""] = ""
    nature: ConstructionNature | Literal[""] = ""
    is_renovation: bool = False
    chain: Id | None = Field(None, description="产业链标签 id")
    total_wan: Money | None = None
    equipment_wan: Money | None = None
    is_provincial_major: bool = False
    is_ipo_funded: bool = False
    approval_track: ApprovalTrack | Literal[""] = ""
    capacity_output_wan: Money | None = None
    capacity_tax_wan: Money | None = None
    land_mu: Money | None = Field(None, description="亩")
    zero_new_land: bool = False
    energy_tce: Money | None = Field(None, description="吨标准煤")
    status: ProjectStatus = ProjectStatus.ACTIVE


class ProjectIn(ProjectFields):
    code: str = Field("", max_length=32, description="统一项目代码；不填则由平台编号")


class ProjectPatch(Input):
    """Only the fields sent are changed. `version` is the one read before editing: if someone has saved the
    project since, the edit is refused with 409 and who changed it when."""

    version: int = Field(ge=1, le=2**31 - 1)
    code: str = Field(None, max_length=32)
    name: str = Field(None, max_length=200)
    enterprise: Id = None
    district: Id | None = None
    town: Id | None = None
    project_type: ProjectType | Literal[""] = None
    nature: ConstructionNature | Literal[""] = None
    is_renovation: bool = None
    chain: Id | None = None
    total_wan: Money | None = None
    equipment_wan: Money | None = None
    is_provincial_major: bool = None
    is_ipo_funded: bool = None
    approval_track: ApprovalTrack | Literal[""] = None
    capacity_output_wan: Money | None = None
    capacity_tax_wan: Money | None = None
    land_mu: Money | None = None
    zero_new_land: bool = None
    energy_tce: Money | None = None
    status: ProjectStatus = None


class MilestoneIn(Input):
    """Only the parts sent are changed; null clears a date."""

    planned: Day | None = None
    actual: Day | None = None
    evidence: str = Field(None, max_length=200)


class MilestonesPatch(Input):
    version: int = Field(ge=1, le=2**31 - 1)
    milestones: dict[Milestone, MilestoneIn]


class MonthEntryIn(ProgressFields):
    project: Id


class MonthIn(Input):
    month: Month
    entries: list[MonthEntryIn] = Field(max_length=2000)


class MonthResult(Schema):
    month: str
    saved: int
    warnings: list[str]


def _detail(project: Project) -> dict[str, Any]:
    return {
        **{name: getattr(project, name) for name in ProjectDetailOut.model_fields if hasattr(project, name)},
        "enterprise_uscc": project.enterprise.uscc,
        "enterprise": project.enterprise.name,
        "district": project.district.name,
        "milestones": [
            {"key": key, "milestone": str(label), "planned": planned, "actual": actual, "evidence": evidence}
            for key, label, planned, actual, evidence in project.milestone_dates()
        ],
        "year_plans": {plan.year: plan.planned_wan for plan in project.year_plans.all()},
        "progress": list(project.progress.order_by("month")),
    }


def _references(actor: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The body's ids as the rows the project form offers: an enterprise, district and town in scope."""
    values = dict(values)
    if "enterprise" in values:
        enterprises = scoped(Enterprise.objects.select_related("district"), actor)
        values["enterprise"] = chosen(
            enterprises, values["enterprise"], "enterprise", "您的数据范围内没有该企业。"
        )
    if "district" in values:
        units = reporting_units(actor=actor)
        values["district"] = chosen(units, values["district"], "district", "请选择您数据范围内的区县。")
    if "town" in values:
        values["town"] = chosen(
            towns(actor=actor), values["town"], "town", "请选择您数据范围内的乡镇（园区）。"
        )
    if "chain" in values:
        values["chain"] = chosen(IndustryTag.objects.all(), values["chain"], "chain", "没有该产业链标签。")
    return values


@router.get("", response=list[ProjectOut], summary="项目列表及亮灯（数据范围内，可指定截至日期）")
@paginate
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]) -> list[dict]:
    values = filters.dict()
    as_of = values.pop("as_of") or timezone.localdate()
    rows = selectors.project_rows(
        actor=request.auth, as_of=as_of, filters=selectors.ProjectFilter(query=values.pop("q"), **values)
    )
    return [
        {
            "id": f.id, "code": f.code, "name": f.name, "district": f.district,
            "total_wan": f.total / 100 if f.total is not None else None, "stage": v.stage_label,
            "light": v.light.value, "stall": v.stall, "reasons": list(v.reasons),
        }
        for f, v in rows
    ]  # fmt: skip


@router.post("", response={201: ProjectDetailOut}, summary="新增项目（与网页表单相同的校验）")
def create_project(request: HttpRequest, data: ProjectIn) -> Status:
    values = _references(request.auth, data.dict())
    made = services.project_create(actor=request.auth, source=Source.API, **values)
    return Status(201, _detail(selectors.project_get(actor=request.auth, pk=made.pk)))


@router.get("/lights", response=LightsOut, summary="亮灯结果（与 kuochan lights --format json 相同）")
def lights(request: HttpRequest, as_of: Day | None = None) -> dict:
    board = selectors.project_board(actor=request.auth, as_of=as_of or timezone.localdate())
    return selectors.lights_report(board)


@router.post(
    "/progress",
    response=MonthResult,
    summary="一次填报多个项目某月的进展（区县月度填报表）：全部通过才保存，逐项说明问题",
)
def report_month(request: HttpRequest, data: MonthIn) -> dict:
    month = month_of(data.month)
    wanted = {entry.project for entry in data.entries}
    found = selectors.projects(actor=request.auth).select_related("district").in_bulk(wanted)
    if missing := sorted(wanted - set(found)):
        raise Http404(f"数据范围内没有项目：{'、'.join(map(str, missing))}。")
    entries = [{**entry.dict(exclude={"project"}), "project": found[entry.project]} for entry in data.entries]
    warnings = services.progress_record_month(
        actor=request.auth, source=Source.API, month=month, entries=entries
    )
    return {"month": f"{month:%Y-%m}", "saved": len(entries), "warnings": warnings}


@router.get("/{project_id}", response=ProjectDetailOut, summary="项目详情、节点与月度进展（含 version）")
def get_project(request: HttpRequest, project_id: Id) -> dict:
    return _detail(selectors.project_get(actor=request.auth, pk=project_id))


@router.patch(
    "/{project_id}",
    response={200: ProjectDetailOut, 409: ErrorOut},
    summary="修改项目（只改请求中给出的字段；version 过期时 409）",
)
def update_project(request: HttpRequest, project_id: Id, data: ProjectPatch) -> dict:
    project = selectors.project_get(actor=request.auth, pk=project_id)
    values = _references(request.auth, data.dict(exclude_unset=True))
    services.project_update(actor=request.auth, source=Source.API, project=project, **values)
    return _detail(selectors.project_get(actor=request.auth, pk=project_id))


@router.patch(
    "/{project_id}/milestones",
    response={200: ProjectDetailOut, 409: ErrorOut},
    summary="修改节点的计划、实际日期和佐证（version 过期时 409）",
)
def update_milestones(request: HttpRequest, project_id: Id, data: MilestonesPatch) -> dict:
    project = selectors.project_get(actor=request.auth, pk=project_id)
    values = {
        f"{milestone}_{part}": value
        for milestone, given in data.milestones.items()
        for part, value in given.dict(exclude_unset=True).items()
    }
    services.milestones_update(
        actor=request.auth, source=Source.API, project=project, version=data.version, **values
    )
    return _detail(selectors.project_get(actor=request.auth, pk=project_id))


@router.post("/{project_id}/progress", response=ProgressResult, summary="填报（或更正）一个月的进展")
def report_progress(request: HttpRequest, project_id: Id, data: ProgressIn) -> dict:
    project = selectors.project_get(actor=request.auth, pk=project_id)
    if not services.can_report_progress(request.auth, project):
        raise PermissionDenied("您无权填报该项目的进展。")
    values = data.dict()
    month = month_of(values.pop("month"))
    progress, warnings = services.progress_record(
        actor=request.auth, source=Source.API, project=project, month=month, **values
    )
    return {"month": f"{progress.month:%Y-%m}", "warnings": warnings}
