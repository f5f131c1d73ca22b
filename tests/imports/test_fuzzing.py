"""Fuzzing the Excel importer: files of random cells, and valid files with corrupted bytes, never crash it
and never half-write: either the whole file is applied or nothing changes and every problem is reported."""

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuochan.audit.models import Source
from kuochan.imports.engine import run_import
from kuochan.registry.models import AnnualMetric
from tests.conftest import METRIC_HEADER
from tests.xlsx import write_xlsx

pytestmark = pytest.mark.django_db

CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.sampled_from(
        [
            "1,200万元",
            "12%",
            "２０２５",
            "—",
            "=1+1",
            "2026年3月1日",
            "  ",
            "\u3000",
            "-0",
            "#DIV/0!",
            "1e400",
        ]
    ),
)


def stored() -> list[dict]:
    return list(AnnualMetric.objects.order_by("pk").values())


def imported(path: Path):
    result = run_import("enterprise-metrics", path, actor=None, source=Source.CLI)
    for error in result.as_json()["errors"]:  # every problem names its row, column and value, in Chinese
        assert set(error) == {"row", "column", "value", "message"} and error["message"]
    return result


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=len(METRIC_HEADER) + 2), min_size=0, max_size=8))
def test_random_cells_are_either_applied_whole_or_refused_with_reasons(registered, rows):
    before = stored()
    usccs = [*registered, "not-a-code"]
    rows = [[random.Random(n).choice(usccs), *cells[1:]] if cells else cells for n, cells in enumerate(rows)]
    with tempfile.TemporaryDirectory() as folder:
        result = imported(write_xlsx(Path(folder) / "fuzz.xlsx", [METRIC_HEADER, *rows]))
    if result.errors:
        assert not result.applied and stored() == before
    else:
        assert result.applied


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flips=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.integers(0, 255)), min_size=1, max_size=20
    )
)
def test_corrupted_files_are_refused_with_a_message_and_change_nothing(registered, flips):
    before = stored()
    with tempfile.TemporaryDirectory() as folder:
        good = write_xlsx(Path(folder) / "good.xlsx", [METRIC_HEADER, [registered[0], 2025, 1200, 300, 50]])
        data = bytearray(good.read_bytes())
        for where, value in flips:
            data[int(where * (len(data) - 1))] = value
        bad = Path(folder) / "bad.xlsx"
        bad.write_bytes(bytes(data))
        result = imported(bad)
    if result.errors:
        assert not result.applied and stored() == before
