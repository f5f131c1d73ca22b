"""What the evaluation pages read from query strings and forms, typed: an odd value is a Chinese message on
the page, never a server error."""

from django import forms

from kuochan.core.forms import FilterForm, IdField
from kuochan.evaluation.rules import CLASSES, GROUP_LABELS

YEARS = {"min_value": 1990, "max_value": 2100}


class YearFilter(FilterForm):
    """The evaluation year asked for in a page's query string (empty: the latest evaluated)."""

    year = forms.IntegerField(label="评价年度", required=False, **YEARS)


class DistrictFilter(YearFilter):
    district = IdField(label="区县")


class TreatmentFilter(DistrictFilter):
    treatment = forms.IntegerField(label="施策规则", required=False, min_value=0, max_value=1000)


class ResultFilterForm(DistrictFilter):
    """The results list's filters. The class parameter is named `class` in the query string."""

    group = forms.ChoiceField(label="评价类别", required=False, choices=[("", ""), *GROUP_LABELS.items()])
    grade = forms.TypedChoiceField(
        label="碳效码",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "")] + [(str(g), g) for g in range(1, 6)],
    )
    low = forms.BooleanField(label="清三低", required=False)
    treatment = forms.IntegerField(label="施策规则", required=False, min_value=0, max_value=1000)
    q = forms.CharField(label="搜索", required=False, max_length=100)


ResultFilterForm.base_fields["class"] = forms.ChoiceField(
    label="分类", required=False, choices=[("", ""), *((k, k) for k in (*CLASSES, "T", "none"))]
)


class TrackingFilter(YearFilter):
    changed = forms.BooleanField(label="只看有变化的企业", required=False)


class YearForm(forms.Form):
    """The year a posted action applies to (a hidden field of the page's forms)."""

    year = forms.IntegerField(label="评价年度", **YEARS)


class ChooseForm(YearForm):
    """An enterprise chosen by its credit code, with why (重点企业, 不参评)."""

    uscc = forms.CharField(label="统一社会信用代码", max_length=40)
    reason = forms.CharField(label="原因", max_length=200)


class RemoveForm(YearForm):
    remove = IdField(label="要移出的记录", required=True)


class SchemeNoteForm(YearForm):
    """The scheme editor's own fields besides the scheme (which its check reads and refuses)."""

    basis = forms.CharField(label="依据", required=False, max_length=20000)
    note = forms.CharField(label="修改说明", required=False, max_length=200)
