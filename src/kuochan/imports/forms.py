from django import forms

from kuochan.core.forms import FilterForm, MonthField, flag
from kuochan.imports.specs import REGISTRY

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="导入类型",
        error_messages={"required": "请选择导入类型。", "invalid_choice": "请选择导入类型。"},
    )
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        error_messages={
            "required": "请选择要上传的 Excel 文件。",
            "invalid": "请选择要上传的 Excel 文件。",
            "empty": "上传的文件是空的。",
        },
    )

    month = MonthField(
        label="所属月份（工业经济月报）",
        required=False,
        help_text="表题中没有写月份时填写，如 2026-06；其他导入不用填",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sorted((kind, importer.title) for kind, importer in REGISTRY.items())

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                f"文件“{upload.name}”不是 .xlsx 格式；请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后再上传。"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大（{upload.size / 1048576:.1f} MB），单个文件不超过 50 MB。")
        return upload


class ApplyForm(forms.Form):
    skip_invalid = forms.BooleanField(required=False)


class RollbackForm(forms.Form):
    """The confirmation page's answer: a rollback is done only when asked for there."""

    confirm = forms.BooleanField(required=True)


class BatchFilter(FilterForm):
    """The batch list's query string: batches that skipped rows with errors, imported since a day; and the
    kind the upload form offers first (a page's 导入 link names its own)."""

    skipped = flag("仅看跳过错误行的批次")
    since = forms.DateField(label="导入日期起", required=False)
    kind = forms.ChoiceField(
        label="导入类型", required=False, choices=lambda: [("", "")] + [(k, k) for k in REGISTRY]
    )
