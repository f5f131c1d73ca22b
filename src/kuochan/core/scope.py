"""Data scope (数据权限): the one mechanism every selector and API endpoint uses.

A user's scope is the subtree of the org unit they belong to; an enterprise user's scope is their own
enterprise. The three administrators (system, security, audit) and an account without a role see no
business data at all (三员分立). Org units carry a materialised path ("1.5.23."), so a subtree is one indexed prefix
filter, whatever the depth of the tree.

A scoped model says where its owning path lies with two class attributes:

    SCOPE_PATH = "org_unit__path"        # lookup to the materialised path of the owning org unit
    SCOPE_ENTERPRISE = "enterprise_id"   # lookup to the owning enterprise, or None if enterprise
                                         # users never see this model
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from kuochan.accounts.models import User

M = TypeVar("M", bound=Model)


def scoped(queryset: QuerySet[M], actor: User) -> QuerySet[M]:
    """Rows of `queryset` the actor may see; nothing for an anonymous or inactive user."""
    model = queryset.model
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.sees_business_data:
        return queryset.none()
    if actor.is_enterprise_user:
        lookup = getattr(model, "SCOPE_ENTERPRISE", None)
        enterprise_id = getattr(actor, "enterprise_id", None)
        if lookup is None or enterprise_id is None:
            return queryset.none()
        return queryset.filter(**{lookup: enterprise_id})
    if actor.org_path is None:
        return queryset.none()
    return queryset.filter(path_filter(model.SCOPE_PATH, actor.org_path))


# The field of a model that stores a copy of its owner's path as it was when the row was written (the
# audit trail, import batches), rather than following the owner to its path today.
STORED_PATH = "scope_path"


def path_filter(lookup: str, path: str) -> Q:
    """Rows under `path` by their `lookup`; a stored path (`STORED_PATH`) also under the paths the subtree had
    before it was re-hung (a city put under its province keeps its trail)."""
    if lookup != STORED_PATH:
        return Q(**{f"{lookup}__startswith": path})
    from kuochan.orgs.models import paths_through_moves

    found = Q()
    for prefix in paths_through_moves(path):
        found |= Q(**{f"{lookup}__startswith": prefix})
    return found


def scoped_or_system(queryset: QuerySet[M], actor: User | None) -> QuerySet[M]:
    """`scoped`, except that no actor means the system itself (a CLI run without --user): everything."""
    return queryset if actor is None else scoped(queryset, actor)


def get_scoped_or_404(queryset: QuerySet[M], actor: User, **lookup: object) -> M:
    """One row in the actor's scope. A row outside it is indistinguishable from a missing one."""
    try:
        return scoped(queryset, actor).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def scope_root(actor: User) -> str | None:
    """The org path whose subtree is the actor's, or None for one whose scope is no subtree (an enterprise
    user, an administrator, an account without a unit)."""
    if actor.sees_business_data and actor.org_path is not None and not actor.is_enterprise_user:
        return actor.org_path
    return None


def path_in_scope(path: str, actor: User, *, stored: bool = False) -> bool:
    """Whether an org path lies in the actor's subtree (used for writes before a row exists). `stored`: a
    path stored when a row was written (`STORED_PATH`), which may be one from before its subtree moved."""
    root = scope_root(actor)
    if root is None:
        return False
    if not stored:
        return path.startswith(root)
    from kuochan.orgs.models import paths_through_moves

    return any(path.startswith(prefix) for prefix in paths_through_moves(root))


OUT_OF_SCOPE = "不在您的数据范围内。"


def _follow(obj: Model, lookup: str) -> object:
    """The value at a `SCOPE_PATH`-style lookup ("district__path") read through the object's relations."""
    value: object = obj
    for part in lookup.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def in_scope(actor: User | None, obj: Model) -> bool:
    """Whether the actor may see `obj`, read from the object itself by its model's SCOPE_PATH and
    SCOPE_ENTERPRISE (the same rule as `scoped`, for one object in hand). No actor is the system."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.sees_business_data:
        return False
    if actor.is_enterprise_user:
        lookup = getattr(type(obj), "SCOPE_ENTERPRISE", None)
        enterprise_id = getattr(actor, "enterprise_id", None)
        return lookup is not None and enterprise_id is not None and _follow(obj, lookup) == enterprise_id
    lookup = type(obj).SCOPE_PATH
    path = _follow(obj, lookup)
    return isinstance(path, str) and path_in_scope(path, actor, stored=lookup == STORED_PATH)


def ensure_in_scope(actor: User | None, *objects: Model, message: str = OUT_OF_SCOPE) -> None:
    """Refuse (PermissionDenied, in Chinese) unless every object handed to a service is in the actor's scope.
    Services call this on each object they are given, so no page, API call or command can forget it."""
    for obj in objects:
        if not in_scope(actor, obj):
            raise PermissionDenied(message)


# Units whose staff act city-wide (or province-wide) over their own subtree.
CITY_LEVEL_KINDS = ("province", "city")


def city_level(actor: User | None) -> bool:
    """Whether the actor may take city-wide decisions: city staff by role *and* placed at a city (or
    province) unit, over that unit's subtree only. No actor is the system."""
    if actor is None:
        return True
    unit = actor.org_unit if getattr(actor, "org_unit_id", None) else None
    return actor.is_city_staff and unit is not None and unit.kind in CITY_LEVEL_KINDS


def ensure_city_level(actor: User | None, refusal: str, *objects: Model) -> None:
    """Refuse (PermissionDenied, with the caller's Chinese message) anyone but city-level staff, and then
    any object outside their subtree: one city's staff never act on another city's data."""
    if not city_level(actor):
        raise PermissionDenied(refusal)
    ensure_in_scope(actor, *objects)
