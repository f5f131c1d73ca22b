"""Reads of the title library and of the enterprises that could earn a title next, in the actor's scope.

The facts are the policies' (`policies.selectors.enterprise_facts`) plus the figures derived from three years
of annual metrics, read for every enterprise in scope in a handful of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kuochan.core.bulk import date_reader, raw_date, raw_values
from kuochan.core.scope import scoped_or_system
from kuochan.cultivation.models import Title
from kuochan.cultivation.rules import (
    CANDIDATE_MET,
    CANDIDATE_NEAR,
    Assessment,
    Criterion,
    YearFigures,
    assess_all,
    criterion_rule,
    derived_facts,
)
from kuochan.policies.selectors import enterprise_facts
from kuochan.projects.selectors import hundredths
from kuochan.registry.models import AnnualMetric, Enterprise


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
            hundredths("rnd_wan"), hundredths("assets_wan"), hundredths("liabilities_wan"), "employees",
            "tech_staff", "ip_class1", "ip_class2", hundredths("srdi_score"),
        )
    ):  # fmt: skip
        revenue, main, rnd, assets, liabilities = (_wan(v) for v in money)
        years[pk][year] = YearFigures(
            revenue, main, rnd, employees, assets, liabilities, tech_staff, ip1, ip2, _wan(srdi)
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
                "missing": [
                    {
                        "criterion": s.criterion,
                        "value": _number(s.value),
                        "threshold": _number(s.threshold),
                        "gap": s.text,
                    }
                    for s in c.assessment.missing
                ],
            }
            for c in found
        ],
    }
