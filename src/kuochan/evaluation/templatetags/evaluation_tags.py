"""Badges that give each class and each carbon grade the same colour on every page (app.css `kc-class-*`
and `kc-grade-*`, the colours of `rules.CLASS_COLOURS` and `rules.GRADE_COLOURS`)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kuochan.evaluation.rules import CLASS_LABELS

register = template.Library()


@register.filter
def class_badge(klass: str | None) -> str:
    if not klass:
        return mark_safe('<span class="text-secondary" title="不在评价范围">未评价</span>')
    return format_html(
        '<span class="badge text-white kc-class-{}" title="{}" data-class="{}">{}</span>',
        klass, CLASS_LABELS[klass], klass, klass,
    )  # fmt: skip


@register.filter
def grade_badge(grade: int | None) -> str:
    if not grade:
        return mark_safe('<span class="text-secondary" title="数据不足，未赋码">无</span>')
    return format_html(
        '<span class="badge text-white kc-grade-{}" title="碳效码 {} 级" data-grade="{}">{} 级</span>',
        grade, grade, grade, grade,
    )  # fmt: skip
