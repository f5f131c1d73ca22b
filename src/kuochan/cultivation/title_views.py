"""The titles on pages: the list (培育称号), a title with its criteria read in Chinese, and editing a criterion
with the policies' rule builder, whose live check counts the enterprises in scope the criterion finds met, not
met or to verify. City staff edit; other staff read."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kuochan.audit.models import Source
from kuochan.core.forms import add_service_errors, form_refusal
from kuochan.core.scope import scoped
from kuochan.cultivation import title_services
from kuochan.cultivation.models import Title
from kuochan.cultivation.rules import (
    TITLE_FIELDS,
    VERDICT_LABELS,
    criterion_rule,
    describe,
    placeholders,
    scoring_table,
    status_counts,
)
from kuochan.cultivation.selectors import title_facts, titles
from kuochan.cultivation.title_forms import CriterionForm, criterion_initial
from kuochan.policies.forms import RuleForm
from kuochan.policies.rules import KIND_LABELS, OPERATOR_NAMES, OPERATORS
from kuochan.policies.selectors import rule_builder_spec
from kuochan.registry.models import Enterprise

LADDER_LABELS = {
    "srdi": "优质中小企业梯度（创新型 → 专精特新 → 小巨人 → 单项冠军）",
    "tech": "科技企业梯度（科技型中小企业 → 高新技术企业）",
    "smart_factory": "智能工厂梯度（基础级 → 先进级 → 卓越级 → 领航级）",
    "zj_future_factory": "浙江省数字化车间 → 智能工厂 → 未来工厂",
    "green_factory": "绿色工厂（省级 → 国家级）",
    "huzhou_large": "湖州市金牛 → 金象",
}


def _ensure_reader(user: Any) -> None:
    if not user.sees_business_data or user.is_enterprise_user:
        raise PermissionDenied("培育称号仅供经信部门工作人员查看。")


def _reading(rule: Any) -> tuple[str, list[str]]:
    """A stored criterion's rule read in Chinese, and its placeholders ("" when it no longer reads)."""
    try:
        node = criterion_rule(rule)
    except (ValueError, RecursionError):
        return "", []
    return describe(node), placeholders(node)


def _summary(title: Title) -> dict[str, Any]:
    pending = sum(1 for c in title.criteria if _reading(c.get("rule"))[1])
    return {
        "title": title,
        "ladder": LADDER_LABELS.get(title.ladder, "其他称号"),
        "criteria": len(title.criteria),
        "pending": pending,
        "unverified": sum(1 for c in title.criteria if not c.get("verified")),
    }


@login_required
def title_list(request: HttpRequest) -> HttpResponse:
    _ensure_reader(request.user)
    rows = [_summary(title) for title in titles()]
    return render(
        request,
        "cultivation/title_list.html",
        {
            "rows": rows,
            "totals": {key: sum(r[key] for r in rows) for key in ("criteria", "pending", "unverified")},
        },
    )


def _title(code: str) -> Title:
    title = Title.objects.filter(code=code[:32]).first()
    if title is None:
        raise Http404("没有该称号。")
    return title


@login_required
def title_detail(request: HttpRequest, code: str) -> HttpResponse:
    _ensure_reader(request.user)
    title = _title(code)
    criteria = []
    for number, criterion in enumerate(title.criteria, start=1):
        reading, pending = _reading(criterion.get("rule"))
        criteria.append({"number": number, "criterion": criterion, "reading": reading, "pending": pending})
    return render(
        request,
        "cultivation/title_detail.html",
        {
            "summary": _summary(title),
            "title": title,
            "criteria": criteria,
            "can_edit": request.user.is_city_staff,
            "scoring": scoring_table(title.code),
        },
    )


def _criterion(title: Title, code: str) -> dict[str, Any]:
    found = next((c for c in title.criteria if c.get("code") == code), None)
    if found is None:
        raise Http404("该称号没有这条认定条件。")
    return found


def _builder_context(rule_json: str) -> dict[str, Any]:
    """What the policies' rule builder partial needs around the rule as text."""
    try:
        reading = describe(criterion_rule(json.loads(rule_json)))
    except (ValueError, RecursionError):  # a refused draft shown again: the check says what is wrong
        reading = ""
    return {
        "rule": reading,
        "rule_json": rule_json,
        "fields": [
            (name, f.label, KIND_LABELS[f.kind], "、".join(f.choices)) for name, f in TITLE_FIELDS.items()
        ],
        "operators": [(op, OPERATOR_NAMES[op]) for op in OPERATORS],
        "builder": rule_builder_spec(TITLE_FIELDS),
    }


@login_required
def criterion_edit(request: HttpRequest, code: str, criterion: str) -> HttpResponse:
    """One criterion of a title, edited with the rule builder and saved with the rest of the title's criteria."""
    title_services.ensure_can_keep_titles(request.user)
    title = _title(code)
    stored = _criterion(title, criterion)
    form = CriterionForm(request.POST or None, initial=criterion_initial(stored))
    if request.method == "POST" and form.is_valid():
        edited = form.criterion(stored["code"])
        changed = [edited if c.get("code") == stored["code"] else c for c in title.criteria]
        try:
            title_services.title_save(actor=request.user, title=title, criteria=changed, source=Source.WEB)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存“{title.name}”的认定条件“{edited['text'][:30]}”。")
            return redirect(reverse("cultivation:title", args=[title.code]))
    # the text as posted goes back into the builder (the bound form's own value), else the stored rule
    rule_json = (
        form["rule"].value() or ""
        if form.is_bound
        else json.dumps(stored.get("rule"), ensure_ascii=False, indent=2)
    )
    return render(
        request,
        "cultivation/title_criterion_form.html",
        {"title": title, "criterion": stored, "form": form, **_builder_context(rule_json)},
    )


@login_required
@require_POST
def rule_check(request: HttpRequest, code: str) -> HttpResponse:
    """The criterion being built, read in Chinese, with how many enterprises in the actor's scope it finds met,
    not met, to verify or pending on today's data (上年 = last year's figures); or what is wrong with it."""
    title_services.ensure_can_keep_titles(request.user)
    title = _title(code)
    form = RuleForm(request.POST)
    as_of = timezone.localdate()
    context: dict[str, Any] = {"title": title, "as_of": as_of, "problems": []}
    if not form.is_valid():
        context["problems"] = [form_refusal(form)]
        return render(request, "cultivation/title_rule_check.html", context)
    try:
        rule = criterion_rule(form.cleaned_data["rule"])
    except ValueError as exc:
        context["problems"] = exc.args[0]
    except RecursionError:
        context["problems"] = ["条件嵌套过深，请简化。"]
    else:
        facts = title_facts(scoped(Enterprise.objects.all(), request.user), as_of)
        counts = status_counts(rule, facts.values())
        context["reading"] = describe(rule)
        context["counts"] = [(status, VERDICT_LABELS[status], count) for status, count in counts.items()]
    return render(request, "cultivation/title_rule_check.html", context)
