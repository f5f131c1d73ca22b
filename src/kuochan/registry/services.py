"""Writes of the registry outside imports: reference dictionaries, and audited single-object edits (enterprises,
contacts, land parcels and tenancies)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kuochan.audit.models import Action, Source
from kuochan.audit.services import audit_bulk, audit_entry, audit_record, snapshot
from kuochan.core.scope import ensure_in_scope, path_in_scope
from kuochan.orgs.services import LoadResult
from kuochan.registry.models import (
    Contact,
    Enterprise,
    IndustryCategory,
    IndustryTag,
    LandParcel,
    LandTenancy,
    TagKind,
)
from kuochan.registry.rules import (
    amount_problem,
    grant_date_problem,
    industry_division,
    normalise_code,
    parcel_code_problem,
    periods_overlap,
    tenancy_dates_problem,
    uscc_problem,
)


def _upsert(model: Any, key: str, rows: list[dict[str, Any]], source: Source) -> LoadResult:
    """Create or update reference rows by `key`; leaves rows the data does not name alone."""
    result = LoadResult()
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    new, changed, entries = [], [], []
    for values in rows:
        obj = existing.get(values[key])
        if obj is None:
            new.append(model(**values))
            continue
        before = snapshot(obj)
        for name, value in values.items():
            setattr(obj, name, value)
        after = snapshot(obj)
        if after == before:
            result.unchanged += 1
        else:
            changed.append(obj)
            entries.append(
                audit_entry(
                    actor=None, source=source, action=Action.UPDATE, obj=obj, before=before, after=after
                )
            )
    model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, [name for name in rows[0] if name != key])
    entries += [
        audit_entry(actor=None, source=source, action=Action.CREATE, obj=obj, after=snapshot(obj))
        for obj in new
    ]
    audit_bulk(entries)
    result.created, result.updated = len(new), len(changed)
    return result


@transaction.atomic
def industries_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    """GB/T 4754 sections (门类) and divisions (大类)."""
    rows = []
    for section in data["sections"]:
        rows.append(
            {"code": section["code"], "name": section["name"], "section": section["code"], "is_section": True}
        )
        rows += [
            {"code": d["code"], "name": d["name"], "section": section["code"], "is_section": False}
            for d in section["divisions"]
        ]
    return _upsert(IndustryCategory, "code", rows, source)


@transaction.atomic
def tags_load(*, data: dict[str, Any], source: Source = Source.CLI) -> LoadResult:
    rows = [
        {"name": tag["name"], "kind": tag["kind"], "sort_order": order}
        for order, tag in enumerate(data["tags"], 1)
    ]
    return _upsert(IndustryTag, "name", rows, source)


ENTERPRISE_FIELDS = (
    "uscc", "name", "district", "town", "address", "established_on", "industry_code", "size_class",
    "above_scale", "above_scale_since", "segment_since",
)  # fmt: skip


def _clean_enterprise(actor: Any, values: dict[str, Any], instance: Enterprise | None) -> dict[str, Any]:
    """The same rules as the import, for one enterprise edited by hand; Chinese messages by field."""
    errors: dict[str, str] = {}
    uscc = normalise_code(values.get("uscc") or "")
    problem = uscc_problem(uscc)
    if problem:
        errors["uscc"] = problem
    elif Enterprise.objects.filter(uscc=uscc).exclude(pk=instance.pk if instance else None).exists():
        errors["uscc"] = f"统一社会信用代码 {uscc} 已登记为其他企业。"
    district, town = values.get("district"), values.get("town")
    if district is None or not path_in_scope(district.path, actor):
        errors["district"] = "请选择您数据范围内的区县。"
    elif town is not None and town.parent_id != district.pk:
        errors["town"] = f"“{town.name}”不属于{district.name}。"
    code = normalise_code(values.get("industry_code") or "")
    division = industry_division(code) if code else ""
    if code and (division is None or not IndustryCategory.objects.filter(code=division).exists()):
        errors["industry_code"] = "应为 GB/T 4754-2017 行业代码（2–4 位数字，前两位为大类）。"
    if values.get("above_scale_since") and not values.get("above_scale"):
        errors["above_scale_since"] = "填写了规上起始日期，但未勾选“是否规上”。"
    if errors:
        raise ValidationError(errors)
    return {**values, "uscc": uscc, "industry_code": code, "industry_division": division or ""}


def _tags_snapshot(enterprise: Enterprise) -> list[str]:
    return sorted(enterprise.tags.values_list("name", flat=True))


@transaction.atomic
def enterprise_create(
    *, actor: Any, source: Source, tags: Iterable[IndustryTag] = (), **values: Any
) -> Enterprise:
    if not actor.can_edit:
        raise PermissionDenied("您无权新增企业。")
    cleaned = _clean_enterprise(actor, {name: values.get(name) for name in ENTERPRISE_FIELDS}, None)
    enterprise = Enterprise(**{k: v for k, v in cleaned.items() if v is not None})
    enterprise.save()  # fmt: skip
    enterprise.tags.set(tags)
    audit_record(
        actor=actor, source=source, action=Action.CREATE, obj=enterprise,
        after={**snapshot(enterprise), "tags": _tags_snapshot(enterprise)},
    )  # fmt: skip
    return enterprise


@transaction.atomic
def enterprise_update(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    tags: Iterable[IndustryTag] | None = None,
    **values: Any,
) -> Enterprise:
    if not actor.can_edit or not path_in_scope(enterprise.district.path, actor):
        raise PermissionDenied("您无权修改该企业。")
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = {**snapshot(enterprise), "tags": _tags_snapshot(enterprise)}
    current = {name: getattr(enterprise, name) for name in ENTERPRISE_FIELDS}
    cleaned = _clean_enterprise(
        actor, {**current, **{k: v for k, v in values.items() if k in ENTERPRISE_FIELDS}}, enterprise
    )
    for name, value in cleaned.items():
        setattr(enterprise, name, "" if value is None and name in ("address", "size_class") else value)
    enterprise.save()
    if tags is not None:
        enterprise.tags.set(tags)
    after = {**snapshot(enterprise), "tags": _tags_snapshot(enterprise)}
    audit_record(actor=actor, source=source, action=Action.UPDATE, obj=enterprise, before=before, after=after)
    return enterprise


def _ensure_city_admin(actor: Any) -> None:
    if not actor.is_city_admin:
        raise PermissionDenied("只有市级管理员可以维护产业标签。")


@transaction.atomic
def tag_create(*, actor: Any, source: Source, kind: str, name: str) -> IndustryTag:
    _ensure_city_admin(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "名称不能为空。"})
    if IndustryTag.objects.filter(name=name).exists():
        raise ValidationError({"name": f"“{name}”已存在。"})
    if kind not in TagKind.values:
        raise ValidationError({"kind": "请选择类别。"})
    order = (
        IndustryTag.objects.filter(kind=kind)
        .order_by("-sort_order")
        .values_list("sort_order", flat=True)
        .first()
        or 0
    ) + 1
    tag = IndustryTag.objects.create(kind=kind, name=name, sort_order=order)
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=tag, after=snapshot(tag))
    return tag


@transaction.atomic
def tag_rename(*, actor: Any, source: Source, tag: IndustryTag, name: str) -> IndustryTag:
    _ensure_city_admin(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "名称不能为空。"})
    if IndustryTag.objects.filter(name=name).exclude(pk=tag.pk).exists():
        raise ValidationError({"name": f"“{name}”已存在。"})
    before = snapshot(tag)
    tag.name = name
    tag.save(update_fields=["name"])
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=tag, before=before, after=snapshot(tag)
    )
    return tag


@transaction.atomic
def tag_delete(*, actor: Any, source: Source, tag: IndustryTag) -> None:
    """Removes a tag nobody uses; a tag still on enterprises is refused with how many."""
    _ensure_city_admin(actor)
    used = tag.enterprises.count()
    if used:
        raise ValidationError(f"“{tag.name}”仍标注在 {used} 家企业上，不能删除；可改名或先调整这些企业。")
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=tag, before=snapshot(tag))
    tag.delete()


@transaction.atomic
def contact_add(*, actor: Any, source: Source, enterprise: Enterprise, **values: Any) -> Contact:
    if not actor.can_edit or not path_in_scope(enterprise.district.path, actor):
        raise PermissionDenied("您无权修改该企业。")
    if not str(values.get("name", "")).strip():
        raise ValidationError({"name": "请填写联系人姓名。"})
    contact = Contact.objects.create(enterprise=enterprise, **values)
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=contact, after=snapshot(contact))
    return contact


@transaction.atomic
def contact_remove(*, actor: Any, source: Source, contact: Contact) -> None:
    if not actor.can_edit or not path_in_scope(contact.enterprise.district.path, actor):
        raise PermissionDenied("您无权修改该企业。")
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=contact, before=snapshot(contact))
    contact.delete()


# Land: parcels an enterprise owns (宗地) and space it rents on another's (租用厂房) ------------------------

LAND_REFUSAL = "您无权修改该企业的用地信息。"


def _ensure_land_editor(actor: Any, *objects: Any) -> None:
    """An editor (or the system, with no actor) acting on objects in their scope."""
    if actor is not None and not actor.can_edit:
        raise PermissionDenied(LAND_REFUSAL)
    ensure_in_scope(actor, *objects, message=LAND_REFUSAL)


def _clean_parcel(values: dict[str, Any], instance: LandParcel | None) -> dict[str, Any]:
    """The parcel's fields checked as the import checks them; Chinese messages by field."""
    errors: dict[str, str] = {}
    code = normalise_code(values.get("code") or "")
    problem = parcel_code_problem(code)
    if problem:
        errors["code"] = problem
    elif LandParcel.objects.filter(code=code).exclude(pk=instance.pk if instance else None).exists():
        errors["code"] = f"宗地编号 {code} 已登记。"
    location = " ".join(str(values.get("location") or "").split())
    if len(location) > 200:
        errors["location"] = "坐落不能超过 200 个字。"
    problem = amount_problem(values.get("area_mu"))
    if problem:
        errors["area_mu"] = f"面积{problem}。"
    problem = grant_date_problem(values.get("granted_on"), timezone.localdate())
    if problem:
        errors["granted_on"] = f"{problem}。"
    if errors:
        raise ValidationError(errors)
    return {
        "code": code,
        "location": location,
        "area_mu": values["area_mu"].quantize(Decimal("0.01")),  # as stored: the trail reads 35.50
        "granted_on": values.get("granted_on"),
    }


