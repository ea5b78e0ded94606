"""Sign-in and session refresh (public: they are how a client gets credentials)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from mlp.common.auth.errors import AuthError
from mlp.common.auth.litestar import PUBLIC
from mlp.identity.api.views import MeView, me_view
from mlp.identity.application.session_refresh import SessionRefresh
from mlp.identity.application.sign_in import Device, SignIn
from mlp.identity.domain.sessions import UserSession
from mlp.identity.domain.users import User

Token = Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]


class SignInRequest(msgspec.Struct, forbid_unknown_fields=True):
    id_token: Token | None = None
    """The Firebase ID token; may also come as ``Authorization: Bearer <id token>``."""


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class SessionTokens(msgspec.Struct):
    session_id: str
    session_expires_at: datetime
    platform_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    user: MeView | None = None


@post("/v1/auth/sign-in", tags=["auth"], opt=PUBLIC, status_code=201, summary="Exchange a Firebase ID token")
async def sign_in(
    request: Request[Any, Any, Any], data: JSONBody[SignInRequest], sign_in_flow: NamedDependency[SignIn]
) -> SessionTokens:
    id_token = data.id_token or _bearer(request)
    device = Device(user_agent=request.headers.get("user-agent"), ip_address=_client_ip(request))
    signed_in = await sign_in_flow.sign_in(id_token, device)
    return _tokens(
        signed_in.session, signed_in.refresh_token, signed_in.token.token, signed_in.token.expires_in, signed_in.user
    )


@post("/v1/auth/refresh", tags=["auth"], opt=PUBLIC, status_code=200, summary="New platform token for a session")
async def refresh(data: JSONBody[RefreshRequest], session_refresh: NamedDependency[SessionRefresh]) -> SessionTokens:
    session, refresh_token, issued = await session_refresh.refresh(data.refresh_token)
    return _tokens(session, refresh_token, issued.token, issued.expires_in)


def _tokens(
    session: UserSession, refresh_token: str, token: str, expires_in: int, user: User | None = None
) -> SessionTokens:
    return SessionTokens(
        session_id=str(session.id),
        session_expires_at=session.expires_at,
        platform_token=token,
        token_type="Bearer",
        expires_in=expires_in,
        refresh_token=refresh_token,
        user=me_view(user) if user is not None else None,
    )


def _bearer(request: Request[Any, Any, Any]) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("give the Firebase ID token as id_token or as 'Authorization: Bearer <id token>'")
    return token.strip()


def _client_ip(request: Request[Any, Any, Any]) -> str | None:
    """The peer's address; behind the gateway uvicorn takes it from ``X-Forwarded-For``, but only
    from proxies listed in ``FORWARDED_ALLOW_IPS`` (so a client cannot choose what is recorded)."""
    return request.client.host if request.client else None
