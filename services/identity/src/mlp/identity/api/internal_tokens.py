"""``POST /internal/v1/tokens``: platform tokens for the platform's own services.

A service credential may mint a service token (for background work) or a token acting for a
user (e.g. a worker continuing a user's job); the rules are in :class:`ServiceTokens`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from mlp.common.auth.litestar import SERVICE_ONLY
from mlp.common.auth.principal import Principal
from mlp.common.contracts.auth import MintedToken
from mlp.identity.application.service_tokens import MintRequest, ServiceTokens

Scope = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class MintTokenBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The contract's ``MintTokenRequest``, bounded."""

    user_id: uuid.UUID | None = None
    scopes: Annotated[tuple[Scope, ...], msgspec.Meta(max_length=64)] = ()
    service: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    caller_scopes: Annotated[tuple[Scope, ...], msgspec.Meta(max_length=64)] | None = None


@post("/internal/v1/tokens", tags=["internal"], opt=SERVICE_ONLY, status_code=201)
async def mint_token(
    data: JSONBody[MintTokenBody], request: Request[Principal, Any, Any], service_tokens: NamedDependency[ServiceTokens]
) -> MintedToken:
    issued = await service_tokens.mint(
        request.user, MintRequest(data.user_id, data.scopes, data.service, data.caller_scopes)
    )
    return MintedToken(token=issued.token, expires_in=issued.expires_in)
