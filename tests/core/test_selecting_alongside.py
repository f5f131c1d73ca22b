"""A query run while Python computes (on PostgreSQL, on a worker thread): its rows after the block, inside
the caller's transaction, and its failure raised as Django's DatabaseError."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from kuochan.core.bulk import hundredths_sql, selecting_alongside
from kuochan.registry.models import AnnualMetric, Enterprise


@pytest.mark.django_db(transaction=True)
def test_the_rows_include_what_the_transaction_wrote_before(registered):
    enterprise = Enterprise.objects.get(uscc=registered[0])
    with transaction.atomic():
        AnnualMetric.objects.create(enterprise=enterprise, year=2025, revenue_wan=Decimal("12.34"))
        computed = []
        columns = ["year", hundredths_sql("revenue_wan")]
        with selecting_alongside(columns, AnnualMetric, "year = %s", [2025]) as stored:
            computed.append(sum(range(1000)))
        assert stored.done() and stored.rows() == [(2025, 1234)]
        assert computed == [499500]


@pytest.mark.django_db(transaction=True)
def test_a_failing_query_is_raised_and_leaves_the_transaction_undone(registered):
    enterprise = Enterprise.objects.get(uscc=registered[0])
    with pytest.raises(DatabaseError), transaction.atomic():
        AnnualMetric.objects.create(enterprise=enterprise, year=2025)
        with selecting_alongside(["no_such_column"], AnnualMetric, "year = %s", [2025]) as stored:
            pass
        stored.rows()
    assert not AnnualMetric.objects.exists()
