"""Platform tokens for the platform's own services (``POST /internal/v1/tokens``).

Only a service presenting its raw credential may mint (a token cannot mint tokens). A service
token names the caller itself; a delegated token acts for an existing, active user and says so
(``act``): user-session endpoints refuse it. A delegation never widens a scope: the service names
the scopes of the caller it works for (``caller_scopes``, the user's key or session), and the
token carries the requested scopes those cover, each also within the service's allow-list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from mlp.common.auth.errors import Forbidden
from mlp.common.auth.principal import Principal, scope_grants
from mlp.identity.application.grant_checks import GrantChecks
from mlp.identity.application.platform_tokens import IssuedToken, PlatformTokens
from mlp.identity.domain.errors import InvalidInput, NotFound
from mlp.identity.domain.service_scopes import MINT_SCOPE, ServiceScopes

SERVICE_TOKEN_SCOPES = ("internal",)


@dataclass(frozen=True)
class MintRequest:
    user_id: uuid.UUID | None
    scopes: tuple[str, ...]
    service: str | None
    caller_scopes: tuple[str, ...] | None = None


class ServiceTokens:
    def __init__(self, tokens: PlatformTokens, grants: GrantChecks, allowed: ServiceScopes) -> None:
        self._tokens = tokens
        self._grants = grants
        self._allowed = allowed

    async def mint(self, caller: Principal, request: MintRequest) -> IssuedToken:
        if caller.kind != "service" or caller.service is None or not caller.has_scope(MINT_SCOPE):
            raise Forbidden("minting needs the service's own credential, not a token")
        if (request.user_id is None) == (request.service is None):
            raise InvalidInput("give exactly one of user_id or service", field="user_id")
        if request.user_id is None:
            return await self._tokens.issue(self._service_token(caller.service, request))
        return await self._tokens.issue(await self._delegated(caller.service, request.user_id, request))

    def _service_token(self, service: str, request: MintRequest) -> Principal:
        if request.service != service:
            raise Forbidden("a service may only mint tokens for itself")
        if MINT_SCOPE in request.scopes:
            raise InvalidInput("a token cannot carry tokens:mint", field="scopes")
        return Principal.for_service(service, request.scopes or SERVICE_TOKEN_SCOPES)

    async def _delegated(self, service: str, user_id: uuid.UUID, request: MintRequest) -> Principal:
        if not request.scopes:
            raise InvalidInput("name the scopes the service acts with", field="scopes")
        if request.caller_scopes is None:
            raise InvalidInput("name the scopes of the caller the service acts for", field="caller_scopes")
        refused = self._allowed.refused(service, request.scopes)
        if refused:
            raise Forbidden(f"{service} may not act with scope(s) {', '.join(refused[:5])} (IDENTITY_SERVICE_SCOPES)")
        held = request.caller_scopes
        scopes = tuple(s for s in request.scopes if any(scope_grants(h, s) for h in held))
        if not scopes:
            raise Forbidden("the caller holds none of the requested scopes")
        if not (await self._grants.standing(user_id)).active:
            raise NotFound("no such active user")
        return Principal(user_id=user_id, scopes=scopes, actor=service)
