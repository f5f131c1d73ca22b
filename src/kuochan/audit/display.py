"""The trail as officials read it: each changed field by its Chinese name, coded values by their labels,
other objects by their names (not their numbers), amounts with separators, times as dates, and the few
keys a service records beside the fields (a report's lights, a comment) in words.

A model may show one of its fields its own way with `audit_shown(field_name, value) -> str | None` (a
policy's eligibility rule reads back as its sentence)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from kuochan.audit.selectors import MASKED
from kuochan.core.figures import grouped, month_text

# Keys a service records that are not fields of the model, and the keys inside such values.
EXTRA_LABELS: dict[str, str] = {
    "lights": "亮灯情况",
    "red": "红灯",
    "yellow": "黄灯",
    "green": "绿灯",
    "none": "未亮灯",
    "comment": "留言",
    "participants_added": "新增参与人员",
}
EMPTY = "（空）"


def _names(entries: list[Any]) -> dict[tuple[type[models.Model], str], str]:
    """The names of the objects the entries' foreign keys point at, one query per model."""
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            continue
        for name, pair in entry.changes.items():
            field = _field(model, name)
            if isinstance(field, models.ForeignKey):
                wanted[field.related_model].update(str(v) for v in pair if v not in (None, "", MASKED))
    names: dict[tuple[type[models.Model], str], str] = {}
    for model, ids in wanted.items():
        valid = [pk for pk in ids if pk.isdigit()]
        for obj in model._default_manager.filter(pk__in=valid):
            names[(model, str(obj.pk))] = str(obj)
    return names


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a key a service records beside the fields, read by EXTRA_LABELS
        return None
    return field if getattr(field, "concrete", False) else None


def _label(model: type[models.Model] | None, name: str) -> str:
    field = _field(model, name) if model is not None else None
    if field is not None:
        return str(field.verbose_name)
    return EXTRA_LABELS.get(name, name)


def _structured(value: Any) -> str:
    if isinstance(value, dict):
        # PostgreSQL keeps a JSON object's keys in its own order (shortest first): known keys read in the
        # order of EXTRA_LABELS (红灯, 黄灯, 绿灯, 未亮灯), the rest after them as stored
        order = {key: rank for rank, key in enumerate(EXTRA_LABELS)}
        items = sorted(value.items(), key=lambda item: order.get(str(item[0]), len(order)))
        return "，".join(f"{EXTRA_LABELS.get(str(k), k)} {_structured(v)}" for k, v in items)
    if isinstance(value, list):
        return "、".join(_structured(v) for v in value) or EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return grouped(value, 0)
    return str(value)


def _when(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def shown_value(
    model: type[models.Model] | None,
    name: str,
    value: Any,
    names: dict[tuple[type[models.Model], str], str],
) -> str:
    """One value of one field as the trail shows it."""
    if value is None or value == "":
        return EMPTY
    if value == MASKED:
        return MASKED
    field = _field(model, name) if model is not None else None
    special = getattr(model, "audit_shown", None)
    if special is not None:
        text = special(name, value)
        if text is not None:
            return text
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is None:
        return _structured(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        if not str(value).isdigit():  # a service recorded the name itself
            return str(value)
        return names.get((field.related_model, str(value))) or f"编号 {value}（已不存在）"
    if isinstance(field, models.DecimalField):
        try:
            return grouped(value, field.decimal_places)
        except ArithmeticError:
            return str(value)
    if isinstance(field, models.DateTimeField):
        return _when(str(value))
    if isinstance(field, models.DateField) and name == "month":
        return month_text(str(value)) or str(value)
    if isinstance(field, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    return _structured(value)


def readable(entries: Iterable[Any]) -> list[Any]:
    """The entries, each with `shown_changes`: (field's Chinese name, before, after) as text, and
    `actor_shown`: the person by 姓名 where known. Foreign keys are named with one query per model."""
    entries = list(entries)
    names = _names(entries)
    for entry in entries:
        model = entry.content_type.model_class()
        entry.shown_changes = [
            (
                _label(model, name),
                shown_value(model, name, before, names),
                shown_value(model, name, after, names),
            )
            for name, (before, after) in entry.changes.items()
        ]
    return entries
