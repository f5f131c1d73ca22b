"""Writes of 政策直达: the catalogue and budgets (city staff), applications and their files (enterprises, or
staff on their behalf), the review steps from 区县初审 to 拨付, and 免申即享 awards. Every write is one
audited transaction; a refused one changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.core.files import DOCUMENTS, plain_name, upload_problem
from kuochan.core.money import money_problem
from kuochan.core.scope import CITY_LEVEL_KINDS, OUT_OF_SCOPE, path_in_scope
from kuochan.orgs.models import OrgUnit
from kuochan.orgs.selectors import issuing_units
from kuochan.orgs.services import LoadResult
from kuochan.policies.models import (
    Application,
    Attachment,
    Policy,
    PolicyBudget,
    PolicyState,
    Status,
    Step,
    Subject,
)
from kuochan.policies.rules import (
    APPLICANT,
    CITY,
    DISTRICT,
    NOT_ELIGIBLE,
    TRANSITIONS,
    amount_problem,
    area_refusal,
    evaluate,
    subsidy,
    support_problems,
    transition_refusal,
)
from kuochan.policies.rules import rule_from_data as parse_rule
from kuochan.policies.selectors import (
    approved_total,
    award_list,
    enterprise_facts,
    open_application_exists,
    policies,
    policy_rule,
    policy_support,
    project_facts,
)
from kuochan.projects.models import Project
from kuochan.registry.models import Enterprise

POLICY_FIELDS = (
    "issuer", "document_number", "state", "closed_on", "closed_reason", "code", "number", "section", "title", "clause", "lead", "co_responsible", "period_start", "period_end",
    "funding_source", "subject", "support_kind", "support_text", "cap_wan", "share_pct", "share_base",
    "fixed_wan", "rule", "documents", "auto_award", "publicity_days", "is_active", "source",
)  # fmt: skip
APPLICATION_FIELDS = (
    "status", "requested_wan", "computed_wan", "computation", "amount_wan", "approved_wan", "paid_wan",
    "publicity_until", "description", "project",
)  # fmt: skip

# What staff set on a policy's pages (or the API): everything but its code and its state, which the
# services keep (publish, close), and the basis it was loaded with (a service's `source` is the channel).
EDITABLE_FIELDS = tuple(
    name for name in POLICY_FIELDS if name not in ("state", "closed_on", "closed_reason", "code", "source")
)
COPY_MARK = "（复制）"
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def roles_on(actor: Any, application: Application) -> set[str]:
    """What the actor is to this application, with duties kept apart: its applicant (the enterprise itself,
    or the staff member who applied on its behalf), its district reviewer (district staff, or city staff for
    an application of the city's own unit), its city reviewer (city staff). Whoever applied reviews nothing,
    and whoever passed the district's review does not also pass the city's."""
    if actor is None or not actor.is_active:
        return set()
    if actor.is_enterprise_user:
        return {APPLICANT} if actor.enterprise_id == application.enterprise_id else set()
    if not actor.can_edit or not path_in_scope(application.district.path, actor):
        return set()
    if application.created_by_id == actor.pk and not application.auto_award:
        return {APPLICANT}
    roles = set()
    is_city = actor.is_city_staff
    if not is_city or application.district_id == actor.org_unit_id:
        roles.add(DISTRICT)
    passed_district = (
        application.steps.filter(action="pass_district").order_by("-id").values_list("actor_id", flat=True)
    )
    if is_city and actor.pk not in passed_district[:1]:
        roles.add(CITY)
    return roles


# The catalogue ---------------------------------------------------------------------------------------


def _policy_values(data: dict[str, Any]) -> dict[str, Any]:
    support = data.get("support", {})
    money = {
        k: Decimal(str(support[k])) if support.get(k) is not None else None
        for k in ("cap_wan", "share_pct", "fixed_wan")
    }
    period = {
        k: dt.date.fromisoformat(data[k]) if data.get(k) else None for k in ("period_start", "period_end")
    }
    return {
        "number": data.get("number", ""), "document_number": data.get("document_number", ""), "section": data.get("section", ""), "title": data["title"],
        "clause": data["clause"], "lead": data["lead"], "co_responsible": data.get("co_responsible", []),
        "funding_source": data.get("funding_source", ""), "subject": data["subject"],
        "support_kind": support.get("kind", "non_monetary"), "support_text": support.get("text", ""),
        "share_base": support.get("base", ""), "rule": data["rule"], "documents": data.get("documents", []),
        "auto_award": bool(data.get("auto_award")), "publicity_days": data.get("publicity_days", 5),
        **money, **period,
    }  # fmt: skip


def _policy_problems(policy: Policy) -> list[str]:
    problems = []
    try:
        parse_rule(policy.rule)
    except ValueError as exc:
        problems += exc.args[0]
    problems += support_problems(policy_support(policy))
    if policy.subject not in Subject.values:
        problems.append(f"适用对象应为{'或'.join(Subject.labels)}。")
    if policy.period_start and policy.period_end and policy.period_end < policy.period_start:
        problems.append("执行截止日期早于起始日期。")
    if not isinstance(policy.publicity_days, int) or not 1 <= policy.publicity_days <= 60:
        problems.append(f"公示天数应为 1 到 60 天，收到“{policy.publicity_days}”。")
    if not isinstance(policy.documents, list) or not all(
        isinstance(d, str) and d.strip() for d in policy.documents
    ):
        problems.append("申报材料应为材料名称的列表。")
    return problems


def _issuer_codes(data: dict[str, Any]) -> set[str]:
    """The issuing units a catalogue names: the file's ("org_unit"), and any policy's own."""
    codes = {item.get("org_unit", data.get("org_unit")) for item in data["policies"]}
    return {code for code in codes if isinstance(code, str)}


def policy_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """The shipped catalogue, issued by the unit the file names ("org_unit", or a policy's own): policies not
    yet here are created; those already here are left as city staff may have completed them."""
    result = LoadResult()
    existing = set(Policy.objects.values_list("code", flat=True))
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=_issuer_codes(data))}
    with transaction.atomic():
        for item in data["policies"]:
            if item["code"] in existing:
                result.unchanged += 1
                continue
            code = item.get("org_unit", data.get("org_unit"))
            if code not in units:
                raise ValidationError(f"政策 {item['code']}：发布单位“{code or ''}”不在组织单位中。")
            policy = Policy(
                code=item["code"], issuer=units[code], source=data.get("source", ""), **_policy_values(item)
            )
            if problems := _policy_problems(policy):
                raise ValidationError([f"政策 {item['code']}：{p}" for p in problems])
            policy.save()
            audit_record(actor=None, source=source, action=Action.CREATE, obj=policy, after=snapshot(policy))
            result.created += 1
    return result


def keep_refusal(actor: Any, unit: OrgUnit, verb: str) -> str | None:
    """Why the actor may not issue or keep policies in `unit`'s name, in Chinese; None when they may. The
    system (a command run without --user) may."""
    if actor is None or issuing_units(actor).filter(pk=unit.pk).exists():
        return None
    if not getattr(actor, "can_edit", False) or actor.is_enterprise_user:
        return f"只有市级和区县工作人员可以{verb}政策。"
    if unit.kind in CITY_LEVEL_KINDS:
        if actor.is_city_staff:
            return f"只能{verb}本市及所辖区县的政策：“{unit.name}”不在您的范围内。"
        return f"只有市级工作人员可以{verb}政策（本政策由{unit.name}发布）。"
    return f"{unit.name}的政策只能由{unit.name}或其所属市的工作人员{verb}。"


def _ensure_may_fund(actor: Any, policy: Policy, what: str) -> None:
    """The issuer's money: the city's staff for a city policy; the district's, or the city's, for a
    district's policy."""
    if actor is None or keep_refusal(actor, policy.issuer, "维护") is not None:
        issuer = policy.issuer
        who = "市级工作人员" if issuer.kind in CITY_LEVEL_KINDS else f"{issuer.name}或其所属市的工作人员"
        raise PermissionDenied(f"只有{who}可以{what}。")


def _ensure_may_keep(actor: Any, unit: OrgUnit | None, verb: str) -> None:
    if unit is None:
        raise ValidationError({"issuer": "请选择发布单位。"})
    if refusal := keep_refusal(actor, unit, verb):
        raise PermissionDenied(refusal)


def _locked(policy: Policy) -> None:
    """Locks the policy's row (a second edit at the same moment waits) and reads it afresh into the caller's
    object, which then shows the change."""
    Policy.objects.select_for_update().filter(pk=policy.pk).values_list("pk").first()
    policy.refresh_from_db()


def _new_code() -> str:
    """A code for a policy made on a page: unique, and stable in its address."""
    return f"p{timezone.localdate():%Y}-{uuid.uuid4().hex[:8]}"


def _set_values(policy: Policy, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(name)
        setattr(policy, name, value)


def _policy_saved(policy: Policy) -> Policy:
    """Saves the policy once everything about it holds; otherwise every problem, and nothing is written."""
    problems = [
        message
        for name, message in (
            ("title", "请填写政策名称。"),
            ("clause", "请填写条款原文。"),
            ("lead", "请填写牵头部门。"),
        )
        if not str(getattr(policy, name)).strip()
    ]
    problems += _policy_problems(policy)
    if problems:
        raise ValidationError(problems)
    policy.save()
    return policy


@transaction.atomic
def policy_create(*, actor: Any, source: Source, issuer: OrgUnit, **values: Any) -> Policy:
    """A new policy, a draft until published: issued by the city (city staff), or by a district for its
    own district (its staff, or the city's)."""
    _ensure_may_keep(actor, issuer, "发布")
    policy = Policy(code=_new_code(), issuer=issuer, state=PolicyState.DRAFT, rule={"all": []})
    _set_values(policy, values)
    _policy_saved(policy)
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=policy, after=snapshot(policy, POLICY_FIELDS)
    )
    return policy


@transaction.atomic
def policy_update(*, actor: Any, source: Source, policy: Policy, **values: Any) -> Policy:
    """Staff of the issuing unit (or of the city above it) edit a policy, completing its 【待明确】
    conditions; the rule is checked before it is kept. A closed policy is kept as it was closed."""
    _locked(policy)
    _ensure_may_keep(actor, policy.issuer, "修改")
    if policy.state == PolicyState.CLOSED:
        raise ValidationError(f"“{policy.title}”已关闭，不能再修改；如需继续施行，请复制为新政策。")
    if "issuer" in values:
        _ensure_may_keep(actor, values["issuer"], "发布")
    before = snapshot(policy, POLICY_FIELDS)
    _set_values(policy, values)
    _policy_saved(policy)
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=policy, before=before,
        after=snapshot(policy, POLICY_FIELDS),
    )  # fmt: skip
    return policy


@transaction.atomic
def policy_copy(*, actor: Any, source: Source, policy: Policy, issuer: OrgUnit | None = None) -> Policy:
    """A new draft with the policy's text, conditions and support, titled "…（复制）": to reissue a closed
    policy, or to make a district's version of the city's. Budgets and applications stay with the original."""
    issuer = issuer or policy.issuer
    if actor is not None and not policies(actor=actor).filter(pk=policy.pk).exists():
        raise PermissionDenied(OUT_OF_SCOPE)
    _ensure_may_keep(actor, issuer, "复制")
    suffix = "" if policy.title.endswith(COPY_MARK) else COPY_MARK
    title = policy.title[: Policy._meta.get_field("title").max_length - len(suffix)] + suffix
    values = {name: getattr(policy, name) for name in EDITABLE_FIELDS if name != "issuer"}
    copy = Policy(
        **{**values, "title": title, "is_active": True}, code=_new_code(), issuer=issuer,
        state=PolicyState.DRAFT, source=policy.source,
    )  # fmt: skip
    _policy_saved(copy)
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=copy, after=snapshot(copy, POLICY_FIELDS)
    )
    return copy


