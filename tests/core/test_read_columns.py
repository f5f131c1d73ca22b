import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from kuochan.core.bulk import read_columns
from kuochan.registry.models import AnnualMetric, Enterprise

SQL = """
    SELECT e.id, m.revenue_wan, m.tax_wan, e.above_scale, e.above_scale_since, m.employees
    FROM registry_enterprise e JOIN registry_annualmetric m ON m.enterprise_id = e.id
    WHERE m.year = %s ORDER BY e.uscc
"""
KINDS = ["int", "hundredths", "float", "bool", "date", "int"]


@pytest.fixture
def figures(registered):
    first, second, third = (Enterprise.objects.get(uscc=code) for code in registered)
    Enterprise.objects.filter(pk=first.pk).update(above_scale=True, above_scale_since=dt.date(2019, 7, 1))
    AnnualMetric.objects.create(
        enterprise=first,
        year=2025,
        revenue_wan=Decimal("12345678.91"),
        tax_wan=Decimal("0.07"),
        employees=240,
    )
    AnnualMetric.objects.create(enterprise=second, year=2025)  # every figure blank
    AnnualMetric.objects.create(enterprise=third, year=2024, revenue_wan=Decimal("1"))
    return first, second


def test_columns_come_typed_with_blanks_as_nan_nat_false_and_zero(figures):
    """The same arrays on both databases (PostgreSQL reads them as a binary COPY)."""
    first, second = figures
    ids, revenue, tax, above, since, employees = read_columns(SQL, [2025], KINDS)
    assert ids.tolist() == [first.pk, second.pk]
    assert revenue[0] == 1234567891 and np.isnan(revenue[1])  # whole hundredths, exactly
    assert tax[0] == pytest.approx(0.07) and np.isnan(tax[1])
    assert above.tolist() == [True, False]
    assert since[0] == np.datetime64("2019-07-01") and np.isnat(since[1])
    assert employees.tolist() == [240, 0]
    assert [column.dtype.kind for column in (ids, revenue, tax, above, since, employees)] == list("iffbMi")


def test_no_rows_gives_empty_columns(figures):
    columns = read_columns(SQL, [2030], KINDS)
    assert [len(column) for column in columns] == [0] * len(KINDS)
    assert columns[4].dtype == np.dtype("datetime64[D]")


@pytest.mark.django_db
def test_a_large_integer_is_read_exactly_or_refused_never_rounded():
    """PostgreSQL sends 64-bit integers; SQLite's rows pass through float64, exact only up to 2^53."""
    big = 2**53 + 1
    if connection.vendor == "postgresql":
        assert read_columns("SELECT CAST(%s AS BIGINT)", [big], ["int"])[0].tolist() == [big]
    else:
        with pytest.raises(ValueError, match="2\\^53"):
            read_columns("SELECT %s", [big], ["int"])
    assert read_columns("SELECT %s", [2**53 - 1], ["int"])[0].tolist() == [2**53 - 1]
