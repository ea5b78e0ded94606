"""``POST /internal/v1/tokens``: platform tokens for the platform's own services.

A service credential may mint a service token (for background work) or a token acting for a
user (e.g. a worker continuing a user's job). Users never reach this endpoint.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from mlp.common.auth.litestar import SERVICE_ONLY
from mlp.common.auth.principal import Principal
from mlp.common.contracts.auth import MintedToken, MintTokenRequest
from mlp.common.runtime.problems import Problem
from mlp.identity.application.platform_tokens import PlatformTokens


@post("/internal/v1/tokens", tags=["internal"], opt=SERVICE_ONLY, status_code=201)
async def mint_token(
    data: JSONBody[MintTokenRequest],
    request: Request[Principal, Any, Any],
    platform_tokens: NamedDependency[PlatformTokens],
) -> MintedToken:
    caller = request.user
    if (data.user_id is None) == (data.service is None):
        raise Problem(422, "validation-error", "give exactly one of user_id or service", field="user_id")
    if data.service is not None and data.service != caller.service:
        raise Problem(403, "forbidden", "a service may only mint tokens for itself", field="service")
    subject = (
        Principal(user_id=data.user_id, scopes=data.scopes)
        if data.user_id is not None
        else Principal.for_service(data.service or "", data.scopes or ("internal",))
    )
    issued = await platform_tokens.issue(subject)
    return MintedToken(token=issued.token, expires_in=issued.expires_in)
