"""Litestar glue: the authentication middleware and per-route requirements.

The middleware puts the :class:`Principal` on ``request.user``. Routes declare what they need
in their ``opt``: ``opt=requires_scopes("models:read")``, ``opt=SERVICE_ONLY``,
``opt=USER_SESSION`` (a signed-in user, not an API key) or ``opt=AUTHENTICATED`` (any verified
caller); public routes say ``opt=PUBLIC``. A route that declares none of them is refused at
start-up (``build_service_app``): access is denied by default, never granted by omission.
The checks run inside the middleware rather than as Litestar guards: a guard call copies the
route handler on every request, which cost a third of a small GET.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from mlp.common.auth.errors import AuthError, Forbidden
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import CredentialResolver
from mlp.common.runtime.scope_headers import scope_header

PUBLIC_PATHS = ("/healthz", "/readyz", "/schema", "/.well-known")
"""Path prefixes served without credentials, matched on whole segments: ``/schema`` covers
``/schema/openapi.json`` but not ``/schemas``."""
PUBLIC: dict[str, Any] = {"public": True}
SERVICE_ONLY: dict[str, Any] = {"service_only": True}
USER_SESSION: dict[str, Any] = {"user_session": True}
AUTHENTICATED: dict[str, Any] = {"authenticated": True}
REQUIREMENT_KEYS = ("public", "scopes", "service_only", "user_session", "authenticated")


def declares_access(opt: dict[str, Any]) -> bool:
    """True when a route's ``opt`` says who may call it."""
    return any(opt.get(key) for key in REQUIREMENT_KEYS)


def public_path_pattern(extra_public_paths: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Matches a path equal to one of the prefixes or below it (whole segments only)."""
    prefixes = "|".join(re.escape(p.rstrip("/")) for p in (*PUBLIC_PATHS, *extra_public_paths))
    return re.compile(f"^(?:{prefixes})(?:/|$)")


def requires_scopes(*wanted: str) -> dict[str, Any]:
    return {"scopes": wanted}


class PrincipalAuthMiddleware(ASGIMiddleware):
    """Uses ``app.state.resolver``, which the service's lifespan wires once its adapters exist."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)
    exclude_opt_key = "public"

    def __init__(self, extra_public_paths: tuple[str, ...] = ()) -> None:
        public = public_path_pattern(extra_public_paths)
        self.should_bypass_for_scope = lambda scope: public.match(scope["path"]) is not None

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        authorization = scope_header(scope, b"authorization")
        if not authorization:
            raise AuthError("missing Authorization header")
        if not (authorization.isascii() and authorization.isprintable()):
            raise AuthError("malformed Authorization header: printable ASCII only")
        resolver: CredentialResolver = scope["litestar_app"].state.resolver
        principal = resolver.known(authorization) or await resolver.resolve(authorization)
        check_requirements(principal, scope["route_handler"].opt)
        scope["user"] = principal
        await next_app(scope, receive, send)


def check_requirements(principal: Principal, opt: dict[str, Any]) -> None:
    if opt.get("service_only") and principal.kind != "service":
        raise Forbidden("this endpoint is for platform services only")
    if opt.get("user_session") and not principal.is_user_session:
        raise Forbidden("this endpoint needs the signed-in user themself, not an API key or a service acting for them")
    missing = principal.missing_scopes(opt.get("scopes", ()))
    if missing:
        raise Forbidden(f"missing scope(s): {', '.join(missing)}")
