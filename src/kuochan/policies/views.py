"""Pages of 政策直达: the catalogue with each rule in readable Chinese, matching (政策找企业 and 企业找政策),
免申即享 award lists, the application form and its way through review, the review queues and the fund
dashboard. Every list exports what it shows."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.accounts.models import User
from kuochan.audit.models import Source
from kuochan.core.files import upload_content
from kuochan.core.forms import add_service_errors, chosen, filter_values, form_refusal, page_of, refusal
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.orgs.selectors import issuing_units
from kuochan.policies import forms, selectors, services
from kuochan.policies.models import Policy, PolicyState, Status, SupportKind
from kuochan.policies.rules import (
    FIELDS,
    KIND_LABELS,
    OPERATOR_NAMES,
    OPERATORS,
    STATUS_LABELS,
    TRANSITIONS,
    allowed_actions,
    describe,
    placeholders,
    rule_from_data,
)
from kuochan.projects.models import Project
from kuochan.projects.rules import normalise_project_code
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code
from kuochan.web.exports import xlsx_response

MATCH_HEADERS = ["结果", "企业名称", "统一社会信用代码", "所属区县", "项目代码", "项目名称", "符合的条件", "不符合的条件", "待核实"]  # fmt: skip
APPLICATION_HEADERS = [
    "申报编号", "政策", "年度", "企业名称", "统一社会信用代码", "所属区县", "项目", "状态", "申请金额（万元）",
    "审核金额（万元）", "核准金额（万元）", "拨付金额（万元）", "免申即享", "创建时间",
]  # fmt: skip


# Applications waiting for a review first, then those with the applicant or in publicity, finished ones last.
WAITING_FIRST = Case(
    When(status__in=(Status.DISTRICT_REVIEW, Status.CITY_REVIEW), then=Value(0)),
    When(status__in=(Status.RETURNED, Status.DRAFT, Status.PUBLICITY), then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _policy(request: HttpRequest, code: str) -> Policy:
    """The policy, if the user reads it (a district's policy is missing to another district's staff)."""
    try:
        return selectors.policy_get(actor=request.user, code=code)
    except Policy.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue; an enterprise user also sees, for each policy, whether their enterprise qualifies."""
    found = list(selectors.policies(actor=request.user))
    mine: dict[str, tuple[str, str] | None] = {}
    if request.user.is_enterprise_user and request.user.enterprise_id:
        matched = selectors.matching(
            actor=request.user, as_of=timezone.localdate(), chosen=found, enterprise=request.user.enterprise
        )
        for code, matches in matched.items():
            statuses = {m.outcome.status for m in matches}
            best = next((s for s in selectors.STATUS_ORDER if s in statuses), None)
            mine[code] = (best, STATUS_LABELS[best]) if best else None
    rows = [
        {
            "policy": p,
            "rule": describe(rule),
            "pending": len(placeholders(rule)),
            "mine": mine.get(p.code, ""),
        }
        for p, rule in ((p, selectors.policy_rule(p)) for p in found)
    ]
    if filter_values(request, forms.ExportFilter)[1]["export"] == "xlsx":
        return xlsx_response(
            "政策清单",
            ["序号", "政策名称", "发布单位", "状态", "适用对象", "支持方式", "补助上限（万元）", "牵头部门", "配合部门", "申报条件", "免申即享"],
            (
                [r["policy"].number, r["policy"].title, r["policy"].issuer.name, r["policy"].get_state_display(),
                 r["policy"].get_subject_display(), r["policy"].support_text,
                 r["policy"].cap_wan, r["policy"].lead, "、".join(r["policy"].co_responsible), r["rule"],
                 "是" if r["policy"].auto_award else ""]
                for r in rows
            ),
        )  # fmt: skip
    return render(
        request,
        "policies/catalogue.html",
        {
            "page": page_of(request, rows),
            "query": "",
            "can_create": issuing_units(request.user).exists(),
        },
    )


