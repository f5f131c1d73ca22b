"""Reads for the evaluation: the whole year's facts for the rules (a handful of queries, none per
enterprise), and the stored results, filtered by the actor's data scope."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Case, Count, F, Min, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from kuochan.core.bulk import column_name, raw_values, read_columns, table_name
from kuochan.core.scope import scoped, scoped_or_system
from kuochan.evaluation.models import (
    CarbonBenchmark,
    CarbonOffset,
    EvaluationResult,
    EvaluationRun,
    EvaluationScheme,
    Exemption,
    KeyEnterprise,
)
from kuochan.evaluation.rules import CLASSES, METRICS, Scheme, YearFacts, scheme_from_definition
from kuochan.orgs.models import OrgKind, OrgUnit
from kuochan.projects.models import Project
from kuochan.projects.rules import TERMINATED
from kuochan.registry.models import (
    AnnualMetric,
    Enterprise,
    Honour,
    HonourKind,
    IndustryCategory,
    LandParcel,
    LandTenancy,
    SizeClass,
    Survey,
    Willingness,
)


def scheme_owner(actor: Any) -> OrgUnit | None:
    """The city whose schemes apply to the actor: the city (or province) unit they are placed at, or the
    city above their district; none for the system (the platform's default schemes)."""
    unit = getattr(actor, "org_unit", None) if getattr(actor, "org_unit_id", None) else None
    if unit is None or unit.kind in (OrgKind.CITY, OrgKind.PROVINCE):
        return unit
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids(), kind=OrgKind.CITY).order_by("-depth").first()


def schemes_for(city: OrgUnit | None) -> QuerySet[EvaluationScheme]:
    """The schemes a city may use: its own and the platform's defaults (only the defaults for the system)."""
    if city is None:
        return EvaluationScheme.objects.filter(org_unit__isnull=True)
    return EvaluationScheme.objects.filter(Q(org_unit=city) | Q(org_unit__isnull=True))


# The city's own scheme of a year before the platform's default of the same year.
OWN_FIRST = F("org_unit").asc(nulls_last=True)


def scheme_of_year(
    year: int, version: int | None = None, city: OrgUnit | None = None
) -> EvaluationScheme | None:
    """The year's scheme for the city: the latest version (or the one asked for) of its own for the year,
    else of the platform's default for the year."""
    schemes = schemes_for(city).filter(year=year)
    if version is not None:
        return schemes.filter(version=version).order_by(OWN_FIRST).first()
    return schemes.order_by(OWN_FIRST, "-version").first()


def scheme_to_follow(year: int, city: OrgUnit | None = None) -> EvaluationScheme | None:
    """For a year without a scheme: the latest version of the closest earlier year's, or failing that of
    the closest later year's (the city's own before the default of the same year)."""
    schemes = schemes_for(city)
    earlier = schemes.filter(year__lt=year).order_by("-year", OWN_FIRST, "-version").first()
    return earlier or schemes.filter(year__gt=year).order_by("year", OWN_FIRST, "-version").first()


def scheme_in_force(year: int, city: OrgUnit | None = None) -> EvaluationScheme | None:
    return scheme_of_year(year, city=city) or scheme_to_follow(year, city)


def parsed_scheme(scheme: EvaluationScheme) -> Scheme:
    return scheme_from_definition(scheme.definition)


def _sections() -> dict[str, str]:
    return dict(IndustryCategory.objects.filter(is_section=False).values_list("code", "section"))


SIZE_CODES = ("", *SizeClass.values)  # as read by `enterprise_years`: 0 for none
WILLINGNESS_CODES = (None, *Willingness.values)
HONOUR_BITS = {kind: 1 << bit for bit, kind in enumerate(HonourKind.values)}


def _sql_codes(column: str, codes: Iterable[tuple[str, int]]) -> str:
    """A text column as small integer codes (0 for anything else), for `read_columns`."""
    cases = " ".join(f"WHEN '{value}' THEN {code}" for value, code in codes)
    return f"CASE {column} {cases} ELSE 0 END"


