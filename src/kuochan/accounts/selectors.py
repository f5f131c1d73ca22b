import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kuochan.accounts.models import ADMIN_ROLES, ApiToken, SecurityEvent, SecurityPolicy, User
from kuochan.core.scope import get_scoped_or_404, scoped
from kuochan.registry.models import Enterprise
from kuochan.registry.rules import normalise_code, uscc_problem

POLICY_CACHE_KEY = "accounts:security-policy"
POLICY_CACHE_SECONDS = 60  # another process sees a changed policy within a minute


def security_policy() -> SecurityPolicy:
    """The policy in force: the saved one, or the defaults (with the ages set in the environment)."""
    policy = cache.get(POLICY_CACHE_KEY)
    if policy is None:
        policy = SecurityPolicy.objects.first() or SecurityPolicy(
            password_days=settings.KUOCHAN_PASSWORD_DAYS, idle_minutes=settings.KUOCHAN_IDLE_MINUTES
        )
        cache.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
    return policy


def managed_users(*, actor: Any) -> QuerySet[User]:
    """The accounts an administrator looks after: those of their unit's subtree (and unassigned ones)."""
    if actor.role not in ADMIN_ROLES or not actor.is_active or actor.org_path is None:
        return User.objects.none()
    in_subtree = Q(org_unit__path__startswith=actor.org_path) | Q(org_unit__isnull=True)
    return User.objects.select_related("org_unit", "enterprise").filter(in_subtree)


def users(*, actor: Any) -> QuerySet[User]:
    found = managed_users(actor=actor) if actor.role in ADMIN_ROLES else scoped(User.objects, actor)
    return found.select_related("org_unit").order_by("org_unit__path", "username")


def user_get(*, actor: Any, pk: Any) -> User:
    """One account: in an administrator's charge, or (for everyone else) in their data scope; else 404."""
    if actor.role in ADMIN_ROLES:
        try:
            return managed_users(actor=actor).get(pk=pk)
        except (User.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc
    return get_scoped_or_404(User.objects.select_related("org_unit"), actor, pk=pk)


def own_tokens(*, actor: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor)


@dataclass(frozen=True)
class SecurityLogFilter:
    kind: str | None = None
    username: str | None = None
    ip: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def security_events(*, actor: Any, filters: SecurityLogFilter | None = None) -> QuerySet[SecurityEvent]:
    """The login and security log, newest first: for the auditor only (三员分立)."""
    if not getattr(actor, "is_auditor", False):
        return SecurityEvent.objects.none()
    found = SecurityEvent.objects.select_related("user")
    f = filters or SecurityLogFilter()
    if f.kind:
        found = found.filter(kind=f.kind)
    if f.username:
        found = found.filter(username=f.username.strip())
    if f.ip:
        found = found.filter(ip=f.ip.strip()) if _is_ip(f.ip.strip()) else found.none()
    if f.date_from:
        found = found.filter(at__date__gte=f.date_from)
    if f.date_to:
        found = found.filter(at__date__lte=f.date_to)
    return found


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def enterprise_by_uscc(text: str) -> Enterprise | None:
    """The enterprise an account belongs to, by the USCC the system administrator types (they see no
    business data, so they are not offered a list)."""
    if not text.strip():
        return None
    code = normalise_code(text)
    if problem := uscc_problem(code):
        raise ValidationError(f"{problem}。")
    found = Enterprise.objects.filter(uscc=code).first()
    if found is None:
        raise ValidationError(f"没有统一社会信用代码为 {code} 的企业，请先在企业库中登记。")
    return found


def locked_users(*, actor: Any, at: dt.datetime) -> QuerySet[User]:
    """The accounts in the administrator's charge locked at `at`: as many failed sign-ins within the
    policy's lockout minutes before it as the policy allows (the lock lifts by itself when they age out)."""
    policy = security_policy()
    since = at - dt.timedelta(minutes=policy.lockout_minutes)
    failed = (
        SecurityEvent.objects.filter(kind__in=SecurityEvent.FAILURES, at__gt=since, at__lte=at)
        .order_by()
        .values("username")
        .annotate(count=Count("id"))
        .filter(count__gte=policy.lockout_account_failures)
        .values("username")
    )
    return managed_users(actor=actor).filter(username__in=failed)
