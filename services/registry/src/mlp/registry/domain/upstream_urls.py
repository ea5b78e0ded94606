"""The SSRF guard's rules: which upstream URLs a deployment may point at.

Private networks are allowed (model servers usually live inside the cluster); loopback,
link-local (which holds the cloud metadata endpoint 169.254.169.254), unspecified, multicast and
reserved addresses are not, nor are the metadata host names. Names are checked again after DNS
resolution (by the application), so a name pointing at 127.0.0.1 is refused as well.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from mlp.registry.domain.deployment_errors import ForbiddenUpstream, InvalidDeployment

METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data"})
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


def forbidden_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast or ip.is_reserved


def is_literal_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_host_name(host: str) -> None:
    if host in METADATA_HOSTS or host == "localhost" or host.endswith(".localhost"):
        raise ForbiddenUpstream("upstream_url", f"upstream_url may not point at {host}")


def check_addresses(host: str, addresses: list[str]) -> None:
    for address in addresses:
        if forbidden_address(address):
            raise ForbiddenUpstream("upstream_url", f"upstream_url host {host} resolves to a forbidden address")