@transaction.atomic
def policy_publish(*, actor: Any, source: Source, policy: Policy) -> Policy:
    """A draft comes into force: it appears in the catalogue, matches and takes applications."""
    _locked(policy)
    _ensure_may_keep(actor, policy.issuer, "发布")
    if policy.state != PolicyState.DRAFT:
        raise ValidationError(f"“{policy.title}”{policy.get_state_display()}，不是草稿，无需发布。")
    before = snapshot(policy, POLICY_FIELDS)
    policy.state = PolicyState.IN_FORCE
    _policy_saved(policy)
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=policy, before=before,
        after=snapshot(policy, POLICY_FIELDS),
    )  # fmt: skip
    return policy


@transaction.atomic
def policy_close(
    *, actor: Any, source: Source, policy: Policy, reason: str, closed_on: dt.date | None = None
) -> Policy:
    """A policy stops: from `closed_on` (today by default, never in the past) it no longer matches anyone
    nor takes applications, and its period ends then. Applications already made go on their way."""
    _locked(policy)
    _ensure_may_keep(actor, policy.issuer, "关闭")
    today = timezone.localdate()
    closed_on = closed_on or today
    errors = {}
    if policy.state == PolicyState.CLOSED:
        raise ValidationError(f"“{policy.title}”已于 {policy.closed_on} 关闭。")
    if not (reason or "").strip():
        errors["reason"] = "请填写关闭原因，告知企业和审核人员。"
    if closed_on < today:
        errors["closed_on"] = f"关闭日期不能早于今天（{today}），收到“{closed_on}”。"
    if errors:
        raise ValidationError(errors)
    before = snapshot(policy, POLICY_FIELDS)
    policy.state, policy.is_active = PolicyState.CLOSED, False
    policy.closed_on, policy.closed_reason = closed_on, reason.strip()
    if policy.period_end is None or policy.period_end > closed_on:
        policy.period_end = closed_on
    if policy.period_start and policy.period_start > closed_on:
        policy.period_start = closed_on
    _policy_saved(policy)
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=policy, before=before,
        after=snapshot(policy, POLICY_FIELDS),
    )  # fmt: skip
    return policy


