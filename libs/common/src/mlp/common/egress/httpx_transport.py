"""An httpx transport whose connections go only to addresses the egress guard checked."""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.policy import EgressRefused

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, guard: EgressGuard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._guard.addresses(host, port)
        except EgressRefused:
            raise
        except OSError as exc:
            raise httpcore.ConnectError(f"{host} does not resolve") from exc
        last: httpcore.ConnectError | None = None
        for checked in addresses:
            try:
                return await self._inner.connect_tcp(checked.address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise EgressRefused("unix sockets are not reachable from user-supplied URLs")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """No proxy from the environment (a proxy would connect for us, unchecked); the TLS name is
    still the URL's host, only the TCP connection goes to the checked address."""

    def __init__(self, guard: EgressGuard, limits: httpx.Limits = DEFAULT_LIMITS, retries: int = 0) -> None:
        super().__init__(trust_env=False, limits=limits, retries=retries)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            retries=retries,
            network_backend=GuardedNetworkBackend(guard),
        )


def guarded_http_client(guard: EgressGuard, timeout: httpx.Timeout | float, retries: int = 0) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for user-supplied URLs: guarded connections, no redirects followed."""
    return httpx.AsyncClient(
        timeout=timeout, transport=GuardedTransport(guard, retries=retries), trust_env=False, follow_redirects=False
    )
