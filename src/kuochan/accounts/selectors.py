from typing import Any

from django.db.models import QuerySet

from kuochan.accounts.models import ApiToken, User
from kuochan.core.scope import get_scoped_or_404, scoped


def users(*, actor: Any) -> QuerySet[User]:
    return scoped(User.objects.select_related("org_unit"), actor).order_by("org_unit__path", "username")


def user_get(*, actor: Any, pk: Any) -> User:
    return get_scoped_or_404(User.objects.select_related("org_unit"), actor, pk=pk)


def own_tokens(*, actor: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)
