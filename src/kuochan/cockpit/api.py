"""The cockpit's figures and the monthly reports through the API, with the same scope as the page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router

from kuochan.cockpit.models import MonthlyReport
from kuochan.cockpit.selectors import cockpit_data
from kuochan.core.money import CENT
from kuochan.imports.parsing import CellError, to_month

router = Router(tags=["驾驶舱"])


def _staff(request: HttpRequest) -> None:
    if request.auth.is_enterprise_user:
        raise PermissionDenied("企业用户无权查看驾驶舱。")


@router.get("/reports/", summary="已生成的月度通报（最新在前），含其数据和下载地址")
def reports(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(request)
    return [
        {
            "id": r.pk, "month": r.label, "as_of": r.as_of, "generated_at": r.generated_at, "figures": r.figures,
            "xlsx": f"/cockpit/reports/{r.pk}/xlsx/", "docx": f"/cockpit/reports/{r.pk}/docx/",
        }
        for r in MonthlyReport.objects.all()[:120]
    ]  # fmt: skip


@router.get("/{month}", summary="驾驶舱：某月末的全部数字（与页面相同），month 如 2026-10")
def cockpit(request: HttpRequest, month: str) -> dict[str, Any]:
    _staff(request)
    try:
        chosen = to_month(month)
    except CellError as exc:
        raise Http404(f"月份应为 YYYY-MM，收到“{month}”。") from exc
    if chosen is None:
        raise Http404("请给出月份，如 2026-10。")
    c = cockpit_data(actor=request.auth, year=chosen.year, month=chosen.month)
    return {
        "month": c.label,
        "as_of": c.as_of,
        "unit": c.unit.name if c.unit else None,
        "indicators": c.headline,
        "ranking": [{"unit": r.unit, "rank": r.rank, "score": r.score} for r in c.ranking],
        "lights": c.lights,
        "stalls": dict(c.stalls),
        "large": [
            {"stage": key, "label": label, "projects": n, "total_yi": total}
            for key, label, n, total in c.large
        ],
        "investment": c.investment,
        "regions": [
            {"unit": r.unit.name, "projects": r.projects, "red": r.red, "yellow": r.yellow} for r in c.regions
        ],
        "tickets": asdict(c.tickets),
        "events": {
            "events": c.events.events,
            "enterprises": c.events.enterprises,
            "orders_wan": c.events.orders_wan.quantize(CENT),
            "financing_wan": c.events.financing_wan.quantize(CENT),
        },
        "policies": c.policies,
    }
