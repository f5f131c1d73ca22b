"""The cockpit page: one screen of the programme as it stood at a month's end, each figure a link to the list
behind it; `?screen=1` is the wall-display layout."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kuochan.audit.models import Source
from kuochan.cockpit import services
from kuochan.cockpit.models import MonthlyReport
from kuochan.cockpit.selectors import LIGHT_LABELS, Cockpit, cockpit_data, default_month
from kuochan.core.forms import refusal
from kuochan.imports.parsing import CellError, to_month
from kuochan.web.selectors import home_map


def _month(request: HttpRequest) -> tuple[int, int]:
    try:
        chosen = to_month(request.GET.get("month", ""))
    except CellError:
        chosen = None
    return (chosen.year, chosen.month) if chosen else default_month()


def _chart_data(data: Cockpit, map_unit: Any) -> dict[str, Any]:
    """What the charts draw, with the link each part drills into."""
    as_of = data.as_of.isoformat()
    projects = reverse("projects:list")
    indicators = [
        row["name"] for row in data.headline if any(row["name"] in r.completion for r in data.regions)
    ]
    return {
        "map_url": f"/maps/{map_unit.pk}.geojson" if map_unit else None,
        "map_key": map_unit.code if map_unit else None,
        "indicators": indicators,
        "regions": [
            {
                "name": r.unit.map_name, "unit": r.unit.name, "red": r.red, "yellow": r.yellow, "projects": r.projects,
                "completion": r.completion, "url": f"{projects}?district={r.unit.pk}&light=red&as_of={as_of}",
            }
            for r in data.regions if r.unit.map_name
        ],
        "lights": [
            {"name": LIGHT_LABELS[key], "key": key, "value": count, "url": f"{projects}?light={key}&as_of={as_of}"}
            for key, count in data.lights.items()
        ],
        "stalls": [
            {"name": label, "value": count, "url": f"{projects}?stall={label}&as_of={as_of}"}
            for label, count in data.stalls
        ],
        "large": [
            {"name": label, "value": count, "total": float(total),
             "url": f"{projects}?large=1&as_of={as_of}" + (f"&stage={key}" if key != "planned" else "")}
            for key, label, count, total in data.large
        ],
        "investment": data.investment,
    }  # fmt: skip


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    """驾驶舱: the plan's headline indicators against time pace, the map, the district ranking, lights, 破五未,
    the 亿元以上 pipeline, investment against last year, tickets, matchmaking and policy money."""
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看驾驶舱。")
    year, month = _month(request)
    data = cockpit_data(actor=request.user, year=year, month=month)
    map_unit = home_map(actor=request.user)
    screen = request.GET.get("screen") == "1"
    return render(
        request,
        "cockpit/screen.html" if screen else "cockpit/cockpit.html",
        {
            "c": data,
            "charts": _chart_data(data, map_unit),
            "map_unit": map_unit,
            "month_value": data.label,
            "as_of": data.as_of.isoformat(),
            "light_labels": LIGHT_LABELS,
        },
    )


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Stored monthly reports, newest first; city staff generate a month's."""
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看月度通报。")
    if request.method == "POST":
        try:
            chosen = to_month(request.POST.get("month", ""))
            if chosen is None:
                raise ValidationError("请选择月份。")
            report = services.report_generate(
                actor=request.user, source=Source.WEB, year=chosen.year, month=chosen.month
            )
        except CellError as exc:
            messages.error(request, f"月份应为 YYYY-MM：{exc}")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"已生成 {report.label} 月度通报（用时 {report.seconds} 秒）。")
        return redirect("cockpit:reports")
    year, month = default_month()
    return render(
        request,
        "cockpit/reports.html",
        {
            "reports": MonthlyReport.objects.select_related("generated_by")[:120],
            "default": f"{year}-{month:02d}",
        },
    )


@login_required
def report_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    if request.user.is_enterprise_user:
        raise PermissionDenied("企业用户无权下载月度通报。")
    report = get_object_or_404(MonthlyReport, pk=pk)
    if kind not in ("xlsx", "docx"):
        raise Http404
    stored = report.workbook if kind == "xlsx" else report.document
    return FileResponse(stored.open("rb"), as_attachment=True, filename=report.file_name(kind))
