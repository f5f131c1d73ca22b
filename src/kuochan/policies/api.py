"""The 政策直达 API: the catalogue, matching (the same data as `kuochan match --format json`), applications
and their steps, with the same scope, permissions and validation as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from kuochan.audit.models import Source
from kuochan.core.scope import scoped
from kuochan.policies import selectors, services
from kuochan.policies.models import Application, Policy
from kuochan.policies.rules import describe
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise

router = Router(tags=["政策直达"])


class PolicyOut(Schema):
    code: str
    number: str
    title: str
    clause: str
    lead: str
    co_responsible: list[str]
    subject: str
    support_kind: str
    support_text: str
    cap_wan: Decimal | None
    share_pct: Decimal | None
    fixed_wan: Decimal | None
    rule: dict[str, Any]
    rule_text: str
    documents: list[str]
    auto_award: bool
    is_active: bool


class StepOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    actor_name: str
    at: dt.datetime
    opinion: str
    amount_wan: Decimal | None


class ApplicationOut(Schema):
    id: int
    number: str
    policy: str
    year: int
    uscc: str
    enterprise: str
    project_code: str | None
    district: str
    status: str
    status_label: str
    requested_wan: Decimal | None
    computed_wan: Decimal | None
    computation: str
    amount_wan: Decimal | None
    approved_wan: Decimal | None
    paid_wan: Decimal | None
    eligibility: dict[str, Any]
    auto_award: bool
    publicity_until: dt.date | None
    steps: list[StepOut]


class ApplicationIn(Schema):
    policy: str
    uscc: str = ""
    project_code: str = ""
    year: int | None = None
    requested_wan: Decimal | None = None
    description: str = ""


class ActionIn(Schema):
    action: str
    opinion: str = ""
    amount_wan: Decimal | None = None


def _policy_out(policy: Policy) -> dict[str, Any]:
    return {
        **{name: getattr(policy, name) for name in PolicyOut.model_fields if hasattr(policy, name)},
        "rule_text": describe(selectors.policy_rule(policy)),
    }


def _application_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk, "number": a.number, "policy": a.policy.code, "year": a.year, "uscc": a.enterprise.uscc,
        "enterprise": a.enterprise.name, "project_code": a.project.code if a.project else None,
        "district": a.district.name, "status": a.status, "status_label": a.get_status_display(),
        "requested_wan": a.requested_wan, "computed_wan": a.computed_wan, "computation": a.computation,
        "amount_wan": a.amount_wan, "approved_wan": a.approved_wan, "paid_wan": a.paid_wan,
        "eligibility": a.eligibility, "auto_award": a.auto_award, "publicity_until": a.publicity_until,
        "steps": [{**{k: getattr(s, k) for k in StepOut.model_fields}} for s in a.steps.all()],
    }  # fmt: skip


def _policy_or_404(code: str) -> Policy:
    try:
        return selectors.policy_get(code)
    except Policy.DoesNotExist as exc:
        raise Http404(f"没有政策“{code}”。") from exc


@router.get("/", response=list[PolicyOut], summary="政策清单（含可读的申报条件）")
def policy_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_policy_out(p) for p in selectors.policies()]


@router.get("/applications", response=list[ApplicationOut], summary="政策申报（数据范围内）")
def application_list(
    request: HttpRequest, status: str = "", policy: str = "", year: int | None = None
) -> list[dict[str, Any]]:
    found = selectors.applications(actor=request.auth).prefetch_related("steps")
    if status:
        found = found.filter(status=status)
    if policy:
        found = found.filter(policy__code=policy)
    if year:
        found = found.filter(year=year)
    return [_application_out(a) for a in found]


@router.post("/applications", response={201: ApplicationOut}, summary="创建申报草稿（企业本身或代为申报）")
def application_create(request: HttpRequest, data: ApplicationIn) -> Status:
    actor = request.auth
    policy = _policy_or_404(data.policy)
    project = None
    if data.project_code:
        project = (
            scoped(Project.objects.select_related("enterprise__district"), actor)
            .filter(code=data.project_code)
            .first()
        )
        if project is None:
            raise Http404(f"数据范围内没有项目“{data.project_code}”。")
        enterprise = project.enterprise
    else:
        enterprise = (
            scoped(Enterprise.objects.select_related("district"), actor).filter(uscc=data.uscc).first()
        )
        if enterprise is None:
            raise Http404(f"数据范围内没有企业“{data.uscc}”。")
    application = services.application_create(
        actor=actor, source=Source.API, policy=policy, enterprise=enterprise, project=project, year=data.year,
        requested_wan=data.requested_wan, description=data.description,
    )  # fmt: skip
    return Status(201, _application_out(application))


@router.get("/applications/{pk}", response=ApplicationOut, summary="一件申报及其办理记录")
def application_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _application_out(selectors.application_get(actor=request.auth, pk=pk))


@router.post(
    "/applications/{pk}/actions",
    response=ApplicationOut,
    summary="办理：提交、初审、复审、拨付、退回、不予支持、撤回",
)
def application_action(request: HttpRequest, pk: int, data: ActionIn) -> dict[str, Any]:
    application = selectors.application_get(actor=request.auth, pk=pk)
    application = services.application_act(
        actor=request.auth, source=Source.API, application=application, action=data.action, opinion=data.opinion,
        amount_wan=data.amount_wan,
    )  # fmt: skip
    return _application_out(application)


@router.get("/funds/{year}", summary="政策资金：预算、在审、核准、拨付与剩余（万元）")
def funds(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    return [
        {"policy": f.policy.code, "title": f.policy.title, "budget_wan": f.budget_wan,
         "city_approved_wan": f.city_approved_wan, "requested_wan": f.requested_wan,
         "approved_wan": f.approved_wan, "paid_wan": f.paid_wan, "remaining_wan": f.remaining_wan,
         "applications": f.applications}
        for f in selectors.funds(actor=request.auth, year=year)
    ]  # fmt: skip


@router.get("/{code}", response=PolicyOut, summary="一条政策")
def policy_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return _policy_out(_policy_or_404(code))


@router.get("/{code}/matches", summary="政策找企业：与 kuochan match --policy CODE --format json 相同")
def policy_matches(
    request: HttpRequest, code: str, as_of: dt.date | None = None, all_results: bool = False
) -> dict:
    policy = _policy_or_404(code)
    return selectors.match_report(
        actor=request.auth, as_of=as_of or timezone.localdate(), chosen=[policy], everyone=all_results
    )
