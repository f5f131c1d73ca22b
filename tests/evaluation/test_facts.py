"""What the evaluation reads of each enterprise: the facts as they stood at the end of the evaluated year."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from kuochan.evaluation.rules import M
from kuochan.evaluation.selectors import enterprise_years
from kuochan.registry.models import AnnualMetric, Enterprise, Honour, Survey


@pytest.fixture
def firms(registered):
    """织里童装 (division 18): above-scale since mid-2025, honours of every kind of timing, answers for
    2025 and 2026. 吴兴新材料 (26): above-scale only from 2026, one answer for 2025. 南浔木业: no 2025 figures."""
    textile, materials, wood = (Enterprise.objects.get(uscc=code) for code in registered)
    Enterprise.objects.filter(pk=textile.pk).update(above_scale=True, above_scale_since=dt.date(2025, 6, 30))
    Enterprise.objects.filter(pk=materials.pk).update(above_scale=True, above_scale_since=dt.date(2026, 1, 1))
    AnnualMetric.objects.create(
        enterprise=textile, year=2025, tax_wan=Decimal("123.45"), land_mu=Decimal("20")
    )
    AnnualMetric.objects.create(enterprise=materials, year=2025, revenue_wan=Decimal("800"))
    AnnualMetric.objects.create(enterprise=wood, year=2024, revenue_wan=Decimal("500"))
    for kind, granted, lost in (
        ("high_tech", 2023, None),  # held
        ("tech_sme", 2021, 2026),  # lost after the year: still held at its end
        ("provincial_srdi", 2020, 2025),  # lost in the year
        ("little_giant", 2026, None),  # granted after the year
    ):
        Honour.objects.create(enterprise=textile, kind=kind, year_granted=granted, year_lost=lost)
    Survey.objects.create(enterprise=textile, year=2025, willingness="no")
    Survey.objects.create(enterprise=textile, year=2026, willingness="yes")
    Survey.objects.create(enterprise=materials, year=2025, willingness="watching")
    return textile, materials


def test_facts_are_those_known_at_the_end_of_the_year(firms):
    textile, materials = firms
    facts = enterprise_years(2025)
    at = {pk: i for i, pk in enumerate(facts.ids)}
    assert sorted(at) == sorted([textile.pk, materials.pk])  # only enterprises with the year's figures
    t, m = at[textile.pk], at[materials.pk]
    assert facts.above_scale[t] and not facts.above_scale[m]
    assert facts.honours == {textile.pk: frozenset({"high_tech", "tech_sme"})}
    # the answer given after the year wins over the one given in it
    assert (facts.willingness[t], facts.willingness[m]) == ("yes", "watching")
    assert (facts.divisions[t], facts.divisions[m]) == ("18", "26")
    assert (facts.sections[t], facts.sections[m]) == ("C", "C")
    assert (facts.size_classes[t], facts.size_classes[m]) == ("medium", "small")
    assert (facts.established[t], facts.established[m]) == ("2012-05-01", "2019-09-09")
    assert facts.districts[t] == textile.district_id
    assert facts.metrics[t, M["tax_wan"]] == 12345 and facts.metrics[t, M["land_mu"]] == 2000
    assert np.isnan(facts.metrics[m, M["tax_wan"]]) and facts.metrics[m, M["revenue_wan"]] == 80000


def test_facts_come_in_enterprise_order_whatever_order_the_figures_were_entered_in(registered):
    enterprises = sorted(Enterprise.objects.filter(uscc__in=registered), key=lambda e: e.pk, reverse=True)
    for enterprise in enterprises:  # the newest enterprise's figures first
        AnnualMetric.objects.create(enterprise=enterprise, year=2025, revenue_wan=Decimal(enterprise.pk))
    facts = enterprise_years(2025)
    assert facts.ids == sorted(e.pk for e in enterprises)
    assert facts.metrics[:, M["revenue_wan"]].tolist() == [pk * 100 for pk in facts.ids]