@transaction.atomic
def parcel_create(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    code: str,
    area_mu: Decimal | None,
    location: str = "",
    granted_on: dt.date | None = None,
) -> LandParcel:
    """A parcel the enterprise owns (it is the parcel's 宗地主)."""
    _ensure_land_editor(actor, enterprise)
    values = {"code": code, "area_mu": area_mu, "location": location, "granted_on": granted_on}
    parcel = LandParcel.objects.create(enterprise=enterprise, **_clean_parcel(values, None))
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=parcel, after=snapshot(parcel))
    return parcel


@transaction.atomic
def parcel_update(*, actor: Any, source: Source, parcel: LandParcel, **values: Any) -> LandParcel:
    """Correct a parcel's code, location, area or grant date (its owner stays)."""
    _ensure_land_editor(actor, parcel)
    parcel = LandParcel.objects.select_for_update().get(pk=parcel.pk)
    before = snapshot(parcel)
    current = {name: getattr(parcel, name) for name in ("code", "location", "area_mu", "granted_on")}
    cleaned = _clean_parcel({**current, **{k: v for k, v in values.items() if k in current}}, parcel)
    for name, value in cleaned.items():
        setattr(parcel, name, value)
    parcel.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=parcel, before=before, after=snapshot(parcel)
    )
    return parcel


