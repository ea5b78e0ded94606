"""The shape of an upstream URL a deployment may point at (where it may point: ``mlp.common.egress``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from mlp.registry.domain.deployment_errors import InvalidDeployment

MAX_URL_LENGTH = 2048


def upstream_host(url: str) -> str:
    """The host of a well-formed http(s) URL without credentials, query or fragment."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidDeployment("upstream_url", f"upstream_url is longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidDeployment("upstream_url", "upstream_url must be an http(s) URL with a host")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidDeployment("upstream_url", "upstream_url must not carry credentials, a query or a fragment")
    try:
        _ = parts.port
    except ValueError as exc:
        raise InvalidDeployment("upstream_url", "upstream_url has an invalid port") from exc
    return parts.hostname.lower()
