"""Benchmark: importing 100,000 rows of enterprise metrics, against reading the same file with calamine.

    .venv/bin/python bench/import_metrics.py                     # SQLite and PostgreSQL
    .venv/bin/python bench/import_metrics.py --db sqlite --rows 20000
    .venv/bin/python bench/import_metrics.py --baseline          # also django-import-export (slow: minutes)

Each phase runs in its own process, so its wall time and peak memory (max RSS) are its own. The target
([registry]): first import and re-import each within 2.5x the calamine read, under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from harness import WORK, child, fresh_postgres, peak_mb, setup_django

YEARS = (2022, 2023, 2024, 2025)


def make_file(path: Path, rows: int) -> None:
    """An officials'-style file: one row per enterprise and year, 15 metrics, some blanks."""
    import xlsxwriter

    setup_django()
    from kuochan.registry.importers import METRIC_COLUMNS
    from tests.xlsx import uscc

    rng = random.Random(7)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("企业指标")
    header = ["统一社会信用代码", "企业名称", "年度", *(column.header for column in METRIC_COLUMNS)]
    sheet.write_row(0, 0, header)
    enterprises = rows // len(YEARS)
    r = 1
    for serial in range(1, enterprises + 1):
        code = uscc(serial)
        for year in YEARS:
            values = [
                round(rng.uniform(10, 50000), 2) if rng.random() > 0.05 else None for _ in METRIC_COLUMNS[:-1]
            ]
            sheet.write_row(r, 0, [code, f"企业{serial}", year])
            for c, value in enumerate(values, start=3):
                if value is not None:
                    sheet.write_number(r, c, value)
            sheet.write_number(r, 3 + len(values), rng.randint(5, 3000))
            r += 1
    book.close()


def phase_setup(rows: int) -> dict:
    """Fresh database with Huzhou's reference data and the file's enterprises."""
    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from kuochan.core.bulk import insert_rows
    from kuochan.orgs.models import OrgUnit
    from kuochan.registry.models import Enterprise
    from tests.xlsx import uscc

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    with connection.cursor() as cursor:
        for table in (
            "audit_auditentry",
            "registry_annualmetric",
            "registry_enterprise_tags",
            "registry_enterprise",
        ):
            # a fresh database: TRUNCATE on PostgreSQL, whose audit trail refuses DELETE (append only)
            cursor.execute(
                f"TRUNCATE {table} CASCADE" if connection.vendor == "postgresql" else f"DELETE FROM {table}"
            )
    district = OrgUnit.objects.get(code="330502").pk
    enterprises = rows // len(YEARS)
    with transaction.atomic():
        insert_rows(
            Enterprise,
            [
                "uscc",
                "name",
                "district_id",
                "address",
                "industry_code",
                "industry_division",
                "size_class",
                "above_scale",
            ],
            (
                (uscc(serial), f"企业{serial}", district, "", "", "", "", False)
                for serial in range(1, enterprises + 1)
            ),
        )
    return {"enterprises": enterprises}


def phase_read(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    return {"seconds": time.perf_counter() - start, "rows": len(rows) - 1, "peak_mb": peak_mb()}


def phase_import(path: Path) -> dict:
    setup_django()
    from kuochan.audit.models import Source
    from kuochan.imports.engine import run_import

    start = time.perf_counter()
    result = run_import("enterprise-metrics", path, actor=None, source=Source.CLI, background=True)
    seconds = time.perf_counter() - start
    summary = {key: result.as_json()[key] for key in ("rows", "created", "updated", "unchanged", "applied")}
    return {"seconds": seconds, "peak_mb": peak_mb(), **summary, "errors": len(result.errors)}


def phase_baseline(path: Path) -> dict:
    """django-import-export 4.x with use_bulk, the usual alternative (installed on demand)."""
    setup_django()
    import tablib
    from import_export import fields, resources, widgets

    from kuochan.registry.importers import METRIC_COLUMNS
    from kuochan.registry.models import AnnualMetric, Enterprise

    class MetricResource(resources.ModelResource):
        enterprise = fields.Field(
            column_name="统一社会信用代码",
            attribute="enterprise",
            widget=widgets.ForeignKeyWidget(Enterprise, "uscc"),
        )
        year = fields.Field(column_name="年度", attribute="year")

        class Meta:
            model = AnnualMetric
            import_id_fields = ("enterprise", "year")
            fields = ("enterprise", "year", *(column.key for column in METRIC_COLUMNS))
            use_bulk = True
            batch_size = 2000
            skip_unchanged = True

    for column in METRIC_COLUMNS:
        MetricResource.fields[column.key] = fields.Field(column_name=column.header, attribute=column.key)
    start = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    result = MetricResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - start
    totals = result.totals
    return {"seconds": seconds, "peak_mb": peak_mb(), "new": totals.get("new"), "skip": totals.get("skip")}


def run_phase(phase: str, args: argparse.Namespace, database_url: str | None) -> dict:
    return child(__file__, phase, WORK / "var", database_url, "--rows", str(args.rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--baseline", action="store_true", help="also run django-import-export")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = WORK / f"metrics-{args.rows}.xlsx"
    if args.phase:
        handlers = {
            "setup": lambda: phase_setup(args.rows),
            "read": lambda: phase_read(path),
            "import": lambda: phase_import(path),
            "baseline": lambda: phase_baseline(path),
        }
        print(json.dumps(handlers[args.phase]()))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        print(f"writing {path} …", flush=True)
        make_file(path, args.rows)
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {args.rows} rows x 18 columns")
    databases = []
    if args.db in ("sqlite", "both"):
        (WORK / "var").mkdir(exist_ok=True)
        (WORK / "var" / "kuochan.sqlite3").unlink(missing_ok=True)
        databases.append(("SQLite", None))
    if args.db in ("postgres", "both"):
        url = fresh_postgres("kuochan_bench")
        if url:
            databases.append(("PostgreSQL", url))
        else:
            print("PostgreSQL: no server could be reached or started; skipped")
    print(f"{'database':<11} {'phase':<28} {'seconds':>8} {'x read':>7} {'peak MB':>8}  result")
    for name, url in databases:
        run_phase("setup", args, url)
        read = run_phase("read", args, url)
        print(f"{name:<11} {'calamine read':<28} {read['seconds']:8.2f} {1:7.2f} {read['peak_mb']:8.0f}")
        for label in ("first import (creates)", "re-import (all unchanged)"):
            run = run_phase("import", args, url)
            ratio = run["seconds"] / read["seconds"]
            shown = f"created {run['created']}, updated {run['updated']}, unchanged {run['unchanged']}"
            print(f"{name:<11} {label:<28} {run['seconds']:8.2f} {ratio:7.2f} {run['peak_mb']:8.0f}  {shown}")
        if args.baseline:
            run_phase("setup", args, url)
            for label in ("django-import-export first", "django-import-export again"):
                run = run_phase("baseline", args, url)
                ratio = run["seconds"] / read["seconds"]
                shown = f"new {run['new']}, skipped {run['skip']}"
                print(
                    f"{name:<11} {label:<28} {run['seconds']:8.2f} {ratio:7.2f} {run['peak_mb']:8.0f}  {shown}"
                )


if __name__ == "__main__":
    main()