@transaction.atomic
def parcel_remove(*, actor: Any, source: Source, parcel: LandParcel) -> None:
    """Remove a parcel without tenants; one still rented out is refused with how many rent on it."""
    _ensure_land_editor(actor, parcel)
    tenants = parcel.tenancies.count()
    if tenants:
        raise ValidationError(f"宗地 {parcel.code} 上还有 {tenants} 条租用记录，请先移除这些租用记录。")
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=parcel, before=snapshot(parcel))
    parcel.delete()


def _clean_tenancy(
    enterprise: Enterprise,
    parcel: LandParcel,
    started_on: dt.date | None,
    ended_on: dt.date | None,
    instance: LandTenancy | None,
) -> None:
    if parcel.enterprise_id == enterprise.pk:
        raise ValidationError({"parcel": f"宗地 {parcel.code} 是本企业自己的宗地，不能登记为租用。"})
    problem = tenancy_dates_problem(started_on, ended_on)
    if problem:
        raise ValidationError({"ended_on": f"{problem}。"})
    others = LandTenancy.objects.filter(enterprise=enterprise, parcel=parcel).exclude(
        pk=instance.pk if instance else None
    )
    for other in others:
        if periods_overlap((started_on, ended_on), (other.started_on, other.ended_on)):
            raise ValidationError(
                {
                    "started_on": f"与已登记的租用（{_period_text(other.started_on, other.ended_on)}）时间重叠。"
                }
            )


