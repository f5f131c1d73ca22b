"""Reads of the title library and of the enterprises that could earn a title next, in the actor's scope.

The facts are the policies' (`policies.selectors.enterprise_facts`) plus the figures derived from three years
of annual metrics, read for every enterprise in scope in a handful of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from kuochan.accounts.models import EDITOR_ROLES, User
from kuochan.core.bulk import date_reader, raw_date, raw_values
from kuochan.core.scope import get_scoped_or_404, scope_root, scoped_or_system
from kuochan.cultivation.models import Entry, EntryStatus, Title
from kuochan.cultivation.rules import (
    CANDIDATE_MET,
    CANDIDATE_NEAR,
    DEFAULT_MARGIN_PCT,
    MET,
    Assessment,
    Criterion,
    YearFigures,
    assess,
    assess_all,
    criterion_rule,
    derived_facts,
)
from kuochan.evaluation.selectors import evaluated_years
from kuochan.outreach.rules import OPEN_STATUSES as OPEN_TICKET_STATUSES
from kuochan.outreach.selectors import tickets, visits
from kuochan.policies.models import PolicyState
from kuochan.policies.rules import ELIGIBLE, NOT_ELIGIBLE
from kuochan.policies.selectors import enterprise_facts, matching, policies_for
from kuochan.projects.selectors import hundredths
from kuochan.registry.models import AnnualMetric, Enterprise, Honour


def titles() -> QuerySet[Title]:
    return Title.objects.all()


def title_get(code: str) -> Title | None:
    return Title.objects.filter(code=code).first()


def title_criteria(title: Title) -> list[Criterion]:
    return [
        Criterion(c["code"], c["text"], criterion_rule(c.get("rule")), c.get("source") or "")
        for c in title.criteria
    ]


def _wan(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) / 100


def title_facts(enterprises: QuerySet[Enterprise], as_of: dt.date) -> dict[int, dict[str, Any]]:
    """Each enterprise's facts for the titles' criteria as known on `as_of`: the policies' facts, the
    figures derived from the three years before the as-of year (and the as-of year's SRDI score) and the two
    published evaluations scored on them. Two queries beyond the policies'."""
    facts = enterprise_facts(enterprises, as_of)
    last = as_of.year - 1
    metrics = AnnualMetric.objects.filter(
        enterprise__in=enterprises.order_by(), year__gte=last - 2, year__lte=as_of.year
    ).order_by()
    years: dict[int, dict[int, YearFigures]] = defaultdict(dict)
    for pk, year, *money, employees, tech_staff, ip1, ip2, srdi in raw_values(
        metrics.values_list(
            "enterprise_id", "year", hundredths("revenue_wan"), hundredths("main_revenue_wan"),
            hundredths("rnd_wan"), hundredths("assets_wan"), hundredths("liabilities_wan"),
            hundredths("output_wan"), "employees",
            "tech_staff", "ip_class1", "ip_class2", hundredths("srdi_score"),
        )
    ):  # fmt: skip
        revenue, main, rnd, assets, liabilities, output = (_wan(v) for v in money)
        years[pk][year] = YearFigures(
            revenue, main, rnd, employees, assets, liabilities, tech_staff, ip1, ip2, _wan(srdi), output
        )
    read = date_reader()
    segments = dict(raw_values(enterprises.order_by().values_list("id", raw_date("segment_since"))))
    for pk, own in facts.items():
        own.update(
            derived_facts(
                years.get(pk, {}), as_of=as_of, established_on=own["enterprise.established_on"],
                segment_since=read(segments.get(pk)),
            )
        )  # fmt: skip
    return facts


@dataclass(frozen=True, slots=True)
class Candidate:
    uscc: str
    name: str
    district: str
    assessment: Assessment

    @property
    def status(self) -> str:
        return CANDIDATE_MET if self.assessment.met else CANDIDATE_NEAR


def as_of_for(year: int, today: dt.date) -> dt.date:
    """The day a year's library is computed as of: the year's last day, or today within the year."""
    return min(dt.date(year, 12, 31), today)


def candidates(
    *, actor: Any, title: Title, year: int, margin_pct: Decimal, today: dt.date
) -> list[Candidate]:
    """The enterprises in scope not holding the title that meet its computable criteria or miss each by at
    most `margin_pct` % of its bound, most promising first (met, then fewest missing, then smallest gaps)."""
    as_of = as_of_for(year, today)
    criteria = title_criteria(title)
    found = scoped_or_system(Enterprise.objects.all(), actor)
    facts = title_facts(found, as_of)
    rows = raw_values(found.order_by("uscc").values_list("id", "uscc", "name", "district__name"))
    subjects = [
        (row, facts[row[0]]) for row in rows if title.honour_kind not in facts[row[0]]["enterprise.honours"]
    ]
    assessed = assess_all(criteria, [own for _, own in subjects])
    chosen = [
        Candidate(uscc, name, district or "", assessment)
        for ((_, uscc, name, district), _facts), assessment in zip(subjects, assessed, strict=True)
        if assessment.met or assessment.near(margin_pct)
    ]
    return sorted(chosen, key=lambda c: (not c.assessment.met, c.assessment.distance(), c.uscc))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01")))


def missing_report(assessment: Assessment) -> list[dict[str, Any]]:
    """The not-met conditions as the command and the API give them."""
    return [
        {
            "criterion": s.criterion,
            "value": _number(s.value),
            "threshold": _number(s.threshold),
            "gap": s.text,
        }
        for s in assessment.missing
    ]


def candidates_report(*, title: Title, year: int, found: list[Candidate]) -> dict[str, Any]:
    """The candidates as the command prints them in JSON."""
    return {
        "title": title.code,
        "year": year,
        "enterprises": [
            {
                "uscc": c.uscc,
                "name": c.name,
                "district": c.district,
                "status": c.status,
                "met": c.assessment.met,
                "missing": missing_report(c.assessment),
            }
            for c in found
        ],
    }


# The candidate libraries (培育库) ----------------------------------------------------------------------

# The ladders an enterprise profile shows, in this order, with the name officials use for each.
LADDERS: dict[str, str] = {
    "srdi": "优质中小企业梯度",
    "tech": "科技企业梯度",
    "smart_factory": "智能工厂梯度",
    "zj_future_factory": "浙江省未来工厂梯度",
    "green_factory": "绿色工厂梯度",
    "huzhou_large": "金象金牛",
}
# Entries still being worked on, in the order they move; granted, rejected and removed ones are done.
OPEN_STATUSES = (EntryStatus.ENTERED, EntryStatus.APPLIED, EntryStatus.RECOMMENDED)


def assessments_of(title: Title, enterprises: QuerySet[Enterprise], as_of: dt.date) -> dict[int, Assessment]:
    """Every enterprise of `enterprises` against the title as known on `as_of`, in one pass."""
    facts = title_facts(enterprises, as_of)
    ids = list(facts)
    assessed = assess_all(title_criteria(title), [facts[pk] for pk in ids])
    return dict(zip(ids, assessed, strict=True))


def gaps_text(assessment: Assessment) -> list[str]:
    """What keeps the enterprise from the title, in figures; the criteria that lack data after them."""
    return [s.text for s in assessment.missing] + list(assessment.unknown)


def holders(title: Title, enterprises: QuerySet[Enterprise], year: int) -> set[int]:
    """The enterprises among `enterprises` that hold the title's honour in `year`."""
    if not title.honour_kind:
        return set()
    held = Honour.objects.filter(
        enterprise__in=enterprises.order_by(), kind=title.honour_kind, year_granted__lte=year
    ).filter(Q(year_lost__isnull=True) | Q(year_lost__gt=year))
    return set(held.values_list("enterprise_id", flat=True))


@dataclass(frozen=True, slots=True)
class LibraryRow:
    """An entry with its gaps recomputed as of the day the library is read."""

    entry: Entry
    assessment: Assessment

    @property
    def met(self) -> bool:
        return self.assessment.met

    @property
    def gaps(self) -> list[str]:
        return gaps_text(self.assessment)

    @property
    def gaps_shown(self) -> str:
        if self.met:
            return "可测算条件均已符合"
        return "；".join(self.gaps) or "可测算条件均无差距"

    @property
    def waiting_to_apply(self) -> bool:
        return self.met and self.entry.status == EntryStatus.ENTERED

    def urgency(self) -> tuple:
        """Met but not yet applied first; then the open entries, fewest and smallest gaps first; then those
        already decided or removed."""
        bucket = 0 if self.waiting_to_apply else 1 if self.entry.status in OPEN_STATUSES else 2
        missing, relative = self.assessment.distance()
        return (
            bucket,
            not self.met,
            missing,
            relative,
            len(self.assessment.unknown),
            self.entry.enterprise.name,
        )


@dataclass(frozen=True)
class LibraryFilter:
    district: int | None = None
    status: str = ""
    source: str = ""
    met: bool | None = None
    responsible: str = ""  # a user's id, "none" for entries nobody answers for
    query: str = ""


def entries_in_scope(actor: Any) -> QuerySet[Entry]:
    """The entries the actor sees, with their enterprise, district and owner (titles are read apart by
    `_rows`: joined, each row would decode its title's criteria again)."""
    return scoped_or_system(Entry.objects.all(), actor).select_related(
        "enterprise", "enterprise__district", "responsible"
    )


def entry_get(*, actor: Any, pk: Any) -> Entry:
    """One entry the actor sees (404 otherwise, whether missing or out of scope)."""
    return get_scoped_or_404(
        Entry.objects.select_related("title", "enterprise", "enterprise__district", "responsible"),
        actor,
        pk=pk,
    )


def _rows(entries: QuerySet[Entry], today: dt.date) -> list[LibraryRow]:
    """The entries with their gaps as of today: each year's facts read once for all its entries' enterprises,
    then each title's entries assessed in one pass."""
    by_year: dict[int, dict[int, list[Entry]]] = defaultdict(lambda: defaultdict(list))
    found = list(entries)
    titles_read = Title.objects.in_bulk({entry.title_id for entry in found})
    for entry in found:
        entry.title = titles_read[entry.title_id]
        by_year[entry.year][entry.title_id].append(entry)
    rows = []
    for year, by_title in by_year.items():
        enterprises = Enterprise.objects.filter(pk__in=entries.filter(year=year).values("enterprise_id"))
        facts = title_facts(enterprises, as_of_for(year, today))
        for group in by_title.values():
            assessed = assess_all(title_criteria(group[0].title), [facts[e.enterprise_id] for e in group])
            rows += [LibraryRow(entry, assessment) for entry, assessment in zip(group, assessed, strict=True)]
    return rows


def entry_row(entry: Entry, today: dt.date) -> LibraryRow:
    """One entry with its gaps as of today."""
    return _rows(Entry.objects.filter(pk=entry.pk).select_related("enterprise"), today)[0]


def library(
    *, actor: Any, title: Title, year: int, today: dt.date, filters: LibraryFilter | None = None
) -> list[LibraryRow]:
    """A title's library for a year in the actor's scope, gaps recomputed as of today, most urgent first."""
    f = filters or LibraryFilter()
    found = entries_in_scope(actor).filter(title=title, year=year)
    if f.district:
        found = found.filter(enterprise__district_id=f.district)
    if f.status:
        found = found.filter(status=f.status)
    if f.source:
        found = found.filter(source=f.source)
    if f.responsible == "none":
        found = found.filter(responsible__isnull=True)
    elif f.responsible:
        found = found.filter(responsible_id=f.responsible)
    if f.query.strip():
        text = f.query.strip()
        found = found.filter(
            Q(enterprise__name__contains=text) | Q(enterprise__uscc__startswith=text.upper())
        )
    rows = _rows(found, today)
    if f.met is not None:
        rows = [row for row in rows if row.met is f.met]
    return sorted(rows, key=LibraryRow.urgency)


def status_counts(*, actor: Any, year: int) -> dict[int, dict[str, int]]:
    """How many entries each title's library holds in the actor's scope for the year, by status."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    found = scoped_or_system(Entry.objects.filter(year=year), actor).order_by()
    for title_id, status, n in found.values_list("title_id", "status").annotate(n=Count("*")):
        counts[title_id][status] = n
    return counts


def evaluation_year_for(year: int) -> int | None:
    """The evaluation a library of `year` is fed from: the latest evaluated year up to it."""
    return next((y for y in evaluated_years() if y <= year), None)


def library_years(today: dt.date) -> list[int]:
    """The years a page offers: those with a library, and this year and the two before."""
    stored = set(Entry.objects.order_by().values_list("year", flat=True).distinct())
    return sorted(stored | {today.year - 2, today.year - 1, today.year}, reverse=True)


def library_report(*, title: Title, year: int, rows: list[LibraryRow]) -> dict[str, Any]:
    """The library as the command prints it: the candidates' shape, `status` being the entry's."""
    return {
        "title": title.code,
        "year": year,
        "enterprises": [
            {
                "uscc": row.entry.enterprise.uscc,
                "name": row.entry.enterprise.name,
                "district": row.entry.enterprise.district.name,
                "status": row.entry.get_status_display(),
                "met": row.met,
                "missing": missing_report(row.assessment),
            }
            for row in rows
        ],
    }


def responsible_choices(*, actor: Any, enterprise: Enterprise | None = None) -> QuerySet[Any]:
    """The staff who may answer for entries the actor keeps: active editors placed in the actor's subtree
    and, for an enterprise, at its district or a unit above it (its district's or its city's staff)."""
    root = "" if actor is None else scope_root(actor)
    if root is None:
        return User.objects.none()
    found = User.objects.filter(
        is_active=True, role__in=EDITOR_ROLES, org_unit__path__startswith=root
    ).select_related("org_unit")
    if enterprise is not None:
        found = found.filter(org_unit_id__in=enterprise.district.ancestor_ids())
    return found.order_by("org_unit__path", "username")


def may_answer_for(user: Any, enterprise: Enterprise) -> bool:
    """Whether a user may be responsible for an enterprise's entry: an active editor of its district or of
    a unit above it."""
    return (
        user.is_active
        and user.can_edit
        and user.org_unit_id is not None
        and user.org_unit_id in enterprise.district.ancestor_ids()
    )


@dataclass(frozen=True, slots=True)
class Task:
    """An entry that needs its district's action, and why (Chinese)."""

    row: LibraryRow
    reasons: tuple[str, ...]


def work_list(*, actor: Any, year: int, today: dt.date, mine: bool = False) -> list[Task]:
    """我的培育任务: the open entries in scope that need action — nobody answers for them, they meet the
    criteria but have not applied, or every gap is within the default margin — most urgent first."""
    found = entries_in_scope(actor).filter(year=year, status__in=OPEN_STATUSES)
    if mine:
        found = found.filter(responsible=actor)
    tasks = []
    for row in sorted(_rows(found, today), key=LibraryRow.urgency):
        reasons = []
        if row.entry.responsible_id is None:
            reasons.append("未指定责任人")
        if row.waiting_to_apply:
            reasons.append("可测算条件均已符合，尚未申报")
        elif not row.met and row.assessment.missing and row.assessment.near(DEFAULT_MARGIN_PCT):
            reasons.append(f"差距均在门槛的 {DEFAULT_MARGIN_PCT}% 以内：{'；'.join(row.gaps)}")
        if reasons:
            tasks.append(Task(row, tuple(reasons)))
    return tasks


@dataclass(frozen=True, slots=True)
class Ladder:
    """One ladder on an enterprise's profile: the rung it holds, the next one and what it lacks for it."""

    code: str
    name: str
    rungs: tuple[Title, ...]
    held: Title | None
    next: Title | None
    met: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()

    @property
    def next_met(self) -> bool:
        return self.next is not None and not self.missing and not self.unknown and bool(self.met)


def enterprise_ladders(enterprise: Enterprise, as_of: dt.date) -> list[Ladder]:
    """For each ladder, the highest rung the enterprise holds in the as-of year and its next step, with the
    next title's criteria met, missing (with figures), lacking data and awaiting a published figure."""
    titles_by_ladder: dict[str, list[Title]] = defaultdict(list)
    for title in Title.objects.filter(ladder__in=LADDERS).order_by("rank_in_ladder", "sort_order"):
        titles_by_ladder[title.ladder].append(title)
    one = Enterprise.objects.filter(pk=enterprise.pk)
    facts = title_facts(one, as_of)[enterprise.pk]
    held_kinds = facts["enterprise.honours"]
    ladders = []
    for code, name in LADDERS.items():
        rungs = titles_by_ladder.get(code, [])
        if not rungs:
            continue
        held = next((t for t in reversed(rungs) if t.honour_kind and t.honour_kind in held_kinds), None)
        above = [t for t in rungs if held is None or (t.rank_in_ladder or 0) > (held.rank_in_ladder or 0)]
        step = above[0] if above else None
        if step is None:
            ladders.append(Ladder(code, name, tuple(rungs), held, None))
            continue
        assessment = assess(title_criteria(step), facts)
        ladders.append(
            Ladder(
                code, name, tuple(rungs), held, step,
                met=tuple(v.reason.removeprefix("符合：") for v in assessment.verdicts if v.status == MET),
                missing=tuple(s.text for s in assessment.missing),
                unknown=assessment.unknown,
                pending=assessment.pending,
            )
        )  # fmt: skip
    return ladders


@dataclass(frozen=True, slots=True)
class EntrySupport:
    """What the city can bring to an entry's enterprise: the policies in force it qualifies for or may
    qualify for once data is checked, and its recent visits and open issue tickets."""

    policies: list[tuple[Any, Any]]  # (policy, its best outcome for the enterprise or its projects)
    visits: list[Any]
    open_tickets: list[Any]


def entry_support(*, actor: Any, entry: Entry, as_of: dt.date, shown: int = 8) -> EntrySupport:
    enterprise = entry.enterprise
    chosen = [p for p in policies_for(actor=actor, enterprise=enterprise) if p.state == PolicyState.IN_FORCE]
    matched = matching(actor=actor, as_of=as_of, chosen=chosen, enterprise=enterprise)
    usable = []
    for policy in chosen:
        outcomes = [m.outcome for m in matched[policy.code] if m.outcome.status != NOT_ELIGIBLE]
        if outcomes:
            usable.append((policy, min(outcomes, key=lambda o: o.status != ELIGIBLE)))
    usable.sort(key=lambda row: row[1].status != ELIGIBLE)
    return EntrySupport(
        policies=usable[:shown],
        visits=list(visits(actor=actor).filter(enterprise=enterprise)[:3]),
        open_tickets=list(
            tickets(actor=actor).filter(enterprise=enterprise, status__in=OPEN_TICKET_STATUSES)[:3]
        ),
    )
