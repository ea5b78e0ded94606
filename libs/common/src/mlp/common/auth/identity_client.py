"""Asks identity about credentials this service cannot fully check alone: API keys and Firebase
ID tokens (who is it?), and the user's platform tokens (is their session, key and user still
good?).

Answers are reused for at most ``MAX_REUSE_SECONDS`` (identity's own replicas agree within
2 s more), so a revocation reaches this service within 5 s. An answer in its last second is
still used while it is asked again in the background: busy credentials never wait for identity.
Answers identity marks ``no-store`` (API keys with quotas, counted on every call) and 429s are
never reused. A platform token's
answer is kept per grant (user, session, key): one call per grant and 3 s, however many tokens
the grant has; each token's ``iat`` is then compared locally with the user's revocation epoch.
Refusals are kept as data (status, code, detail), never as a raised exception instance.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

import httpx
import msgspec

from mlp.common.auth.errors import ERRORS_BY_CODE, AuthError, AuthUnavailable, CredentialRevoked
from mlp.common.auth.in_flight import InFlight
from mlp.common.auth.platform_token import VerifiedToken
from mlp.common.auth.principal import Principal
from mlp.common.auth.ttl_lru import TtlLru
from mlp.common.contracts.auth import SERVICE_CREDENTIAL_HEADER, VerifiedCaller

VERIFY_PATH = "/v1/auth/verify"
MAX_REUSE_SECONDS = 3.0
"""The longest a service trusts identity's answer (identity's own caches add at most 2 s)."""
REFRESH_AHEAD_SECONDS = 1.0
"""An answer this close to expiring is still used, and asked again in the background: a busy
credential is never left without an answer, so no call of it waits for identity."""

Grant = tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None]


@dataclass(frozen=True)
class Refusal:
    """identity's refusal, kept so it can be raised again (a fresh exception each time)."""

    code: str
    detail: str
    headers: tuple[tuple[str, str], ...] = ()

    def error(self) -> AuthError:
        return ERRORS_BY_CODE.get(self.code, AuthError)(self.detail, headers=dict(self.headers))


Answer = tuple[VerifiedCaller | Refusal, float]
"""identity's answer and how long it may be reused (0: not at all)."""


def grant_of(principal: Principal) -> Grant:
    return principal.user_id, principal.session_id, principal.api_key_id


