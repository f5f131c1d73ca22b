"""What the statistics page reads from its query string, typed: an odd value is a Chinese message on the
page, never a server error."""

from django import forms

from kuochan.core.forms import FilterForm
from kuochan.targets.forms import MonthField


class MonthlyFilter(FilterForm):
    month = MonthField(label="统计月份", required=False)
    indicator = forms.SlugField(label="趋势指标", required=False, max_length=64)
    export = forms.ChoiceField(label="导出", choices=[("", ""), ("xlsx", "Excel")], required=False)
