"""Reads of the policy catalogue, matching (政策找企业 / 企业找政策) and applications, in the actor's scope.

Matching reads the facts of every enterprise and project in scope in a handful of queries, as known on
`as_of`, and evaluates every policy's rule against them in one pass."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kuochan.core.bulk import date_reader, raw_date, raw_values
from kuochan.core.scope import get_scoped_or_404, scoped_or_system
from kuochan.evaluation.models import EvaluationResult
from kuochan.evaluation.selectors import evaluation_year_known
from kuochan.orgs.models import PATH_SEPARATOR, REPORTING_KINDS, OrgUnit
from kuochan.policies.models import (
    Application,
    Attachment,
    Policy,
    PolicyBudget,
    PolicyState,
    Status,
    Subject,
)
from kuochan.policies.rules import (
    DATE_NAMES,
    ELIGIBLE,
    NOT_ELIGIBLE,
    OPERATOR_NAMES,
    OPERATORS,
    STATUS_LABELS,
    UNKNOWN,
    Field,
    Node,
    Outcome,
    Support,
    applies_within,
    describe,
    evaluate_all,
)
from kuochan.policies.rules import rule_from_data as parse_rule
from kuochan.projects.models import Project, ProjectStatus
from kuochan.projects.selectors import hundredths
from kuochan.registry.models import AnnualMetric, Enterprise, Honour, IndustryTag

# Statuses whose amount counts against the budget, and those still on their way.
APPROVED = (Status.PUBLICITY, Status.PAID)
IN_REVIEW = (Status.DISTRICT_REVIEW, Status.CITY_REVIEW, Status.RETURNED)
CLOSED = (Status.REJECTED, Status.WITHDRAWN)


def ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and of every unit above it, read off its own path ("1.5." → "1.", "1.5.")."""
    parts = [part for part in path.split(PATH_SEPARATOR) if part]
    return [PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR for i in range(len(parts))]


