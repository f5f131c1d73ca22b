"""Every list page exports what it shows, filters applied, as .xlsx."""

import io
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from kuochan.imports.exporting import write_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(name: str, headers: list[str], rows: Iterable[list[object]]) -> HttpResponse:
    buffer = io.BytesIO()
    write_table(buffer, name, headers, rows)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = quote(f"{name}-{timezone.localdate():%Y%m%d}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