def _facts_sql(under: bool = False) -> str:
    """One row per enterprise with figures for the year (parameters: the year after, then the year four
    times, then with `under` a path prefix its district's path is LIKE): its own columns, the eleven metrics, the honours held at the year's end as bits and the survey
    answer as a code, the year after's (when the evaluation is done) winning over the year's own."""
    table, column = table_name, column_name
    e, m = Enterprise, AnnualMetric
    willingness = [(value, code) for code, value in enumerate(WILLINGNESS_CODES) if value]
    later = _sql_codes(f"s1.{column(Survey, 'willingness')}", willingness)
    own = _sql_codes(f"s0.{column(Survey, 'willingness')}", willingness)
    district, path = column(e, "district"), column(OrgUnit, "path")
    join = f"JOIN {table(OrgUnit)} d ON d.{column(OrgUnit, 'id')} = e.{district}" if under else ""
    where = f"AND d.{path} LIKE %s" if under else ""
    return f"""
        SELECT m.{column(m, "enterprise")}, e.{column(e, "district")},
            CAST(NULLIF(e.{column(e, "industry_division")}, '') AS INTEGER),
            {_sql_codes(f"e.{column(e, 'size_class')}", ((v, c) for c, v in enumerate(SIZE_CODES) if v))},
            e.{column(e, "above_scale")}, e.{column(e, "above_scale_since")}, e.{column(e, "established_on")},
            {", ".join(f"m.{column(m, name)}" for name in METRICS)},
            h.held, CASE WHEN s1.{column(Survey, "id")} IS NULL THEN {own} ELSE {later} END
        FROM {table(m)} m
        JOIN {table(e)} e ON e.{column(e, "id")} = m.{column(m, "enterprise")}
        LEFT JOIN {table(Survey)} s1
            ON s1.{column(Survey, "enterprise")} = m.{column(m, "enterprise")} AND s1.{column(Survey, "year")} = %s
        LEFT JOIN {table(Survey)} s0
            ON s0.{column(Survey, "enterprise")} = m.{column(m, "enterprise")} AND s0.{column(Survey, "year")} = %s
        LEFT JOIN (
            SELECT {column(Honour, "enterprise")} AS enterprise_id,
                SUM(DISTINCT {_sql_codes(column(Honour, "kind"), HONOUR_BITS.items())}) AS held
            FROM {table(Honour)}
            WHERE {column(Honour, "year_granted")} <= %s
                AND ({column(Honour, "year_lost")} IS NULL OR {column(Honour, "year_lost")} > %s)
            GROUP BY {column(Honour, "enterprise")}
        ) h ON h.enterprise_id = m.{column(m, "enterprise")}
        {join}
        WHERE m.{column(m, "year")} = %s {where}
    """


