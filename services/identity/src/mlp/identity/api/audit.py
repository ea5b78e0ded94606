"""The audit trail: every service delivers batches; a user lists their own, newest first."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter

from mlp.common.auth.litestar import SERVICE_ONLY, requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.contracts.audit import BatchReceipt, OperationEventBatch
from mlp.identity.api.views import AuditEventView, audit_event_view
from mlp.identity.application.audit_trail import AuditTrail
from mlp.identity.domain.audit import AuditQuery, OperationEvent
from mlp.identity.domain.errors import InvalidInput

Filter = Annotated[str | None, QueryParameter(max_length=128)]


class AuditPage(msgspec.Struct):
    items: list[AuditEventView]
    next_cursor: str | None


@post("/internal/v1/audit-events", tags=["internal"], opt=SERVICE_ONLY, status_code=200)
async def ingest_audit_events(
    request: Request[Principal, Any, Any], data: JSONBody[OperationEventBatch], audit_trail: NamedDependency[AuditTrail]
) -> BatchReceipt:
    """Idempotent on ``event_id``: a redelivered batch creates no duplicate. Events are recorded
    as the authenticated service's (the body's ``service`` is ignored)."""
    events = [OperationEvent(**msgspec.structs.asdict(e)) for e in data.events]
    inserted = await audit_trail.ingest(request.user.service or "unknown", events)
    return BatchReceipt(accepted=inserted, duplicates=len(events) - inserted)


@get("/v1/audit-events", tags=["audit"], opt=requires_scopes("audit:read"), summary="My audit trail")
async def list_audit_events(
    request: Request[Principal, Any, Any],
    audit_trail: NamedDependency[AuditTrail],
    action: Filter = None,
    resource_type: Filter = None,
    resource_id: Filter = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> AuditPage:
    query = AuditQuery(
        user_id=request.user.user_id,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        since=since,
        until=until,
        before=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    events = await audit_trail.list_events(query)
    next_cursor = encode_cursor(events[-1]) if len(events) == limit else None
    return AuditPage(items=[audit_event_view(e) for e in events], next_cursor=next_cursor)


def encode_cursor(event: OperationEvent) -> str:
    return base64.urlsafe_b64encode(f"{event.occurred_at.isoformat()}|{event.event_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, _, event_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), uuid.UUID(event_id)
    except ValueError as exc:
        raise InvalidInput("cursor is not one this API returned", field="cursor") from exc
