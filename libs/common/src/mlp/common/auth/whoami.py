"""``GET /v1/whoami``: the caller's principal, as this service sees it."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from mlp.common.auth.litestar import AUTHENTICATED
from mlp.common.auth.principal import Principal


@get("/v1/whoami", tags=["auth"], opt=AUTHENTICATED, summary="The authenticated caller")
async def whoami(request: Request[Principal, Any, Any]) -> Principal:
    return request.user