def enterprise_years(year: int, under: OrgUnit | None = None, new_land_years: int = 3) -> YearFacts:
    """Every enterprise with figures for `year` (of the subtree `under`, when given), as columns, as the
    evaluation sees it at the year's end: above-scale by then, honours held then, its survey answer of the
    year after (when the evaluation is done) or else of the year, staff exemptions, its earliest land
    grant by then, the parcel it rents then, the year's carbon offsets, and the province's industry carbon
    averages of the year. A query per kind of fact, none per enterprise; the main one is read straight
    into NumPy columns. The enterprises come in id order."""
    year_end = dt.date(year, 12, 31)
    kinds = ["int", "int", "int", "int", "bool", "date", "date", *["hundredths"] * len(METRICS), "int", "int"]
    params: list[object] = [year + 1, year, year, year, year]
    columns = read_columns(
        _facts_sql(under is not None), [*params, f"{under.path}%"] if under else params, kinds
    )
    # In enterprise order, whatever plan the database chose: the results are then written in their key's
    # order, which PostgreSQL's index takes a quarter faster than scattered keys.
    order = np.argsort(columns[0], kind="stable")
    columns = [column[order] for column in columns]
    ids, districts, divisions, sizes, above, since, established = columns[:7]
    metrics = np.column_stack(columns[7 : 7 + len(METRICS)]) if len(ids) else np.zeros((0, len(METRICS)))
    held, willingness = columns[7 + len(METRICS) :]
    id_list = ids.tolist()
    division_names = _labels(divisions, lambda code: f"{code:02d}" if code else "")
    sections = _sections()
    exempted = raw_values(
        Exemption.objects.filter(year=year).order_by().values_list("enterprise_id", "reason")
    )
    known = set(id_list)
    new_land = _new_land(year_end, new_land_years, known)
    tenants: dict[int, tuple[int, str, str]] = {}
    for pk, owner, name, code in (
        LandTenancy.objects.filter(Q(started_on__isnull=True) | Q(started_on__lte=year_end))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=year_end))
        .order_by("enterprise_id", "parcel__code")
        .values_list("enterprise_id", "parcel__enterprise_id", "parcel__enterprise__name", "parcel__code")
    ):
        if pk in known and owner != pk:
            tenants.setdefault(pk, (owner, name, code))
    offsets: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for pk, kind, amount, source in CarbonOffset.objects.filter(year=year).values_list(
        "enterprise_id", "kind", "amount", "source"
    ):
        if pk in known:
            offsets[pk].append((kind, int(amount * 100), source))
    districts_seen = OrgUnit.objects.filter(pk__in=set(districts.tolist())).values_list("pk", "code", "name")
    return YearFacts(
        ids=id_list,
        districts=districts.tolist(),
        divisions=division_names,
        sections=[sections.get(d, "") for d in division_names],
        size_classes=np.array(SIZE_CODES, dtype=object)[sizes].tolist(),
        above_scale=above & (np.isnat(since) | (since <= np.datetime64(year_end))),
        established=_labels(established, lambda day: "" if np.isnat(day) else str(day)),
        metrics=metrics,
        exemptions={pk: reason for pk, reason in exempted if pk in known},
        new_land=new_land,
        honours=_honour_sets(ids, held),
        willingness=np.array(WILLINGNESS_CODES, dtype=object)[willingness].tolist(),
        tenants=tenants,
        offsets={pk: tuple(items) for pk, items in offsets.items()},
        district_codes={pk: code for pk, code, _ in districts_seen},
        district_names={pk: name for pk, _, name in districts_seen},
        carbon_benchmarks={
            industry: (average, source)
            for industry, average, source in CarbonBenchmark.objects.filter(year=year).values_list(
                "industry", "average_l", "source"
            )
        },
    )


def _new_land(year_end: dt.date, years: int, known: set[int]) -> dict[int, tuple[dt.date, str]]:
    """Each enterprise's first land grant by the year's end, for those whose first grant falls within the
    last `years` years (the rest cannot be new-land exempt): the database groups the parcels, so a
    province's 300,000 come back as a few thousand rows."""
    if not years:
        return {}
    start = dt.date(year_end.year - years, 12, 31)
    recent = (
        LandParcel.objects.filter(granted_on__lte=year_end)
        .values("enterprise_id")
        .annotate(first=Min("granted_on"))
        .filter(first__gt=start)
        .values_list("enterprise_id", flat=True)
    )
    found: dict[int, tuple[dt.date, str]] = {}
    for pk, granted, code in (
        LandParcel.objects.filter(
            enterprise_id__in=[pk for pk in recent if pk in known], granted_on__lte=year_end
        )
        .order_by("enterprise_id", "granted_on", "code")
        .values_list("enterprise_id", "granted_on", "code")
    ):
        found.setdefault(pk, (granted, code))
    return found


def _labels(column: np.ndarray, label: Callable[[Any], str]) -> list[str]:
    """A column's values as text, each distinct value labelled once."""
    distinct, at = np.unique(column, return_inverse=True)
    return np.array([label(value) for value in distinct], dtype=object)[at].tolist()


def _honour_sets(ids: np.ndarray, held: np.ndarray) -> dict[int, frozenset[str]]:
    """The honours held, by enterprise id, from their bits; each distinct set of kinds built once."""
    holders = np.flatnonzero(held)
    masks = held[holders].tolist()
    sets = {mask: frozenset(k for k, bit in HONOUR_BITS.items() if mask & bit) for mask in set(masks)}
    return {pk: sets[mask] for pk, mask in zip(ids[holders].tolist(), masks, strict=True)}


