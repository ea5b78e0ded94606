"""Hard spend limits where the spending happens: registry's inference and tuning, evaluation's runs.

A service asks billing for a user's spend state (``SpendStateClient``, the adapter behind the
``SpendLimits`` port) and keeps each answer at most ``MAX_AGE_SECONDS``: billing's counter is
the one the user's reports show, so an exhausted limit stops spending on every replica within
5 s, and a raised limit or a new period lifts it as fast. An answer in its last second is used
while it is asked again in the background, so a busy user's calls never wait for billing (the
identity client's rule). When billing cannot answer, calls are let through and the failure is
logged: a billing outage must not stop the platform, and the usage is still metered and billed.

``refuse_when_limit_reached`` is a Litestar guard for the routes that start spending: a user
whose hard limit is exhausted gets OpenAI's ``insufficient_quota`` answer (429). Reads (GET,
HEAD) of a guarded controller pass: they spend nothing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol

import httpx
import msgspec
import structlog
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ExceptionHandlersMap

from mlp.common.auth.in_flight import InFlight
from mlp.common.auth.principal import Principal
from mlp.common.auth.ttl_lru import TtlLru
from mlp.common.contracts.spend import SPEND_STATE_PATH, SpendState
from mlp.common.runtime.service_tokens import TokenSource

MAX_AGE_SECONDS = 4.0
"""The oldest answer a call is judged by (billing's rating adds well under a second: within 5 s)."""
REFRESH_AHEAD_SECONDS = 1.0
UNANSWERED_RETRY_SECONDS = 1.0
"""While billing does not answer, calls pass and billing is asked again at most this often per user."""

_log = structlog.get_logger("spend_limits")


class SpendLimits(Protocol):
    """The port: is this user's hard spend limit exhausted?"""

    async def exhausted(self, user_id: uuid.UUID) -> bool: ...


class SpendLimitReached(Exception):
    """The user's hard spend limit is exhausted (answered as OpenAI's ``insufficient_quota``)."""


class SpendStateClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        billing_url: str,
        tokens: TokenSource,
        *,
        max_age_seconds: float = MAX_AGE_SECONDS,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._url = billing_url.rstrip("/") + SPEND_STATE_PATH
        self._tokens = tokens
        self._max_age = min(max_age_seconds, MAX_AGE_SECONDS)
        self._states: TtlLru[uuid.UUID, bool] = TtlLru(self._max_age, cache_size, clock)
        self._unanswered: TtlLru[uuid.UUID, bool] = TtlLru(UNANSWERED_RETRY_SECONDS, cache_size, clock)
        self._asking: InFlight[uuid.UUID, bool] = InFlight()
        self._refreshing: set[asyncio.Task[None]] = set()

    async def exhausted(self, user_id: uuid.UUID) -> bool:
        known = self._states.get(user_id)
        if known is None:
            if self._unanswered.get(user_id):
                return False
            return await self._ask_shared(user_id)
        if self._states.expires_in(user_id) < REFRESH_AHEAD_SECONDS and user_id not in self._asking:
            task = asyncio.ensure_future(self._refresh(user_id))
            self._refreshing.add(task)
            task.add_done_callback(self._refreshing.discard)
        return known

    async def _refresh(self, user_id: uuid.UUID) -> None:
        with suppress(Exception):
            await self._ask_shared(user_id)

    async def _ask_shared(self, user_id: uuid.UUID) -> bool:
        return await self._asking.ask(user_id, "", lambda _: self._ask(user_id), lambda _a, _q: False)

    async def _ask(self, user_id: uuid.UUID) -> bool:
        try:
            token = await self._tokens()
            response = await self._http.get(f"{self._url}/{user_id}", headers={"authorization": f"Bearer {token}"})
            response.raise_for_status()
            exhausted = msgspec.json.decode(response.content, type=SpendState).exhausted
        except (httpx.HTTPError, msgspec.DecodeError) as exc:
            _log.warning("spend state unavailable: calls pass", user_id=str(user_id), error=str(exc)[:200])
            self._unanswered.put(user_id, True)
            return False
        self._states.put(user_id, exhausted)
        return exhausted


async def refuse_when_limit_reached(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard of a route that starts spending (see :func:`refuse_spending_past_limit`)."""
    await refuse_spending_past_limit(connection)


async def refuse_spending_past_limit(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """``app.state.spend_limits`` (a :class:`SpendLimits`) is asked for a user's call; a platform
    service's own calls are not limited. Called from the handler on hot paths (the inference proxy),
    where a Litestar guard's per-request copy of the route handler would cost more than the check."""
    principal: Principal = connection.user
    if principal.kind != "user" or connection.scope.get("method") in ("GET", "HEAD"):
        return
    limits: SpendLimits = connection.app.state.spend_limits
    if await limits.exhausted(principal.user_id):
        raise SpendLimitReached


INSUFFICIENT_QUOTA = {
    "error": {
        "message": "You exceeded your current quota: your hard spend limit for this billing period is reached. "
        "Raise the budget (PUT /v1/budgets) or wait for the next period.",
        "type": "insufficient_quota",
        "param": None,
        "code": "insufficient_quota",
    }
}


def insufficient_quota(_: Request[Any, Any, Any], __: SpendLimitReached) -> Response[Any]:
    """OpenAI's answer when an account's quota is exhausted (what its SDKs and users expect)."""
    return Response(INSUFFICIENT_QUOTA, status_code=429, media_type="application/json")


SPEND_LIMIT_HANDLERS: ExceptionHandlersMap = {SpendLimitReached: insufficient_quota}
