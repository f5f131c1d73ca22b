"""Pages of the plan: its target table laid out like the document, the text's targets beside it, and the
plan check."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kuochan.targets.models import Plan
from kuochan.targets.rules import SEVERITY_LABELS, plan_check
from kuochan.targets.selectors import plan_data, plan_get, plan_table, text_targets


def _plan(request: HttpRequest) -> Plan | None:
    return plan_get(request.GET.get("plan"))


@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    if plan is None:
        return render(request, "targets/plan.html", {"plan": None})
    table = plan_table(plan)
    statements = defaultdict(list)
    for statement in plan.statements.select_related("indicator").order_by("sort_order"):
        same = statements[statement.indicator.code]
        if all(s.sentence != statement.sentence for s in same):  # one sentence may state two targets
            same.append(statement)
    indicators = {i.table_row: i for i in plan.indicators.filter(table_row__isnull=False)}
    rows = []
    for cells in table[1:]:
        indicator = indicators[int(cells[0])]
        merged = len(cells) < len(table[0])
        rows.append({"cells": cells, "merged_span": len(table[0]) - len(cells) + 1 if merged else 1,
                     "indicator": indicator, "statements": statements.get(indicator.code, [])})  # fmt: skip
    return render(
        request,
        "targets/plan.html",
        {"plan": plan, "header": table[0], "rows": rows, "text_targets": text_targets(plan)},
    )


@login_required
def check_page(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    findings = plan_check(plan_data(plan)) if plan else []
    counts = Counter(f.severity for f in findings)
    return render(
        request,
        "targets/check.html",
        {
            "plan": plan,
            "findings": [(f, SEVERITY_LABELS[f.severity]) for f in findings],
            "counts": [(key, label, counts[key]) for key, label in SEVERITY_LABELS.items()],
        },
    )
