"""``GET /.well-known/jwks.json``: the public keys that verify platform tokens."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency

from mlp.common.auth.litestar import PUBLIC
from mlp.identity.application.platform_tokens import PlatformTokens


@get("/.well-known/jwks.json", tags=["auth"], opt=PUBLIC, summary="Platform token verification keys")
async def jwks(platform_tokens: NamedDependency[PlatformTokens]) -> Response[dict[str, Any]]:
    keys = [key.public_jwk for key in await platform_tokens.published_keys()]
    return Response({"keys": keys}, headers={"cache-control": "public, max-age=300"})
