"""Writing generated demo data, in bulk and audited as the system's doing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kuochan.audit.models import Action, Source
from kuochan.imports.engine import write_audit
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
            above_scale_since=row["above_scale_since"],
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
