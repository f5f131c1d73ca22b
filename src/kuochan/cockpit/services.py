"""Writes of the cockpit app: generating and storing a month's report."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record
from kuochan.cockpit.documents import document as report_document
from kuochan.cockpit.documents import workbook
from kuochan.cockpit.models import MonthlyReport
from kuochan.cockpit.selectors import report_data, report_figures


def report_generate(*, actor: Any, source: Source, year: int, month: int) -> MonthlyReport:
    """The month's report from data as of its end: the workbook and the 通报, stored with the figures they
    were written from. City staff, or the system (the monthly cycle, the command line)."""
    if actor is not None and not actor.is_city_staff:
        raise PermissionDenied("只有市级工作人员可以生成月度通报。")
    started = time.perf_counter()
    data = report_data(year=year, month=month)
    figures = report_figures(data)
    xlsx, docx = workbook(data), report_document(data, figures)
    with transaction.atomic():
        report = MonthlyReport(
            month=data.as_of.replace(day=1), as_of=data.as_of, figures=figures,
            generated_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        report.workbook.save(report.file_name("xlsx"), ContentFile(xlsx), save=False)
        report.document.save(report.file_name("docx"), ContentFile(docx), save=False)
        report.seconds = round(time.perf_counter() - started, 3)
        report.save()
        audit_record(
            actor=actor, source=source, action=Action.CREATE, obj=report,
            after={"month": data.label, "as_of": data.as_of.isoformat(), "lights": figures["lights"]},
        )  # fmt: skip
    return report
