import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kuochan.audit.models import Source
from kuochan.imports.parsing import CellError, to_month
from kuochan.projects import selectors, services
from kuochan.projects.models import Progress

router = Router(tags=["项目管理"])


class ProjectQuery(Schema):
    as_of: dt.date | None = None
    q: str = ""
    district: int | None = None
    light: str = ""
    stage: str = ""
    stall: str = ""
    chain: int | None = None
    project_type: str = ""
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


class MilestoneOut(Schema):
    milestone: str
    planned: dt.date | None
    actual: dt.date | None
    evidence: str


class ProgressOut(Schema):
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
    code: str
    name: str
    enterprise_uscc: str
    enterprise: str
    district: str
    project_type: str
    nature: str
    is_renovation: bool
    total_wan: Decimal | None
    equipment_wan: Decimal | None
    status: str
    milestones: list[MilestoneOut]
    year_plans: dict[int, Decimal]
    progress: list[ProgressOut]


class ProgressIn(Schema):
    month: str
    ytd_wan: Decimal
    year_plan_wan: Decimal | None = None
    progress_note: str = ""
    problems: str = ""
    coordination: str = ""


class ProgressResult(Schema):
    month: str
    warnings: list[str]


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


@router.get("/lights", summary="亮灯结果（与 kuochan lights --format json 相同）")
def lights(request: HttpRequest, as_of: dt.date | None = None) -> dict:
    board = selectors.project_board(actor=request.auth, as_of=as_of or timezone.localdate())
    return selectors.lights_report(board)


@router.get("/{project_id}", response=ProjectDetailOut, summary="项目详情、节点与月度进展")
def get_project(request: HttpRequest, project_id: int) -> dict:
    project = selectors.project_get(actor=request.auth, pk=project_id)
    return {
        **{name: getattr(project, name) for name in ("id", "code", "name", "project_type", "nature", "is_renovation",
                                                      "total_wan", "equipment_wan", "status")},
        "enterprise_uscc": project.enterprise.uscc,
        "enterprise": project.enterprise.name,
        "district": project.district.name,
        "milestones": [
            {"milestone": str(label), "planned": planned, "actual": actual, "evidence": evidence}
            for _, label, planned, actual, evidence in project.milestone_dates()
        ],
        "year_plans": {plan.year: plan.planned_wan for plan in project.year_plans.all()},
        "progress": list(project.progress.order_by("month")),
    }  # fmt: skip


@router.post("/{project_id}/progress", response=ProgressResult, summary="填报（或更正）一个月的进展")
def report_progress(request: HttpRequest, project_id: int, data: ProgressIn) -> dict:
    project = selectors.project_get(actor=request.auth, pk=project_id)
    if not services.can_report_progress(request.auth, project):
        raise PermissionDenied("您无权填报该项目的进展。")
    try:
        month = to_month(data.month)
    except CellError as exc:
        raise ValidationError({"month": str(exc)}) from exc
    values = data.dict()
    values.pop("month")
    progress, warnings = services.progress_record(
        actor=request.auth, source=Source.API, project=project, month=month, **values
    )
    return {"month": f"{progress.month:%Y-%m}", "warnings": warnings}