def evaluation_year_known(as_of: dt.date) -> int | None:
    """The latest evaluation year already computed by the end of as_of: what other modules may use of the
    evaluation on that day."""
    end = timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))
    run = EvaluationRun.objects.filter(computed_at__lte=end).order_by("-year").first()
    return run.year if run else None


def evaluated_years() -> list[int]:
    return sorted(set(EvaluationRun.objects.values_list("year", flat=True)), reverse=True)


def evaluation_run(year: int, actor: Any = None) -> EvaluationRun | None:
    """The year's run whose results the actor sees: the deepest run over a subtree holding the actor's unit
    (a city's own run before one over the whole database); for one above every run (a province, no run
    of its own), the latest run inside its scope. No actor is the system: the run over everything."""
    runs = list(EvaluationRun.objects.select_related("scheme", "org_unit").filter(year=year))
    path = "" if actor is None else getattr(actor, "org_path", None)
    if path is None:
        return None

    def root(run: EvaluationRun) -> str:
        return run.org_unit.path if run.org_unit_id else ""

    covering = [run for run in runs if path.startswith(root(run))]
    if covering:
        return max(covering, key=lambda run: len(root(run)))
    inside = [run for run in runs if root(run).startswith(path)]
    return max(inside, key=lambda run: run.computed_at, default=None)


@dataclass(frozen=True)
class ResultFilter:
    district: int | None = None
    group: str = ""
    klass: str = ""
    carbon_grade: int | None = None
    low_efficiency: bool = False
    treatment: int | None = None  # the index of the scheme's matrix rule
    query: str = ""


def results(*, actor: Any, year: int, filters: ResultFilter | None = None) -> QuerySet[EvaluationResult]:
    """The year's stored results in the actor's scope: classes A to D, then T (不参评) and the unevaluated
    last; best first within a class and group."""
    found = scoped_or_system(EvaluationResult.objects.filter(year=year), actor).select_related(
        "enterprise", "enterprise__district"
    )
    f = filters or ResultFilter()
    if f.district:
        found = found.filter(enterprise__district_id=f.district)
    if f.group:
        found = found.filter(group=f.group)
    if f.klass:
        found = found.filter(klass="" if f.klass == "none" else f.klass)
    if f.carbon_grade:
        found = found.filter(carbon_grade=f.carbon_grade)
    if f.low_efficiency:
        found = found.filter(low_efficiency__gt=0)
    if f.treatment is not None:
        found = found.filter(treatment=f.treatment)
    if f.query:
        found = found.filter(
            Q(enterprise__name__icontains=f.query) | Q(enterprise__uscc__icontains=f.query.upper())
        )
    return found.order_by(CLASS_ORDER, "group", F("rank_city").asc(nulls_last=True), "enterprise__name")


# Lists open A→D, with T (不参评) and the unevaluated last.
CLASS_ORDER = Case(
    *(When(klass=k, then=Value(position)) for position, k in enumerate((*CLASSES, "T"))),
    default=Value(len(CLASSES) + 1),
)


def result_history(*, actor: Any, enterprise: Enterprise) -> list[EvaluationResult]:
    """An enterprise's results, latest year first (for its profile)."""
    return list(scoped(EvaluationResult.objects.filter(enterprise=enterprise), actor).order_by("-year"))


def class_by_district(*, actor: Any, year: int) -> dict[str, Counter]:
    """{district: Counter(class)} over the year's results in scope (an empty class: not evaluated), counted
    by the database."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for district, klass, n in (
        scoped_or_system(EvaluationResult.objects.filter(year=year), actor)
        .order_by()
        .values_list("enterprise__district__name", "klass")
        .annotate(n=Count("*"))
    ):
        counts[district][klass] += n
    return dict(counts)


def grade_by_industry(*, actor: Any, year: int) -> dict[str, Counter]:
    """{industry: Counter(carbon grade)} over the year's graded results in scope, by the industry each was
    compared with (大类 or 门类, as the run's scheme says)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for industry, grade, n in (
        scoped_or_system(EvaluationResult.objects.filter(year=year, carbon_grade__isnull=False), actor)
        .order_by()
        .values_list("industry", "carbon_grade")
        .annotate(n=Count("*"))
    ):
        counts[industry][grade] += n
    return dict(counts)


