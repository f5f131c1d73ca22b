"""What the plan pages read from query strings and forms, typed: an odd value is a Chinese message on the
page, never a server error."""

import datetime as dt
from typing import Any

from django import forms

from kuochan.core.forms import FilterForm, IdField
from kuochan.imports.parsing import CellError, to_month


class MonthField(forms.Field):
    """A month typed as 2026-06, 2026/6 or 2026年6月, as its first day (None when empty)."""

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > 20:
            raise forms.ValidationError("应为年月，如 2026-06 或 2026年6月")
        try:
            month = to_month(text)
        except CellError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if month is None or not 1949 <= month.year <= 2100:  # e.g. a lone digit, read as a day of 1900
            raise forms.ValidationError("应为年月，如 2026-06 或 2026年6月")
        return month


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
