"""Benchmark: the yearly enterprise evaluation (亩均效益综合评价, 碳效码, 清三低, 分类施策) of a city or a province.

    .venv/bin/python bench/evaluation.py                          # SQLite and PostgreSQL, both scales
    .venv/bin/python bench/evaluation.py --db sqlite --scale city
    .venv/bin/python bench/evaluation.py --scale province --profile

Scales: city = 30,000 enterprises, province = 300,000 (in the demo province's districts). The script builds a
fresh database (not timed): schema, Huzhou's reference data (which ships the 2025 scheme), then the
enterprises in parts of PART_SIZE with bulk inserts: their 2024 and 2025 figures for every metric the rules
read (about 30 % above-scale, land 3–200 亩, MISSING of the cells blank), honours, survey answers
(扩产意愿) and a few staff exemptions (不参评). The 2024 evaluation is then run once, so that 2025's has last
year's classes to compare with, as it would in production. Then, each in its own process (so its wall time
and peak memory are its own), the median of REPEATS calls:

- **read** — `selectors.enterprise_years(2025)`: the facts of every enterprise with 2025 figures;
- **compute** — `rules.evaluate(...)` on those facts (NumPy columns, no queries);
- **first run** — `services.evaluation_run(actor=None, source=Source.CLI, year=2025)` on a year with no
  stored results (read + compute + store, in its transaction; the year's results are removed, untimed,
  before each call);
- **re-run** — the same right after, replacing the year's stored results (delete + insert);
- a **breakdown** of one run step by step (median of REPEATS), with the time the garbage collector took;
  with `--profile`, a cProfile of one whole run by function.

Target ([evaluation]): evaluate 300,000 enterprises (a province), both groups, in under 5 s on both databases.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import math
import pstats
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable

from harness import WORK, child, fresh_postgres, fresh_sqlite, peak_mb, setup_django, timed

VAR = WORK / "evaluation-var"
DATABASE = "kuochan_bench_evaluation"
SCALES = {"city": 30_000, "province": 300_000}  # enterprises
PART_SIZE = 75_000
YEAR = 2025
REPEATS = 5
TARGET_SECONDS = 5.0  # the whole run, province scale
MISSING = 0.03  # share of blank metric cells
# Size classes by 2025 revenue in 万元, as the demo generator makes them.
SIZES = ((40_000, "large"), (8_000, "medium"), (800, "small"), (0, "micro"))
UTILITIES = ("4411", "4430", "4511", "4610")  # 电力、热力、燃气、自来水: exempt by the shipped scheme


def run_phase(phase: str, database_url: str | None, *options: str) -> dict:
    return child(__file__, phase, VAR, database_url, *options)


def timed_repeats(
    call: Callable[[], object], before: Callable[[], None] | None = None
) -> tuple[float, object]:
    return timed(call, REPEATS, before)


def parts_of(scale: str) -> int:
    return math.ceil(SCALES[scale] / PART_SIZE)


def part_data(scale: str, part: int, districts: list[int]) -> list[tuple[tuple, list, list, list, list]]:
    """The enterprises of part `part`, each as its row, its metric rows by year (METRICS as integers of
    hundredths, employees as a count), honours, survey answers and exemptions (the last four without the
    enterprise id, added once it is known)."""
    from kuochan.demo.generators import HONOUR_RATES, INDUSTRIES
    from tests.xlsx import uscc

    rng = random.Random(f"bench-evaluation:{scale}:{part}")
    weights = [weight for _, weight, _, _ in INDUSTRIES]
    first = part * PART_SIZE + 1
    made = []
    for serial in range(first, first + min(PART_SIZE, SCALES[scale] - part * PART_SIZE)):
        if rng.random() < 0.015:
            industry, word = rng.choice(UTILITIES), "能源"
        else:
            industry, _, words, _ = rng.choices(INDUSTRIES, weights=weights)[0]
            word = rng.choice(words)
        scale_wan = rng.lognormvariate(6.97, 1.2)  # 2025 revenue in 万元: 30 % at the 2,000 bar or above
        above = scale_wan >= 2000
        size = next(name for bound, name in SIZES if scale_wan > bound)
        size = "" if rng.random() < 0.03 else size
        young = rng.random() < 0.03
        established = dt.date(
            rng.randint(2023, 2025) if young else rng.randint(1995, 2022), rng.randint(1, 12), 1
        )
        since = None
        if above:
            since = max(established, dt.date(rng.randint(2010, YEAR), 1, 1))
            if rng.random() < 0.02:  # above-scale only after the year: evaluated as below-scale
                since = dt.date(YEAR + 1, 1, 1)
        land = min(200.0, max(3.0, scale_wan / rng.uniform(80, 400)))
        growth = rng.uniform(-0.05, 0.18)
        row = (
            uscc(serial), f"湖州{serial:06d}{word}有限公司", rng.choice(districts), "", established.isoformat(),
            industry, industry[:2], size, above, since and since.isoformat(),
        )  # fmt: skip
        metrics = []
        for year in (YEAR - 1, YEAR):
            if year <= established.year:
                continue
            revenue = scale_wan / (1 + growth) ** (YEAR - year)
            value_added = revenue * rng.uniform(0.18, 0.32)
            cells = [
                revenue,
                value_added,
                revenue * rng.uniform(0.015, 0.06),  # tax
                revenue * rng.uniform(0.005, 0.05),  # R&D
                revenue * rng.uniform(0.01, 0.12),  # energy
                revenue * rng.uniform(0.03, 0.3),  # electricity
                revenue * rng.uniform(0.0001, 0.002),  # pollutants
                value_added * rng.uniform(0.2, 2.6),  # carbon
                revenue * rng.uniform(0, 0.03) if rng.random() < 0.4 else 0.0,  # zero-carbon power
                land,
            ]
            employees = max(5, int(revenue / rng.uniform(40, 120)))
            later = [
                revenue * rng.uniform(0.9, 1.0),
                cells[3] * rng.uniform(0.8, 1.2),
            ]  # main revenue, R&D spending
            values = (
                [round(cell * 100) for cell in cells] + [employees] + [round(cell * 100) for cell in later]
            )
            metrics.append((year, *(None if rng.random() < MISSING else value for value in values)))
        honours = []
        for kind, above_rate, other_rate in HONOUR_RATES:
            if established.year < YEAR and rng.random() < (above_rate if above else other_rate):
                granted = rng.randint(max(2015, established.year + 1), YEAR)
                lost = granted + rng.randint(1, 4) if rng.random() < 0.05 else None
                honours.append((kind, granted, lost, ""))
        surveys = [
            (year, rng.choices(("yes", "watching", "no"), weights=(35, 40, 25))[0], "", "")
            for year, share in ((YEAR, 0.6), (YEAR + 1, 0.7))
            if rng.random() < share
        ]
        exemptions = [
            (year, rng.choice(("停产整顿", "整体搬迁中", "破产清算", "兼并重组过渡期")))
            for year in (YEAR - 1, YEAR)
            if rng.random() < 0.005
        ]
        # Its own parcel (a few granted within the new-land window), or, for 2 % of the below-scale firms, a
        # tenancy on the parcel of an above-scale firm made before it in this part.
        owners = [i for i, (r, *_) in enumerate(made) if r[8]]
        renting = not above and owners and rng.random() < 0.02
        parcel = (
            []
            if renting
            else [
                (
                    f"B{serial:07d}",
                    "",
                    round(land, 2),
                    dt.date(rng.randint(1995, YEAR), rng.randint(1, 12), 1).isoformat(),
                )
            ]
        )
        tenancy = [(rng.choice(owners),)] if renting else []
        offsets = []
        if above and rng.random() < 0.05:
            offsets = [
                (
                    YEAR,
                    rng.choice(("sink", "green_certificate", "green_power", "storage")),
                    round(rng.uniform(10, 500), 2),
                    "基准测试",
                )
            ]
        made.append((row, metrics, honours, surveys, exemptions, parcel, tenancy, offsets))
    return made


def phase_setup(scale: str, part: int) -> dict:
    """Part `part` of the scale's enterprises with their figures, added to the database (the first part
    starts it afresh: schema, Huzhou's reference data, and at province scale the demo province's org tree)."""
    setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from kuochan.core.bulk import insert_rows
    from kuochan.evaluation.models import CarbonBenchmark, CarbonOffset, Exemption
    from kuochan.evaluation.rules import METRICS
    from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
    from kuochan.registry.models import AnnualMetric, Enterprise, Honour, LandParcel, LandTenancy, Survey

    if part == 0:
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0)
        if scale == "province":
            call_command("demo_data", "--scale", "province", "--enterprises", "0", stdout=io.StringIO())
    districts = list(
        OrgUnit.objects.filter(kind__in=REPORTING_KINDS).order_by("pk").values_list("pk", flat=True)
    )
    made = part_data(scale, part, districts)
    with transaction.atomic():
        before = Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        insert_rows(
            Enterprise,
            ["uscc", "name", "district_id", "address", "established_on", "industry_code", "industry_division",
             "size_class", "above_scale", "above_scale_since"],
            [row for row, *_ in made],
        )  # fmt: skip
        ids = list(Enterprise.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
        owned = {
            "metrics": [],
            "honours": [],
            "surveys": [],
            "exemptions": [],
            "parcels": [],
            "tenancies": [],
            "offsets": [],
        }
        for pk, (_, *lists) in zip(ids, made, strict=True):
            for name, items in zip(owned, lists, strict=True):
                owned[name] += [(pk, *item) for item in items]
        insert_rows(
            AnnualMetric,
            ["enterprise_id", "year", *METRICS],
            owned["metrics"],
            scaled=[name for name in METRICS if name != "employees"],
        )  # employees: a count
        insert_rows(
            LandParcel, ["enterprise_id", "code", "location", "area_mu", "granted_on"], owned["parcels"]
        )
        parcels = dict(LandParcel.objects.filter(enterprise_id__in=ids).values_list("enterprise_id", "pk"))
        insert_rows(
            LandTenancy,
            ["enterprise_id", "parcel_id", "started_on"],
            [
                (pk, parcels[ids[owner]], "2020-01-01")
                for pk, owner in owned["tenancies"]
                if ids[owner] in parcels
            ],
        )
        insert_rows(CarbonOffset, ["enterprise_id", "year", "kind", "amount", "source"], owned["offsets"])
        if part == 0:  # the province's averages for the largest industries
            insert_rows(
                CarbonBenchmark,
                ["year", "industry", "average_l", "source"],
                [
                    (YEAR, f"{d:02d}", round(0.5 + d / 40, 4), "基准测试")
                    for d in (13, 17, 18, 22, 26, 29, 30, 31, 33, 34, 35, 36, 38, 39, 40)
                ],
            )
        insert_rows(
            Honour, ["enterprise_id", "kind", "year_granted", "year_lost", "stock_code"], owned["honours"]
        )
        insert_rows(Survey, ["enterprise_id", "year", "willingness", "needs", "notes"], owned["surveys"])
        insert_rows(Exemption, ["enterprise_id", "year", "reason"], owned["exemptions"])
    return {"enterprises": len(ids), **{name: len(rows) for name, rows in owned.items()}}


def phase_prepare() -> dict:
    """Last year's evaluation (what this year's compares classes with), then ANALYZE on PostgreSQL (what
    autovacuum does to a live database soon after a load)."""
    setup_django()
    from django.db import connection

    from kuochan.audit.models import Source
    from kuochan.evaluation.services import evaluation_run

    start = time.perf_counter()
    _, evaluation = evaluation_run(actor=None, source=Source.CLI, year=YEAR - 1)
    seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"seconds": seconds, "enterprises": len(evaluation.facts)}


def summary(evaluation: object) -> dict:
    """Group sizes, classes and carbon grades of an evaluation."""
    from kuochan.evaluation.rules import CLASS_CODES, GROUP_CODES

    return {
        "groups": dict(Counter(GROUP_CODES[g] or "outside" for g in evaluation.group.tolist())),
        "classes": {k: v for k, v in Counter(CLASS_CODES[k] for k in evaluation.klass.tolist()).items() if k},
        "unclassified": int((evaluation.klass == 0).sum()),
        "grades": dict(sorted(Counter(g for g in evaluation.carbon_grade.tolist() if g).items())),
    }


def phase_read() -> dict:
    setup_django()
    from django.db import connection

    from kuochan.evaluation.selectors import enterprise_years

    connection.ensure_connection()
    seconds, facts = timed_repeats(lambda: enterprise_years(YEAR))
    return {"seconds": seconds, "peak_mb": peak_mb(), "enterprises": len(facts)}


def phase_compute() -> dict:
    setup_django()
    from kuochan.evaluation.rules import evaluate, scheme_from_definition
    from kuochan.evaluation.selectors import enterprise_years, scheme_of_year

    scheme = scheme_from_definition(scheme_of_year(YEAR).definition)
    facts = enterprise_years(YEAR)
    seconds, evaluation = timed_repeats(lambda: evaluate(facts, year=YEAR, scheme=scheme))
    return {"seconds": seconds, "peak_mb": peak_mb(), **summary(evaluation)}


def phase_run(replace: bool) -> dict:
    """The whole run; the first on a year without stored results, or (`replace`) one replacing them."""
    setup_django()
    from django.db import connection

    from kuochan.audit.models import Source
    from kuochan.evaluation.models import EvaluationResult
    from kuochan.evaluation.services import evaluation_run

    connection.ensure_connection()

    def clear() -> None:
        EvaluationResult.objects.filter(year=YEAR).delete()

    if replace and not EvaluationResult.objects.filter(year=YEAR).exists():
        evaluation_run(actor=None, source=Source.CLI, year=YEAR)
    stored = EvaluationResult.objects.filter(year=YEAR).count()
    seconds, (_, evaluation) = timed_repeats(
        lambda: evaluation_run(actor=None, source=Source.CLI, year=YEAR), before=None if replace else clear
    )
    return {"seconds": seconds, "peak_mb": peak_mb(), "replaced": stored, **summary(evaluation)}


class Laps:
    """A stopwatch: each call records the time since the previous one under a name."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = now - self.clock
        self.clock = now