def industry_names() -> dict[str, str]:
    """Names of the GB/T 4754 大类 and 门类, by code."""
    return dict(IndustryCategory.objects.values_list("code", "name"))


def key_enterprise_ids(*, year: int, scheme: Scheme) -> dict[int, list[str]]:
    """The tracked set (重点企业) at the year's end, with why each is in it: chosen by the city, holding a
    listed honour, or investing in a project at or above the scheme's threshold."""
    reasons: dict[int, list[str]] = defaultdict(list)
    for enterprise_id, reason in KeyEnterprise.objects.values_list("enterprise_id", "reason"):
        reasons[enterprise_id].append(f"市级确定：{reason}")
    if scheme.key_honours:
        for enterprise_id, kind in Honour.objects.filter(
            Q(year_lost__isnull=True) | Q(year_lost__gt=year),
            year_granted__lte=year,
            kind__in=scheme.key_honours,
        ).values_list("enterprise_id", "kind"):
            reasons[enterprise_id].append(str(HonourKind(kind).label))
    if scheme.key_min_project_total_wan is not None:
        for enterprise_id, name in (
            Project.objects.filter(total_wan__gte=scheme.key_min_project_total_wan, enterprise__isnull=False)
            .exclude(status=TERMINATED)
            .values_list("enterprise_id", "name")
        ):
            reasons[enterprise_id].append(f"项目“{name}”总投资达 {scheme.key_min_project_total_wan} 万元以上")
    return dict(reasons)


def explained(found: Iterable[EvaluationResult]) -> list[EvaluationResult]:
    """The results with what pages and reports show attached (`EvaluationResult.explain`): reasons,
    points, treatment, and the change from the enterprise's result of the year before; a query for the
    runs and one for last year's results, whatever the number of rows."""
    rows = list(found)
    runs = EvaluationRun.objects.select_related("scheme").filter(pk__in={r.run_id for r in rows})
    by_id = {run.pk: run for run in runs}
    before = {
        (pk, year + 1): (klass, None if score is None else float(score))
        for pk, year, klass, score in EvaluationResult.objects.filter(
            enterprise_id__in=[r.enterprise_id for r in rows], year__in={r.year - 1 for r in rows}
        ).values_list("enterprise_id", "year", "klass", "score")
    }
    offsets = defaultdict(list)
    for pk, year, kind, amount, source in CarbonOffset.objects.filter(
        enterprise_id__in=[r.enterprise_id for r in rows], year__in={r.year for r in rows}
    ).values_list("enterprise_id", "year", "kind", "amount", "source"):
        offsets[pk, year].append((kind, float(amount), source))
    for row in rows:
        if row.run_id in by_id:
            row.explain(
                by_id[row.run_id],
                before.get((row.enterprise_id, row.year), ("", None)),
                offsets.get((row.enterprise_id, row.year), ()),
            )
    return rows


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def evaluation_report(*, actor: Any, year: int, filters: ResultFilter | None = None) -> dict[str, Any]:
    """The year's stored results as `kuochan evaluate --format json` and the API give them (stable keys)."""
    found = results(actor=actor, year=year, filters=filters).order_by(
        "group", "rank_city", "enterprise__name"
    )
    rows = explained(found.iterator(chunk_size=5000))
    ordered = sorted(
        rows, key=lambda r: (r.group != "above", r.group == "", r.rank_city or 0, r.enterprise.name)
    )
    return {"year": year, "enterprises": [result_entry(r) for r in ordered]}


def result_entry(r: EvaluationResult) -> dict[str, Any]:
    """One explained result as the command and the API give it (stable keys)."""
    return {
        "uscc": r.enterprise.uscc, "name": r.enterprise.name, "district": r.enterprise.district.name,
        "score": _number(r.score), "class": r.klass or None, "carbon_l": _number(r.carbon_l),
        "carbon_level": r.carbon_level or None, "carbon_k": _number(r.carbon_k), "carbon_grade": r.carbon_grade,
        "treatment": getattr(r, "treatment_text", ""), "reasons": list(getattr(r, "reasons", ())),
    }  # fmt: skip


