import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kuochan.audit.selectors import AuditFilter, audit_entries

router = Router(tags=["审计"])


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    source: str
    action: str
    model: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    batch_id: int | None

    @staticmethod
    def resolve_actor(entry: Any) -> str:
        return entry.actor_name

    @staticmethod
    def resolve_model(entry: Any) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"


class AuditQuery(Schema):
    model: str | None = None
    action: str | None = None
    source: str | None = None
    actor: str | None = None
    object_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    batch_id: int | None = None


@router.get("", response=list[AuditEntryOut], summary="审计记录（数据范围内）")
@paginate
def list_entries(request: HttpRequest, filters: Query[AuditQuery]) -> Any:
    return audit_entries(actor=request.auth, filters=AuditFilter(**filters.dict()))
