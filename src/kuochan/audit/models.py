from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    IMPORT = "import", _("导入")
    CLI = "cli", _("命令行")
    SYSTEM = "system", _("系统")


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")


class AppendOnlyQuerySet(models.QuerySet):
    """Rows that are written once and never changed or deleted by the application (on PostgreSQL a trigger
    refuses it as well, whoever asks)."""

    refusal = "记录只能新增，不能修改或删除。"

    def update(self, **kwargs: object) -> int:
        raise PermissionDenied(self.refusal)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(self.refusal)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise PermissionDenied(AppendOnlyQuerySet.refusal)
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(AppendOnlyQuerySet.refusal)


class AuditEntry(AppendOnlyModel):
    """One change to one business object: who, when, from where, and each changed field before/after.

    Entries are never edited or deleted, by anyone: the application refuses it, and on PostgreSQL a trigger
    (migration 0004) refuses it to any SQL. `scope_path` is the org path of the object's
    owner at the time of the change, so the trail is data-scoped like everything else, even after the
    object is gone.
    """

    SCOPE_PATH = "scope_path"
    SCOPE_ENTERPRISE = "enterprise_id"

    # Lean on purpose: imports write one entry per row. Lists order by id (the order of writing); the
    # composite index below serves "this object's trail" and the content type; the two foreign keys carry
    # no database constraint (the trail is append-only and outlives what it points at, and a constraint
    # costs a check per row at commit), and the application's on_delete still applies.
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.DO_NOTHING,  # the entry keeps the id and the name; nothing rewrites it
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    changes = models.JSONField(_("变更内容"), default=dict)
    scope_path = models.CharField(max_length=255)
    enterprise_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    batch_id = models.BigIntegerField(_("导入批次"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # Scope filters are prefix matches: on PostgreSQL one pattern-ops index serves them.
            models.Index(
                fields=["scope_path"], name="audit_scope_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    @property
    def object_type_label(self) -> str:
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model else self.content_type.model

    @property
    def labelled_changes(self) -> list[tuple[str, str, str]]:
        """(field's Chinese name, before, after) as text (`audit.display`); read in bulk by `readable`."""
        if not hasattr(self, "shown_changes"):
            from kuochan.audit.display import readable

            readable([self])
        return self.shown_changes

    @property
    def actor_shown(self) -> str:
        """Who did it: the person's 姓名 where the account still has one, else the name recorded."""
        try:
            actor = self.actor if self.actor_id else None
        except ObjectDoesNotExist:
            actor = None
        return (actor.full_name if actor is not None else "") or self.actor_name

    @property
    def object_url(self) -> str | None:
        """The object's page, if it still has one."""
        if self.action == Action.DELETE:
            return None
        model = self.content_type.model_class()
        url_name = getattr(model, "DETAIL_URL_NAME", None)
        if url_name is None:
            return None
        try:
            return reverse(url_name, args=[self.object_id])
        except NoReverseMatch:
            return None