class IdentityVerifyClient:
    def __init__(
        self,
        client: httpx.AsyncClient,
        identity_url: str,
        *,
        service_credential: str = "",
        ttl_seconds: float = MAX_REUSE_SECONDS,
        refusal_ttl_seconds: float = MAX_REUSE_SECONDS,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._url = identity_url.rstrip("/") + VERIFY_PATH
        # a service checks the calls it serves itself: no platform token to forward (RFC 7240)
        self._headers = {"prefer": "return=minimal"}
        if service_credential:
            self._headers[SERVICE_CREDENTIAL_HEADER] = service_credential
        self._ttl = min(ttl_seconds, MAX_REUSE_SECONDS)
        self._refusal_ttl = min(refusal_ttl_seconds, MAX_REUSE_SECONDS)
        self.reuse_seconds = max(self._ttl, self._refusal_ttl)
        self._answers: TtlLru[bytes, Principal | Refusal] = TtlLru(self._ttl, cache_size, clock)
        self._grants: TtlLru[Grant, int] = TtlLru(self._ttl, cache_size, clock)
        self._refreshing: set[asyncio.Task[None]] = set()
        self._asking: InFlight[Grant, Answer] = InFlight()
        self._verifying: InFlight[bytes, Answer] = InFlight()

    async def verify(self, authorization: str) -> Principal:
        """An API key or a Firebase ID token: the principal identity answers."""
        key = hashlib.sha256(authorization.encode()).digest()
        cached = self._answers.get(key)
        if cached is None:
            cached = await self._ask_and_keep(key, authorization)
        elif self._answers.expires_in(key) < REFRESH_AHEAD_SECONDS and key not in self._verifying:
            self._in_background(self._ask_and_keep(key, authorization))
        if isinstance(cached, Refusal):
            raise cached.error()
        return cached

    async def _ask_and_keep(self, key: bytes, authorization: str) -> Principal | Refusal:
        answer, reusable = await self._ask_shared(key, authorization)
        kept = answer if isinstance(answer, Refusal) else answer.principal
        self._answers.put(key, kept, self._refusal_ttl if isinstance(answer, Refusal) else reusable)
        return kept

    def _in_background(self, refresh: Awaitable[object]) -> None:
        """A refresh that fails (identity down, a 429) leaves the entry to expire as it would have."""

        async def run() -> None:
            with suppress(Exception):
                await refresh

        task = asyncio.ensure_future(run())
        self._refreshing.add(task)
        task.add_done_callback(self._refreshing.discard)

    async def _ask_shared(self, key: bytes, authorization: str) -> Answer:
        """An answer identity says must not be reused (a key with a quota: every call is counted)
        is not shared: each waiter then asks for itself and is counted."""

        def counted(answer: Answer, _: str) -> bool:
            return not answer[1] and not isinstance(answer[0], Refusal)

        return await self._verifying.ask(key, authorization, self._ask_identity, counted)

    def known_grant(self, token: VerifiedToken) -> bool:
        """True when identity vouched for this token's grant moments ago (no I/O)."""
        valid_after = self._grants.get(grant_of(token.principal))
        return valid_after is not None and token.issued_at >= valid_after

    async def check_grant(self, raw_token: str, token: VerifiedToken) -> None:
        """Refuses a user's platform token whose session, key or user was revoked."""
        if self.known_grant(token):
            grant = grant_of(token.principal)
            if self._grants.expires_in(grant) < REFRESH_AHEAD_SECONDS and grant not in self._asking:
                self._in_background(self._refresh_grant(grant, raw_token))
            return
        key = hashlib.sha256(raw_token.encode()).digest()
        refused = self._answers.get(key)
        if refused is None:
            answer = await self._ask_once(grant_of(token.principal), raw_token)
            if isinstance(answer, Refusal):
                self._answers.put(key, answer, self._refusal_ttl)
                refused = answer
            else:
                self._grants.put(grant_of(token.principal), answer.tokens_valid_after)
                if token.issued_at >= answer.tokens_valid_after:
                    return
                raise CredentialRevoked("this token was issued before the user revoked their credentials")
        if isinstance(refused, Refusal):
            raise refused.error()

    async def _refresh_grant(self, grant: Grant, raw_token: str) -> None:
        """A refusal is not kept for the grant: the next call of it asks identity itself."""
        answer = await self._ask_once(grant, raw_token)
        if isinstance(answer, Refusal):
            self._grants.forget(grant)
        else:
            self._grants.put(grant, answer.tokens_valid_after)

    async def _ask_once(self, grant: Grant, raw_token: str) -> VerifiedCaller | Refusal:
        """One question per grant at a time, whichever of the grant's tokens asks."""

        def others_refusal(answer: Answer, asked_with: str) -> bool:  # a refusal may be the other token's own
            return isinstance(answer[0], Refusal) and asked_with != f"Bearer {raw_token}"

        answer, _ = await self._asking.ask(grant, f"Bearer {raw_token}", self._ask_identity, others_refusal)
        return answer

    async def _ask_identity(self, authorization: str) -> Answer:
        """The answer and how long it may be reused: identity says ``no-store`` for credentials
        that must be counted on every call (API keys with quotas), and 429s are never reused."""
        try:
            response = await self._client.post(self._url, headers={"authorization": authorization, **self._headers})
        except httpx.HTTPError as exc:
            raise AuthUnavailable(f"identity unreachable: {exc}") from exc
        if response.status_code == 200:
            caller = msgspec.json.decode(response.content, type=VerifiedCaller)
            reusable = "no-store" not in response.headers.get("cache-control", "")
            return caller, self._ttl if reusable else 0.0
        if response.status_code == 429:
            raise _refusal(response).error()
        if response.status_code in (401, 403):
            return _refusal(response), self._refusal_ttl
        raise AuthUnavailable(f"identity answered {response.status_code}")


def _refusal(response: httpx.Response) -> Refusal:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("type", "")).rsplit(":", 1)[-1]
    passthrough = tuple(
        (k, v) for k, v in response.headers.items() if k.lower().startswith(("retry-after", "x-ratelimit"))
    )
    return Refusal(code if code in ERRORS_BY_CODE else AuthError.code, str(body.get("detail", "refused")), passthrough)
