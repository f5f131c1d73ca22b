from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    APPLIED = "applied", _("已导入")
    ROLLED_BACK = "rolled_back", _("已回滚")


class ImportBatch(models.Model):
    """One applied import: who, when, which file, what it did. Its changes are the audit entries that
    carry its id (`AuditEntry.batch_id`), which is also what a rollback reads."""

    SCOPE_PATH = "scope_path"
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "imports:batch"

    kind = models.CharField(_("导入类型"), max_length=32)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件哈希"), max_length=64)
    stored_file = models.CharField(_("存档文件"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("导入人"), max_length=150)
    source = models.CharField(_("来源"), max_length=16)
    scope_path = models.CharField(max_length=255, db_index=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    skipped = models.PositiveIntegerField(_("跳过"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.APPLIED
    )
    rolled_back_at = models.DateTimeField(_("回滚时间"), null=True, blank=True)
    rolled_back_by = models.CharField(_("回滚人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])


class UploadStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    APPLYING = "applying", _("导入中")
    APPLIED = "applied", _("已导入")
    EXPIRED = "expired", _("已过期")
    REFUSED = "refused", _("未通过检查")


class ImportUpload(models.Model):
    """A file uploaded on the import page, between its preview and its apply: the worker checks it and
    keeps what the preview shows; applying it makes an `ImportBatch`. Only its uploader sees it. A file
    not applied within a day is deleted (`uploads_expire`, run daily)."""

    kind = models.CharField(_("导入类型"), max_length=32)
    file_name = models.CharField(_("文件名"), max_length=255)
    stored_file = models.CharField(_("暂存文件"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=UploadStatus.choices, default=UploadStatus.PREVIEW
    )
    preview = models.JSONField(_("预览"), null=True, blank=True)  # counts and the first problems
    month = models.DateField(_("所属月份"), null=True, blank=True)  # a monthly table whose title omits it
    # What else the kind takes besides the file, as text by name (a result list's round and document number):
    # the page that uploaded it set them; the import reads them from its `context`.
    options = models.JSONField(_("导入选项"), default=dict, blank=True)
    errors_file = models.CharField(_("错误清单"), max_length=255, blank=True)  # every problem, when many
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("待导入文件")
        verbose_name_plural = _("待导入文件")

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("imports:preview", args=[self.pk])
