import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kuochan.audit.models import Action, Source
from kuochan.audit.selectors import AuditFilter, audit_entries
from kuochan.core.api import Day, Id

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
    model: str | None = Field(None, max_length=100, description="对象类型，如 projects.project")
    action: Action | None = None
    source: Source | None = None
    actor: str | None = Field(None, max_length=150, description="操作人用户名")
    object_id: str | None = Field(None, max_length=64)
    date_from: Day | None = None
    date_to: Day | None = None
    batch_id: Id | None = None


@router.get(
    "", response=list[AuditEntryOut], summary="审计记录（仅限可查看其对象的人；审计员看不到业务数据的取值）"
)
@paginate
def list_entries(request: HttpRequest, filters: Query[AuditQuery]) -> Any:
    return audit_entries(actor=request.auth, filters=AuditFilter(**filters.dict()))