@transaction.atomic
def budget_set(*, actor: Any, source: Source, policy: Policy, year: int, amount_wan: Decimal) -> PolicyBudget:
    """A policy's budget for a year; never below what is already approved. A district's policy is funded by
    the district: its staff (or the city's) set it."""
    _ensure_may_fund(actor, policy, "设置本政策的预算")
    if not policy.is_monetary:
        raise ValidationError(f"“{policy.title}”为非资金支持，无需预算。")
    if problem := money_problem(amount_wan, "预算"):
        raise ValidationError(problem)
    budget = PolicyBudget.objects.select_for_update().filter(policy=policy, year=year).first()
    approved = approved_total(policy.pk, year)
    if amount_wan < approved:
        raise ValidationError(f"{year} 年已核准 {approved} 万元，预算不能低于此数。")
    before = snapshot(budget) if budget else {}
    if budget is None:
        budget = PolicyBudget(policy=policy, year=year)
    budget.amount_wan = amount_wan
    budget.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE if before else Action.CREATE, obj=budget, before=before,
        after=snapshot(budget),
    )  # fmt: skip
    return budget


# Applications ----------------------------------------------------------------------------------------


def _saved_with_number(application: Application) -> Application:
    """Saves a new application and numbers it from its id (ZC-2026-000042): two applications made at the
    same moment can never draw the same number. A second open application for the same policy, year and
    subject made at the same moment is refused by the database's constraint, in Chinese here."""
    application.number = f"new-{uuid.uuid4().hex[:16]}"
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise ValidationError(
            f"{application.enterprise.name}已有{application.year}年度“{application.policy.title}”的申报，请在原申报上办理。"
        ) from exc
    application.number = f"ZC-{application.year}-{application.pk:06d}"
    application.save(update_fields=["number"])
    return application