def _period_text(started_on: dt.date | None, ended_on: dt.date | None) -> str:
    start = started_on.isoformat() if started_on else "起租日期未填"
    return f"{start} 至 {ended_on.isoformat() if ended_on else '今'}"


@transaction.atomic
def tenancy_create(
    *,
    actor: Any,
    source: Source,
    enterprise: Enterprise,
    parcel: LandParcel,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
) -> LandTenancy:
    """The enterprise (the tenant) rents space on another enterprise's parcel. Both must be in the actor's
    scope: a tenancy across districts is registered by city staff."""
    _ensure_land_editor(actor, enterprise, parcel)
    _clean_tenancy(enterprise, parcel, started_on, ended_on, None)
    tenancy = LandTenancy.objects.create(
        enterprise=enterprise, parcel=parcel, started_on=started_on, ended_on=ended_on
    )
    audit_record(actor=actor, source=source, action=Action.CREATE, obj=tenancy, after=snapshot(tenancy))
    return tenancy


@transaction.atomic
def tenancy_update(
    *,
    actor: Any,
    source: Source,
    tenancy: LandTenancy,
    started_on: dt.date | None,
    ended_on: dt.date | None,
) -> LandTenancy:
    """Correct a tenancy's dates, or end it (止租日期)."""
    _ensure_land_editor(actor, tenancy)
    tenancy = LandTenancy.objects.select_for_update().select_related("parcel").get(pk=tenancy.pk)
    before = snapshot(tenancy)
    _clean_tenancy(tenancy.enterprise, tenancy.parcel, started_on, ended_on, tenancy)
    tenancy.started_on, tenancy.ended_on = started_on, ended_on
    tenancy.save()
    audit_record(
        actor=actor, source=source, action=Action.UPDATE, obj=tenancy, before=before, after=snapshot(tenancy)
    )
    return tenancy


@transaction.atomic
def tenancy_remove(*, actor: Any, source: Source, tenancy: LandTenancy) -> None:
    _ensure_land_editor(actor, tenancy)
    audit_record(actor=actor, source=source, action=Action.DELETE, obj=tenancy, before=snapshot(tenancy))
    tenancy.delete()