def _visible(actor: Any) -> Q:
    """The policies the actor reads: those that apply where they work (issued by their unit or a unit above
    it) and those issued within their area; drafts only within their area. An enterprise reads the published
    policies that apply to it or to one of its projects."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.sees_business_data:
        return Q(pk__in=[])
    published = ~Q(state=PolicyState.DRAFT)
    if actor.is_enterprise_user:
        if actor.enterprise_id is None:  # not yet linked: what applies where the account was placed
            return published & Q(issuer__path__in=ancestor_paths(actor.org_path or ""))
        homes = {
            *Enterprise.objects.filter(pk=actor.enterprise_id).values_list("district__path", flat=True),
            *Project.objects.filter(enterprise_id=actor.enterprise_id).values_list(
                "district__path", flat=True
            ),
        }
        return published & Q(issuer__path__in={p for home in homes for p in ancestor_paths(home)})
    if actor.org_path is None:
        return Q(pk__in=[])
    return (published & Q(issuer__path__in=ancestor_paths(actor.org_path))) | Q(
        issuer__path__startswith=actor.org_path
    )


def policies(*, actor: Any, active_only: bool = False) -> QuerySet[Policy]:
    """The catalogue the actor reads (None: the system, every policy): the city's policies and its districts'
    for city staff; for district staff their city's and their own district's; for an enterprise those that
    apply to it (政策要让企业看得到). `active_only`: in force and taking applications."""
    found = Policy.objects.select_related("issuer")
    if actor is not None:
        found = found.filter(_visible(actor))
    return found.filter(state=PolicyState.IN_FORCE, is_active=True) if active_only else found


def policies_for(*, actor: Any, enterprise: Enterprise) -> QuerySet[Policy]:
    """The open policies the actor reads that apply to an enterprise or to one of its projects (企业找政策)."""
    homes = {
        enterprise.district.path,
        *Project.objects.filter(enterprise=enterprise).values_list("district__path", flat=True),
    }
    areas = {path for home in homes for path in ancestor_paths(home)}
    return policies(actor=actor, active_only=True).filter(issuer__path__in=areas)


def policy_get(*, actor: Any, code: str) -> Policy:
    """One policy the actor may read; Policy.DoesNotExist otherwise (one outside their area is missing)."""
    return policies(actor=actor).get(code=code)


def policy_rule(policy: Policy) -> Node:
    return parse_rule(policy.rule)


def policy_support(policy: Policy) -> Support:
    return Support(policy.support_kind, policy.cap_wan, policy.share_pct, policy.share_base, policy.fixed_wan)


# Facts -----------------------------------------------------------------------------------------------


def _wan(hundredths_value: int | None) -> Decimal | None:
    return None if hundredths_value is None else Decimal(hundredths_value).scaleb(-2)


def enterprise_facts(enterprises: QuerySet[Enterprise], as_of: dt.date) -> dict[int, dict[str, Any]]:
    """The facts the rules read about each enterprise in `enterprises`, as known on as_of: above-scale on
    that day, honours held that year, last year's revenue and tax, the latest evaluation computed by then.
    Read without Django's per-value converters (money as exact hundredths)."""
    enterprises = enterprises.order_by()
    read = date_reader()
    facts: dict[int, dict[str, Any]] = {}
    rows = raw_values(
        enterprises.values_list(
            "id", "above_scale", raw_date("above_scale_since"), "size_class", "district__name",
            raw_date("established_on"),
        )
    )  # fmt: skip
    for pk, above, since, size, district, established in rows:
        since = read(since)
        facts[pk] = {
            "enterprise.above_scale": bool(above) and (since is None or since <= as_of),
            "enterprise.size_class": size or None,
            "enterprise.district": district or None,
            "enterprise.established_on": read(established),
            "enterprise.tags": set(),
            "enterprise.honours": set(),
        }
    for pk, tag in raw_values(enterprises.filter(tags__isnull=False).values_list("id", "tags__name")):
        facts[pk]["enterprise.tags"].add(tag)
    year = as_of.year
    held = Honour.objects.filter(enterprise__in=enterprises, year_granted__lte=year).filter(
        Q(year_lost__isnull=True) | Q(year_lost__gt=year)
    )
    for pk, kind in raw_values(held.order_by().values_list("enterprise_id", "kind")):
        facts[pk]["enterprise.honours"].add(kind)
    metrics = AnnualMetric.objects.filter(enterprise__in=enterprises, year=year - 1).order_by()
    for pk, revenue, tax in raw_values(
        metrics.values_list("enterprise_id", hundredths("revenue_wan"), hundredths("tax_wan"))
    ):
        facts[pk]["enterprise.revenue_wan"] = _wan(revenue)
        facts[pk]["enterprise.tax_wan"] = _wan(tax)
    evaluated = evaluation_year_known(as_of)
    if evaluated is not None:
        results = EvaluationResult.objects.filter(enterprise__in=enterprises, year=evaluated).order_by()
        for pk, klass, grade, low in raw_values(
            results.values_list("enterprise_id", "klass", "carbon_grade", "low_efficiency")
        ):
            facts[pk]["evaluation.class"] = klass or None
            facts[pk]["evaluation.carbon_grade"] = grade
            facts[pk]["evaluation.low_efficiency"] = bool(low)
    return facts


PROJECT_COLUMNS = {
    "project.project_type": "project_type",
    "project.is_renovation": "is_renovation",
    "project.total_wan": "total_wan",
    "project.equipment_wan": "equipment_wan",
    "project.zero_new_land": "zero_new_land",
    "project.is_provincial_major": "is_provincial_major",
    "project.is_ipo_funded": "is_ipo_funded",
    "project.chain": "chain__name",
}


MONEY_COLUMNS = {"total_wan", "equipment_wan"}


def project_facts(
    projects: QuerySet[Project], as_of: dt.date, of_enterprises: Mapping[int, dict[str, Any]] | None = None
) -> dict[int, dict[str, Any]]:
    """Each project's own facts and its enterprise's (a project rule may ask about both)."""
    columns = [hundredths(c) if c in MONEY_COLUMNS else c for c in PROJECT_COLUMNS.values()]
    rows = raw_values(projects.order_by().values_list("id", "enterprise_id", *columns))
    if of_enterprises is None:
        owners = Enterprise.objects.filter(pk__in=projects.order_by().values("enterprise_id"))
        of_enterprises = enterprise_facts(owners, as_of)
    money = [column in MONEY_COLUMNS for column in PROJECT_COLUMNS.values()]
    facts = {}
    for pk, enterprise_id, *values in rows:
        own = {
            name: _wan(value) if is_money else (None if value == "" else value)
            for name, value, is_money in zip(PROJECT_COLUMNS, values, money, strict=True)
        }
        facts[pk] = {**of_enterprises.get(enterprise_id, {}), **own}
    return facts


# Matching --------------------------------------------------------------------------------------------


