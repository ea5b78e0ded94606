"""The auth wiring of a service other than identity: a lifespan that builds its resolver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar

from mlp.common.auth.identity_client import IdentityVerifyClient
from mlp.common.auth.jwks import JwksCache
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.common.runtime.http import service_http_client
from mlp.common.runtime.settings import ServiceSettings

JWKS_PATH = "/.well-known/jwks.json"


def identity_auth_lifespan(settings: ServiceSettings) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Sets ``app.state.resolver`` (platform tokens checked locally, the rest asked of identity)
    and ``app.state.identity_http``, the client for calls to identity."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        identity = settings.identity_url.rstrip("/")
        async with service_http_client(settings.http_timeout_seconds, settings.http_retries) as client:
            app.state.identity_http = client
            app.state.resolver = ServiceCredentialResolver(
                PlatformTokenVerifier(JwksCache(client, identity + JWKS_PATH)),
                IdentityVerifyClient(
                    client,
                    identity,
                    service_credential=settings.service_credential,
                    ttl_seconds=settings.auth_cache_ttl_seconds,  # capped at MAX_REUSE_SECONDS
                ),
            )
            yield

    return lifespan
