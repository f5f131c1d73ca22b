"""Huzhou's plan as shipped: the target table exactly as the document prints it, every figure of the
table and of the text in the data, and every numeric target of §一–§三 kept with its sentence."""

import re
from decimal import Decimal

import pytest

from kuochan.reference import data_file
from kuochan.targets.models import Indicator, Plan
from kuochan.targets.selectors import plan_table

pytestmark = pytest.mark.django_db

SOURCE = data_file("huzhou/plan_source.txt").read_text(encoding="utf-8")


def seed_table() -> list[list[str]]:
    """The document's table: one tab-indented cell per line, rows separated by blank lines."""
    block = SOURCE[
        SOURCE.index("表 “十五五”湖州市增资扩产工作目标表") : SOURCE.index("二、重点任务")
    ].splitlines()[1:]
    rows, row = [], []
    for line in block:
        if line.startswith("\t"):
            row.append(line.strip())
        elif row:
            rows.append(row)
            row = []
    return rows + ([row] if row else [])


def test_the_loaded_table_is_the_documents_cell_for_cell(huzhou):
    plan = Plan.objects.get(code="huzhou-2026-2030")
    assert plan_table(plan) == seed_table()
    assert len(seed_table()) == 12  # the header and 11 indicators


def test_every_figure_of_the_table_is_in_the_indicators_data(huzhou):
    header, *rows = seed_table()
    years = {index: int(label[:4]) for index, label in enumerate(header) if re.fullmatch(r"\d{4}年", label)}
    for row in rows:
        indicator = Indicator.objects.get(plan__code="huzhou-2026-2030", table_row=int(row[0]))
        assert (indicator.name, indicator.unit) == (row[1], row[2])
        for index, cell in enumerate(row[3:], start=3):
            label = header[index] if len(row) == len(header) else None
            if cell == "-":
                continue
            if not re.fullmatch(r"[\d.]+", cell):  # a merged cell: 年均增幅11%以上, 保持在60%以上 …
                assert Decimal(re.search(r"[\d.]+", cell).group()) == indicator.threshold, (row, cell)
                continue
            value = Decimal(cell)
            if index == 3:
                assert indicator.baseline == value, row
            elif index == 4:
                assert indicator.previous_period == value, row
            elif label in header[5:10]:
                assert Decimal(indicator.yearly[str(years[index])]) == value, (row, label)
            else:
                assert indicator.period_target == value, row


def _stated(value: Decimal) -> list[str]:
    """How the text may write a value: 3500, 3.14, 1.2万."""
    forms = [format(value.normalize(), "f")]
    if value >= 10000:
        forms.append(format((value / 10000).normalize(), "f") + "万")
    return forms


def test_every_text_target_keeps_its_sentence_and_figure(huzhou):
    plan = Plan.objects.get(code="huzhou-2026-2030")
    for statement in plan.statements.all():
        assert statement.sentence in SOURCE
        if statement.claim != "doubling":
            assert any(form in statement.sentence for form in _stated(statement.value)), statement.sentence


def test_no_numeric_target_of_sections_one_to_three_is_left_out(huzhou):
    text = (
        SOURCE[: SOURCE.index("表 “十五五”")]
        + SOURCE[SOURCE.index("二、重点任务") : SOURCE.index("四、组织保障")]
    )
    targets = {
        s.strip() + "。" for s in re.split("。", text) if re.search(r"\d+(\.\d+)?(%|家|个|亿元|万家)", s)
    }
    stated = set(Plan.objects.get(code="huzhou-2026-2030").statements.values_list("sentence", flat=True))
    assert len(targets) == 11  # the sentences of §一–§三 with a figure and a unit
    assert {t for t in targets if not any(t.endswith(s) or s.endswith(t) for s in stated)} == set()