class Candidate(NamedTuple):
    """An enterprise, or a project with its enterprise, that a policy was matched against."""

    enterprise_id: int
    enterprise_name: str
    uscc: str
    district: str
    project_id: int | None = None
    project_code: str = ""
    project_name: str = ""


class Match(NamedTuple):  # a tuple: a whole city's matches are made in one go
    candidate: Candidate
    outcome: Outcome


def _subjects(actor: Any, subject: str, enterprise: Enterprise | None) -> QuerySet:
    """The enterprises, or the projects, a policy about `subject` is matched against in the actor's scope."""
    if subject == Subject.PROJECT:
        # a terminated project is no longer anything a policy could support
        found = scoped_or_system(Project.objects.exclude(status=ProjectStatus.TERMINATED), actor)
        return found if enterprise is None else found.filter(enterprise=enterprise)
    found = scoped_or_system(Enterprise.objects.all(), actor)
    return found if enterprise is None else found.filter(pk=enterprise.pk)


def _candidates(subject: str, found: QuerySet) -> tuple[dict[int, Candidate], dict[int, str]]:
    """The candidates by id, and the path of each one's home unit (a project's district, or the
    enterprise's), which says which policies' areas it lies in."""
    if subject == Subject.PROJECT:
        rows = raw_values(
            found.order_by("enterprise__name", "code").values_list(
                "id",
                "enterprise_id",
                "enterprise__name",
                "enterprise__uscc",
                "district__name",
                "code",
                "name",
                "district__path",
            )
        )
        return (
            {row[0]: Candidate(*row[1:5], row[0], row[5], row[6]) for row in rows},
            {row[0]: row[7] for row in rows},
        )
    rows = raw_values(
        found.order_by("district__name", "name").values_list(
            "id", "name", "uscc", "district__name", "district__path"
        )
    )
    return {row[0]: Candidate(*row[:4]) for row in rows}, {row[0]: row[4] for row in rows}


def matching(
    *, actor: Any, as_of: dt.date, chosen: Iterable[Policy], enterprise: Enterprise | None = None
) -> dict[str, list[Match]]:
    """Every chosen policy against every enterprise or project in scope (or of one enterprise), in one
    pass: the facts of the enterprises concerned (those matched, and the owners of the projects matched,
    wherever they are registered) are read once, the projects' once, then each rule runs over them all.
    A policy matches only subjects within its issuing unit's area (a district's policy, its district's), and
    only while it is in force: a draft or a closed policy matches nothing."""
    chosen = list(chosen)
    subjects = {policy.subject: _subjects(actor, policy.subject, enterprise) for policy in chosen}
    concerned = Enterprise.objects.none()
    if Subject.ENTERPRISE in subjects:
        concerned = subjects[Subject.ENTERPRISE]
    if Subject.PROJECT in subjects:
        owners = Enterprise.objects.filter(
            pk__in=subjects[Subject.PROJECT].order_by().values("enterprise_id")
        )
        concerned = (
            owners
            if Subject.ENTERPRISE not in subjects
            else Enterprise.objects.filter(
                Q(pk__in=concerned.order_by().values("pk")) | Q(pk__in=owners.values("pk"))
            )
        )
    of_enterprises = enterprise_facts(concerned, as_of)
    candidates, homes = {}, {}
    for subject, found in subjects.items():
        candidates[subject], homes[subject] = _candidates(subject, found)
    facts = {
        subject: of_enterprises
        if subject == Subject.ENTERPRISE
        else project_facts(found, as_of, of_enterprises)
        for subject, found in subjects.items()
    }
    matched: dict[str, list[Match]] = {}
    for policy in chosen:
        if policy.state != PolicyState.IN_FORCE:
            matched[policy.code] = []
            continue
        area = policy.issuer.path
        ids = [pk for pk, home in homes[policy.subject].items() if applies_within(home, area)]
        outcomes = evaluate_all(policy_rule(policy), [facts[policy.subject][pk] for pk in ids])
        matched[policy.code] = [
            Match(candidates[policy.subject][pk], outcome) for pk, outcome in zip(ids, outcomes, strict=True)
        ]
    return matched


STATUS_ORDER = {ELIGIBLE: 0, UNKNOWN: 1, NOT_ELIGIBLE: 2}


