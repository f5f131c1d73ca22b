from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PATH_SEPARATOR = "."


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    ZONE = "zone", _("功能区")
    TOWN = "town", _("乡镇（街道）")
    PARK = "park", _("园区")


# Units that report to the city like a district does (区县, and zones such as 南太湖新区).
REPORTING_KINDS = (OrgKind.DISTRICT, OrgKind.ZONE)


class OrgUnit(models.Model):
    """A node of the administrative tree: province → city → district/zone → town/park, any depth.

    `path` is the materialised path of ids ("1.5.23."), so a subtree is `path__startswith`: one indexed
    query (PostgreSQL gets a varchar_pattern_ops index for it automatically).
    """

    SCOPE_PATH = "path"
    SCOPE_ENTERPRISE = None
    DETAIL_URL_NAME = "orgs:detail"

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    map_file = models.CharField(
        _("地图文件"),
        max_length=64,
        blank=True,
        help_text=_("该单位下级区域的地图（参考数据目录中的 GeoJSON）"),
    )
    map_name = models.CharField(
        _("地图区域名"), max_length=64, blank=True, help_text=_("在上级地图中的区域名称；为空表示不在地图上")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(code=""), name="org_unit_code_not_blank"),
            models.CheckConstraint(condition=~models.Q(name=""), name="org_unit_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(self.DETAIL_URL_NAME, args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_reporting_unit(self) -> bool:
        return self.kind in REPORTING_KINDS

    def audit_scope(self) -> tuple[str, None]:
        return (self.path, None)

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this unit, read off the path (no query)."""
        return [int(part) for part in self.path.split(PATH_SEPARATOR) if part]


class PathMove(models.Model):
    """A subtree re-hung elsewhere (a city put under its province): its paths went from `old_path` to
    `new_path`. What was stored with a copy of an owner's path when it was written (the audit trail, import
    batches: `scope_path`) keeps the old one, and is never rewritten; the scope reads it through these."""

    old_path = models.CharField(max_length=255)
    new_path = models.CharField(max_length=255)
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位迁移")
        verbose_name_plural = _("单位迁移")

    def __str__(self) -> str:
        return f"{self.old_path} → {self.new_path}"


def paths_through_moves(path: str) -> list[str]:
    """`path` and every path its subtree had before being re-hung (first `path`): the prefixes under which
    rows written before a move stored what now lies under `path`. One query, on a table of a few rows."""
    moves = list(PathMove.objects.order_by("-pk").values_list("old_path", "new_path"))
    found, pending = [path], [path]
    while pending:
        current = pending.pop()
        for old, new in moves:
            if current.startswith(new):  # the subtree was moved with a unit above it (or is that unit)
                earlier = old + current[len(new) :]
            elif new.startswith(current):  # a unit now below it was moved in from elsewhere
                earlier = old
            else:
                continue
            if earlier not in found:
                found.append(earlier)
                pending.append(earlier)
    return found
