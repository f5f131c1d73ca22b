"""The demo's land and carbon data for the evaluation: a parcel (宗地) for most enterprises with land, of their
area and granted over the years (a few in the last three, as the new-land exemption needs), a few dozen
below-scale tenants on above-scale owners' parcels, the province's industry averages for the evaluated years
and offsets of some above-scale firms. Reproducible from the seed; written in bulk, audited as the system's
doing, once."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Sum

from kuochan.audit.models import Action, Source
from kuochan.core.bulk import insert_rows
from kuochan.demo.generators import METRIC_YEARS
from kuochan.evaluation.models import OFFSET_UNITS, CarbonBenchmark, CarbonOffset, OffsetKind
from kuochan.imports.engine import write_audit
from kuochan.orgs.models import OrgUnit
from kuochan.registry.models import AnnualMetric, Enterprise, LandParcel, LandTenancy

BENCHMARK_SOURCE = "示例数据：省级发布的行业平均碳效值"
UNPUBLISHED = ("24",)  # a division left to the local average, so the demo shows both
PARCEL_SHARE = 0.92  # of enterprises with land, not renting
RECENT_GRANT_SHARE = 0.03  # parcels granted within the last three years
TENANT_SHARE = 0.008  # of all enterprises: a few dozen in a city of 5,000
OFFSET_SHARE = 0.05  # of above-scale firms
_ROADS = (
    "工业大道",
    "创业路",
    "科技路",
    "兴业路",
    "开发大道",
    "环城北路",
    "滨湖大道",
    "经一路",
    "纬二路",
    "园区路",
)
_OFFSET_KINDS = ((OffsetKind.GREEN_POWER, 50), (OffsetKind.GREEN_CERTIFICATE, 25), (OffsetKind.SINK, 20),
                 (OffsetKind.STORAGE, 5))  # fmt: skip
_EVIDENCE = {
    OffsetKind.GREEN_POWER: "示例数据：浙江电力交易中心绿电交易凭证 LD{year}-{n:05d}",
    OffsetKind.GREEN_CERTIFICATE: "示例数据：绿色电力证书 GEC{year}{n:07d}",
    OffsetKind.SINK: "示例数据：林业碳汇核证报告（{year}）第 {n} 号",
    OffsetKind.STORAGE: "示例数据：二氧化碳捕集封存核查报告（{year}）第 {n} 号",
}


class Firm(NamedTuple):
    """What the land and offsets of an enterprise take from it: its place, size and latest figures."""

    enterprise_id: int
    district_id: int
    area: str  # the district's 6-digit code, for the parcel code
    town: str  # where its parcel lies: the town's (or district's) name
    town_number: int
    above_scale: bool
    land_mu: Decimal | None
    electricity: Decimal | None  # 万千瓦时, the latest evaluated year
    carbon_t: Decimal | None


def _granted(rng: random.Random, today: dt.date) -> dt.date:
    """Most parcels were granted years ago; a few within the last three years."""
    recent = today - dt.timedelta(days=3 * 365)
    if rng.random() < RECENT_GRANT_SHARE:
        return recent + dt.timedelta(days=rng.randint(30, (today - recent).days))
    first = dt.date(1998, 1, 1)
    return first + dt.timedelta(days=rng.randint(0, (recent - first).days - 1))


def land_rows(*, seed: int, firms: list[Firm], today: dt.date) -> tuple[list[dict], list[dict]]:
    """(parcels, tenancies) as dicts of model fields; tenancies name their parcel by `parcel_code`."""
    rng = random.Random(f"land:{seed}")
    above = defaultdict(list)
    for firm in firms:
        if firm.above_scale and firm.land_mu:
            above[firm.district_id].append(firm)
    below = [f for f in firms if not f.above_scale and f.land_mu and above[f.district_id]]
    tenants = rng.sample(below, min(len(below), max(2, round(len(firms) * TENANT_SHARE))))
    renting = {firm.enterprise_id for firm in tenants}
    parcels, codes = [], {}
    for serial, firm in enumerate(firms, 1):
        if not firm.land_mu or firm.enterprise_id in renting or rng.random() > PARCEL_SHARE:
            continue
        code = f"{firm.area}{firm.town_number:03d}{rng.randint(1, 30):03d}GB{serial:05d}"
        codes[firm.enterprise_id] = code
        parcels.append(
            {
                "enterprise_id": firm.enterprise_id,
                "code": code,
                "location": f"{firm.town}{rng.choice(_ROADS)}{rng.randint(1, 399)}号",
                "area_mu": firm.land_mu,
                "granted_on": _granted(rng, today),
            }
        )
    tenancies = []
    for firm in tenants:
        owners = [owner for owner in above[firm.district_id] if owner.enterprise_id in codes]
        if not owners:
            continue
        started = today - dt.timedelta(days=rng.randint(60, 8 * 365))
        ended = started + dt.timedelta(days=rng.randint(365, 3 * 365)) if rng.random() < 0.1 else None
        tenancies.append(
            {
                "enterprise_id": firm.enterprise_id,
                "parcel_code": codes[rng.choice(owners).enterprise_id],
                "started_on": started,
                "ended_on": ended if ended is None or ended < today else None,
            }
        )
    return parcels, tenancies


def offset_rows(*, seed: int, firms: list[Firm], years: tuple[int, ...]) -> list[dict]:
    """Offsets of about one above-scale firm in twenty, sized by its electricity or emissions: in the last of
    `years`, and for half of them in the one before as well."""
    rng = random.Random(f"offsets:{seed}")
    candidates = [f for f in firms if f.above_scale and f.electricity and f.carbon_t]
    chosen = rng.sample(candidates, min(len(candidates), max(1, round(len(candidates) * OFFSET_SHARE))))
    kinds, weights = zip(*_OFFSET_KINDS, strict=True)
    rows = []
    for n, firm in enumerate(chosen, 1):
        kind = rng.choices(kinds, weights=weights)[0]
        for year in years[-2:] if rng.random() < 0.5 else years[-1:]:
            if OFFSET_UNITS[kind] == "万千瓦时":
                amount = firm.electricity * Decimal(rng.uniform(0.05, 0.3))
            else:
                amount = firm.carbon_t * Decimal(rng.uniform(0.01, 0.08 if kind == OffsetKind.SINK else 0.2))
            rows.append(
                {
                    "enterprise_id": firm.enterprise_id,
                    "year": year,
                    "kind": kind,
                    "amount": max(Decimal(1), amount.quantize(Decimal("0.01"))),
                    "source": _EVIDENCE[kind].format(year=year, n=n),
                }
            )
    return rows


def benchmark_rows(*, seed: int, local: dict[tuple[int, str], Decimal]) -> list[dict]:
    """The province's averages, drawn near the city's own (year, division) ratios of sums."""
    rng = random.Random(f"benchmarks:{seed}")
    return [
        {
            "year": year,
            "industry": division,
            "average_l": (ratio * Decimal(rng.uniform(0.85, 1.2))).quantize(Decimal("0.0001")),
            "source": BENCHMARK_SOURCE,
        }
        for (year, division), ratio in sorted(local.items())
        if division not in UNPUBLISHED and ratio > 0
    ]


def _firms(year: int) -> list[Firm]:
    """The city's enterprises with their land, electricity and emissions of `year` (the demo's latest), in a
    few queries."""
    units = {unit.pk: unit for unit in OrgUnit.objects.filter(enterprises__isnull=False).distinct()}
    towns = {unit.pk: unit for unit in OrgUnit.objects.filter(town_enterprises__isnull=False).distinct()}
    numbers = {pk: n for n, pk in enumerate(sorted(towns), 1)}
    figures = {
        enterprise: rest
        for enterprise, *rest in AnnualMetric.objects.filter(year=year).values_list(
            "enterprise_id", "land_mu", "electricity_10k_kwh", "carbon_t"
        )
    }
    found = []
    for pk, district, town, above in Enterprise.objects.order_by("pk").values_list(
        "pk", "district_id", "town_id", "above_scale"
    ):
        code = units[district].code
        place = towns[town].name if town else units[district].name
        land, electricity, carbon = figures.get(pk, (None, None, None))
        found.append(
            Firm(pk, district, code[:6] if code[:6].isdigit() else "330500", place, numbers.get(town, 0), above,
                 land, electricity, carbon)
        )  # fmt: skip
    return found


def _local_averages(years: tuple[int, ...]) -> dict[tuple[int, str], Decimal]:
    sums = (
        AnnualMetric.objects.filter(year__in=years, carbon_t__isnull=False, value_added_wan__gt=0)
        .values_list("year", "enterprise__industry_division")
        .annotate(carbon=Sum("carbon_t"), value_added=Sum("value_added_wan"))
    )
    return {(year, division): carbon / added for year, division, carbon, added in sums if division}


@transaction.atomic
def demo_land(seed: int, today: dt.date) -> dict[str, int]:
    """Parcels, tenancies, benchmarks and offsets, each once: a second run leaves what is there."""
    if LandParcel.objects.exists() or CarbonBenchmark.objects.exists() or CarbonOffset.objects.exists():
        return {"existing": LandParcel.objects.count()}
    years = METRIC_YEARS[-2:]  # the years the demo evaluates
    firms = _firms(years[-1])
    paths = dict(Enterprise.objects.values_list("pk", "district__path"))
    parcel_values, tenancy_values = land_rows(seed=seed, firms=firms, today=today)
    columns = ("enterprise_id", "code", "location", "area_mu", "granted_on")
    insert_rows(
        LandParcel,
        columns,
        [(*(p[name] for name in columns[:3]), int(p["area_mu"].scaleb(2)), p["granted_on"].isoformat())
         for p in parcel_values],
        scaled=["area_mu"],
    )  # fmt: skip
    by_code = dict(LandParcel.objects.values_list("code", "pk"))
    tenancies = LandTenancy.objects.bulk_create(
        [
            LandTenancy(enterprise_id=t["enterprise_id"], parcel_id=by_code[t["parcel_code"]],
                        started_on=t["started_on"], ended_on=t["ended_on"])
            for t in tenancy_values
        ]
    )  # fmt: skip
    offsets = CarbonOffset.objects.bulk_create(
        [CarbonOffset(**values) for values in offset_rows(seed=seed, firms=firms, years=years)]
    )
    benchmarks = CarbonBenchmark.objects.bulk_create(
        [CarbonBenchmark(**values) for values in benchmark_rows(seed=seed, local=_local_averages(years))]
    )
    write_audit(
        LandParcel,
        [(by_code[p["code"]], Action.CREATE, {}, f"宗地 {p['code']}", paths[p["enterprise_id"]], p["enterprise_id"])
         for p in parcel_values],
        actor=None, source=Source.SYSTEM, batch_id=None,
    )  # fmt: skip
    for model, objects in ((LandTenancy, tenancies), (CarbonOffset, offsets)):
        write_audit(
            model,
            [(obj.pk, Action.CREATE, {}, str(obj), paths[obj.enterprise_id], obj.enterprise_id) for obj in objects],
            actor=None, source=Source.SYSTEM, batch_id=None,
        )  # fmt: skip
    write_audit(
        CarbonBenchmark,
        [(obj.pk, Action.CREATE, {}, str(obj), "", None) for obj in benchmarks],
        actor=None,
        source=Source.SYSTEM,
        batch_id=None,
    )
    return {
        "parcels": len(parcel_values),
        "tenancies": len(tenancies),
        "benchmarks": len(benchmarks),
        "offsets": len(offsets),
    }