def _facts(application: Application, as_of: dt.date) -> dict[str, Any]:
    of_enterprise = enterprise_facts(Enterprise.objects.filter(pk=application.enterprise_id), as_of)
    if application.project_id is None:
        return of_enterprise.get(application.enterprise_id, {})
    return project_facts(Project.objects.filter(pk=application.project_id), as_of, of_enterprise)[
        application.project_id
    ]


def _computed(policy: Policy, project: Project | None) -> tuple[Decimal | None, str]:
    support = policy_support(policy)
    base = getattr(project, support.share_base, None) if project is not None and support.share_base else None
    return subsidy(support, base)


def _step(
    application: Application,
    actor: Any,
    action: str,
    before: str,
    opinion: str = "",
    amount: Decimal | None = None,
) -> Step:
    return Step.objects.create(
        application=application,
        action=action,
        from_status=before,
        to_status=application.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "系统",
        opinion=opinion,
        amount_wan=amount,
    )


def _check_open(policy: Policy, today: dt.date) -> None:
    if policy.state == PolicyState.DRAFT:
        raise ValidationError(f"“{policy.title}”尚未发布，不受理申报。")
    if policy.state == PolicyState.CLOSED:
        raise ValidationError(
            f"“{policy.title}”已于 {policy.closed_on} 关闭（{policy.closed_reason}），不再受理申报。"
        )
    if not policy.is_active:
        raise ValidationError(f"“{policy.title}”目前不受理申报。")
    if policy.period_start and today < policy.period_start:
        raise ValidationError(f"“{policy.title}”自 {policy.period_start} 起受理。")
    if policy.period_end and today > policy.period_end:
        raise ValidationError(f"“{policy.title}”已于 {policy.period_end} 截止。")


