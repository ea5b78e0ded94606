"""The SSRF guard at create and PATCH: an upstream URL the egress guard would refuse is a 422 now,
not a failed call later (the same guard checks again at every connection)."""

from __future__ import annotations

from urllib.parse import urlsplit

from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.policy import EgressRefused
from mlp.registry.domain.deployment_errors import ForbiddenUpstream, InvalidDeployment
from mlp.registry.domain.upstream_urls import upstream_host


class UpstreamGuard:
    def __init__(self, egress: EgressGuard) -> None:
        self._egress = egress

    async def check(self, url: str) -> str:
        """The URL without a trailing slash, or :class:`InvalidDeployment` / :class:`ForbiddenUpstream`."""
        host = upstream_host(url)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            await self._egress.addresses(host, port)
        except EgressRefused as exc:
            raise ForbiddenUpstream("upstream_url", f"upstream_url may not point at {host}: {exc}") from exc
        except OSError as exc:
            raise InvalidDeployment("upstream_url", f"upstream_url host {host} does not resolve") from exc
        return url.rstrip("/")
