"""My device sessions."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from mlp.common.auth.litestar import USER_SESSION
from mlp.common.auth.principal import Principal
from mlp.identity.api.views import SessionView, session_view
from mlp.identity.application.sessions import Sessions

Caller = Request[Principal, Any, Any]


class Revoked(msgspec.Struct):
    revoked: int


@get("/v1/sessions", tags=["sessions"], opt=USER_SESSION, summary="My active sessions")
async def list_sessions(request: Caller, sessions: NamedDependency[Sessions]) -> list[SessionView]:
    active = await sessions.list_active(request.user.user_id)
    return [session_view(s, current=s.id == request.user.session_id) for s in active]


@delete("/v1/sessions/{session_id:uuid}", tags=["sessions"], opt=USER_SESSION, summary="Revoke one session")
async def revoke_session(request: Caller, session_id: FromPath[uuid.UUID], sessions: NamedDependency[Sessions]) -> None:
    await sessions.revoke(request.user.user_id, session_id)


@post("/v1/sessions/revoke-others", tags=["sessions"], opt=USER_SESSION, status_code=200)
async def revoke_other_sessions(request: Caller, sessions: NamedDependency[Sessions]) -> Revoked:
    """Revoke every session but the one making this call."""
    return Revoked(await sessions.revoke_others(request.user.user_id, request.user.session_id))


@post("/v1/sessions/revoke-all", tags=["sessions"], opt=USER_SESSION, status_code=200)
async def revoke_all_sessions(request: Caller, sessions: NamedDependency[Sessions]) -> Revoked:
    """Revoke every session, this one included, and the user's Firebase refresh tokens."""
    return Revoked(await sessions.revoke_all(request.user.user_id))
