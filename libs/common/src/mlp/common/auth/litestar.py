"""Litestar glue: the authentication middleware and scope guards.

The middleware puts the :class:`Principal` on ``request.user``; routes declare what they
need with ``guards=[requires_scopes("models:read")]`` or ``guards=[requires_service]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware

from mlp.common.auth.errors import AuthError, Forbidden
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import CredentialResolver
from mlp.common.runtime.problems import Problem

PUBLIC_PATHS = ["^/healthz", "^/readyz", "^/schema", "^/.well-known/"]

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def auth_problem(error: AuthError) -> Problem:
    headers = dict(error.headers)
    if error.status_code == 401:
        headers.setdefault("www-authenticate", 'Bearer realm="mlp"')
    return Problem(error.status_code, error.code, error.detail, headers=headers)


class PrincipalAuthMiddleware(AbstractAuthenticationMiddleware):
    """Uses ``app.state.resolver``, which the service's lifespan wires once its adapters exist."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        authorization = connection.headers.get("authorization")
        if not authorization:
            raise auth_problem(AuthError("missing Authorization header"))
        resolver: CredentialResolver = connection.app.state.resolver
        try:
            principal = await resolver.resolve(authorization)
        except AuthError as error:
            raise auth_problem(error) from error
        return AuthenticationResult(user=principal, auth=authorization)


def auth_middleware(extra_public_paths: tuple[str, ...] = ()) -> DefineMiddleware:
    return DefineMiddleware(
        PrincipalAuthMiddleware,
        exclude=[*PUBLIC_PATHS, *extra_public_paths],
        exclude_from_auth_key="public",
    )


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise auth_problem(AuthError("not authenticated"))
    return user


def requires_scopes(*wanted: str) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        missing = principal_of(connection).missing_scopes(wanted)
        if missing:
            raise auth_problem(Forbidden(f"missing scope(s): {', '.join(missing)}"))

    return guard


def requires_service(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if principal_of(connection).kind != "service":
        raise auth_problem(Forbidden("this endpoint is for platform services only"))
