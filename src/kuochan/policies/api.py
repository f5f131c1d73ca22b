"""The 政策直达 API: the catalogue and keeping it (a new policy, the whole policy saved, copied, published,
closed), matching (the same data as `kuochan match --format json`), applications and their steps, with the
same scope, permissions and validation as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from kuochan.audit.models import Source
from kuochan.core.api import Amount, Day, Id, Input, Money, Slug, Year, business_only
from kuochan.core.files import upload_content
from kuochan.core.money import CENT
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.orgs.models import OrgUnit
from kuochan.policies import selectors, services
from kuochan.policies.models import Application, Policy, ShareBase, Subject, SupportKind
from kuochan.policies.rules import describe
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise

router = Router(tags=["政策直达"])


class CataloguePolicyOut(Schema):
    code: str
    number: str
    document_number: str
    section: str
    issuer_code: str
    issuer_name: str
    state: str
    closed_on: dt.date | None
    closed_reason: str
    title: str
    clause: str
    lead: str
    co_responsible: list[str]
    subject: str
    support_kind: str
    support_text: str
    cap_wan: Decimal | None
    share_pct: Decimal | None
    share_base: str
    fixed_wan: Decimal | None
    period_start: dt.date | None
    period_end: dt.date | None
    funding_source: str
    rule: dict[str, Any]
    rule_text: str
    documents: list[str]
    publicity_days: int
    auto_award: bool
    is_active: bool


class ApplicationStepOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    actor_name: str
    at: dt.datetime
    opinion: str
    amount_wan: Decimal | None


class AttachmentOut(Schema):
    id: int
    document: str
    name: str
    size: int
    uploaded_at: dt.datetime


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
    steps: list[ApplicationStepOut]
    attachments: list[AttachmentOut]


class ApplicationIn(Input):
    policy: Slug
    uscc: str = Field("", max_length=40)
    project_code: str = Field("", max_length=32)
    year: Year | None = None
    requested_wan: Amount | None = None
    description: str = Field("", max_length=20000)


class ApplicationPatch(Input):
    requested_wan: Amount | None = None
    description: str = Field("", max_length=20000)


class ActionIn(Input):
    action: str = Field(max_length=16)
    opinion: str = Field("", max_length=20000)
    amount_wan: Amount | None = None


class PolicyPatch(Input):
    """What city staff edit on the policy page (only the fields sent change): the rule as JSON, documents,
    support figures, the period and whether it is open."""

    rule: dict[str, Any] = None
    documents: list[Annotated[str, Field(max_length=100)]] = Field(None, max_length=50)
    publicity_days: int = Field(None, ge=0, le=1000)
    is_active: bool = None
    auto_award: bool = None
    funding_source: str = Field(None, max_length=100)
    cap_wan: Money | None = None
    share_pct: Decimal | None = Field(None, ge=0, max_digits=6, decimal_places=2)
    fixed_wan: Money | None = None
    period_start: Day | None = None
    period_end: Day | None = None


Issuer = Annotated[
    Id | Annotated[str, Field(max_length=32)],
    Field(description='发布单位：组织单位的 id（数字）或代码（文字，如 "330500"）'),
]
Department = Annotated[str, Field(max_length=64)]


class PolicyWholeIn(Input):
    """A whole policy as staff write it on its page (新建政策 / 编辑政策): a new one is a draft until published."""

    model_config = ConfigDict(str_strip_whitespace=True)

    issuer: Issuer
    title: str = Field(max_length=100)
    document_number: str = Field("", max_length=64)
    number: str = Field("", max_length=16, description="条款序号")
    section: str = Field("", max_length=64, description="所属章节")
    clause: str = Field(max_length=20000, description="条款原文")
    lead: Department = Field(description="牵头部门")
    co_responsible: list[Department] = Field([], max_length=50, description="配合部门")
    subject: Subject = Field(description="适用对象：enterprise 企业、project 项目")
    support_kind: SupportKind = Field(description="支持方式")
    support_text: str = Field("", max_length=200)
    cap_wan: Money | None = None
    share_pct: Decimal | None = Field(None, ge=0, max_digits=6, decimal_places=2)
    share_base: ShareBase | Literal[""] = Field("", description="补助基数（按比例补助时）")
    fixed_wan: Money | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    funding_source: str = Field("", max_length=100)
    rule: dict[str, Any] = Field(description="申报条件（与政策页面的条件 JSON 相同）")
    documents: list[Annotated[str, Field(max_length=100)]] = Field([], max_length=50, description="申报材料")
    publicity_days: int = Field(5, ge=0, le=1000)
    is_active: bool = Field(True, description="受理申报")
    auto_award: bool = Field(False, description="免申即享")


class PolicyCopyIn(Input):
    issuer: Issuer | None = Field(None, description="新草稿的发布单位（默认与原政策相同）")


class PolicyCloseIn(Input):
    reason: str = Field("", max_length=500, description="关闭原因，告知企业和审核人员")
    closed_on: Day | None = Field(None, description="关闭日期（默认今天，不能早于今天）")


class BudgetIn(Input):
    amount_wan: Amount


class BudgetOut(Schema):
    policy: str
    year: int
    amount_wan: Decimal


class FundsOut(Schema):
    policy: str
    title: str
    budget_wan: Decimal | None
    city_approved_wan: Decimal
    requested_wan: Decimal
    approved_wan: Decimal
    paid_wan: Decimal
    remaining_wan: Decimal | None
    applications: int


class MatchOut(Schema):
    policy: str
    policy_title: str
    status: str
    status_label: str
    uscc: str
    enterprise: str
    district: str
    project_code: str | None
    project: str | None
    met: list[str]
    not_met: list[str]
    unknown: list[str]


class PolicyMatchesOut(Schema):
    code: str
    title: str
    subject: str
    rule: str
    counts: dict[str, int]
    matches: list[MatchOut]


class MatchReportOut(Schema):
    as_of: str
    policies: list[PolicyMatchesOut]


class PickIn(Input):
    enterprise_id: Id
    project_id: Id | None = None


class AwardsIn(Input):
    year: Year
    picked: list[PickIn] = Field(max_length=5000)


def _policy_out(policy: Policy) -> dict[str, Any]:
    return {
        **{name: getattr(policy, name) for name in CataloguePolicyOut.model_fields if hasattr(policy, name)},
        "rule_text": describe(selectors.policy_rule(policy)),
        "issuer_code": policy.issuer.code,
        "issuer_name": policy.issuer.name,
    }


def _application_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk, "number": a.number, "policy": a.policy.code, "year": a.year, "uscc": a.enterprise.uscc,
        "enterprise": a.enterprise.name, "project_code": a.project.code if a.project else None,
        "district": a.district.name, "status": a.status, "status_label": a.get_status_display(),
        "requested_wan": a.requested_wan, "computed_wan": a.computed_wan, "computation": a.computation,
        "amount_wan": a.amount_wan, "approved_wan": a.approved_wan, "paid_wan": a.paid_wan,
        "eligibility": a.eligibility, "auto_award": a.auto_award, "publicity_until": a.publicity_until,
        "steps": [{**{k: getattr(s, k) for k in ApplicationStepOut.model_fields}} for s in a.steps.all()],
        "attachments": list(a.attachments.all()),
    }  # fmt: skip


def _issuer(value: int | str) -> OrgUnit:
    """The unit a body names by id or code; whether the caller may issue in its name is the service's to say."""
    unit = OrgUnit.objects.filter(**{"pk" if isinstance(value, int) else "code": value}).first()
    if unit is None:
        raise ValidationError({"issuer": f"没有组织单位“{value}”。"})
    return unit


