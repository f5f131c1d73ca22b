"""The demo's monthly industrial statistics (工业经济月报): each indicator of the library for the city, its
districts and, where the tree has one, the province, month by month from January of last year to the last
complete month — so the statistics page, the cockpit card and the report's section have figures, and the
2025 work plan's indicators that take their actual from the statistics progress month by month. Also the
work plan's figures that are entered by hand (the chain's revenue, the industries upgraded …)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.statistics.models import StatFigure, StatIndicator
from kuochan.targets.models import Actual, Indicator

# A month's amount for the city (亿元, 亿千瓦时) and its growth around the year (%), by indicator code.
CITY_MONTH = {
    "above-scale-value-added": (115, 7.0),
    "industrial-investment": (62, 9.0),
    "manufacturing-investment": (48, 11.0),
    "renovation-investment": (43, 18.0),
    "above-scale-revenue": (420, 5.5),
    "above-scale-profit": (26, 8.0),
    "industrial-power": (21, 6.0),
}
PROVINCE_TIMES = 14  # the province's amounts against the city's
CITIES_IN_PROVINCE = 11


def _months(today: dt.date) -> list[dt.date]:
    first, last = dt.date(today.year - 1, 1, 1), today.replace(day=1)
    months, month = [], first
    while month < last:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _figures(rng: random.Random, city: OrgUnit, months: list[dt.date]) -> list[StatFigure]:
    districts = list(
        OrgUnit.objects.filter(kind__in=REPORTING_KINDS, path__startswith=city.path).order_by(
            "sort_order", "code"
        )
    )
    province = OrgUnit.objects.filter(pk__in=city.ancestor_ids(), kind=OrgKind.PROVINCE).first()
    shares = [rng.uniform(0.6, 1.4) for _ in districts]
    shares = [share / sum(shares) for share in shares]
    made = []
    for indicator in StatIndicator.objects.filter(code__in=CITY_MONTH):
        amount, growth = CITY_MONTH[indicator.code]
        leads = [rng.gauss(0, 2.5) for _ in districts]  # each district's lead over the city, kept all along
        for year in sorted({m.year for m in months}):
            drift = rng.gauss(0, 0.8)
            ytd = Decimal(0)
            unit_ytd = [Decimal(0)] * len(districts)
            for month in (m for m in months if m.year == year):
                value = Decimal(str(round(amount * rng.uniform(0.85, 1.15), 1)))
                ytd += value
                city_growth = round(growth + drift + rng.gauss(0, 0.4), 1)
                growths = [round(city_growth + lead + rng.gauss(0, 0.6), 1) for lead in leads]
                order = sorted(range(len(districts)), key=lambda i: -growths[i])
                rank_of = {i: position for position, i in enumerate(order, start=1)}
                made.append(
                    StatFigure(
                        indicator=indicator, area=city, month=month, value=value, ytd=ytd,
                        growth=Decimal(str(city_growth)), rank=rng.randint(1, 5),
                    )
                )  # fmt: skip
                for i, district in enumerate(districts):
                    share = (value * Decimal(str(round(shares[i], 4)))).quantize(Decimal("0.1"))
                    unit_ytd[i] += share
                    made.append(
                        StatFigure(
                            indicator=indicator, area=district, month=month, value=share, ytd=unit_ytd[i],
                            growth=Decimal(str(growths[i])), rank=rank_of[i],
                        )
                    )  # fmt: skip
                if province is not None:
                    made.append(
                        StatFigure(
                            indicator=indicator, area=province, month=month, value=value * PROVINCE_TIMES,
                            ytd=ytd * PROVINCE_TIMES, growth=Decimal(str(round(city_growth - 1.2, 1))),
                        )
                    )  # fmt: skip
    return made


# The work plan's figures kept by hand, year to date at each quarter's end of 2025: the chain's revenue
# (亿元, slightly behind pace mid-year), industries whose 数字化转型 was extended, traditional industries
# upgraded, enterprises newly above 100 亿元 of output.
WORK_PLAN_FIGURES = {
    "nev_chain_revenue": {3: 235, 6: 430, 9: 720, 12: 1012},
    "digital_transformation_industries": {3: 3, 6: 5, 9: 8, 12: 11},
    "upgraded_industries": {3: 1, 6: 2, 9: 3, 12: 4},
    "enterprises_10bn_new": {3: 0, 6: 0, 9: 1, 12: 1},
}


def _work_plan_actuals(city: OrgUnit) -> list[Actual]:
    indicators = {
        i.code: i for i in Indicator.objects.filter(plan__code="huzhou-2025", code__in=WORK_PLAN_FIGURES)
    }
    return [
        Actual(
            indicator=indicators[code], org_unit=city, month=dt.date(2025, month, 1), value=value,
            note="演示数据",
        )
        for code, quarters in WORK_PLAN_FIGURES.items()
        if code in indicators
        for month, value in quarters.items()
    ]  # fmt: skip


def demo_statistics(seed: int, today: dt.date) -> dict[str, int]:
    """Once: a second run leaves what is there."""
    if StatFigure.objects.exists():
        return {"existing": StatFigure.objects.count()}
    city = OrgUnit.objects.get(code="330500")
    figures = _figures(random.Random(seed), city, _months(today))
    StatFigure.objects.bulk_create(figures, batch_size=2000)
    actuals = Actual.objects.bulk_create(_work_plan_actuals(city))
    return {"figures": len(figures), "actuals": len(actuals)}
