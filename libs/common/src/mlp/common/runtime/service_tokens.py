"""Platform tokens a service obtains from identity with its own credential.

A worker relaying the outbox presents a service token; a worker continuing a user's job (an
eval run calling registry as that user) presents a token acting for the user, limited to the
scopes of the caller who asked for the work and to those identity allows that service (a
delegation never widens a scope). Both come from identity's ``POST /internal/v1/tokens``,
which takes the raw service credential, and are reused until half their lifetime has passed.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import httpx
import msgspec

from mlp.common.auth.principal import scope_grants
from mlp.common.contracts.auth import MintedToken, MintTokenRequest

MINT_PATH = "/internal/v1/tokens"
TokenSource = Callable[[], Awaitable[str]]
"""Where a relay gets the bearer token of its next call."""


class ServiceTokens:
    """Mints and caches tokens at identity; the cache of user tokens is bounded (LRU)."""

    def __init__(
        self, http: httpx.AsyncClient, identity_url: str, service: str, credential: str, max_users: int = 1024
    ) -> None:
        self._http = http
        self._url = identity_url.rstrip("/") + MINT_PATH
        self._service = service
        self._credential = credential
        self._max_users = max_users
        self._cached: OrderedDict[tuple[uuid.UUID | None, tuple[str, ...]], tuple[str, float]] = OrderedDict()

    async def service_token(self) -> str:
        return await self._token(MintTokenRequest(service=self._service), (None, ()))

    async def for_user(self, user_id: uuid.UUID, scopes: tuple[str, ...], caller_scopes: tuple[str, ...]) -> str:
        """A token for ``scopes`` that ``caller_scopes`` cover (the others are not asked for)."""
        covered = tuple(s for s in scopes if any(scope_grants(held, s) for held in caller_scopes))
        request = MintTokenRequest(user_id=user_id, scopes=covered, caller_scopes=caller_scopes)
        return await self._token(request, (user_id, covered))

    def forget_user(self, user_id: uuid.UUID) -> None:
        for key in [k for k in self._cached if k[0] == user_id]:
            del self._cached[key]

    async def _token(self, request: MintTokenRequest, key: tuple[uuid.UUID | None, tuple[str, ...]]) -> str:
        cached = self._cached.get(key)
        if cached is not None and cached[1] > time.monotonic():
            self._cached.move_to_end(key)
            return cached[0]
        response = await self._http.post(
            self._url,
            content=msgspec.json.encode(request),
            headers={"authorization": f"Bearer {self._credential}", "content-type": "application/json"},
        )
        response.raise_for_status()
        minted = msgspec.json.decode(response.content, type=MintedToken)
        self._cached[key] = (minted.token, time.monotonic() + minted.expires_in / 2)
        while len(self._cached) > self._max_users:
            self._cached.popitem(last=False)
        return minted.token
