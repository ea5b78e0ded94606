"""Asks identity to verify a credential this service cannot check alone (an API key or a
Firebase ID token), when the service is called directly rather than through the gateway.

Answers are cached for ``ttl_seconds`` (default 30 s, see README "Authentication"): within
that window a revoked key may still pass on this instance. Answers identity marks ``no-store``
(API keys with quotas, counted on every call) and 429s are never cached. Refusals are cached
for a shorter time so a flood of bad keys does not become a flood of calls to identity.
"""

from __future__ import annotations

import hashlib
import time

import httpx
import msgspec

from mlp.common.auth.errors import ERRORS_BY_CODE, AuthError, AuthUnavailable
from mlp.common.auth.principal import Principal
from mlp.common.contracts.auth import VerifiedCaller

VERIFY_PATH = "/v1/auth/verify"


class IdentityVerifyClient:
    def __init__(
        self,
        client: httpx.AsyncClient,
        identity_url: str,
        *,
        ttl_seconds: float = 30.0,
        refusal_ttl_seconds: float = 5.0,
        cache_size: int = 10_000,
    ) -> None:
        self._client = client
        self._url = identity_url.rstrip("/") + VERIFY_PATH
        self._ttl = ttl_seconds
        self._refusal_ttl = refusal_ttl_seconds
        self._cache: dict[bytes, tuple[Principal | AuthError, float]] = {}
        self._cache_size = cache_size

    async def verify(self, authorization: str) -> Principal:
        key = hashlib.sha256(authorization.encode()).digest()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return _unwrap(cached[0])
        outcome, ttl = await self._ask_identity(authorization)
        if ttl > 0:
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[key] = (outcome, time.monotonic() + ttl)
        return _unwrap(outcome)

    async def _ask_identity(self, authorization: str) -> tuple[Principal | AuthError, float]:
        """The answer and how long it may be reused: identity says ``no-store`` for credentials
        that must be counted on every call (API keys with quotas), and 429s are never reused."""
        try:
            response = await self._client.post(self._url, headers={"authorization": authorization})
        except httpx.HTTPError as exc:
            raise AuthUnavailable(f"identity unreachable: {exc}") from exc
        if response.status_code == 200:
            principal = msgspec.json.decode(response.content, type=VerifiedCaller).principal
            reusable = "no-store" not in response.headers.get("cache-control", "")
            return principal, self._ttl if reusable else 0.0
        if response.status_code == 429:
            raise _refusal(response)
        if response.status_code in (401, 403):
            return _refusal(response), self._refusal_ttl
        raise AuthUnavailable(f"identity answered {response.status_code}")


def _refusal(response: httpx.Response) -> AuthError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = str(body.get("type", "")).rsplit(":", 1)[-1]
    error_class = ERRORS_BY_CODE.get(code, AuthError)
    passthrough = {k: v for k, v in response.headers.items() if k.lower().startswith(("retry-after", "x-ratelimit"))}
    return error_class(str(body.get("detail", "credential refused")), headers=passthrough)


def _unwrap(outcome: Principal | AuthError) -> Principal:
    if isinstance(outcome, AuthError):
        raise outcome
    return outcome
