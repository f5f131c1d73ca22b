"""What the 培育库 pages read from query strings and forms, typed: an odd value is a Chinese message on the
page, never a server error."""

from __future__ import annotations

from typing import Any

from django import forms

from kuochan.core.forms import FilterForm, IdField, NumberField, choice, flag
from kuochan.cultivation.models import EntrySource, EntryStatus
from kuochan.cultivation.rules import DEFAULT_MARGIN_PCT

YEARS = {"min_value": 2000, "max_value": 2100}


class YearFilter(FilterForm):
    year = forms.IntegerField(label="年度", required=False, **YEARS)


class LibraryFilterForm(YearFilter):
    """A library's filters; `responsible` is a user's id or "none" (nobody answers for it yet)."""

    district = IdField(label="区县")
    status = choice("状态", EntryStatus.choices)
    source = choice("入库方式", EntrySource.choices)
    met = flag("是否已符合条件")
    responsible = forms.RegexField(label="责任人", regex=r"^(none|[1-9]\d{0,17})$", required=False)
    q = forms.CharField(label="搜索", required=False, max_length=100)


class TasksFilter(YearFilter):
    mine = flag("只看我负责的")


class EnterpriseSearch(YearFilter):
    """推荐入库's search, and the enterprise chosen from its results (which fills the form's credit code)."""

    q = forms.CharField(label="企业名称或信用代码", required=False, max_length=100)
    uscc = forms.CharField(label="统一社会信用代码", required=False, max_length=40)


class ResponsibleField(forms.ModelChoiceField):
    """A staff member by id among those offered; an id too long for the database is refused before a query."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            try:
                IdField().clean(value)
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                ) from exc
        return super().to_python(value)

    def label_from_instance(self, user: Any) -> str:
        return f"{user}（{user.org_unit.name}）"


class EntryForm(forms.Form):
    """Who answers for an entry, the support planned and a note."""

    responsible = ResponsibleField(label="责任人", queryset=None, required=False, empty_label="未指定")
    planned_support = forms.CharField(
        label="计划支持（可用政策、走访安排）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(label="备注", required=False, max_length=500)

    def __init__(self, *args: Any, responsible: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = responsible


class NominationForm(EntryForm):
    """推荐入库: the enterprise by its credit code, and the year of the library."""

    year = forms.IntegerField(label="年度", widget=forms.HiddenInput, **YEARS)
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)

    field_order = ["year", "uscc", "responsible", "planned_support", "note"]


class RemoveForm(forms.Form):
    reason = forms.CharField(label="出库原因", max_length=200)


class FillForm(forms.Form):
    year = forms.IntegerField(label="年度", **YEARS)
    margin = NumberField(label="接近幅度（%）", required=False, initial=str(DEFAULT_MARGIN_PCT))

    def clean_margin(self) -> Any:
        margin = self.cleaned_data["margin"]
        if margin is None:
            return DEFAULT_MARGIN_PCT
        if not 0 <= margin <= 100:
            raise forms.ValidationError("应为 0 至 100 之间的百分数。")
        return margin


class EvaluationFeedForm(forms.Form):
    year = forms.IntegerField(label="年度", **YEARS)
    treatment = forms.IntegerField(label="分类施策清单", min_value=0, max_value=1000)
