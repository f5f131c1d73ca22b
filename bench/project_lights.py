"""Benchmark: lights, stall categories and the three lists for every project of a city or a province.

    .venv/bin/python bench/project_lights.py                          # SQLite and PostgreSQL, both scales
    .venv/bin/python bench/project_lights.py --db sqlite --scale city
    .venv/bin/python bench/project_lights.py --scale province --profile

Scales: city = 15,000 projects, province = 150,000, made by the demo generator with four years of monthly
progress (about 18 reports a project: 270,000 and 2.7 million rows; its projects report from signing to
the year they reach capacity, so more years add few rows), and the demo's 3.5 enterprises per project
(with three years of revenue, for the 升规 list). The database is built in four equal parts; after one,
two and all four the script times, each in its own process (so its wall time and peak memory are its
own), the median of REPEATS calls:

- **lights + stalls** — `project_board(actor=None, as_of=today)`;
- **three lists** — `project_lists(actor=None, start, end)` for the current month;
- at city scale, the **baseline**: a per-project ORM loop (the project, its year plan, its latest
  progress, one `project_verdicts` call each), checked to give the same verdicts as the board.

Target ([projects]): lights, stalls and the three lists together under 0.5 s for a city and under 5 s for
a province, on both databases, growing no faster than the number of projects.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import random
import time
from collections.abc import Callable

from harness import WORK, child, fresh_postgres, fresh_sqlite, peak_mb, setup_django, timed

VAR = WORK / "lights-var"
DATABASE = "kuochan_bench_lights"
SCALES = {"city": 15_000, "province": 150_000}  # projects
PARTS = 4
ENTERPRISES_PER_PROJECT = 3.5
PROGRESS_YEARS = 4
REPEATS = 5
CHUNK = 5_000


def run_phase(phase: str, database_url: str | None, *options: str) -> dict:
    return child(__file__, phase, VAR, database_url, *options)


def timed_repeats(
    call: Callable[[], object], before: Callable[[], None] | None = None
) -> tuple[float, object]:
    return timed(call, REPEATS, before)


def this_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def phase_setup(scale: str, part: int) -> dict:
    """Part `part` of the scale's data, added to the database (the first part starts it afresh: schema,
    Huzhou's reference data, and at province scale the demo province's org tree)."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from kuochan.core.bulk import insert_rows
    from kuochan.demo.generators import PRODUCTS, ProjectOwner, project_rows
    from kuochan.demo.services import demo_projects_insert
    from kuochan.orgs.models import REPORTING_KINDS, OrgUnit
    from kuochan.registry.models import AnnualMetric, Enterprise
    from tests.xlsx import uscc

    today = dt.date.today()
    if part == 0:
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0)
        options = ["--scale", "province"] if scale == "province" else []
        call_command("demo_data", *options, "--enterprises", "0", stdout=io.StringIO())
    districts = list(
        OrgUnit.objects.filter(kind__in=REPORTING_KINDS).order_by("pk").values_list("pk", "code")
    )
    areas = [(pk, code if code.isdigit() else f"33{index:04d}") for index, (pk, code) in enumerate(districts)]
    projects = SCALES[scale] // PARTS
    enterprises = round(projects * ENTERPRISES_PER_PROJECT)
    rng = random.Random(f"bench:{scale}:{part}")
    industries = sorted(PRODUCTS)
    with transaction.atomic():
        before = Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        rows, revenue = [], []
        for serial in range(part * enterprises + 1, (part + 1) * enterprises + 1):
            district, _ = rng.choice(areas)
            industry = rng.choice(industries)
            scale_wan = rng.lognormvariate(8.0, 1.2)  # 2025 revenue in 万元, as the demo registry
            rows.append(
                (uscc(serial), f"企业{serial}", district, "", industry, industry[:2], "", scale_wan >= 2000)
            )
            growth = rng.uniform(-0.05, 0.18)
            revenue.append([round(scale_wan * 100 / (1 + growth) ** back) for back in (2, 1, 0)])
        insert_rows(
            Enterprise,
            ["uscc", "name", "district_id", "address", "industry_code", "industry_division", "size_class",
             "above_scale"],
            rows,
        )  # fmt: skip
        made = list(
            Enterprise.objects.filter(pk__gt=before)
            .order_by("pk")
            .values_list("pk", "district_id", "industry_code", "above_scale")
        )
        years = range(today.year - 3, today.year)
        insert_rows(
            AnnualMetric,
            ["enterprise_id", "year", "revenue_wan", "main_revenue_wan"],
            [
                (pk, year, amount, amount)
                for (pk, *_), amounts in zip(made, revenue, strict=True)
                for year, amount in zip(years, amounts, strict=True)
            ],
            scaled=["revenue_wan", "main_revenue_wan"],
        )
        area_of = dict(areas)
        owners = [
            ProjectOwner(pk, district, area_of[district], None, industry, None, above)
            for pk, district, industry, above in made
        ]
        generated = project_rows(
            seed=2026 + part,
            owners=owners,
            count=projects,
            today=today,
            years=PROGRESS_YEARS,
            start=part * projects,
        )
        progress = 0
        while chunk := [row for _, row in zip(range(CHUNK), generated, strict=False)]:
            demo_projects_insert(chunk)
            progress += sum(len(row["progress"]) for row in chunk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does to a live database soon after a load
    return {"progress": progress}


def phase_board() -> dict:
    setup_django()
    from django.db import connection

    from kuochan.projects.rules import light_summary
    from kuochan.projects.selectors import project_board

    connection.ensure_connection()
    seconds, board = timed_repeats(lambda: project_board(actor=None, as_of=dt.date.today()))
    stalls = sum(verdict.stall is not None for verdict in board.verdicts)
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "lights": light_summary(board.verdicts),
        "stalls": stalls,
    }


