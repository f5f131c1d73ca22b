"""The enterprise portal's inputs: a list's filter, a new ticket with its project and files, and the
enterprise's evaluation of a resolved ticket."""

from django import forms

from kuochan.core.forms import FilterForm, IdField, choice
from kuochan.outreach.rules import CATEGORY_LABELS, SATISFACTION_LABELS, STATUS_LABELS


class TicketFilter(FilterForm):
    status = choice("状态", STATUS_LABELS.items())


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; none at all is fine."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(required=False, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class TicketForm(forms.Form):
    category = forms.ChoiceField(label="诉求类别", choices=list(CATEGORY_LABELS.items()))
    title = forms.CharField(label="诉求事项", max_length=200)
    description = forms.CharField(label="具体情况", max_length=5000, required=False, widget=forms.Textarea)
    project = IdField(label="关联项目")
    files = MultipleFileField(label="附件（可多选：PDF、图片、Word、Excel，每个不超过 20 MB）")


class TicketReplyForm(forms.Form):
    """评价 (satisfied or basically: closes it), 不满意 (reopens it, with why), or a comment."""

    action = forms.ChoiceField(
        label="操作",
        choices=[("review", "评价并结案"), ("reopen", "不满意，请求重新办理"), ("comment", "留言")],
    )
    satisfaction = forms.ChoiceField(
        label="满意度", choices=[("", "请选择"), *SATISFACTION_LABELS.items()], required=False
    )
    note = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea)
    files = MultipleFileField(label="补充附件")
