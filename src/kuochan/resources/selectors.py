"""Reads of 要素保障 in the actor's scope: pools with their balances, ledgers, requests, the recommended
allocation of a pool, and advances with their repayment lights."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import QuerySet, Sum
from django.utils import timezone

from kuochan.core.bulk import raw_values
from kuochan.core.money import CENT
from kuochan.core.scope import get_scoped_or_404, scoped, scoped_or_system
from kuochan.evaluation.models import EvaluationResult
from kuochan.evaluation.selectors import evaluation_year_known
from kuochan.imports.parsing import hundredths_decimal
from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
from kuochan.projects.models import ProjectStatus
from kuochan.projects.selectors import hundredths
from kuochan.resources.models import (
    Advance,
    Installment,
    Listing,
    ListingStatus,
    Movement,
    MovementKind,
    Pool,
    Request,
    RequestStatus,
    SpaceNeed,
)
from kuochan.resources.rules import (
    Allocation,
    Claim,
    Fit,
    Need,
    RepaymentLight,
    Space,
    allocate,
    best_spaces,
    repayment_light,
)


def pools(*, actor: Any, year: int | None = None) -> QuerySet[Pool]:
    """Pools in scope with their balance (`balance`), the city's first, then by unit and element."""
    found = scoped_or_system(Pool.objects.select_related("org_unit"), actor).annotate(
        balance=Sum("movements__delta")
    )
    return found.filter(year=year) if year else found


def pool_get(*, actor: Any, pk: Any) -> Pool:
    return get_scoped_or_404(
        Pool.objects.select_related("org_unit").annotate(balance=Sum("movements__delta")), actor, pk=pk
    )


def ledger(pool: Pool) -> QuerySet[Movement]:
    return pool.movements.select_related("counterpart__org_unit", "request__project").order_by("id")


def requests(*, actor: Any) -> QuerySet[Request]:
    return scoped(
        Request.objects.select_related("pool__org_unit", "project__district", "project__enterprise"), actor
    )


class Pending(NamedTuple):
    """A pending request as the allocation reads, weighs and shows it."""

    pk: int
    amount: Decimal
    minimum: Decimal
    override_low_efficiency: bool
    project_code: str
    project_name: str
    enterprise_id: int
    enterprise_name: str
    district_name: str
    tax_wan: Decimal | None
    output_wan: Decimal | None


def pending_requests(pool: Pool) -> list[Pending]:
    """The pool's pending requests with what the allocation needs of their projects, in one query read
    without model instances (a province's pool has thousands of requests, a project row is wide)."""
    rows = raw_values(
        pool.requests.filter(status=RequestStatus.PENDING)
        .exclude(project__status=ProjectStatus.TERMINATED)  # a terminated project needs nothing any more
        .order_by("id")
        .values_list(
            "id", hundredths("amount"), hundredths("minimum"), "override_low_efficiency", "project__code",
            "project__name", "project__enterprise_id", "project__enterprise__name", "project__district__name",
            hundredths("project__capacity_tax_wan"), hundredths("project__capacity_output_wan"),
        )
    )  # fmt: skip
    money = hundredths_decimal
    return [
        Pending(pk, money(amount), money(minimum), bool(override), *names, money(tax), money(output))
        for pk, amount, minimum, override, *names, tax, output in rows
    ]


def claims(pending: list[Pending], as_of: dt.date) -> list[Claim]:
    """The pending requests as the optimiser sees them: the project's expected tax and output at capacity,
    and its enterprise's evaluation as known on as_of."""
    year = evaluation_year_known(as_of)
    evaluated: dict[int, tuple[str, int | None, bool]] = {}
    if year is not None:
        rows = EvaluationResult.objects.filter(
            year=year, enterprise_id__in={r.enterprise_id for r in pending}
        ).values_list("enterprise_id", "klass", "carbon_grade", "low_efficiency")
        evaluated = {pk: (klass, grade, bool(low)) for pk, klass, grade, low in rows}
    found = []
    for r in pending:
        klass, grade, low = evaluated.get(r.enterprise_id, ("", None, False))
        found.append(
            Claim(
                r.pk, f"{r.project_name}（{r.enterprise_name}）", r.amount, r.minimum, r.tax_wan, r.output_wan,
                klass, grade, low,
                r.override_low_efficiency,
            )
        )  # fmt: skip
    return found


def cents(total: Decimal | None) -> Decimal:
    """A sum as PostgreSQL gives it, to the cent (SQLite drops trailing zeros)."""
    return (total or Decimal(0)).quantize(CENT)


def balance_of(pool_id: int) -> Decimal:
    """A pool's balance: the sum of its ledger."""
    return cents(Movement.objects.filter(pool_id=pool_id).aggregate(total=Sum("delta"))["total"])


def with_held(requests: QuerySet[Request], limit: int | None = None) -> list[tuple[Request, Decimal]]:
    """Requests (the first `limit`) with what each holds now, allocations less releases, summed in the
    same query."""
    found = requests.annotate(ledger=Sum("movements__delta"))
    return [(r, -cents(r.ledger)) for r in (found[:limit] if limit else found)]


def balance(pool: Pool) -> Decimal:
    return balance_of(pool.pk)


@dataclass(frozen=True)
class Recommendation:
    pool: Pool
    as_of: dt.date
    requests: list[Pending]
    allocation: Allocation

    def rows(self) -> list[tuple[Pending, Any]]:
        return list(zip(self.requests, self.allocation.grants, strict=True))