def phase_lists() -> dict:
    setup_django()
    from django.db import connection

    from kuochan.projects.selectors import project_lists

    connection.ensure_connection()
    start, end = this_month(dt.date.today())
    seconds, lists = timed_repeats(lambda: project_lists(actor=None, start=start, end=end))
    sizes = [len(lists.to_start), len(lists.to_complete), len(lists.to_above_scale)]
    return {"seconds": seconds, "peak_mb": peak_mb(), "lists": sizes}


def phase_together() -> dict:
    """The board and the lists of the current month as a monthly recompute or the cockpit asks for them:
    the lists reuse the board's read of the projects (same as-of date)."""
    setup_django()
    from django.db import connection

    from kuochan.projects.selectors import project_board, project_lists

    connection.ensure_connection()
    today = dt.date.today()
    start, end = this_month(today)

    def both() -> None:
        board = project_board(actor=None, as_of=today)
        project_lists(actor=None, start=start, end=end, as_of=today, facts=board.facts)

    seconds, _ = timed_repeats(both)
    return {"seconds": seconds, "peak_mb": peak_mb()}


def phase_breakdown(profile: bool) -> dict:
    """Where the time of the board and the lists goes, step by step (and by function with --profile)."""
    setup_django()
    from django.db import connection

    from kuochan.projects.rules import enterprises_producing, project_verdicts, three_lists
    from kuochan.projects.selectors import (
        enterprise_facts,
        light_rules,
        project_board,
        project_facts,
        project_lists,
    )

    connection.ensure_connection()
    today = dt.date.today()
    start, end = this_month(today)
    rules = light_rules()
    steps: dict[str, float] = {}
    steps["project_facts with progress (one query + facts)"], facts = timed_repeats(
        lambda: project_facts(actor=None, as_of=today)
    )
    steps["project_verdicts (rules)"], _ = timed_repeats(
        lambda: project_verdicts(facts, as_of=today, rules=rules)
    )
    known_on = min(end, today)
    steps["project_facts without progress (lists)"], plain = timed_repeats(
        lambda: project_facts(actor=None, as_of=known_on, with_progress=False)
    )
    producing = enterprises_producing(plain, start=start, end=end, as_of=known_on)
    steps["enterprise_facts (pre-filtered in SQL + facts)"], firms = timed_repeats(
        lambda: enterprise_facts(actor=None, as_of=known_on, rules=rules, also=producing)
    )
    steps["three_lists (rules)"], _ = timed_repeats(
        lambda: three_lists(plain, firms, start=start, end=end, as_of=known_on, rules=rules)
    )
    result: dict = {"steps": steps}
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        project_board(actor=None, as_of=today)
        project_lists(actor=None, start=start, end=end)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
        result["profile"] = out.getvalue()
    return result


