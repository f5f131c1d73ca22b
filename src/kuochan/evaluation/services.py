"""Writes of the evaluation: scheme versions, the yearly evaluation run (results stored with the scheme
version used), staff exemptions (不参评) and the city's chosen key enterprises (重点企业)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_record, snapshot
from kuochan.core.bulk import column_name, gc_paused, insert_rows, running_alongside, table_name
from kuochan.core.scope import city_level, ensure_city_level, ensure_in_scope, in_scope
from kuochan.evaluation.models import (
    EvaluationResult,
    EvaluationRun,
    EvaluationScheme,
    Exemption,
    KeyEnterprise,
)
from kuochan.evaluation.rules import (
    CLASS_CODES,
    GROUP_CODES,
    INDICATORS,
    LEVEL_CODES,
    TYPE_CODES,
    Evaluation,
    evaluate,
    scheme_from_definition,
)
from kuochan.evaluation.selectors import enterprise_years, scheme_of_year, scheme_owner, scheme_to_follow
from kuochan.jobs.registry import Progress
from kuochan.orgs.models import REPORTING_KINDS, OrgKind, OrgUnit
from kuochan.orgs.services import LoadResult
from kuochan.registry.models import Enterprise

RUN_REFUSAL = "只有市级工作人员可以计算评价结果（基准值和排名为全市口径）。"


def can_run_evaluation(actor: Any) -> bool:
    """City-level staff over their own subtree (or the system itself, from the command line, over the whole
    database): benchmarks and ranks are city-wide."""
    return city_level(actor)


def can_choose_key_enterprises(actor: Any) -> bool:
    """City-level staff choose the key enterprises of their own subtree."""
    return actor is not None and city_level(actor)


def can_edit_exemption(actor: Any, enterprise: Enterprise) -> bool:
    return actor is not None and actor.can_edit and in_scope(actor, enterprise)


def _checked(definition: Any, city: OrgUnit | None) -> dict[str, Any]:
    """The definition, if the scheme's own check passes and its custom ranking groups name counties of
    the city (any county for the platform's default scheme)."""
    if not isinstance(definition, dict):
        raise ValidationError("评价方案应为一个 JSON 对象。")
    try:
        scheme = scheme_from_definition(definition)
    except ValueError as exc:
        raise ValidationError(list(exc.args[0])) from exc
    named = {code for _, codes in scheme.ranking_groups for code in codes}
    counties = OrgUnit.objects.filter(code__in=named, kind__in=REPORTING_KINDS)
    if city is not None:
        counties = counties.filter(path__startswith=city.path)
    unknown = named - set(counties.values_list("code", flat=True))
    if unknown:
        raise ValidationError(f"自定义分组中的区县代码 {'、'.join(sorted(unknown))} 不是本市的区县。")
    return definition


@transaction.atomic
def scheme_save(
    *, actor: Any, source: Source, year: int, definition: dict[str, Any], basis: str = "", note: str = ""
) -> EvaluationScheme:
    """A new version of the year's scheme of the actor's city (city admins only; the platform's default
    scheme for the system). Earlier versions, other cities' schemes and the results computed with them
    stay as they were."""
    if actor is not None and not (actor.is_city_admin and city_level(actor)):
        raise PermissionDenied("只有市级管理员可以修改评价方案。")
    city = scheme_owner(actor)
    _checked(definition, city)
    # A city's first scheme of a year goes on from the default version it replaces, so its history reads on.
    last = (
        (
            EvaluationScheme.objects.select_for_update()
            .filter(year=year, org_unit=city)
            .aggregate(last=Max("version"))["last"]
        )
        or EvaluationScheme.objects.filter(year=year, org_unit__isnull=True).aggregate(last=Max("version"))[
            "last"
        ]
    )
    scheme = EvaluationScheme.objects.create(
        year=year,
        org_unit=city,
        version=(last or 0) + 1,
        definition=definition,
        source=basis,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=scheme, after=snapshot(scheme))
    return scheme


@transaction.atomic
def scheme_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """The shipped scheme, loaded once for its year: a year that already has a scheme is left as it is."""
    result = LoadResult()
    if EvaluationScheme.objects.filter(year=data["year"], org_unit__isnull=True).exists():
        result.unchanged = 1
        return result
    scheme_save(
        actor=None, source=source, year=data["year"], definition=data["definition"], basis=data["source"]
    )
    result.created = 1
    return result


def _scheme_for_run(
    year: int, version: int | None, actor: Any, source: Source, city: OrgUnit | None = None
) -> EvaluationScheme:
    city = scheme_owner(actor) if actor is not None else city
    scheme = scheme_of_year(year, version, city)
    if scheme is not None:
        return scheme
    if version is not None:
        raise ValidationError(f"{year} 年评价方案没有第 {version} 版。")
    followed = scheme_to_follow(year, city)
    if followed is None:
        raise ValidationError("还没有任何评价方案，请先执行 kuochan load-reference 或由市级管理员制定方案。")
    # The year gets its own copy, so that a later change to the followed year's scheme leaves it alone.
    scheme = EvaluationScheme.objects.create(
        year=year,
        org_unit=followed.org_unit,
        version=1,
        definition=followed.definition,
        source=followed.source,
        note=f"沿用 {followed.year} 年评价方案第 {followed.version} 版",
    )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=scheme, after=snapshot(scheme))
    return scheme