def _whole(data: PolicyWholeIn) -> dict[str, Any]:
    return {**data.dict(), "issuer": _issuer(data.issuer)}


def _policy_or_404(actor: Any, code: str) -> Policy:
    try:
        return selectors.policy_get(actor=actor, code=code)
    except Policy.DoesNotExist as exc:
        raise Http404(f"没有政策“{code}”。") from exc


@router.get("/", response=list[CataloguePolicyOut], summary="政策清单（含可读的申报条件）")
def policy_list(request: HttpRequest) -> list[dict[str, Any]]:
    business_only(request.auth)
    return [_policy_out(p) for p in selectors.policies(actor=request.auth)]


@router.post(
    "/",
    response={201: CataloguePolicyOut},
    summary="新建政策：保存为草稿，核对后发布（市级工作人员，或区县工作人员为本区县）",
)
def policy_create(request: HttpRequest, data: PolicyWholeIn) -> Status:
    policy = services.policy_create(actor=request.auth, source=Source.API, **_whole(data))
    return Status(201, _policy_out(policy))


@router.get("/applications", response=list[ApplicationOut], summary="政策申报（数据范围内）")
def application_list(
    request: HttpRequest, status: str = "", policy: str = "", year: Year | None = None
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
    policy = _policy_or_404(request.auth, data.policy)
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
def application_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _application_out(selectors.application_get(actor=request.auth, pk=pk))


@router.post(
    "/applications/{pk}/actions",
    response=ApplicationOut,
    summary="办理：提交、初审、复审、拨付、退回、不予支持、撤回",
)
def application_action(request: HttpRequest, pk: Id, data: ActionIn) -> dict[str, Any]:
    application = selectors.application_get(actor=request.auth, pk=pk)
    application = services.application_act(
        actor=request.auth, source=Source.API, application=application, action=data.action, opinion=data.opinion,
        amount_wan=data.amount_wan,
    )  # fmt: skip
    return _application_out(application)


@router.patch(
    "/applications/{pk}", response=ApplicationOut, summary="修改草稿或退回修改的申报（申报企业或代办人员）"
)
def application_update(request: HttpRequest, pk: Id, data: ApplicationPatch) -> dict[str, Any]:
    application = selectors.application_get(actor=request.auth, pk=pk)
    services.application_update(
        actor=request.auth, source=Source.API, application=application, requested_wan=data.requested_wan,
        description=data.description.strip(),
    )  # fmt: skip
    return _application_out(selectors.application_get(actor=request.auth, pk=pk))


@router.post(
    "/applications/{pk}/attachments",
    response={201: ApplicationOut},
    summary="上传申报材料（PDF 或图片；草稿或退回修改时，申报企业或代办人员）",
)
def attachment_add(request: HttpRequest, pk: Id, document: Form[str], file: File[UploadedFile]) -> Status:
    application = selectors.application_get(actor=request.auth, pk=pk)
    services.attachment_add(
        actor=request.auth, source=Source.API, application=application, document=document, name=file.name or "",
        content=upload_content(file, services.MAX_ATTACHMENT_BYTES),
    )  # fmt: skip
    return Status(201, _application_out(selectors.application_get(actor=request.auth, pk=pk)))


@router.get(
    "/funds/{year}", response=list[FundsOut], summary="政策资金：预算、在审、核准、拨付与剩余（万元）"
)
def funds(request: HttpRequest, year: Year) -> list[dict[str, Any]]:
    business_only(request.auth)
    return [
        {"policy": f.policy.code, "title": f.policy.title, "budget_wan": f.budget_wan,
         "city_approved_wan": f.city_approved_wan, "requested_wan": f.requested_wan,
         "approved_wan": f.approved_wan, "paid_wan": f.paid_wan, "remaining_wan": f.remaining_wan,
         "applications": f.applications}
        for f in selectors.funds(actor=request.auth, year=year)
    ]  # fmt: skip


@router.get(
    "/enterprises/{enterprise_id}",
    response=MatchReportOut,
    summary="企业找政策：一家企业（及其项目）可享受的在受理政策，逐条说明理由",
)
def enterprise_policies(request: HttpRequest, enterprise_id: Id, as_of: Day | None = None) -> dict:
    enterprise = get_scoped_or_404(
        Enterprise.objects.select_related("district"), request.auth, pk=enterprise_id
    )
    return selectors.match_report(
        actor=request.auth, as_of=as_of or timezone.localdate(), chosen=list(selectors.policies(actor=request.auth, active_only=True)),
        enterprise=enterprise,
    )  # fmt: skip


@router.get("/{code}", response=CataloguePolicyOut, summary="一条政策")
def policy_detail(request: HttpRequest, code: Slug) -> dict[str, Any]:
    business_only(request.auth)
    return _policy_out(_policy_or_404(request.auth, code))


@router.patch(
    "/{code}",
    response=CataloguePolicyOut,
    summary="修改政策：完善申报条件、材料、支持标准和执行期（市级工作人员）",
)
def policy_update(request: HttpRequest, code: Slug, data: PolicyPatch) -> dict[str, Any]:
    policy = services.policy_update(
        actor=request.auth,
        source=Source.API,
        policy=_policy_or_404(request.auth, code),
        **data.dict(exclude_unset=True),
    )
    return _policy_out(policy)


@router.put(
    "/{code}",
    response=CataloguePolicyOut,
    summary="保存整条政策：发布单位、条文、申报条件、支持标准和执行期（同政策编辑页；已关闭的不能修改）",
)
def policy_save(request: HttpRequest, code: Slug, data: PolicyWholeIn) -> dict[str, Any]:
    policy = _policy_or_404(request.auth, code)
    return _policy_out(
        services.policy_update(actor=request.auth, source=Source.API, policy=policy, **_whole(data))
    )


@router.post(
    "/{code}/copy",
    response={201: CataloguePolicyOut},
    summary="复制政策为新草稿（标题加“（复制）”；预算和申报不随之复制）",
)
def policy_copy(request: HttpRequest, code: Slug, data: PolicyCopyIn) -> Status:
    policy = _policy_or_404(request.auth, code)
    issuer = None if data.issuer is None else _issuer(data.issuer)
    copy = services.policy_copy(actor=request.auth, source=Source.API, policy=policy, issuer=issuer)
    return Status(201, _policy_out(copy))


@router.post(
    "/{code}/publish", response=CataloguePolicyOut, summary="发布政策草稿：进入政策清单，开始匹配和受理"
)
def policy_publish(request: HttpRequest, code: Slug) -> dict[str, Any]:
    policy = _policy_or_404(request.auth, code)
    return _policy_out(services.policy_publish(actor=request.auth, source=Source.API, policy=policy))


@router.post(
    "/{code}/close",
    response=CataloguePolicyOut,
    summary="关闭政策：自关闭日期起不再匹配和受理，已有申报照常办理",
)
def policy_close(request: HttpRequest, code: Slug, data: PolicyCloseIn) -> dict[str, Any]:
    policy = _policy_or_404(request.auth, code)
    closed = services.policy_close(
        actor=request.auth, source=Source.API, policy=policy, reason=data.reason, closed_on=data.closed_on
    )
    return _policy_out(closed)


@router.put("/{code}/budgets/{year}", response=BudgetOut, summary="设置政策某年预算（万元，市级工作人员）")
def budget_set(request: HttpRequest, code: Slug, year: Year, data: BudgetIn) -> dict[str, Any]:
    budget = services.budget_set(
        actor=request.auth,
        source=Source.API,
        policy=_policy_or_404(request.auth, code),
        year=year,
        amount_wan=data.amount_wan,
    )
    return {"policy": code, "year": budget.year, "amount_wan": budget.amount_wan.quantize(CENT)}


@router.get(
    "/{code}/matches", response=MatchReportOut,
    summary="政策找企业：与 kuochan match --policy CODE --format json 相同",
)  # fmt: skip
def policy_matches(
    request: HttpRequest, code: Slug, as_of: Day | None = None, all_results: bool = False
) -> dict:
    policy = _policy_or_404(request.auth, code)
    return selectors.match_report(
        actor=request.auth, as_of=as_of or timezone.localdate(), chosen=[policy], everyone=all_results
    )


@router.get("/{code}/awards", response=list[MatchOut], summary="免申即享名单：符合条件且尚未申报的对象")
def award_list(request: HttpRequest, code: Slug, year: Year) -> list[dict[str, Any]]:
    policy = _policy_or_404(request.auth, code)
    found = selectors.award_list(actor=request.auth, policy=policy, year=year, as_of=timezone.localdate())
    return [selectors.match_row(policy, match) for match in found]


@router.post(
    "/{code}/awards",
    response={201: list[ApplicationOut]},
    summary="确认免申即享对象：每个成为已核准、进入公示的申报（市级工作人员；全部通过才保存）",
)
def awards_confirm(request: HttpRequest, code: Slug, data: AwardsIn) -> Status:
    made = services.awards_confirm(
        actor=request.auth, source=Source.API, policy=_policy_or_404(request.auth, code), year=data.year,
        picked=[(p.enterprise_id, p.project_id) for p in data.picked],
    )  # fmt: skip
    return Status(201, [_application_out(a) for a in made])
