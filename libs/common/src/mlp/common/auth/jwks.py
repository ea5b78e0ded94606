"""identity's JSON Web Key Set, fetched over HTTP and cached.

An unknown ``kid`` triggers a refresh (identity rotated its key), but at most once per
``min_refresh_seconds`` so that tokens with made-up kids cannot hammer identity. While identity
is down, attempts back off exponentially (up to ``max_backoff_seconds``), and keys not
confirmed for ``max_stale_seconds`` are dropped: a key identity stopped publishing (retired or
compromised) cannot keep verifying tokens forever on a replica cut off from identity.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import jwt

from mlp.common.auth.errors import AuthUnavailable


class JwksCache:
    def __init__(
        self,
        client: httpx.AsyncClient,
        jwks_url: str,
        *,
        max_age_seconds: float = 600.0,
        min_refresh_seconds: float = 10.0,
        max_backoff_seconds: float = 300.0,
        max_stale_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._url = jwks_url
        self._max_age = max_age_seconds
        self._min_refresh = min_refresh_seconds
        self._max_backoff = max_backoff_seconds
        self._max_stale = max_stale_seconds
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._next_attempt = float("-inf")
        self._failures = 0
        self._lock = asyncio.Lock()

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        now = self._clock()
        if now - self._fetched_at > self._max_stale:
            self._keys = {}
        if kid not in self._keys or now - self._fetched_at > self._max_age:
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            if self._clock() < self._next_attempt:
                if not self._keys:
                    raise AuthUnavailable("signing keys unavailable: identity is not answering (retrying)")
                return
            try:
                response = await self._client.get(self._url)
                response.raise_for_status()
                key_set = jwt.PyJWKSet.from_dict(response.json())
            except (httpx.HTTPError, jwt.PyJWTError, ValueError) as exc:
                self._failures += 1
                backoff = min(self._max_backoff, self._min_refresh * 2 ** (self._failures - 1))
                self._next_attempt = self._clock() + backoff
                if not self._keys:
                    raise AuthUnavailable(f"cannot fetch signing keys: {exc}") from exc
                return
            self._keys = {key.key_id: key for key in key_set.keys if key.key_id}
            self._fetched_at = self._clock()
            self._failures = 0
            self._next_attempt = self._fetched_at + self._min_refresh