RESULT_COLUMNS = (
    "enterprise_id", "year", "run_id", "scheme_id", "group", "score", "klass", "values", "rank_district", "rank_city",
    "carbon_l", "carbon_level", "carbon_k", "carbon_grade", "carbon_gap",
    "industry", "tax_per_mu", "land_mu", "low_efficiency", "enterprise_type", "willingness", "treatment", "note",
    "segment", "segment_rank", "carbon_offset_t", "carbon_neutral_rate", "follows",
)  # fmt: skip


def _floats(array: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in array.tolist()]


def _rows(evaluation: Evaluation, year: int, run_id: int, scheme_id: int) -> Iterator[tuple]:
    """The database rows of the results, column by column from the evaluation's arrays."""
    f, n = evaluation.facts, len(evaluation.facts)
    catalogue = list(INDICATORS)
    values = [""] * n
    for code, name in enumerate(GROUP_CODES):
        if not name:
            continue
        members = np.flatnonzero(evaluation.group == code)
        used = [catalogue.index(w.code) for w in evaluation.scheme.group(name).indicators]
        for i, row in zip(members.tolist(), evaluation.values[np.ix_(members, used)].tolist(), strict=True):
            values[i] = str(row)  # "[12.5, nan]": floats as repr, read back exactly
    notes = [""] * n
    for i, text in evaluation.notes.items():
        notes[i] = text[:200]
    yield from zip(
        f.ids, [year] * n, [run_id] * n, [scheme_id] * n, _codes(GROUP_CODES, evaluation.group), _floats(evaluation.score),
        _codes(CLASS_CODES, evaluation.klass), values, _ranks(evaluation.rank_district), _ranks(evaluation.rank_city),
        _floats(evaluation.carbon_l), _codes(LEVEL_CODES, evaluation.carbon_level), _floats(evaluation.carbon_k),
        _ranks(evaluation.carbon_grade), evaluation.carbon_gap.tolist(), evaluation.industries,
        _floats(evaluation.tax_per_mu), _floats(f.column("land_mu") / 100), evaluation.low.tolist(),
        _codes(TYPE_CODES, evaluation.kind), [w or "" for w in f.willingness],
        _ranks(evaluation.treatment + 1, offset=1), notes, evaluation.segments, _ranks(evaluation.segment_rank),
        _floats(evaluation.offset_t), _floats(evaluation.neutral_rate), [evaluation.follows.get(i) for i in range(n)],
        strict=True,
    )  # fmt: skip


def _codes(names: tuple[str, ...], codes: np.ndarray) -> list[str]:
    """Small integer codes as their names, the whole column at once."""
    return np.array(names, dtype=object)[codes].tolist()


def _ranks(values: np.ndarray, offset: int = 0) -> list[int | None]:
    """A column of positive integers with 0 for none, as integers and None (less `offset`)."""
    return np.where(values > 0, values - offset, None).tolist()


def _results_under(root: OrgUnit | None) -> tuple[str, list[object]]:
    """SQL selecting the results of a run's subtree (all of them for a run over the whole database)."""
    if root is None:
        return "", []
    e, unit = Enterprise, OrgUnit
    return (
        f" AND {column_name(EvaluationResult, 'enterprise')} IN (SELECT e.{column_name(e, 'id')}"
        f" FROM {table_name(e)} e JOIN {table_name(unit)} d ON d.{column_name(unit, 'id')} = e.{column_name(e, 'district')}"
        f" WHERE d.{column_name(unit, 'path')} LIKE %s)",
        [f"{root.path}%"],
    )


def _run_stored(
    *, actor: Any, root: OrgUnit | None, year: int, values: dict[str, Any]
) -> tuple[EvaluationRun, dict | None]:
    """The (scope root, year) run created or updated with `values`; the runs inside its subtree go, their
    results having just been replaced. Returns the run and what it was before."""
    runs = EvaluationRun.objects.filter(year=year)
    run = runs.filter(org_unit=root).first() if root else runs.filter(org_unit__isnull=True).first()
    before = {"scheme": run.scheme_id, "enterprises": run.enterprises} if run else None
    inside = runs if root is None else runs.filter(org_unit__path__startswith=root.path)
    inside.exclude(pk=getattr(run, "pk", None)).delete()
    if run is None:
        run = EvaluationRun.objects.create(year=year, org_unit=root, **values)
    else:
        for name, value in values.items():
            setattr(run, name, value)
        run.save()
    return run, before


