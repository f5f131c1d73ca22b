"""What the round pages read: a round's dates, the entries ticked to nominate or review, the result list
upload with its document number and date, and the list's year."""

from __future__ import annotations

from django import forms

from kuochan.core.forms import FilterForm, ModelIdsField, flag
from kuochan.cultivation.models import Entry, Title
from kuochan.cultivation.round_services import DECISIONS
from kuochan.imports.forms import UploadForm

DATE = {"invalid": "应为日期，如 2026-05-31。", "required": "请填写日期。"}


class RoundsFilter(FilterForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    candidates = flag("计算达标未入库企业")  # every enterprise against every title's criteria: seconds


class RoundForm(forms.Form):
    title = forms.ModelChoiceField(
        label="称号",
        queryset=Title.objects.all(),
        error_messages={"invalid_choice": "请选择称号。", "required": "请选择称号。"},
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    opens_on = forms.DateField(label="启动日期", error_messages=DATE)
    nomination_deadline = forms.DateField(label="区县推荐截止", error_messages=DATE)
    review_deadline = forms.DateField(label="市级审核截止", error_messages=DATE)
    notice = forms.CharField(label="申报通知", max_length=200, required=False)


class RoundEditForm(RoundForm):
    """A round's dates and notice; its title and year stay."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["title"], self.fields["year"]


class EntriesForm(forms.Form):
    """Entries ticked on the round's page, among those the page offered."""

    entries = ModelIdsField(
        label="企业",
        queryset=Entry.objects.none(),
        error_messages={"required": "请选择企业。", "invalid_choice": "所选企业不在可选范围内。",
                        "invalid_pk_value": "所选企业不在可选范围内。"},
    )  # fmt: skip

    def __init__(self, *args: object, entries: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if entries is not None:
            self.fields["entries"].queryset = entries


class ReviewForm(EntriesForm):
    decision = forms.ChoiceField(
        label="审核意见",
        choices=[(key, label) for key, (label, _) in DECISIONS.items()],
        error_messages={"invalid_choice": "请选择审核意见。", "required": "请选择审核意见。"},
    )
    reason = forms.CharField(label="理由", max_length=200, required=False)


class ResultsForm(forms.Form):
    """The official result list and its document: what the import of kind title-results takes."""

    file = UploadForm.base_fields["file"]
    document_number = forms.CharField(label="认定文号", max_length=64)
    published_on = forms.DateField(label="发文日期", error_messages=DATE)
    clean_file = UploadForm.clean_file


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("update", "nominate", "review", "results", "close")],
        error_messages={"invalid_choice": "无法识别的操作。", "required": "无法识别的操作。"},
    )
