"""A statement run while Python computes (PostgreSQL's pipeline mode): its effect is there after the block,
and its failure undoes the whole transaction."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from kuochan.core.bulk import running_alongside
from kuochan.registry.models import AnnualMetric, Enterprise

DELETE_YEAR = "DELETE FROM registry_annualmetric WHERE year = %s"


@pytest.fixture
def metrics(registered):
    for enterprise in Enterprise.objects.filter(uscc__in=registered):
        for year in (2024, 2025):
            AnnualMetric.objects.create(enterprise=enterprise, year=year, revenue_wan=Decimal(year))


@pytest.mark.django_db(transaction=True)
def test_the_statement_has_run_when_the_block_ends(metrics):
    computed = []
    with transaction.atomic(), running_alongside(DELETE_YEAR, [2025]):
        computed.append(sum(range(1000)))
    assert computed == [499500]
    assert sorted(AnnualMetric.objects.values_list("year", flat=True)) == [2024, 2024, 2024]


@pytest.mark.django_db(transaction=True)
def test_a_failing_statement_is_raised_and_leaves_the_transaction_undone(metrics):
    with pytest.raises(DatabaseError), transaction.atomic():
        AnnualMetric.objects.filter(year=2024).delete()
        with running_alongside("DELETE FROM registry_no_such_table WHERE year = %s", [2025]):
            pass
    assert AnnualMetric.objects.count() == 6