def phase_baseline() -> dict:
    """The straightforward way: for each project, query its year plan and its latest progress, and run the
    same rule on that one project."""
    setup_django()
    from django.db import connection

    from kuochan.projects.models import Progress, Project, YearPlan
    from kuochan.projects.rules import MILESTONES, ProjectFacts, last_complete_month, project_verdicts
    from kuochan.projects.selectors import light_rules, project_board

    connection.ensure_connection()
    today = dt.date.today()
    last = last_complete_month(today)

    def hundredths(amount: object) -> int | None:
        return None if amount is None else int(amount * 100)

    def loop() -> list:
        rules, verdicts = light_rules(), []
        for project in Project.objects.select_related("district"):
            plan = YearPlan.objects.filter(project=project, year=today.year).first()
            report = (
                Progress.objects.filter(
                    project=project, month__gte=today.replace(month=1, day=1), month__lte=last
                )
                .order_by("-month")
                .first()
                if last
                else None
            )
            facts = ProjectFacts(
                id=project.pk,
                code=project.code,
                name=project.name,
                district=project.district.name,
                status=project.status,
                planned={name: getattr(project, f"{name}_planned") for name in MILESTONES},
                actual={name: getattr(project, f"{name}_actual") for name in MILESTONES},
                total=hundredths(project.total_wan),
                enterprise_id=project.enterprise_id,
                is_renovation=project.is_renovation,
                year_plan=hundredths(plan.planned_wan) if plan else None,
                ytd=hundredths(report.ytd_wan) if report else None,
                ytd_month=report.month if report else None,
            )
            verdicts += project_verdicts([facts], as_of=today, rules=rules)
        return verdicts

    start = time.perf_counter()
    verdicts = loop()
    seconds = time.perf_counter() - start
    board = project_board(actor=None, as_of=today)
    same = sorted((v.project_id, v.light, v.stall, v.reasons) for v in verdicts) == sorted(
        (v.project_id, v.light, v.stall, v.reasons) for v in board.verdicts
    )
    return {"seconds": seconds, "peak_mb": peak_mb(), "queries": 1 + 2 * len(verdicts), "same": same}


def run_scale(name: str, url: str | None, scale: str, profile: bool) -> None:
    print(f"{name} {scale}: building the database in {PARTS} parts …", flush=True)
    built, progress, first = 0, 0, None
    for parts, label in ((1, "1/4"), (2, "1/2"), (PARTS, "full")):
        while built < parts:
            made = run_phase("setup", url, "--scale", scale, "--part", str(built))
            progress += made["progress"]
            built += 1
        board, lists, both = run_phase("board", url), run_phase("lists", url), run_phase("together", url)
        together = both["seconds"]
        first = first or together
        size = f"{SCALES[scale] * parts // PARTS:,} / {progress:,}"
        for phase, seconds, peak, shown in (
            ("lights + stalls", board["seconds"], board["peak_mb"], f"{board['lights']}, stalls {board['stalls']}"),
            ("three lists", lists["seconds"], lists["peak_mb"], "拟开工 {}, 竣工 {}, 升规 {}".format(*lists["lists"])),
            ("together", together, both["peak_mb"],
             f"{together / first:.2f}x the 1/4 size's time for {parts}x its projects"),
        ):  # fmt: skip
            print(
                f"{name:<11} {scale:<9} {label:<5} {size:>19} {phase:<16} {seconds:8.3f} {peak:8.0f}  {shown}"
            )
    breakdown = run_phase("breakdown", url, *(["--profile"] if profile else []))
    for step, seconds in breakdown["steps"].items():
        print(f"{'':<11} {'':<9} {'':<5} {'':>19}   {step:<42} {seconds:8.3f}")
    if "profile" in breakdown:
        print(breakdown["profile"])
    if scale == "city":
        baseline = run_phase("baseline", url)
        ratio = baseline["seconds"] / board["seconds"]
        print(
            f"{name:<11} {scale:<9} {'full':<5} {'':>19} {'per-project loop':<16} {baseline['seconds']:8.3f} "
            f"{baseline['peak_mb']:8.0f}  {ratio:.0f}x the board, {baseline['queries']:,} queries, "
            f"same verdicts: {baseline['same']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=["city", "province", "both"], default="both")
    parser.add_argument("--profile", action="store_true", help="also profile the full-size run by function")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        handlers = {
            "setup": lambda: phase_setup(args.scale, args.part),
            "board": phase_board,
            "lists": phase_lists,
            "together": phase_together,
            "breakdown": lambda: phase_breakdown(args.profile),
            "baseline": phase_baseline,
        }
        print(json.dumps(handlers[args.phase](), ensure_ascii=False))
        return
    scales = ["city", "province"] if args.scale == "both" else [args.scale]
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"as of {dt.date.today()}; each time is the median of {REPEATS} calls in a fresh process")
    print(f"{'database':<11} {'scale':<9} {'size':<5} {'projects / progress':>19} {'phase':<16} {'seconds':>8} "
          f"{'peak MB':>8}  result")  # fmt: skip
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
    print(f"(the lists are for {this_month(dt.date.today())[0]:%Y-%m})")


if __name__ == "__main__":
    main()
