"""What the pages of 政策直达 read from query strings and posted forms, typed: an odd value is a Chinese
message on the page, never a server error."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kuochan.core.forms import FilterForm, IdField, NumberField, choice, flag
from kuochan.policies.models import Status
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
    is_active = forms.BooleanField(required=False)
    auto_award = forms.BooleanField(required=False)
    funding_source = forms.CharField(label="资金来源", max_length=200, required=False)
    cap_wan = NumberField(label="补助上限（万元）", required=False)
    share_pct = NumberField(label="补助比例（%）", required=False)
    fixed_wan = NumberField(label="定额补助（万元）", required=False)

    def clean_documents(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["documents"].splitlines() if line.strip()]

    def clean_publicity_days(self) -> int:
        days = self.cleaned_data["publicity_days"]
        return 5 if days is None else days


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
