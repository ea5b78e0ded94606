"""How identity shows its entities: view Structs that say what a caller may see, never the
domain dataclasses (no Firebase uid, no deletion marks, no internal revocation reasons)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from mlp.identity.domain.audit import OperationEvent
from mlp.identity.domain.sessions import UserSession
from mlp.identity.domain.users import User


class MeView(msgspec.Struct):
    id: str
    email: str | None
    email_verified: bool
    display_name: str | None
    photo_url: str | None
    created_at: datetime
    last_sign_in_at: datetime | None


class SessionView(msgspec.Struct):
    id: str
    user_agent: str | None
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


class AuditEventView(msgspec.Struct):
    event_id: str
    service: str
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str
    occurred_at: datetime
    details: dict[str, Any]
    ip_address: str | None
    user_agent: str | None
    request_id: str | None


def me_view(user: User) -> MeView:
    return MeView(
        id=str(user.id),
        email=user.email,
        email_verified=user.email_verified,
        display_name=user.display_name,
        photo_url=user.photo_url,
        created_at=user.created_at,
        last_sign_in_at=user.last_sign_in_at,
    )


def session_view(session: UserSession, current: bool) -> SessionView:
    return SessionView(
        id=str(session.id),
        user_agent=session.user_agent,
        ip_address=session.ip_address,
        created_at=session.created_at,
        last_seen_at=session.last_seen_at,
        expires_at=session.expires_at,
        current=current,
    )


def audit_event_view(event: OperationEvent) -> AuditEventView:
    return AuditEventView(
        event_id=str(event.event_id),
        service=event.service,
        action=event.action,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        outcome=event.outcome,
        occurred_at=event.occurred_at,
        details=event.details,
        ip_address=event.ip_address,
        user_agent=event.user_agent,
        request_id=event.request_id,
    )
