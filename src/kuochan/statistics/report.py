"""The month's figures for scripts: what `kuochan statistics --format json` prints and GET /api/v1/statistics/
answers, from the selector the statistics page reads (`month_rows`), so the command, the API and the page
say the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from kuochan.orgs.models import OrgUnit
from kuochan.statistics.selectors import month_rows


def area_named(text: str) -> OrgUnit | None:
    """The area an option names: an org unit's code, name or short name (the highest unit of that name)."""
    return OrgUnit.objects.filter(Q(code=text) | Q(name=text) | Q(short_name=text)).order_by("path").first()


def unknown_area(text: str) -> str:
    return f"未知的地区“{text}”：应为组织单位的代码或名称。"


def _number(value: object) -> float | None:
    return None if value is None else float(value)


def month_report(*, actor: Any, month: dt.date, area: OrgUnit | None = None) -> dict[str, Any]:
    """The month's figures the actor may see (of `area` only, when given), in stable keys: by indicator, then
    the province, the city and the districts by rank."""
    return {
        "month": f"{month:%Y-%m}",
        "rows": [
            {
                "indicator": row.indicator.name, "indicator_code": row.indicator.code, "unit": row.indicator.unit,
                "area": row.area.name, "area_code": row.area.code, "value": _number(row.value),
                "ytd": _number(row.ytd), "growth": _number(row.growth), "rank": row.rank,
            }
            for row in month_rows(actor=actor, month=month, area=area)
        ],
    }  # fmt: skip