def draft_counts(*, actor: Any, policy: Policy, rule: Any, as_of: dt.date) -> dict[str, int]:
    """How many enterprises (or projects) in scope a rule not yet saved would find 符合, 不符合 and 待核实:
    the policy's own matching, run on an unsaved copy carrying the draft rule."""
    draft = Policy(code=policy.code, subject=policy.subject, rule=rule, issuer=policy.issuer)
    return match_counts(matching(actor=actor, as_of=as_of, chosen=[draft])[policy.code])


def rule_value_options() -> dict[str, list[str]]:
    """The values the rule builder offers for fields whose values are names kept in the database: districts
    (and zones that report like one) and industry chains."""
    chains = list(IndustryTag.objects.order_by("name").values_list("name", flat=True))
    districts = OrgUnit.objects.filter(kind__in=REPORTING_KINDS).order_by("sort_order", "code")
    return {
        "enterprise.district": list(districts.values_list("name", flat=True)),
        "enterprise.tags": chains,
        "project.chain": chains,
    }


def matches_shown(matches: list[Match], status: str = "") -> list[Match]:
    """Eligible first, then those to verify; the not eligible only when asked for."""
    if status:
        return [m for m in matches if m.outcome.status == status]
    kept = [m for m in matches if m.outcome.status != NOT_ELIGIBLE]
    return sorted(kept, key=lambda m: STATUS_ORDER[m.outcome.status])


