"""The lifespan that gives a service's API ``app.state.spend_limits``: billing asked with the
service's own token (tests pass their own :class:`~mlp.common.runtime.spend_limits.SpendLimits`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar

from mlp.common.runtime.http import service_http_client
from mlp.common.runtime.service_tokens import ServiceTokens
from mlp.common.runtime.settings import ServiceSettings
from mlp.common.runtime.spend_limits import SpendLimits, SpendStateClient

SPEND_STATE_TIMEOUT_SECONDS = 1.0
"""A call asking for a spend state it has not cached waits this long at most, then passes."""


def spend_limits_lifespan(
    settings: ServiceSettings, service: str, limits: SpendLimits | None = None
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if limits is not None:
            app.state.spend_limits = limits
            yield
            return
        async with service_http_client(SPEND_STATE_TIMEOUT_SECONDS, retries=0) as http:
            tokens = ServiceTokens(http, settings.identity_url, service, settings.service_credential)
            app.state.spend_limits = SpendStateClient(http, settings.billing_url, tokens.service_token)
            yield

    return lifespan
