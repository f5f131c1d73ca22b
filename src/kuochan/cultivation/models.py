"""Titles the bureau grows enterprises into (培育): each with its ladder, issuing level, the registry honour it
corresponds to, and its published criteria kept as data in the policy rule language."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TitleLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class Title(models.Model):
    """A title and its criteria. `criteria` is a list of {code, text, rule, source, inclusive, verified}:
    `rule` is a rule of the policy language (`cultivation.rules.criterion_rule` reads it), a placeholder
    ({"placeholder": …}) where the published text gives no figure or the registry lacks the data."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("称号"), max_length=100)
    ladder = models.CharField(_("梯度"), max_length=32, blank=True)
    rank_in_ladder = models.PositiveSmallIntegerField(_("梯度层级"), null=True, blank=True)
    level = models.CharField(_("认定层级"), max_length=16, choices=TitleLevel.choices)
    honour_kind = models.CharField(_("对应荣誉"), max_length=32, blank=True)
    criteria = models.JSONField(_("认定条件"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("培育称号")
        verbose_name_plural = _("培育称号")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, None]:
        return ("", None)  # the library is shared: city admins see its trail
