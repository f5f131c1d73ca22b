"""Figures on pages (`{% load figures %}`): the `core.figures` formats, and a dash that says why.

    <th class="text-end">总投资（{{ unit }}）</th> … <td class="text-end">{{ project.total_wan|money:unit }}</td>
    {{ rate|percent }}   {{ month|month }}   {{ count|number }}   {{ value|number:2|or_dash:"未到期" }}

A missing value renders as a grey "—" followed by its reason (无数据 unless the filter is given another).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kuochan.core import figures

register = template.Library()


def dash(reason: str = figures.NO_DATA) -> SafeString:
    """The dash a page shows for a missing figure, with its reason beside it (readable on a phone too)."""
    return format_html('<span class="kc-dash">—<span class="kc-dash-why">{}</span></span>', reason)


def _or_dash(text: str | None, reason: str) -> str:
    return dash(reason) if text is None else text


@register.filter
def money(amount_wan: object, unit: str = figures.WAN) -> str:
    """An amount stored in 万元, shown in the table's unit (万元 or 亿元; the unit stands in the header)."""
    return _or_dash(figures.money_text(amount_wan, unit or figures.WAN), figures.NO_DATA)


@register.filter
def money_unit(amount_wan: object) -> str:
    """A lone amount with the unit its size calls for: "1.74 亿元"."""
    return _or_dash(figures.money_with_unit(amount_wan), figures.NO_DATA)


@register.filter
def number(value: object, places: int = 0) -> str:
    return _or_dash(figures.number_text(value, int(places)), figures.NO_DATA)


@register.filter
def quantity(value: object, places: int = 2) -> str:
    """A measured figure with separators and at most `places` decimals: 3,500 · 513.6."""
    return _or_dash(figures.quantity_text(value, int(places)), figures.NO_DATA)


@register.filter
def percent(value: object, places: int = 1) -> str:
    """A value already in percent, one decimal: 7.3%."""
    return _or_dash(figures.percent_text(value, int(places)), figures.NO_DATA)


@register.filter
def share(value: object, places: int = 1) -> str:
    """A fraction as a percentage: 0.725 → 72.5%."""
    return _or_dash(figures.share_text(value, int(places)), figures.NO_DATA)


@register.filter
def month(value: object) -> str:
    return _or_dash(figures.month_text(value), figures.NO_DATA)


@register.filter
def or_dash(value: object, reason: str = figures.NO_DATA) -> object:
    """The value, or a dash with `reason` (无数据, 不适用, 未到期 or a sentence) when it is None or empty.
    Applied after a format filter, it replaces that filter's 无数据 dash with the reason given."""
    if value is None or value == "" or (isinstance(value, str) and 'class="kc-dash"' in value):
        return dash(reason)
    return value


@register.simple_tag
def table_money_unit(values: object, attribute: str = "") -> str:
    """The unit a table of amounts reads best in (万元, or 亿元 when its median is 1 亿元 or more):
    `{% table_money_unit page.object_list "total_wan" as unit %}`."""
    items = list(values or [])
    if attribute:
        items = [getattr(item, attribute, None) for item in items]
    return figures.money_unit(items)