@transaction.atomic
def evaluation_run(
    *,
    actor: Any,
    source: Source,
    year: int,
    scheme_version: int | None = None,
    progress: Progress | None = None,
    city: OrgUnit | None = None,
) -> tuple[EvaluationRun, Evaluation]:
    """Evaluate every enterprise with figures for `year` in the actor's subtree with the scheme of the
    actor's city, and store the results, replacing the subtree's previous ones (all or nothing):
    benchmarks and ranks are those of the subtree, and another city's results stay as they are. The
    system evaluates `city` with its scheme, or without one the whole database with the platform's
    default scheme. A year without a scheme of its own gets a copy of the closest one. `progress` hears of
    each of its three steps."""
    ensure_city_level(actor, RUN_REFUSAL)
    step = progress or (lambda done, total, text: None)
    root = city if actor is None else actor.org_unit
    stored = _scheme_for_run(year, scheme_version, actor, source, city)
    with gc_paused():
        step(0, 3, "读取企业指标")
        scheme = scheme_from_definition(stored.definition)
        facts = enterprise_years(year, under=root, new_land_years=scheme.exempt_new_land_years)
        step(1, 3, f"计算 {len(facts)} 家企业的评价")
        # The previous results are deleted by the server while the rules compute.
        under, params = _results_under(root)
        delete = (
            f"DELETE FROM {table_name(EvaluationResult)} WHERE {column_name(EvaluationResult, 'year')} = %s"
            + under
        )
        with running_alongside(delete, [year, *params]):
            evaluation = evaluate(facts, year=year, scheme=scheme)
        run, before = _run_stored(
            actor=actor,
            root=root,
            year=year,
            values={
                "scheme": stored,
                "computed_at": timezone.now(),
                "computed_by": actor if getattr(actor, "pk", None) else None,
                "context": evaluation.context.as_json(),
                "enterprises": len(evaluation.facts),
            },
        )
        step(2, 3, "保存评价结果")
        insert_rows(EvaluationResult, RESULT_COLUMNS, _rows(evaluation, year, run.pk, stored.pk))
    classes = Counter(CLASS_CODES[k] or "未评价" for k in evaluation.klass.tolist())
    after = {
        "scheme": run.scheme_id,
        "enterprises": run.enterprises,
        "classes": dict(sorted(classes.items())),
    }
    action = Action.UPDATE if before else Action.CREATE
    audit_record(actor=actor, source=source, action=action, obj=run, before=before, after=after)
    return run, evaluation


def evaluate_every_city(
    *, source: Source, year: int, scheme_version: int | None = None
) -> list[tuple[EvaluationRun, Evaluation]]:
    """The system's evaluation of the year: each city on its own, with its own scheme (or the platform's
    default while it has none), its own benchmarks and ranks; the whole database at once when no city is
    set up. A run over the whole database left from before goes, its results having all been replaced."""
    cities = list(OrgUnit.objects.filter(kind=OrgKind.CITY).order_by("path")) or [None]
    done = [
        evaluation_run(actor=None, source=source, year=year, scheme_version=scheme_version, city=city)
        for city in cities
    ]
    if cities != [None]:
        EvaluationRun.objects.filter(year=year, org_unit__isnull=True).delete()
    return done


def _ensure_editor(actor: Any, *objects: Any) -> None:
    if actor is None or not actor.can_edit:
        raise PermissionDenied("无权修改该企业的评价信息。")
    ensure_in_scope(actor, *objects, message="无权修改该企业的评价信息。")


@transaction.atomic
def exemption_set(*, actor: Any, source: Source, enterprise: Enterprise, year: int, reason: str) -> Exemption:
    """Exempt an enterprise from a year's evaluation (class T), with the reason; takes effect when the year
    is next evaluated."""
    _ensure_editor(actor, enterprise)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写不参评原因。"})
    exemption = Exemption.objects.filter(enterprise=enterprise, year=year).first()
    before = snapshot(exemption) if exemption else None
    if exemption is None:
        exemption = Exemption.objects.create(enterprise=enterprise, year=year, reason=reason[:200])
    else:
        exemption.reason = reason[:200]
        exemption.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE if before else Action.CREATE, obj=exemption,
        before=before, after=snapshot(exemption),
    )  # fmt: skip
    return exemption


@transaction.atomic
def exemption_remove(*, actor: Any, source: Source, exemption: Exemption) -> None:
    _ensure_editor(actor, exemption)
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=exemption, before=snapshot(exemption))
    exemption.delete()


def _ensure_city(actor: Any, *objects: Any) -> None:
    """City-level staff (by role and by place), acting on objects within their own subtree."""
    if actor is None:
        raise PermissionDenied("重点企业由市级确定。")
    ensure_city_level(actor, "重点企业由市级确定。", *objects)


@transaction.atomic
def key_enterprise_add(*, actor: Any, source: Source, enterprise: Enterprise, reason: str) -> KeyEnterprise:
    _ensure_city(actor, enterprise)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写列入原因。"})
    if KeyEnterprise.objects.filter(enterprise=enterprise).exists():
        raise ValidationError({"enterprise": f"“{enterprise.name}”已是重点企业。"})
    key = KeyEnterprise.objects.create(enterprise=enterprise, reason=reason[:200])
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=key, after=snapshot(key))
    return key


@transaction.atomic
def key_enterprise_remove(*, actor: Any, source: Source, key: KeyEnterprise) -> None:
    _ensure_city(actor, key)
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=key, before=snapshot(key))
    key.delete()
