"""What the pages of 政策直达 read from query strings and posted forms, typed: an odd value is a Chinese
message on the page, never a server error."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kuochan.core.forms import FilterForm, IdField, NumberField, choice, flag
from kuochan.orgs.models import OrgUnit
from kuochan.policies.models import ShareBase, Status, Subject, SupportKind
from kuochan.policies.rules import STATUS_LABELS, TRANSITIONS


def year_field(required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=required)


class MatchFilter(FilterForm):
    as_of = forms.DateField(label="数据截至", required=False)
    year = year_field()
    status = choice("结果", STATUS_LABELS.items())
    export = choice("导出", (("xlsx", "Excel"),))


class AsOfFilter(FilterForm):
    as_of = forms.DateField(label="数据截至", required=False)


class ApplicationFilter(FilterForm):
    queue = flag("待我处理")
    status = choice("状态", Status.choices)
    policy = forms.SlugField(label="政策", max_length=100, required=False)
    year = year_field()
    export = choice("导出", (("xlsx", "Excel"),))


class ExportFilter(FilterForm):
    export = choice("导出", (("xlsx", "Excel"),))


class YearFilter(ExportFilter):
    year = year_field()


class PicksField(forms.Field):
    """The ticked rows of an award list, each "enterprise id:project id" (the project may be empty)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[tuple[int, int | None]]:
        ids = IdField()
        picked = []
        for item in value or []:
            enterprise, _, project = str(item).partition(":")
            try:
                enterprise_id, project_id = ids.clean(enterprise), ids.clean(project)
            except ValidationError:
                enterprise_id = None
            if enterprise_id is None:
                raise ValidationError(f"选中的对象“{str(item)[:40]}”无效，请刷新名单后重试。")
            picked.append((enterprise_id, project_id))
        return picked


class AwardsForm(forms.Form):
    year = year_field(required=True)
    pick = PicksField(label="选中对象", required=False)


class BudgetForm(forms.Form):
    year = year_field(required=True)
    amount_wan = NumberField(label="预算（万元）")


class RuleForm(forms.Form):
    """A rule as the builder or the JSON box posts it; read as JSON here, checked against the rule format by
    the service that keeps it (or by the draft check)."""

    rule = forms.CharField(label="申报条件", max_length=100_000, required=False)

    def clean_rule(self) -> Any:
        try:
            return json.loads(self.cleaned_data["rule"])
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"申报条件不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}。"
            ) from exc
        except RecursionError as exc:
            raise ValidationError("申报条件嵌套过深，请简化。") from exc


class PolicyForm(RuleForm):
    documents = forms.CharField(label="申报材料", max_length=5000, required=False)
    publicity_days = forms.IntegerField(label="公示天数", max_value=10000, required=False)
    period_start = forms.DateField(label="执行起始日期", required=False)
    period_end = forms.DateField(label="执行截止日期", required=False)
    is_active = forms.BooleanField(label="受理申报", required=False)
    auto_award = forms.BooleanField(label="免申即享", required=False)
    funding_source = forms.CharField(label="资金来源", max_length=200, required=False)
    cap_wan = NumberField(label="补助上限（万元）", required=False)
    share_pct = NumberField(label="补助比例（%）", required=False)
    fixed_wan = NumberField(label="定额补助（万元）", required=False)

    def clean_documents(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["documents"].splitlines() if line.strip()]

    def clean_publicity_days(self) -> int:
        days = self.cleaned_data["publicity_days"]
        return 5 if days is None else days


class UnitField(forms.ModelChoiceField):
    """An org unit picked on a form, by id; an id that is no whole number, or too long for the database, is
    an invalid choice before any query."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            try:
                IdField().clean(value)
            except ValidationError as exc:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from exc
        return super().to_python(value)


def _listed(text: str) -> list[str]:
    """Names typed one a line, or separated by 、 or commas."""
    return [item.strip() for item in re.split(r"[\n、,，;；]+", text) if item.strip()]


class PolicyWholeForm(PolicyForm):
    """A whole policy as staff write it on its page: issuing unit (only those the actor may issue for),
    document, text, departments, conditions (the rule builder) and support. Everything the service checks
    again; a refusal comes back onto this form."""

    issuer = UnitField(label="发布单位", queryset=OrgUnit.objects.none(), empty_label=None)
    title = forms.CharField(label="政策名称", max_length=100)
    document_number = forms.CharField(label="文号", max_length=64, required=False)
    number = forms.CharField(label="条款序号", max_length=16, required=False)
    section = forms.CharField(label="所属章节", max_length=64, required=False)
    clause = forms.CharField(label="条款原文", max_length=20000, widget=forms.Textarea)
    lead = forms.CharField(label="牵头部门", max_length=64)
    co_responsible = forms.CharField(label="配合部门", max_length=1000, required=False)
    subject = forms.ChoiceField(label="适用对象", choices=Subject.choices)
    support_kind = forms.ChoiceField(label="支持方式", choices=SupportKind.choices)
    support_text = forms.CharField(label="支持内容", max_length=200, required=False)
    share_base = forms.ChoiceField(label="补助基数", choices=[("", "—"), *ShareBase.choices], required=False)
    documents = forms.CharField(
        label="申报材料（每行一项）", max_length=5000, required=False, widget=forms.Textarea
    )

    field_order = [
        "issuer", "title", "document_number", "number", "section", "clause", "lead", "co_responsible", "subject",
        "support_kind", "support_text", "cap_wan", "share_pct", "share_base", "fixed_wan", "period_start",
        "period_end", "funding_source", "documents", "publicity_days", "is_active", "auto_award",
    ]  # fmt: skip

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = units

    def clean_co_responsible(self) -> list[str]:
        return _listed(self.cleaned_data["co_responsible"])


class PolicyCloseForm(forms.Form):
    reason = forms.CharField(label="关闭原因", max_length=500)
    closed_on = forms.DateField(label="关闭日期", required=False)


class PolicyCopyForm(forms.Form):
    issuer = UnitField(label="发布单位", queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = units


class RuleCheckForm(RuleForm):
    """The rule of a policy not yet saved, with what its matching depends on: whom it is about and where."""

    subject = forms.ChoiceField(label="适用对象", choices=Subject.choices)
    issuer = UnitField(label="发布单位", queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = units


class ApplyForm(forms.Form):
    project = IdField(label="申报项目")
    project_code = forms.CharField(label="项目代码", max_length=60, required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=60, required=False)
    requested_wan = NumberField(label="申请金额（万元）", required=False)
    description = forms.CharField(label="申报说明", max_length=5000, required=False)


class ApplicationStepForm(forms.Form):
    """The forms on an application's page: upload a document, save the draft, or take a step."""

    action = forms.ChoiceField(
        label="操作",
        choices=[("", "上传"), ("save", "保存"), *((k, t.label) for k, t in TRANSITIONS.items())],
        required=False,
    )
    document = forms.CharField(label="材料名称", max_length=200, required=False)
    requested_wan = NumberField(label="申请金额（万元）", required=False)
    description = forms.CharField(label="申报说明", max_length=5000, required=False)
    opinion = forms.CharField(label="意见", max_length=2000, required=False)
    amount_wan = NumberField(label="审核金额（万元）", required=False)