@transaction.atomic
def application_create(
    *,
    actor: Any,
    source: Source,
    policy: Policy,
    enterprise: Enterprise,
    project: Project | None = None,
    year: int | None = None,
    requested_wan: Decimal | None = None,
    description: str = "",
) -> Application:
    """A draft application: by the enterprise itself, or by staff in scope on its behalf (代为申报). A
    project's application belongs to the project's district, which reviews it."""
    today = timezone.localdate()
    year = year or today.year
    if enterprise is None:
        raise ValidationError("请先确定申报企业（企业账号须由管理员关联企业）。")
    if project is not None and policy.subject == Subject.PROJECT:
        project = Project.objects.select_related("district").get(pk=project.pk)  # amounts from what is stored
    home = (
        project.district if project is not None and policy.subject == Subject.PROJECT else enterprise.district
    )
    is_own = actor is not None and actor.is_enterprise_user and actor.enterprise_id == enterprise.pk
    is_staff = actor is not None and actor.can_edit and path_in_scope(home.path, actor)
    if not (is_own or is_staff):
        raise PermissionDenied("只能为本企业（或您数据范围内的企业）申报。")
    _check_open(policy, today)
    issuer = policy.issuer
    applicant = f"项目 {project.code}" if project is not None and policy.subject == Subject.PROJECT else ""
    if refusal := area_refusal(
        title=policy.title, issuer_name=issuer.name, issuer_path=issuer.path,
        applicant=f"{enterprise.name}{applicant}", home_name=home.name, home_path=home.path,
    ):  # fmt: skip
        raise ValidationError(refusal)
    if not today.year - 1 <= year <= today.year + 1:
        raise ValidationError(
            {"year": f"预算年度应为 {today.year - 1} 至 {today.year + 1} 年，收到“{year}”。"}
        )
    errors: dict[str, str] = {}
    if policy.subject == Subject.PROJECT:
        if project is None:
            errors["project"] = f"“{policy.title}”按项目申报，请选择项目。"
        elif project.enterprise_id != enterprise.pk:
            errors["project"] = f"项目 {project.code} 不属于{enterprise.name}。"
    else:
        project = None
    if open_application_exists(policy, year, enterprise.pk, project.pk if project else None):
        errors["policy"] = f"{enterprise.name}已有{year}年度“{policy.title}”的申报，请在原申报上办理。"
    computed, computation = _computed(policy, project)
    if policy.support_kind == "capped" and (problem := amount_problem(policy_support(policy), requested_wan)):
        errors["requested_wan"] = problem
    if errors:
        raise ValidationError(errors)
    application = _saved_with_number(Application(
        policy=policy, year=year, enterprise=enterprise, project=project,
        district=home, description=description, computed_wan=computed, computation=computation,
        requested_wan=requested_wan if policy.support_kind == "capped" else computed,
        amount_wan=requested_wan if policy.support_kind == "capped" else computed,
        created_by=actor if getattr(actor, "pk", None) else None,
    ))  # fmt: skip
    _step(application, actor, "create", "", "代为申报" if not is_own else "")
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=application, after=snapshot(application)
    )
    return application


