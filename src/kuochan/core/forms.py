"""Reading what users type into forms and query strings, and bringing a service's ValidationError back
onto the form the user filled in."""

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

from kuochan.imports.parsing import CellError, to_month


def error_map(exc: ValidationError, default_field: str = "__all__") -> dict[str, list[str]]:
    """{field: [messages]} for any ValidationError, with or without field names."""
    return exc.message_dict if hasattr(exc, "error_dict") else {default_field: exc.messages}


def add_service_errors(form: forms.Form, exc: ValidationError, default_field: str | None = None) -> None:
    """Each message on its field, or on `default_field`, or above the form when the field is not on it."""
    for field, errors in error_map(exc, default_field or "__all__").items():
        form.add_error(field if field in form.fields else None, errors)


def refusal(exc: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one Chinese message for the page (every problem of a ValidationError)."""
    if not isinstance(exc, ValidationError):
        return str(exc) or "无权执行此操作。"
    return "；".join(message.removesuffix("。") for message in exc.messages) + "。"


def form_refusal(form: forms.Form) -> str:
    """A form's problems as one Chinese message for the page, each after its field's label."""
    found = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        found.extend(f"{label}：{error}" if label else error for error in errors)
    return "；".join(found)


def date_or_none(value: str | None) -> dt.date | None:
    """An ISO date typed into a form or a query string (2026-06-30), or None when empty or not a date."""
    try:
        return dt.date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


# The largest id a database integer key holds (bigint): a longer number in a query string is a message,
# never an overflow in the database driver.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A row id typed into a query string or a form: a positive whole number that fits the database."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class ModelIdsField(forms.ModelMultipleChoiceField):
    """Rows ticked on a form, by id: an id that is no whole number or is too long for the database is
    refused as an invalid choice before any query (the database driver would overflow on it)."""

    def _check_values(self, value: Iterable[object]) -> object:
        ids = IdField()
        for pk in value:
            try:
                ids.clean(pk)
            except ValidationError as exc:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                ) from exc
        return super()._check_values(value)


# A month as a person types it (2026-06, 2026/6, 2026年6月, 202606, or a date in the month): ASCII digits
# and separators only, so that "²" or a spreadsheet serial number is not taken for a month.
MONTH_TEXT = re.compile(r"[\d\s\-/.年月日]{4,20}", re.ASCII)
MONTH_EXPECTED = "月份应为 YYYY-MM，如 2026-06 或 2026年6月。"


class MonthField(forms.Field):
    """A month typed as officials type it, as its first day (None when left empty)."""

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        try:
            month = to_month(text) if MONTH_TEXT.fullmatch(text) else None
        except CellError:
            month = None
        if month is None:
            raise forms.ValidationError(MONTH_EXPECTED)
        return month


class NumberField(forms.CharField):
    """An amount or a quantity typed into a form, thousands separators allowed; None when empty. Anything
    that is not a finite number is refused with the value as typed."""

    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value).replace(",", "")
        if not text:
            return None
        try:
            number = Decimal(text) if len(text) <= 40 else Decimal("NaN")
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValidationError(f"应为数字，收到“{str(value)[:40]}”。", code="invalid")
        return number


class FilterForm(forms.Form):
    """A list page's query parameters, typed. A value that does not parse is dropped (the field takes its
    empty value) and named in `problems`, so the page still shows and says what it ignored; it is never a
    500. Subclasses declare the fields with required=False; `values` is what the selector gets."""

    def __init__(self, data: object = None, **kwargs: object) -> None:
        super().__init__(data if data is not None else {}, **kwargs)
        self.full_clean()

    @property
    def values(self) -> dict[str, object]:
        """Every field's parsed value, or its empty value (`initial` where one is set) when it was invalid."""
        values = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in field.empty_values and field.initial is not None:
                value = field.initial
            if value is None and name not in self.cleaned_data:  # refused: what the field makes of no value
                value = self._empty_value(field)
            values[name] = value
        return values

    @staticmethod
    def _empty_value(field: forms.Field) -> object:
        """The value the field gives for an empty entry (a typed choice's `empty_value`, a number's None)."""
        try:
            return field.clean("")
        except ValidationError:
            return field.to_python(None)

    @property
    def problems(self) -> list[str]:
        """One Chinese message per ignored parameter: its label, the value given and what was expected."""
        found = []
        for name, errors in self.errors.items():
            if name == "__all__":
                found.extend(errors)
                continue
            label = self.fields[name].label or name
            given = self.data.get(name, "") if hasattr(self.data, "get") else ""
            found.append(f"筛选条件「{label}」的值“{str(given)[:40]}”无效，已忽略：{'；'.join(errors)}")
        return found


YES_NO = (("1", "是"), ("0", "否"))


def flag(label: str, initial: bool | None = None) -> forms.TypedChoiceField:
    """A 1/0 switch in a query string (a checkbox would read "0" as ticked)."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
        initial=initial,
    )


def choice(label: str, choices: Iterable[tuple[str, str]]) -> forms.ChoiceField:
    """A filter's optional choice, empty meaning all."""
    return forms.ChoiceField(label=label, choices=[("", "全部"), *choices], required=False)


def filter_values(
    request: HttpRequest, form_class: type[FilterForm], **kwargs: object
) -> tuple[FilterForm, dict]:
    """Parse a list page's query string with `form_class`; each ignored value becomes a warning on the page."""
    form = form_class(request.GET, **kwargs)
    for problem in form.problems:
        messages.warning(request, problem)
    return form, form.values


class _PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)


def page_of(request: HttpRequest, rows: Any, per_page: int = 50) -> Page:
    """The page of `rows` a list page's `page` parameter asks for, read through a form: anything that is not
    a page number is the first page, a number past the end the last one."""
    form = _PageForm(request.GET)
    number = form.cleaned_data.get("page") if form.is_valid() else None
    return Paginator(rows, per_page).get_page(number or 1)


def chosen(data: QueryDict, name: str, choices: Iterable[str]) -> str:
    """Which of `choices` the parameter `name` names (a submit button's action, `export=xlsx`, a role),
    read through a form; '' for anything else."""
    field = forms.ChoiceField(choices=[(choice, choice) for choice in choices], required=False)
    form = type("ChoiceForm", (forms.Form,), {name: field})(data)
    return form.cleaned_data[name] if form.is_valid() else ""


def list_query(request: HttpRequest) -> str:
    """The list page's filters as a query string, without its page number or an export: what the pager's
    links and the export button carry, so a list keeps its filters in the URL."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return query.urlencode()
