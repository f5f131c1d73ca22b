"""Stored monthly reports (月度通报): each generation's two files and the figures they were written from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlyReport(models.Model):
    """One generation of a month's report. A month may be generated again (late data, a corrected import);
    every generation is kept, the newest first."""

    month = models.DateField(_("月份"))  # its first day
    as_of = models.DateField(_("数据截至"))
    figures = models.JSONField(_("数据"))
    workbook = models.FileField(_("Excel 报表"), upload_to="reports/%Y/")
    document = models.FileField(_("Word 通报"), upload_to="reports/%Y/")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    generated_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    seconds = models.FloatField(_("用时（秒）"), default=0)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 月度通报"

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    def file_name(self, kind: str) -> str:
        """The name users see for the .xlsx or .docx, whatever name storage gave the file."""
        return f"{self.figures.get('unit', '')}增资扩产月度通报-{self.label}.{kind}"