class GcClock:
    """The time the garbage collector spends collecting while the block runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.started = 0.0

    def _callback(self, event: str, _: dict) -> None:
        if event == "start":
            self.started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self.started

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)


def phase_breakdown(profile: bool) -> dict:
    """Where the time of a run goes: its steps as `services.evaluation_run` takes them (median of REPEATS
    runs, each replacing the year's results and committed), the garbage collector's share, and with
    `profile` one whole run by function."""
    setup_django()
    from django.db import connection, transaction

    from kuochan.audit.models import Source
    from kuochan.core.bulk import insert_rows
    from kuochan.evaluation.models import EvaluationResult
    from kuochan.evaluation.rules import evaluate, scheme_from_definition
    from kuochan.evaluation.selectors import enterprise_years
    from kuochan.evaluation.services import RESULT_COLUMNS, _rows, _scheme_for_run, evaluation_run

    connection.ensure_connection()
    runs: list[dict[str, float]] = []
    for _ in range(REPEATS):
        gc.collect()
        with GcClock() as collector:
            lap = Laps()
            with transaction.atomic():
                stored = _scheme_for_run(YEAR, None, None, Source.CLI)
                scheme = scheme_from_definition(stored.definition)
                lap("scheme")
                facts = enterprise_years(YEAR)
                lap("read: enterprise_years")
                evaluation = evaluate(facts, year=YEAR, scheme=scheme)
                lap("rules.evaluate")
                rows = list(_rows(evaluation, YEAR, None, stored.pk))
                lap("services._rows (result rows)")
                EvaluationResult.objects.filter(year=YEAR).delete()
                lap("delete the year's stored results (a real run: alongside the rules on PostgreSQL)")
                insert_rows(EvaluationResult, RESULT_COLUMNS, rows)
                lap("insert_rows (COPY on PostgreSQL; streamed in a real run)")
            lap("commit")
        lap.times["total (without run record and audit)"] = sum(lap.times.values())
        lap.times["of which garbage collection"] = collector.seconds
        runs.append(lap.times)
        del facts, evaluation, rows
    result: dict = {"steps": {name: statistics.median(run[name] for run in runs) for name in runs[0]}}
    if profile:
        gc.collect()
        profiler = cProfile.Profile()
        profiler.enable()
        evaluation_run(actor=None, source=Source.CLI, year=YEAR)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        result["profile"] = out.getvalue()
    return result


def shown(result: dict) -> str:
    groups, grades = result["groups"], result["grades"]
    classes = " ".join(f"{klass} {count:,}" for klass, count in result["classes"].items())
    return (
        f"above-scale {groups.get('above', 0):,}, below-scale {groups.get('below', 0):,} | {classes}, "
        f"out of range {result['unclassified']:,} | carbon grade {sum(grades.values()):,} "
        f"({' '.join(f'{grade}: {count:,}' for grade, count in grades.items())})"
    )


def run_scale(name: str, url: str | None, scale: str, profile: bool) -> None:
    print(f"{name} {scale}: building the database in {parts_of(scale)} part(s) …", flush=True)
    start = time.perf_counter()
    built = Counter()
    for part in range(parts_of(scale)):
        built.update(run_phase("setup", url, "--scale", scale, "--part", str(part)))
    prepared = run_phase("prepare", url)
    print(
        f"{name} {scale}: {built['enterprises']:,} enterprises, {built['metrics']:,} metric rows (2024–2025), "
        f"{built['honours']:,} honours, {built['surveys']:,} survey answers, {built['exemptions']:,} exemptions;"
        f" the 2024 evaluation ({prepared['enterprises']:,}) took {prepared['seconds']:.2f} s; "
        f"built in {time.perf_counter() - start:.0f} s",
        flush=True,
    )
    read, compute = run_phase("read", url), run_phase("compute", url)
    first, again = run_phase("first-run", url), run_phase("re-run", url)
    size = f"{read['enterprises']:,}"
    for phase, result, note in (
        ("read", read, f"{read['enterprises']:,} facts"),
        ("compute", compute, shown(compute)),
        ("first run", first, "whole run, no stored results"),
        ("re-run", again, f"whole run, replacing {again['replaced']:,} stored results"),
    ):
        print(
            f"{name:<11} {scale:<9} {size:>11} {phase:<10} {result['seconds']:8.3f} {result['peak_mb']:8.0f}  {note}"
        )
    if scale == "province":
        verdict = "met" if max(first["seconds"], again["seconds"]) < TARGET_SECONDS else "missed"
        print(f"{'':<11} {'':<9} {'':>11} target: whole run under {TARGET_SECONDS:.0f} s — {verdict}")
    breakdown = run_phase("breakdown", url, *(["--profile"] if profile else []))
    for step, seconds in breakdown["steps"].items():
        print(f"{'':<11} {'':<9} {'':>11}   {step:<48} {seconds:8.3f}")
    if "profile" in breakdown:
        print(breakdown["profile"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=["city", "province", "both"], default="both")
    parser.add_argument("--profile", action="store_true", help="also profile one whole run by function")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        handlers = {
            "setup": lambda: phase_setup(args.scale, args.part),
            "prepare": phase_prepare,
            "read": phase_read,
            "compute": phase_compute,
            "first-run": lambda: phase_run(replace=False),
            "re-run": lambda: phase_run(replace=True),
            "breakdown": lambda: phase_breakdown(args.profile),
        }
        print(json.dumps(handlers[args.phase](), ensure_ascii=False))
        return
    scales = ["city", "province"] if args.scale == "both" else [args.scale]
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"as of {dt.date.today()}; evaluation year {YEAR}; each time is the median of {REPEATS} calls in a fresh process"
    )
    print(
        f"{'database':<11} {'scale':<9} {'enterprises':>11} {'phase':<10} {'seconds':>8} {'peak MB':>8}  result"
    )
    for database in databases:
        for scale in scales:
            if database == "sqlite":
                fresh_sqlite(VAR)
                run_scale("SQLite", None, scale, args.profile)
                continue
            url = fresh_postgres(DATABASE)
            if url is None:
                print("PostgreSQL: no server could be reached or started; skipped")
                break
            run_scale("PostgreSQL", url, scale, args.profile)


if __name__ == "__main__":
    main()
