"""What the statistics page reads from its query string, typed: an odd value is a Chinese message on the
page, never a server error."""

from django import forms

from kuochan.core.forms import FilterForm, MonthField
from kuochan.statistics.models import StatKind


class MonthlyFilter(FilterForm):
    month = MonthField(label="统计月份", required=False)
    indicator = forms.SlugField(label="趋势指标", required=False, max_length=64)
    export = forms.ChoiceField(label="导出", choices=[("", ""), ("xlsx", "Excel")], required=False)


class IndicatorForm(forms.Form):
    """增加统计指标: an indicator the bureau's tables report that the library lacks."""

    code = forms.SlugField(
        label="代码", max_length=64, help_text="英文字母、数字和连字符，如 digital-core-value-added"
    )
    name = forms.CharField(label="指标名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=StatKind.choices)
    unit = forms.CharField(
        label="单位", max_length=16, required=False, help_text="累计值、本月值的单位，如 亿元"
    )
    aliases = forms.CharField(
        label="别名", max_length=400, required=False, help_text="报表中的其他写法，用顿号或逗号分隔"
    )
    source = forms.CharField(label="来源", max_length=200, required=False)

    def clean_aliases(self) -> list[str]:
        text = self.cleaned_data["aliases"]
        for separator in ("，", ",", "；", ";"):
            text = text.replace(separator, "、")
        return [part.strip() for part in text.split("、") if part.strip()]