@transaction.atomic
def application_update(
    *, actor: Any, source: Source, application: Application, requested_wan: Decimal | None, description: str
) -> Application:
    """The applicant changes a draft, or one sent back for changes."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if APPLICANT not in roles_on(actor, application) or application.status not in (
        Status.DRAFT,
        Status.RETURNED,
    ):
        raise PermissionDenied("只有申报企业（或代办人员）可以修改草稿或退回修改的申报。")
    before = snapshot(application, APPLICATION_FIELDS)
    if application.policy.support_kind == "capped":
        if problem := amount_problem(policy_support(application.policy), requested_wan):
            raise ValidationError({"requested_wan": problem})
        application.requested_wan = application.amount_wan = requested_wan
    application.description = description
    application.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=application, before=before,
        after=snapshot(application, APPLICATION_FIELDS),
    )  # fmt: skip
    return application


@transaction.atomic
def attachment_add(
    *, actor: Any, source: Source, application: Application, document: str, name: str, content: bytes
) -> Attachment:
    """A file for one of the policy's required documents (or 其他材料), checked by type, content and size;
    stored under a random name outside the web root."""
    # a submission at the same moment waits for the upload, or the upload sees the new status
    locked = Application.objects.select_for_update(of=("self",)).select_related("policy", "district")
    application = locked.get(pk=application.pk)
    if APPLICANT not in roles_on(actor, application) or application.status not in (
        Status.DRAFT,
        Status.RETURNED,
    ):
        raise PermissionDenied("只有申报企业（或代办人员）可以在草稿或退回修改时上传材料。")
    documents = [*application.policy.documents, "其他材料"]
    if document not in documents:
        raise ValidationError(f"材料名称应为：{'、'.join(documents)}。")
    name = plain_name(name)
    if problem := upload_problem(name, content, DOCUMENTS, MAX_ATTACHMENT_BYTES):
        raise ValidationError(problem)
    suffix = PurePath(name).suffix.lower()
    attachment = Attachment(
        application=application, document=document, name=name, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    attachment.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    try:
        attachment.save()
        audit_record(
            actor=actor, source=source, action=Action.CREATE, obj=attachment, after=snapshot(attachment)
        )
    except Exception:
        attachment.file.delete(save=False)  # no file left behind without its row
        raise
    return attachment


def _submission_problems(application: Application, today: dt.date) -> list[str]:
    problems = []
    policy = application.policy
    try:
        _check_open(policy, today)
    except ValidationError as exc:
        problems += exc.messages
    outcome = evaluate(policy_rule(policy), _facts(application, today))
    application.eligibility = {
        "as_of": today.isoformat(), "status": outcome.status, "met": outcome.met, "not_met": outcome.not_met,
        "unknown": outcome.unknown,
    }  # fmt: skip
    if outcome.status == NOT_ELIGIBLE:
        problems.append(f"不符合申报条件：{'；'.join(outcome.not_met)}。")
    attached = set(application.attachments.values_list("document", flat=True))
    if missing := [d for d in policy.documents if d not in attached]:
        problems.append(f"缺少申报材料：{'、'.join(missing)}。")
    if policy.is_monetary:
        if policy.support_kind != "capped":
            application.computed_wan, application.computation = _computed(policy, application.project)
            application.requested_wan = application.amount_wan = application.computed_wan
            if application.computed_wan is None:
                problems.append(f"无法测算补助金额：{application.computation}。")
        if application.amount_wan is not None and (
            problem := amount_problem(policy_support(policy), application.amount_wan)
        ):
            problems.append(problem)
    return problems


def _budget_refusal(application: Application, amount: Decimal) -> str | None:
    """Locks the policy's budget row for the year (PostgreSQL: a second approval waits here), then checks
    that the approvals so far and this one fit in it."""
    policy, year = application.policy, application.year
    budget = PolicyBudget.objects.select_for_update().filter(policy=policy, year=year).first()
    if budget is None:
        return f"“{policy.title}”尚未设置 {year} 年度预算，不能核准资金。"
    approved = approved_total(policy.pk, year)
    if approved + amount > budget.amount_wan:
        return (
            f"“{policy.title}”{year} 年度预算 {budget.amount_wan} 万元，已核准 {approved} 万元，"
            f"剩余 {budget.amount_wan - approved} 万元，本次 {amount} 万元超出预算，不能核准。"
        )
    return None


@transaction.atomic
def application_act(
    *,
    actor: Any,
    source: Source,
    application: Application,
    action: str,
    opinion: str = "",
    amount_wan: Decimal | None = None,
    today: dt.date | None = None,
) -> Application:
    """One step of the application's way (提交、初审、复审、拨付、退回、不予支持、撤回), refused unless the
    status and the actor's part allow it. Reviewers may adjust the amount, with a reason, never above the
    policy's cap; approval is refused beyond the year's budget."""
    today = today or timezone.localdate()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("policy", "district", "enterprise", "project")
        .get(pk=application.pk)
    )
    status = application.status
    if refusal := transition_refusal(action, status, Status(status).label, roles_on(actor, application)):
        raise PermissionDenied(refusal)
    transition = TRANSITIONS[action]
    opinion = (opinion or "").strip()
    if transition.needs_opinion and not opinion:
        raise ValidationError({"opinion": f"{transition.label}须填写意见，告知企业原因。"})
    before = snapshot(application, APPLICATION_FIELDS)
    policy = application.policy
    adjusted = None
    if action == "submit" and (problems := _submission_problems(application, today)):
        raise ValidationError(problems)
    if action in ("pass_district", "pass_city") and policy.is_monetary:
        if amount_wan is not None and amount_wan != application.amount_wan:
            if problem := amount_problem(policy_support(policy), amount_wan):
                raise ValidationError({"amount_wan": problem})
            if application.requested_wan is not None and amount_wan > application.requested_wan:
                raise ValidationError(
                    {"amount_wan": f"审核金额不能高于申请金额 {application.requested_wan} 万元。"}
                )
            if not opinion:
                raise ValidationError({"opinion": "调整金额须写明理由。"})
            application.amount_wan = adjusted = amount_wan
        if application.amount_wan is None:
            raise ValidationError({"amount_wan": "请填写审核金额（万元）。"})
    if action == "pass_city":
        if policy.is_monetary:
            if refusal := _budget_refusal(application, application.amount_wan):
                raise ValidationError(refusal)
            application.approved_wan = application.amount_wan
        application.publicity_until = today + dt.timedelta(days=policy.publicity_days - 1)
    if action == "pay":
        if application.publicity_until and today <= application.publicity_until:
            raise ValidationError(f"公示期至 {application.publicity_until}，期满后方可拨付。")
        application.paid_wan = application.approved_wan
    application.status = transition.target
    application.save()
    shown = application.approved_wan if action in ("pass_city", "pay") else adjusted
    _step(application, actor, action, status, opinion, shown)
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=application, before=before,
        after=snapshot(application, APPLICATION_FIELDS),
    )  # fmt: skip
    return application


@transaction.atomic
def awards_confirm(
    *,
    actor: Any,
    source: Source,
    policy: Policy,
    year: int,
    picked: list[tuple[int, int | None]],
) -> list[Application]:
    """免申即享: the city confirms some of the award list, and each becomes an approved application in
    publicity at once — checked again against the rule and the budget, all or nothing."""
    _ensure_may_fund(actor, policy, "确认本政策的免申即享名单")
    if not policy.auto_award:
        raise ValidationError(f"“{policy.title}”不是免申即享政策。")
    as_of = timezone.localdate()  # eligibility and publicity as of today, never a date the caller picks
    _check_open(policy, as_of)
    picked = list(dict.fromkeys(picked))
    listed = {
        (m.candidate.enterprise_id, m.candidate.project_id): m
        for m in award_list(actor=actor, policy=policy, year=year, as_of=as_of)
    }
    if not picked:
        raise ValidationError("请至少选择一个对象。")
    if stray := [pair for pair in picked if pair not in listed]:
        raise ValidationError(
            f"有 {len(stray)} 个对象不在当前免申即享名单中（可能已申报或不再符合条件），请刷新名单后重试。"
        )
    enterprises = Enterprise.objects.select_related("district").in_bulk([e for e, _ in picked])
    projects = Project.objects.in_bulk([p for _, p in picked if p])
    made = []
    for enterprise_id, project_id in picked:
        match = listed[(enterprise_id, project_id)]
        project = projects.get(project_id) if project_id else None
        computed, computation = _computed(policy, project)
        amount = computed if policy.support_kind != "capped" else policy.cap_wan
        if policy.is_monetary and amount is None:
            raise ValidationError(f"{match.candidate.enterprise_name}：无法测算补助金额（{computation}）。")
        enterprise = enterprises[enterprise_id]
        application = Application(
            policy=policy, year=year, enterprise=enterprise, project=project,
            district=enterprise.district, computed_wan=computed, computation=computation, requested_wan=amount,
            amount_wan=amount, approved_wan=amount, auto_award=True, created_by=actor, status=Status.PUBLICITY,
            publicity_until=as_of + dt.timedelta(days=policy.publicity_days - 1),
            eligibility={"as_of": as_of.isoformat(), "status": match.outcome.status, "met": match.outcome.met},
        )  # fmt: skip
        if policy.is_monetary and (refusal := _budget_refusal(application, amount)):
            raise ValidationError(f"{enterprise.name}：{refusal}")
        _saved_with_number(application)
        _step(application, actor, "award", "", "免申即享：系统匹配，市级确认", amount)
        audit_record(
            actor=actor, source=source, action=Action.CREATE, obj=application, after=snapshot(application)
        )
        made.append(application)
    return made