def recommendation(pool: Pool, as_of: dt.date | None = None) -> Recommendation:
    """The optimal allocation of the pool's balance across its pending requests, as known on as_of."""
    as_of = as_of or timezone.localdate()
    pending = pending_requests(pool)
    return Recommendation(pool, as_of, pending, allocate(claims(pending, as_of), balance(pool)))


def recommendation_report(found: Recommendation) -> dict[str, Any]:
    """The recommendation as data: what `kuochan allocate --format json` and the API give."""
    a = found.allocation
    return {
        "pool": {
            "id": found.pool.pk,
            "name": str(found.pool),
            "unit": found.pool.unit,
            "balance": str(a.balance),
        },
        "as_of": found.as_of.isoformat(),
        "total": str(a.total),
        "benefit": round(a.benefit, 3),
        "threshold": None if a.threshold is None else round(a.threshold, 3),
        "binding": list(a.binding),
        "requests": [
            {
                "id": r.pk,
                "project_code": r.project_code,
                "project": r.project_name,
                "enterprise": r.enterprise_name,
                "district": r.district_name,
                "amount": str(r.amount),
                "minimum": str(r.minimum),
                "granted": str(g.amount),
                "weight": None if g.weight is None else round(g.weight, 3),
                "reasons": list(g.reasons),
            }
            for r, g in found.rows()
        ],
    }


@dataclass(frozen=True)
class AdvanceRow:
    advance: Advance
    repaid: Decimal
    light: RepaymentLight


def advances(*, actor: Any, as_of: dt.date | None = None) -> list[AdvanceRow]:
    """Advances in scope (the borrowing district's, or all for the city) with their lights on as_of, from
    the schedule and what was repaid by then: three queries, whatever the number of advances."""
    as_of = as_of or timezone.localdate()
    found = list(
        scoped_or_system(
            Advance.objects.select_related("lender__org_unit", "borrower__org_unit"), actor
        ).order_by("-id")
    )
    ids = [a.pk for a in found]
    schedules: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for advance_id, due_on, amount in Installment.objects.filter(advance_id__in=ids).values_list(
        "advance_id", "due_on", "amount"
    ):
        schedules[advance_id].append((due_on, amount))
    end = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
    repaid = dict(
        Movement.objects.filter(advance_id__in=ids, kind=MovementKind.REPAY_IN, at__lte=end)
        .values("advance_id")
        .annotate(total=Sum("delta"))
        .values_list("advance_id", "total")
    )
    return [
        AdvanceRow(a, repaid.get(a.pk) or Decimal(0), repayment_light(schedules[a.pk], repaid.get(a.pk) or Decimal(0), a.amount, as_of))
        for a in found
    ]  # fmt: skip


def project_requests(project_id: int) -> QuerySet[Request]:
    return Request.objects.filter(project_id=project_id).select_related("pool__org_unit").order_by("-id")


def pools_for_project(project: Any, year: int) -> QuerySet[Pool]:
    """The pools a project may ask: its district's and those of the units above it, for the year."""
    return (
        Pool.objects.filter(year=year, org_unit_id__in=project.district.ancestor_ids())
        .select_related("org_unit")
        .order_by("org_unit__path", "element")
    )


# Factory-space market ----------------------------------------------------------------------------------


def listings(*, status: str = "") -> QuerySet[Listing]:
    """The market's listings: every signed-in user may look for space, whatever their scope."""
    found = Listing.objects.select_related("area").order_by("code")
    return found.filter(status=status) if status else found


def space_of(listing: Listing, reporting: set[int]) -> Space:
    """A listing as the matching sees it, with the district (or zone) its park lies in: the ancestor that is
    a reporting unit, read off the path."""
    district = next((pk for pk in listing.area.ancestor_ids() if pk in reporting), None)
    return Space(
        listing.pk, district, listing.floor_area_m2, listing.floor_height_m, listing.floor_load_t_m2,
        listing.crane_t, listing.power_kva, listing.rent_yuan_m2_month, listing.available_from,
    )  # fmt: skip


def need_of(need: SpaceNeed) -> Need:
    return Need(
        need.min_area_m2, need.max_area_m2, need.min_height_m, need.min_load_t_m2, need.min_crane_t,
        need.min_power_kva, need.max_rent_yuan_m2_month, need.district_id, need.needed_by,
    )  # fmt: skip


def needs(*, actor: Any, open_only: bool = True) -> QuerySet[SpaceNeed]:
    found = scoped(SpaceNeed.objects.select_related("enterprise__district", "district"), actor)
    return found.filter(is_open=True) if open_only else found


def spaces_for(need: SpaceNeed, limit: int = 10) -> list[tuple[Listing, Fit]]:
    """The available listings that best meet a need, with the score and reasons."""
    available = list(listings(status=ListingStatus.AVAILABLE))
    reporting = set(OrgUnit.objects.filter(kind__in=REPORTING_KINDS).values_list("id", flat=True))
    by_id = {listing.pk: listing for listing in available}
    spaces = [space_of(x, reporting) for x in available]
    return [(by_id[f.space_id], f) for f in best_spaces(spaces, need_of(need), limit)]


def overdue_advances(*, actor: Any, as_of: dt.date | None = None) -> list[AdvanceRow]:
    """Advances in scope behind their repayment schedule on as_of: overdue (yellow) or 30 days and more (red)."""
    return [row for row in advances(actor=actor, as_of=as_of) if row.light.light in ("red", "yellow")]
