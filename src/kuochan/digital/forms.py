"""What the 数字化改造 pages read from query strings and posted forms, typed: an odd value is a Chinese
message on the page, never a server error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from kuochan.accounts.models import User
from kuochan.core.forms import FilterForm, ModelIdsField, choice
from kuochan.core.scope import scoped
from kuochan.digital.models import Level, TaskStatus
from kuochan.digital.selectors import BY_DISTRICT, BY_INDUSTRY
from kuochan.outreach.forms import ScopedFilter, scoped_enterprise, staff_choices
from kuochan.projects.models import Project

FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_field(label: str = "年度", required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=FIRST_YEAR, max_value=LAST_YEAR, required=required)


class OverviewFilter(FilterForm):
    as_of = forms.DateField(label="截至日期", required=False)
    export = choice("导出", ((BY_DISTRICT, "按区县"), (BY_INDUSTRY, "按行业")))


class TaskFilter(ScopedFilter):
    year = year_field()
    status = choice("状态", TaskStatus.choices)
    responsible = forms.CharField(label="责任人", max_length=64, required=False)
    export = choice("导出", (("xlsx", "Excel"),))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=TaskStatus.choices)
    next = forms.CharField(max_length=2000, required=False)  # the list, with its filters, to go back to


class PrefillQuery(FilterForm):
    """The enterprise a form opens with, from its profile's link."""

    enterprise = forms.CharField(label="企业", max_length=200, required=False)


class LevelForm(forms.Form):
    enterprise = forms.CharField(label="企业（统一社会信用代码或名称）", max_length=200)
    level = forms.ChoiceField(label="数字化改造水平", choices=Level.choices)
    assessed_on = forms.DateField(label="评定日期", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="来源", max_length=100, required=False, help_text="如 省数字化改造评估")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def clean_enterprise(self) -> Any:
        return scoped_enterprise(self.actor, self.cleaned_data["enterprise"])

    def clean_assessed_on(self) -> Any:
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise ValidationError("评定日期不能晚于今天。")
        return day


class TaskForm(forms.Form):
    """Add an enterprise to the year's lists, or change its task."""

    enterprise = forms.CharField(label="企业（统一社会信用代码或名称）", max_length=200)
    year = year_field(required=True)
    target_level = forms.ChoiceField(label="目标水平", choices=Level.choices)
    responsible = forms.ModelChoiceField(
        label="责任人（平台用户）",
        queryset=User.objects.none(),
        required=False,
        empty_label="（平台外人员，填下方姓名）",
    )
    responsible_name = forms.CharField(label="责任人姓名（平台外人员）", max_length=64, required=False)
    responsible_phone = forms.CharField(label="联系电话", max_length=32, required=False)
    status = forms.ChoiceField(label="状态", choices=TaskStatus.choices)
    projects = ModelIdsField(label="改造项目", queryset=Project.objects.none(), required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, actor: User, enterprise: Any = None, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = User.objects.filter(
            pk__in=[user.pk for user in staff_choices(actor)]
        ).order_by("username")
        if enterprise is None and self.is_bound:  # the enterprise typed in: its projects are the choices
            try:
                enterprise = scoped_enterprise(actor, str(self.data.get("enterprise", ""))[:200])
            except ValidationError:
                enterprise = None
        projects = scoped(Project.objects.all(), actor).order_by("code")
        self.fields["projects"].queryset = (
            projects.filter(enterprise=enterprise) if enterprise else projects.none()
        )
        if enterprise is None:
            self.fields[
                "projects"
            ].help_text = "从企业页面“加入清单”进入可直接选择该企业的项目；也可保存后在“修改”中选择。"
        self.fields["projects"].label_from_instance = lambda p: f"{p.code} {p.name}"

    def clean_enterprise(self) -> Any:
        return scoped_enterprise(self.actor, self.cleaned_data["enterprise"])