def treatment_lists(
    *, actor: Any, year: int, district: int | None = None, shown: int = 100
) -> list[tuple[int, str, int, list[EvaluationResult]]]:
    """The year's enterprises in scope by recommended treatment (district staff's work lists), largest
    list first: (rule index, treatment, how many, the first `shown` of them)."""
    run = evaluation_run(year, actor)
    if run is None:
        return []
    scheme, _ = run.parsed
    found = results(actor=actor, year=year, filters=ResultFilter(district=district))
    counts = found.filter(treatment__isnull=False).order_by().values_list("treatment").annotate(n=Count("*"))
    lists = []
    for index, count in sorted(counts, key=lambda item: -item[1]):
        if index < len(scheme.treatments):
            members = explained(
                found.filter(treatment=index).order_by("enterprise__district__path", "enterprise__name")[
                    :shown
                ]
            )
            lists.append((index, scheme.treatments[index].treatment, count, members))
    return lists


def chosen_key_enterprises(*, actor: Any) -> QuerySet[KeyEnterprise]:
    """The key enterprises chosen by the city (市级确定), those in the actor's scope."""
    return scoped(KeyEnterprise.objects.select_related("enterprise"), actor).order_by("enterprise__name")


def exemptions(*, actor: Any, year: int) -> QuerySet[Exemption]:
    return (
        scoped(Exemption.objects.filter(year=year), actor)
        .select_related("enterprise", "enterprise__district")
        .order_by("enterprise__district__path", "enterprise__name")
    )


@dataclass(frozen=True)
class TrackingRow:
    enterprise: Enterprise
    why: list[str]
    klass: tuple[str, str]  # (last year, this year); "" when not evaluated
    grade: tuple[int | None, int | None]
    willingness: tuple[str, str]  # labels
    projects: int
    projects_total_wan: Any
    started: int  # projects started in the year
    producing: int  # projects reaching production in the year

    @property
    def changed(self) -> bool:
        return (
            self.klass[0] != self.klass[1]
            or self.grade[0] != self.grade[1]
            or self.willingness[0] != self.willingness[1]
        )


def tracking_sheet(*, actor: Any, year: int, scheme: Scheme) -> list[TrackingRow]:
    """The key enterprises (重点企业) in scope with what changed from last year to `year`: class, carbon
    grade, expansion willingness, and their projects."""
    why = key_enterprise_ids(year=year, scheme=scheme)
    firms = list(
        scoped_or_system(Enterprise.objects.filter(pk__in=list(why)), actor).select_related("district")
    )
    ids = [e.pk for e in firms]
    stored = {
        (pk, y): (klass, grade)
        for pk, y, klass, grade in EvaluationResult.objects.filter(
            enterprise_id__in=ids, year__in=(year - 1, year)
        ).values_list("enterprise_id", "year", "klass", "carbon_grade")
    }
    labels = dict(Willingness.choices)
    answers = {
        (pk, y): str(labels.get(w, w))
        for pk, y, w in Survey.objects.filter(enterprise_id__in=ids, year__in=(year - 1, year)).values_list(
            "enterprise_id", "year", "willingness"
        )
    }
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    projects = {
        row["enterprise_id"]: row
        for row in Project.objects.filter(enterprise_id__in=ids)
        .exclude(status=TERMINATED)
        .values("enterprise_id")
        .annotate(
            count=Count("id"),
            total=Sum("total_wan"),
            started=Count("id", filter=Q(started_actual__range=(start, end))),
            producing=Count("id", filter=Q(producing_actual__range=(start, end))),
        )
        .order_by()
    }
    rows = []
    for e in sorted(firms, key=lambda e: (e.district.path, e.name)):
        last, this = stored.get((e.pk, year - 1), ("", None)), stored.get((e.pk, year), ("", None))
        p = projects.get(e.pk, {})
        rows.append(
            TrackingRow(
                e, why[e.pk], (last[0], this[0]), (last[1], this[1]),
                (answers.get((e.pk, year - 1), ""), answers.get((e.pk, year), "")),
                p.get("count", 0), p.get("total"), p.get("started", 0), p.get("producing", 0),
            )
        )  # fmt: skip
    return rows
