"""identity's JSON Web Key Set, fetched over HTTP and cached.

An unknown ``kid`` triggers a refresh (identity rotated its key), but at most once per
``min_refresh_seconds`` so that tokens with made-up kids cannot hammer identity.
"""

from __future__ import annotations

import asyncio
import time

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
    ) -> None:
        self._client = client
        self._url = jwks_url
        self._max_age = max_age_seconds
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        now = time.monotonic()
        stale = now - self._fetched_at > self._max_age
        if kid not in self._keys or stale:
            await self._refresh(force=not self._keys)
        return self._keys.get(kid)

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._attempted_at < self._min_refresh:
                return
            self._attempted_at = time.monotonic()
            try:
                response = await self._client.get(self._url)
                response.raise_for_status()
                key_set = jwt.PyJWKSet.from_dict(response.json())
            except (httpx.HTTPError, jwt.PyJWTError, ValueError) as exc:
                if not self._keys:
                    raise AuthUnavailable(f"cannot fetch signing keys: {exc}") from exc
                return
            self._keys = {key.key_id: key for key in key_set.keys if key.key_id}
            self._fetched_at = time.monotonic()