def match_counts(matches: list[Match]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for match in matches:
        counts[match.outcome.status] += 1
    return counts


# Applications ----------------------------------------------------------------------------------------


def applications(*, actor: Any) -> QuerySet[Application]:
    """Applications in the actor's scope (None: the system, all of them)."""
    return scoped_or_system(
        Application.objects.select_related("policy", "enterprise", "project", "district"), actor
    ).order_by("-id")


def application_get(*, actor: Any, pk: Any) -> Application:
    return get_scoped_or_404(
        Application.objects.select_related("policy", "enterprise", "project", "district"), actor, pk=pk
    )


def attachment_get(*, actor: Any, pk: Any) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    application_get(actor=actor, pk=attachment.application_id)
    return attachment


def review_queue(*, actor: Any, today: dt.date | None = None) -> tuple[QuerySet[Application], str]:
    """What waits for this actor, and how to say so: the enterprise its drafts and returns, district staff
    the 初审, city staff the 复审 and the payments whose publicity has ended; read-only users nothing."""
    found = applications(actor=actor)
    today = today or timezone.localdate()
    if actor.is_enterprise_user:
        return found.filter(status__in=(Status.DRAFT, Status.RETURNED)), "草稿和退回修改的申报"
    if not actor.can_edit:
        return found.none(), "只读账号没有待办"
    if actor.is_city_staff:
        due = Q(status=Status.CITY_REVIEW) | Q(status=Status.PUBLICITY, publicity_until__lt=today)
        return found.filter(due), "待市级复审和公示期满待拨付的申报"
    return found.filter(status=Status.DISTRICT_REVIEW), "待区县初审的申报"


@dataclass
class Funds:
    """One policy's money in a year: the city's budget and what the whole city approved against it, and
    the actor's scope's own share (in review, approved, paid)."""

    policy: Policy
    year: int
    budget_wan: Decimal | None
    city_approved_wan: Decimal
    requested_wan: Decimal
    approved_wan: Decimal
    paid_wan: Decimal
    applications: int

    @property
    def remaining_wan(self) -> Decimal | None:
        return None if self.budget_wan is None else self.budget_wan - self.city_approved_wan

    @property
    def used_pct(self) -> int | None:
        if not self.budget_wan:
            return None
        return int(self.city_approved_wan * 100 / self.budget_wan)


def approved_total(policy_id: int, year: int) -> Decimal:
    """What the approved applications of a policy and year take from its budget (paid or in publicity)."""
    found = Application.objects.filter(policy_id=policy_id, year=year, status__in=APPROVED)
    return _cents(found.aggregate(total=Sum("approved_wan"))["total"])


def _cents(total: Decimal | None) -> Decimal:
    """A sum of money as PostgreSQL gives it, to the cent; SQLite drops the trailing zeros."""
    return (total or Decimal(0)).quantize(Decimal("0.01"))


def funds(*, actor: Any, year: int) -> list[Funds]:
    """Per monetary policy and year: the city's budget, approved and remaining, and the actor's scope's
    applications in review, approved and paid. Staff only: enterprises see no budgets."""
    if actor is None or actor.is_enterprise_user:
        raise PermissionDenied("政策资金仅对工作人员开放。")
    budgets = dict(PolicyBudget.objects.filter(year=year).values_list("policy_id", "amount_wan"))
    city = dict(
        Application.objects.filter(year=year, status__in=APPROVED)
        .order_by()
        .values("policy_id")
        .annotate(total=Sum("approved_wan"))
        .values_list("policy_id", "total")
    )
    sums: dict[int, dict[str, Any]] = defaultdict(dict)
    found = applications(actor=actor).filter(year=year).order_by()
    rows = found.values("policy_id").annotate(
        requested=Sum("amount_wan", filter=Q(status__in=IN_REVIEW)),
        approved=Sum("approved_wan", filter=Q(status__in=APPROVED)),
        paid=Sum("paid_wan", filter=Q(status=Status.PAID)),
        count=Count("id", filter=~Q(status__in=CLOSED)),
    )
    for row in rows:
        sums[row["policy_id"]] = row
    return [
        Funds(
            policy,
            year,
            budgets.get(policy.pk),
            _cents(city.get(policy.pk)),
            _cents(sums[policy.pk].get("requested")),
            _cents(sums[policy.pk].get("approved")),
            _cents(sums[policy.pk].get("paid")),
            sums[policy.pk].get("count") or 0,
        )
        for policy in policies(actor=actor)
        if policy.is_monetary
    ]


def open_application_exists(policy: Policy, year: int, enterprise_id: int, project_id: int | None) -> bool:
    return (
        Application.objects.filter(
            policy=policy, year=year, enterprise_id=enterprise_id, project_id=project_id
        )
        .exclude(status__in=CLOSED)
        .exists()
    )


def award_list(*, actor: Any, policy: Policy, year: int, as_of: dt.date) -> list[Match]:
    """免申即享: the eligible subjects in scope that have no application for the policy and year yet."""
    eligible = [
        m
        for m in matching(actor=actor, as_of=as_of, chosen=[policy])[policy.code]
        if m.outcome.status == ELIGIBLE
    ]
    taken = set(
        Application.objects.filter(policy=policy, year=year)
        .exclude(status__in=CLOSED)
        .values_list("enterprise_id", "project_id")
    )
    return [m for m in eligible if (m.candidate.enterprise_id, m.candidate.project_id) not in taken]


def match_row(policy: Policy, match: Match) -> dict[str, Any]:
    """One match as the command, the API and the exports give it: stable keys, reasons in Chinese."""
    c, o = match.candidate, match.outcome
    return {
        "policy": policy.code, "policy_title": policy.title, "status": o.status,
        "status_label": STATUS_LABELS[o.status], "uscc": c.uscc, "enterprise": c.enterprise_name,
        "district": c.district, "project_code": c.project_code or None, "project": c.project_name or None,
        "met": o.met, "not_met": o.not_met, "unknown": o.unknown,
    }  # fmt: skip


def match_report(
    *,
    actor: Any,
    as_of: dt.date,
    chosen: list[Policy],
    enterprise: Enterprise | None = None,
    everyone: bool = False,
) -> dict[str, Any]:
    """Matching as data: per policy the counts and the matches shown (eligible and to verify, or all)."""
    found = matching(actor=actor, as_of=as_of, chosen=chosen, enterprise=enterprise)
    return {
        "as_of": as_of.isoformat(),
        "policies": [
            {
                "code": policy.code,
                "title": policy.title,
                "subject": policy.subject,
                "rule": describe(policy_rule(policy)),
                "counts": match_counts(found[policy.code]),
                "matches": [
                    match_row(policy, m)
                    for m in (found[policy.code] if everyone else matches_shown(found[policy.code]))
                ],
            }
            for policy in chosen
        ],
    }


def rule_builder_spec(fields: Mapping[str, Field]) -> dict[str, Any]:
    """What the rule builder offers for each of `fields` (the policies' own, or a title's): its label, kind and
    unit, the operations that apply to it in words, and its values (fixed choices, or names kept in the
    database)."""
    options = rule_value_options()
    return {
        "fields": [
            {
                "name": name,
                "label": spec.label,
                "kind": spec.kind,
                "unit": spec.unit,
                "choices": list(spec.choices.items()) or [(value, value) for value in options.get(name, [])],
                "ops": [
                    (op, (DATE_NAMES if spec.kind == "date" else OPERATOR_NAMES)[op])
                    for op, (_, kinds) in OPERATORS.items()
                    if spec.kind in kinds
                ],
            }
            for name, spec in fields.items()
        ]
    }