@login_required
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One policy: its issuing unit, clause, departments, support, the rule in words, budgets; staff who keep
    it complete the rule here (city staff also the budgets), and copy, publish or close it."""
    policy = _policy(request, code)
    units = issuing_units(request.user)
    keeps = units.filter(pk=policy.issuer_id).exists()
    can_edit = keeps and policy.state != PolicyState.CLOSED
    draft = None  # the rule as posted, shown again when it is refused
    if request.method == "POST":
        budget = chosen(request.POST, "form", ["budget"]) == "budget"
        form = (forms.BudgetForm if budget else forms.PolicyForm)(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            if budget:
                year = form.cleaned_data["year"]
                services.budget_set(actor=request.user, source=Source.WEB, policy=policy, **form.cleaned_data)
                messages.success(request, f"已设置 {year} 年预算。")
            else:
                services.policy_update(
                    actor=request.user, source=Source.WEB, policy=policy, **form.cleaned_data
                )
                messages.success(request, "政策已保存。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
            policy.refresh_from_db()
            draft = None if budget else form["rule"].value()
        else:
            return redirect(policy.get_absolute_url())
    year = timezone.localdate().year
    funds = {}
    if policy.is_monetary and not request.user.is_enterprise_user:
        funds = {
            f.year: f
            for y in (year - 1, year, year + 1)
            for f in selectors.funds(actor=request.user, year=y)
            if f.policy.pk == policy.pk
        }
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "rule": describe(selectors.policy_rule(policy)),
            "rule_json": json.dumps(policy.rule, ensure_ascii=False, indent=2) if draft is None else draft,
            "funds": [funds[y] for y in sorted(funds)],
            "year": year,
            "can_edit": can_edit,
            "can_budget": keeps,
            "can_close": can_edit and policy.state == PolicyState.IN_FORCE,
            "can_publish": can_edit and policy.state == PolicyState.DRAFT,
            "copy_units": units,
            "today": timezone.localdate(),
            "can_apply": policy.in_force
            and policy.is_active
            and (request.user.is_enterprise_user or request.user.can_edit),
            "fields": [
                (name, f.label, KIND_LABELS[f.kind], "、".join(f.choices)) for name, f in FIELDS.items()
            ],
            "operators": [(op, OPERATOR_NAMES[op]) for op in OPERATORS],
            "builder": selectors.rule_builder_spec(FIELDS) if can_edit else None,
        },
    )


def _rule_context(rule_json: str) -> dict[str, Any]:
    """What the rule builder partial needs around the rule as text."""
    try:
        reading = describe(rule_from_data(json.loads(rule_json)))
    except (ValueError, RecursionError):  # a refused draft shown again: the check says what is wrong
        reading = ""
    return {
        "rule": reading,
        "rule_json": rule_json,
        "fields": [(name, f.label, KIND_LABELS[f.kind], "、".join(f.choices)) for name, f in FIELDS.items()],
        "operators": [(op, OPERATOR_NAMES[op]) for op in OPERATORS],
        "builder": selectors.rule_builder_spec(FIELDS),
    }


NEW_RULE = {"all": [{"placeholder": "请设置申报条件"}]}


def _whole_form_page(
    request: HttpRequest, form: forms.PolicyWholeForm, policy: Policy | None
) -> HttpResponse:
    posted = form["rule"].value() if form.is_bound else None
    rule_json = posted or json.dumps(policy.rule if policy else NEW_RULE, ensure_ascii=False, indent=2)
    return render(
        request,
        "policies/policy_form.html",
        {"form": form, "policy": policy, **_rule_context(rule_json)},
    )


def _whole_initial(policy: Policy) -> dict[str, Any]:
    values = {name: getattr(policy, name) for name in services.EDITABLE_FIELDS}
    return {
        **values, "issuer": policy.issuer_id, "co_responsible": "、".join(policy.co_responsible),
        "documents": "\n".join(policy.documents),
    }  # fmt: skip


@login_required
def policy_create(request: HttpRequest) -> HttpResponse:
    """A new policy, issued by the city or, for its own district, by a district; saved as a draft."""
    units = issuing_units(request.user)
    if not units.exists():
        raise PermissionDenied("只有市级和区县工作人员可以发布政策。")
    initial = {"issuer": units.first().pk, "is_active": True, "publicity_days": 5}
    form = forms.PolicyWholeForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(actor=request.user, source=Source.WEB, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _service_refusal(request, form, exc)
        else:
            messages.success(request, f"已保存政策草稿“{policy.title}”，核对后请发布。")
            return redirect(policy.get_absolute_url())
    return _whole_form_page(request, form, None)


@login_required
def policy_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The whole policy edited on one page: issuing unit, text, conditions, support and period."""
    policy = _policy(request, code)
    units = issuing_units(request.user)
    if not units.filter(pk=policy.issuer_id).exists():
        raise PermissionDenied(services.keep_refusal(request.user, policy.issuer, "修改"))
    form = forms.PolicyWholeForm(request.POST or None, units=units, initial=_whole_initial(policy))
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_update(
                actor=request.user, source=Source.WEB, policy=policy, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            _service_refusal(request, form, exc)
            policy.refresh_from_db()
        else:
            messages.success(request, "政策已保存。")
            return redirect(policy.get_absolute_url())
    return _whole_form_page(request, form, policy)


def _service_refusal(
    request: HttpRequest, form: forms.PolicyWholeForm, exc: ValidationError | PermissionDenied
) -> None:
    if isinstance(exc, ValidationError):
        add_service_errors(form, exc)
    else:
        form.add_error(None, refusal(exc))


@login_required
@require_POST
def policy_copy(request: HttpRequest, code: str) -> HttpResponse:
    """A new draft from a policy the user reads, issued by a unit they may issue for."""
    policy = _policy(request, code)
    form = forms.PolicyCopyForm(request.POST, units=issuing_units(request.user))
    try:
        if not form.is_valid():
            raise ValidationError(form_refusal(form))
        copy = services.policy_copy(
            actor=request.user, source=Source.WEB, policy=policy, issuer=form.cleaned_data["issuer"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
        return redirect(policy.get_absolute_url())
    messages.success(request, f"已复制为草稿“{copy.title}”，修改后请发布。")
    return redirect(copy.get_absolute_url())


@login_required
@require_POST
def policy_publish(request: HttpRequest, code: str) -> HttpResponse:
    policy = _policy(request, code)
    try:
        services.policy_publish(actor=request.user, source=Source.WEB, policy=policy)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"“{policy.title}”已发布施行。")
    return redirect(policy.get_absolute_url())


@login_required
@require_POST
def policy_close(request: HttpRequest, code: str) -> HttpResponse:
    """The policy stops matching and taking applications, with the reason kept and shown."""
    policy = _policy(request, code)
    form = forms.PolicyCloseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_refusal(form))
        policy = services.policy_close(
            actor=request.user, source=Source.WEB, policy=policy, **form.cleaned_data
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"“{policy.title}”已于 {policy.closed_on} 关闭，不再匹配和受理申报。")
    return redirect(policy.get_absolute_url())


@login_required
@require_POST
def rule_check_new(request: HttpRequest) -> HttpResponse:
    """The rule check of a policy not yet saved: counted for the subject and issuing unit chosen on its form."""
    units = issuing_units(request.user)
    if not units.exists():
        raise PermissionDenied("只有市级和区县工作人员可以发布政策。")
    form = forms.RuleCheckForm(request.POST, units=units)
    if not form.is_valid():
        return render(request, "policies/_rule_check.html", {"problems": [form_refusal(form)]})
    data = form.cleaned_data
    draft = Policy(code="new", subject=data["subject"], rule=data["rule"], issuer=data["issuer"])
    return _rule_check_page(request, draft, form)


@login_required
@require_POST
def rule_check(request: HttpRequest, code: str) -> HttpResponse:
    """The rule city staff are building, read back in Chinese, with how many enterprises (or projects) it
    finds 符合, 不符合 and 待核实 on today's data; or what is wrong with it. Nothing is saved."""
    policy = _policy(request, code)
    if refused := services.keep_refusal(request.user, policy.issuer, "修改"):
        raise PermissionDenied(refused)
    return _rule_check_page(request, policy, forms.RuleForm(request.POST))


def _rule_check_page(request: HttpRequest, policy: Policy, form: forms.RuleForm) -> HttpResponse:
    context: dict[str, Any] = {"policy": policy, "problems": [], "as_of": timezone.localdate()}
    if not form.is_valid():
        context["problems"] = [form_refusal(form)]
    else:
        try:
            rule = rule_from_data(form.cleaned_data["rule"])
        except ValueError as exc:
            context["problems"] = exc.args[0]
        else:
            context["reading"] = describe(rule)
            context["counts"] = selectors.draft_counts(
                actor=request.user, policy=policy, rule=form.cleaned_data["rule"], as_of=context["as_of"]
            )
    return render(request, "policies/_rule_check.html", context)


@login_required
def policy_matches(request: HttpRequest, code: str) -> HttpResponse:
    """政策找企业: the enterprises or projects in scope that qualify, or may once the data is checked, each
    with its reasons; for 免申即享 policies, city staff confirm the award list here."""
    policy = _policy(request, code)
    _, params = filter_values(request, forms.MatchFilter)
    as_of, year = params["as_of"] or timezone.localdate(), params["year"] or timezone.localdate().year
    if request.method == "POST":
        form = forms.AwardsForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            year = form.cleaned_data["year"]
            made = services.awards_confirm(
                actor=request.user,
                source=Source.WEB,
                policy=policy,
                year=year,
                picked=form.cleaned_data["pick"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已确认 {len(made)} 个免申即享对象，进入公示。")
            return redirect(f"{reverse('policies:applications')}?policy={policy.code}&year={year}")
    matches = selectors.matching(actor=request.user, as_of=as_of, chosen=[policy])[policy.code]
    status = params["status"]
    shown = selectors.matches_shown(matches, status)
    if params["export"] == "xlsx":
        return xlsx_response(
            f"{policy.title}匹配结果",
            MATCH_HEADERS,
            (
                [STATUS_LABELS[m.outcome.status], m.candidate.enterprise_name, m.candidate.uscc, m.candidate.district,
                 m.candidate.project_code, m.candidate.project_name, "；".join(m.outcome.met),
                 "；".join(m.outcome.not_met), "；".join(m.outcome.unknown)]
                for m in shown
            ),
        )  # fmt: skip
    awards = None
    if policy.auto_award:
        listed = selectors.award_list(
            actor=request.user, policy=policy, year=year, as_of=timezone.localdate()
        )
        awards = {(m.candidate.enterprise_id, m.candidate.project_id) for m in listed}
    page = page_of(request, shown)
    rows = [
        (m, awards is not None and (m.candidate.enterprise_id, m.candidate.project_id) in awards)
        for m in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "policies/matches.html",
        {
            "policy": policy,
            "rule": describe(selectors.policy_rule(policy)),
            "counts": selectors.match_counts(matches),
            "page": page,
            "rows": rows,
            "status": status,
            "status_labels": STATUS_LABELS,
            "as_of": as_of,
            "year": year,
            "awards": awards,
            "can_award": policy.auto_award
            and issuing_units(request.user).filter(pk=policy.issuer_id).exists(),
            "query": query.urlencode(),
        },
    )


@login_required
def enterprise_policies(request: HttpRequest, pk: int) -> HttpResponse:
    """企业找政策: every policy one enterprise (or one of its projects) may use, with reasons."""
    enterprise = get_scoped_or_404(Enterprise.objects.select_related("district"), request.user, pk=pk)
    as_of = filter_values(request, forms.AsOfFilter)[1]["as_of"] or timezone.localdate()
    chosen = list(selectors.policies_for(actor=request.user, enterprise=enterprise))
    matched = selectors.matching(actor=request.user, as_of=as_of, chosen=chosen, enterprise=enterprise)
    rows = [
        (policy, selectors.matches_shown(matched[policy.code]) or matched[policy.code]) for policy in chosen
    ]
    rows.sort(key=lambda row: min((selectors.STATUS_ORDER[m.outcome.status] for m in row[1]), default=3))
    return render(
        request,
        "policies/enterprise.html",
        {"enterprise": enterprise, "rows": rows, "as_of": as_of, "status_labels": STATUS_LABELS},
    )


@login_required
def my_policies(request: HttpRequest) -> HttpResponse:
    if not request.user.is_enterprise_user or not request.user.enterprise_id:
        raise Http404
    return redirect("policies:enterprise", pk=request.user.enterprise_id)


def _applicant(user: User, policy: Policy, data: dict[str, Any]) -> tuple[Enterprise, Project | None]:
    """Who applies, and for which project: an enterprise user's own; staff name the project by its code
    (the enterprise follows), or the enterprise by its USCC."""
    if user.is_enterprise_user:
        project = None
        if data["project"]:
            project = Project.objects.filter(pk=data["project"], enterprise_id=user.enterprise_id).first()
        return user.enterprise, project
    if policy.subject == "project":
        code = normalise_project_code(data["project_code"])
        project = (
            scoped(Project.objects.select_related("enterprise__district"), user).filter(code=code).first()
        )
        if project is None:
            raise ValidationError(f"您的数据范围内没有项目代码为“{code}”的项目。")
        return project.enterprise, project
    uscc = normalise_code(data["uscc"])
    enterprise = scoped(Enterprise.objects.select_related("district"), user).filter(uscc=uscc).first()
    if enterprise is None:
        raise ValidationError(f"您的数据范围内没有统一社会信用代码为“{uscc}”的企业。")
    return enterprise, None


@login_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """The application form: an enterprise for itself, staff on an enterprise's behalf (by its USCC)."""
    policy = _policy(request, code)
    user = request.user
    enterprise = user.enterprise if user.is_enterprise_user else None
    if request.method == "POST":
        form = forms.ApplyForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            enterprise, project = _applicant(user, policy, form.cleaned_data)
            application = services.application_create(
                actor=user, source=Source.WEB, policy=policy, enterprise=enterprise, project=project,
                requested_wan=form.cleaned_data["requested_wan"], description=form.cleaned_data["description"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
            enterprise = user.enterprise if user.is_enterprise_user else None
        else:
            messages.success(request, f"已创建申报 {application.number}，请上传材料后提交。")
            return redirect(application.get_absolute_url())
    projects = Project.objects.filter(enterprise=enterprise).order_by("code") if enterprise else []
    return render(
        request,
        "policies/apply.html",
        {
            "policy": policy,
            "enterprise": enterprise,
            "projects": projects,
            "rule": describe(selectors.policy_rule(policy)),
        },
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """Applications in scope, filtered; 待我处理 shows the queue of the actor's role."""
    _, params = filter_values(request, forms.ApplicationFilter)
    queue_label = ""
    if params["queue"]:
        found, queue_label = selectors.review_queue(actor=request.user)
    else:
        found = selectors.applications(actor=request.user)
    if params["status"]:
        found = found.filter(status=params["status"])
    if params["policy"]:
        found = found.filter(policy__code=params["policy"])
    if params["year"]:
        found = found.filter(year=params["year"])
    found = found.order_by(WAITING_FIRST, "-id")
    if params["export"] == "xlsx":
        return xlsx_response(
            "政策申报",
            APPLICATION_HEADERS,
            (
                [a.number, a.policy.title, a.year, a.enterprise.name, a.enterprise.uscc, a.district.name,
                 a.project.code if a.project else "", a.get_status_display(), a.requested_wan, a.amount_wan,
                 a.approved_wan, a.paid_wan, "是" if a.auto_award else "", timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M")]
                for a in found.iterator(chunk_size=2000)
            ),
        )  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "policies/applications.html",
        {
            "page": page_of(request, found),
            "statuses": Status.choices,
            "catalogue": selectors.policies(actor=request.user),
            "filters": request.GET,
            "query": query.urlencode(),
            "queue": bool(params["queue"]),
            "queue_label": queue_label,
        },
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: what was asked, the eligibility check, files, every step, and the actions the
    actor may take now."""
    application = selectors.application_get(actor=request.user, pk=pk)
    if request.method == "POST":
        form = forms.ApplicationStepForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form_refusal(form))
            data = form.cleaned_data
            if "upload" in request.FILES:
                upload = request.FILES["upload"]
                services.attachment_add(
                    actor=request.user, source=Source.WEB, application=application, document=data["document"],
                    name=upload.name, content=upload_content(upload, services.MAX_ATTACHMENT_BYTES),
                )  # fmt: skip
                messages.success(request, f"已上传“{upload.name}”。")
            elif data["action"] == "save":
                services.application_update(
                    actor=request.user, source=Source.WEB, application=application,
                    requested_wan=data["requested_wan"], description=data["description"],
                )  # fmt: skip
                messages.success(request, "已保存。")
            elif data["action"]:
                action = data["action"]
                services.application_act(
                    actor=request.user, source=Source.WEB, application=application, action=action,
                    opinion=data["opinion"], amount_wan=data["amount_wan"],
                )  # fmt: skip
                messages.success(request, f"已{TRANSITIONS[action].label}。")
            else:
                raise ValidationError("请选择要上传的材料或要办理的操作。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        return redirect(application.get_absolute_url())
    roles = services.roles_on(request.user, application)
    actions = [(name, TRANSITIONS[name]) for name in allowed_actions(application.status, roles)]
    editable = "applicant" in roles and application.status in (Status.DRAFT, Status.RETURNED)
    return render(
        request,
        "policies/application.html",
        {
            "a": application,
            "steps": application.steps.all(),
            "attachments": application.attachments.all(),
            "documents": [*application.policy.documents, "其他材料"],
            "actions": actions,
            "editable": editable,
            "reviewing": bool(roles & {"district", "city"}) and application.status in (Status.DISTRICT_REVIEW, Status.CITY_REVIEW),
            "capped": application.policy.support_kind == SupportKind.CAPPED,
            "status_labels": STATUS_LABELS,
        },
    )  # fmt: skip


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_get(actor=request.user, pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
def fund_dashboard(request: HttpRequest) -> HttpResponse:
    """Per monetary policy and year: budget, in review, approved, paid and remaining."""
    _, params = filter_values(request, forms.YearFilter)
    year = params["year"] or timezone.localdate().year
    rows = selectors.funds(actor=request.user, year=year)
    if params["export"] == "xlsx":
        return xlsx_response(
            f"{year}年政策资金",
            ["政策", "预算（万元）", "全市已核准（万元）", "全市剩余（万元）", "本范围在审（万元）", "本范围已核准（万元）",
             "本范围已拨付（万元）", "申报数"],
            ([f.policy.title, f.budget_wan, f.city_approved_wan, f.remaining_wan, f.requested_wan, f.approved_wan,
              f.paid_wan, f.applications] for f in rows),
        )  # fmt: skip
    return render(
        request, "policies/funds.html", {"rows": rows, "year": year, "years": range(year - 2, year + 2)}
    )
