"""The SSRF guard: refuses upstream URLs that reach the platform's own loopback, link-local or metadata addresses."""

from __future__ import annotations

from mlp.registry.application.serving_ports import HostResolver
from mlp.registry.domain.deployment_errors import InvalidDeployment
from mlp.registry.domain.upstream_urls import (
    check_addresses,
    check_host_name,
    is_literal_address,
    upstream_host,
)


class UpstreamGuard:
    def __init__(self, resolver: HostResolver, allow_internal: bool) -> None:
        self._resolver = resolver
        self._allow_internal = allow_internal

    async def check(self, url: str) -> str:
        """The URL without a trailing slash, or :class:`InvalidDeployment` / :class:`ForbiddenUpstream`."""
        host = upstream_host(url)
        if not self._allow_internal:
            check_host_name(host)
            check_addresses(host, await self._addresses(host))
        return url.rstrip("/")

    async def _addresses(self, host: str) -> list[str]:
        if is_literal_address(host):
            return [host]
        try:
            return await self._resolver.addresses(host)
        except OSError as exc:
            raise InvalidDeployment("upstream_url", f"upstream_url host {host} does not resolve") from exc
