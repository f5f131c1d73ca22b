"""Writing generated demo data, in bulk and audited as the system's doing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.core.bulk import insert_rows
from kuochan.imports.engine import write_audit
from kuochan.projects.models import Progress, Project, YearPlan
from kuochan.registry.models import AnnualMetric, Enterprise, Honour, IndustryTag, Survey

BATCH = 2000


@transaction.atomic
def demo_registry_create(rows: list[dict[str, Any]], paths: dict[int, str]) -> dict[str, int]:
    """Enterprises with their tags, metrics, honours and surveys; `paths` maps district id → org path."""
    tags = dict(IndustryTag.objects.values_list("name", "pk"))
    enterprises = [
        Enterprise(
            uscc=row["uscc"], name=row["name"], district_id=row["district_id"], town_id=row["town_id"],
            established_on=row["established_on"], industry_code=row["industry_code"],
            industry_division=row["industry_code"][:2], size_class=row["size_class"], above_scale=row["above_scale"],
            above_scale_since=row["above_scale_since"], segment_since=row["segment_since"],
        )
        for row in rows
    ]  # fmt: skip
    Enterprise.objects.bulk_create(enterprises, batch_size=BATCH)
    through = Enterprise.tags.through
    through.objects.bulk_create(
        [through(enterprise_id=e.pk, industrytag_id=tags[row["tag"]]) for e, row in zip(enterprises, rows, strict=True)
         if row["tag"] in tags],
        batch_size=BATCH,
    )  # fmt: skip
    metrics = [
        AnnualMetric(enterprise=e, **m)
        for e, row in zip(enterprises, rows, strict=True)
        for m in row["metrics"]
    ]
    honours = [
        Honour(enterprise=e, **h) for e, row in zip(enterprises, rows, strict=True) for h in row["honours"]
    ]
    surveys = [Survey(enterprise=e, **row["survey"]) for e, row in zip(enterprises, rows, strict=True)]
    for model, objects in ((AnnualMetric, metrics), (Honour, honours), (Survey, surveys)):
        model.objects.bulk_create(objects, batch_size=BATCH)
    for model, objects in (
        (Enterprise, enterprises),
        (AnnualMetric, metrics),
        (Honour, honours),
        (Survey, surveys),
    ):
        write_audit(
            model,
            [
                (obj.pk, Action.CREATE, {}, str(obj) if model is Enterprise else f"{obj.enterprise.name} {obj}",
                 paths[obj.district_id if model is Enterprise else obj.enterprise.district_id],
                 obj.pk if model is Enterprise else obj.enterprise_id)
                for obj in objects
            ],
            actor=None, source=Source.SYSTEM, batch_id=None,
        )  # fmt: skip
    return {
        "enterprises": len(enterprises),
        "metrics": len(metrics),
        "honours": len(honours),
        "surveys": len(surveys),
    }


PROJECT_AMOUNTS = (
    "total_wan",
    "equipment_wan",
    "capacity_output_wan",
    "capacity_tax_wan",
    "land_mu",
    "energy_tce",
)
PROGRESS_COLUMNS = (
    "project_id",
    "month",
    "ytd_wan",
    "year_plan_wan",
    "progress_note",
    "problems",
    "coordination",
)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def demo_projects_insert(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Projects from `project_rows`, with their year plans and monthly progress, in three bulk inserts;
    returns project code → id. Not audited: `demo_projects_create` audits what it inserts, and the
    benchmarks load millions of rows through here into a throw-away database. Needs a transaction."""
    rows = list(rows)
    if not rows:
        return {}
    columns = [name for name in rows[0] if name not in ("year_plans", "progress")]
    insert_rows(
        Project, columns, [[_iso(row[name]) for name in columns] for row in rows], scaled=PROJECT_AMOUNTS
    )
    first = Project.objects.filter(code=rows[0]["code"]).values_list("pk", flat=True).get()
    ids = dict(Project.objects.filter(pk__gte=first).values_list("code", "pk"))
    insert_rows(
        YearPlan,
        ["project_id", "year", "planned_wan"],
        [(ids[row["code"]], year, planned) for row in rows for year, planned in row["year_plans"]],
        scaled=["planned_wan"],
    )
    insert_rows(
        Progress,
        PROGRESS_COLUMNS,
        [(ids[row["code"]], month.isoformat(), *rest) for row in rows for month, *rest in row["progress"]],
        scaled=["ytd_wan", "year_plan_wan"],
    )
    return ids


@transaction.atomic
def demo_projects_create(rows: list[dict[str, Any]], paths: dict[int, str]) -> dict[str, int]:
    """Projects with their year plans and progress, audited as the system's creations like the demo
    registry; `paths` maps district id → org path."""
    ids = demo_projects_insert(rows)
    owners = {
        ids[row["code"]]: (row["name"], paths[row["district_id"]], row["enterprise_id"]) for row in rows
    }
    first = min(owners, default=0)
    plans = YearPlan.objects.filter(project_id__gte=first).values_list("pk", "project_id", "year")
    reports = Progress.objects.filter(project_id__gte=first).values_list("pk", "project_id", "month")
    entries = {
        Project: [
            (pk, Action.CREATE, {}, name, path, enterprise) for pk, (name, path, enterprise) in owners.items()
        ],
        YearPlan: [
            (pk, Action.CREATE, {}, f"{owners[project][0]} {year}年计划投资", *owners[project][1:])
            for pk, project, year in plans
            if project in owners
        ],
        Progress: [
            (
                pk,
                Action.CREATE,
                {},
                f"{owners[project][0]} {month.year}年{month.month}月进展",
                *owners[project][1:],
            )
            for pk, project, month in reports
            if project in owners
        ],
    }
    for model, audited in entries.items():
        write_audit(model, audited, actor=None, source=Source.SYSTEM, batch_id=None)
    return {
        "projects": len(entries[Project]),
        "year_plans": len(entries[YearPlan]),
        "progress": len(entries[Progress]),
    }
