"""What the plan pages read from query strings and forms, typed: an odd value is a Chinese message on the
page, never a server error."""

from typing import Any

from django import forms

from kuochan.core.forms import FilterForm, IdField, MonthField
from kuochan.targets.models import ActualSource, IndicatorKind


class PlanFilter(FilterForm):
    """The plan pages' query string: which plan, as of which month, which district or indicator."""

    plan = forms.SlugField(label="规划", required=False, max_length=64)
    as_of = MonthField(label="截至月份", required=False)
    district = IdField(label="区县")
    indicator = forms.SlugField(label="指标", required=False, max_length=64)


class ActualForm(forms.Form):
    """录入统计数据 from the progress page; the value itself is read by the service."""

    indicator = forms.SlugField(label="指标", max_length=64)
    unit = IdField(label="单位", required=True)
    month = MonthField(label="月份")
    value = forms.CharField(label="本年累计值", max_length=40)
    note = forms.CharField(label="备注", required=False, max_length=200)


class TargetGridForm(forms.Form):
    """The decomposition editor: split by baseline share, or each unit's typed target for each year (the
    numbers themselves are read, and refused in Chinese, by the service)."""

    action = forms.ChoiceField(
        label="操作", required=False, choices=[("", "保存"), ("save", "保存"), ("split", "按基期占比分解")]
    )

    def __init__(self, data: Any, *, units: list[Any], years: list[int]) -> None:
        super().__init__(data)
        self.cells = {(unit, year): f"t-{unit.pk}-{year}" for unit in units for year in years}
        for (unit, year), name in self.cells.items():
            self.fields[name] = forms.CharField(
                label=f"{unit.name} {year} 年目标", required=False, max_length=40
            )

    def typed(self) -> dict[tuple[Any, int], str]:
        """The cells filled in, by (unit, year)."""
        return {key: self.cleaned_data[name] for key, name in self.cells.items() if self.cleaned_data[name]}


YEAR = {"min_value": 1990, "max_value": 2100}
AMOUNT = {"required": False, "max_digits": 16, "decimal_places": 4}


class PlanHeaderForm(forms.Form):
    """A plan's heading: which unit issues it, its period and its source document."""

    code = forms.SlugField(
        label="编号", max_length=64, help_text="字母、数字、连字符，如 huzhou-2026；建立后不再改变"
    )
    name = forms.CharField(label="名称", max_length=200)
    org_unit = forms.ModelChoiceField(label="制定单位", queryset=None, empty_label=None)
    period_start = forms.IntegerField(label="起始年", **YEAR)
    period_end = forms.IntegerField(label="截止年", **YEAR)
    baseline_year = forms.IntegerField(
        label="基期年", **YEAR, help_text="基期值所属的年份，通常为起始年的上一年"
    )
    period_label = forms.CharField(
        label="规划期名称", max_length=32, required=False, help_text="如“十五五”、2025年"
    )
    previous_period_label = forms.CharField(label="上一规划期名称", max_length=32, required=False)
    source = forms.CharField(label="来源文件", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        if editing:
            del self.fields["code"]


class IndicatorRowForm(forms.Form):
    """One indicator of the plan editor: what it is, where its actual comes from, its baseline and its
    targets (one per year of the period)."""

    code = forms.SlugField(label="代码", max_length=64)
    name = forms.CharField(label="指标", max_length=100)
    unit = forms.CharField(label="单位", max_length=16)
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择"), *IndicatorKind.choices])
    actual_source = forms.ChoiceField(label="实际值来源", choices=[("", "请选择"), *ActualSource.choices])
    derivation = forms.ChoiceField(label="推算口径", required=False)
    statistic = forms.ChoiceField(label="取自统计指标", required=False)
    baseline = forms.DecimalField(label="基期值", **AMOUNT)
    previous_period = forms.DecimalField(
        label="上一规划期累计", **AMOUNT, help_text="期间累计指标“较上一规划期翻番”的比较基数"
    )
    period_target = forms.DecimalField(label="规划期目标", **AMOUNT)
    threshold = forms.DecimalField(label="底线值", **AMOUNT, help_text="增幅、比重的底线，或每年个数")
    band = forms.DecimalField(label="允许偏离（百分点）", **AMOUNT)
    relates_to = forms.CharField(label="所涉指标代码", max_length=64, required=False)
    lead = forms.CharField(label="牵头单位", max_length=100, required=False)
    note = forms.CharField(label="说明", required=False, max_length=1000)

    def __init__(
        self,
        *args: Any,
        years: list[int],
        derivations: list[tuple[str, str]],
        statistics: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        self.fields["derivation"].choices = derivations
        self.fields["statistic"].choices = [("", "不取"), *((s.code, s.name) for s in statistics)]
        for year in years:
            self.fields[f"y{year}"] = forms.DecimalField(label=f"{year} 年目标", **AMOUNT)

    def year_fields(self) -> list[Any]:
        return [self[f"y{year}"] for year in self.years]

    def main_fields(self) -> list[Any]:
        """The indicator's own fields, before its yearly targets and the delete box."""
        years = {f"y{year}" for year in self.years}
        return [
            field for field in self.visible_fields() if field.name not in years and field.name != "DELETE"
        ]

    def content(self) -> dict[str, Any]:
        """The indicator in the plan file's shape."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ("code", "name", "unit", "kind", "actual_source", "derivation")},
            **{name: data[name] for name in ("relates_to", "lead", "note")},
            **{
                name: data[name]
                for name in ("baseline", "previous_period", "period_target", "threshold", "band")
            },
            "statistic": data["statistic"] or None,
            "yearly": {str(year): data[f"y{year}"] for year in self.years if data[f"y{year}"] is not None},
        }


class StatementRowForm(forms.Form):
    """A figure the document's text states, with its sentence: a target, or a result already achieved."""

    indicator = forms.ChoiceField(label="指标")
    claim = forms.ChoiceField(label="表述")
    value = forms.DecimalField(label="数值", max_digits=16, decimal_places=4)
    year = forms.IntegerField(label="年份", required=False, **YEAR)
    section = forms.CharField(label="所在章节", max_length=100, required=False)
    sentence = forms.CharField(label="原文", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, indicators: list[tuple[str, str]], claims: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "请选择"), *indicators]
        self.fields["claim"].choices = [("", "请选择"), *claims]


IndicatorRows = forms.formset_factory(IndicatorRowForm, extra=2, can_delete=True, max_num=200)
StatementRows = forms.formset_factory(StatementRowForm, extra=1, can_delete=True, max_num=300)


class RevisionForm(forms.Form):
    note = forms.CharField(
        label="修订说明", max_length=200, required=False, help_text="如：按市政府常务会议意见调整"
    )
    # the version the editor was opened at: a save over a later one (someone else's) would undo it unseen
    based_on = forms.IntegerField(
        label="所依据的版本", widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )


class PlanCopyForm(forms.Form):
    """Copy a plan as the start of a new one, its years moved on."""

    code = forms.SlugField(label="新规划编号", max_length=64, help_text="字母、数字、连字符，如 huzhou-2026")
    name = forms.CharField(label="新规划名称", max_length=200)
    years = forms.IntegerField(
        label="年份顺延",
        min_value=0,
        max_value=10,
        initial=1,
        help_text="如去年的计划复制为今年的，顺延 1 年",
    )
