"""Which hosts and addresses a user-supplied URL may reach.

Always refused: link-local (169.254.0.0/16 and fe80::/10, where cloud metadata lives), the
other cloud metadata addresses and names, unspecified, multicast and reserved addresses.
Refused unless the allow-list names them: every other non-global address (loopback, private
ranges, carrier-grade NAT) and cluster-internal names (no dot, ``.local``, ``.internal``,
``.svc``, ``.cluster.local``, ``localhost``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data"})
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".svc", ".cluster.local", ".home.arpa")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class EgressRefused(OSError):
    """A user-supplied URL would reach an address or host the policy refuses (an ``OSError``, so
    clients report it as a connection that could not be made)."""


def canonical(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), so it meets the IPv4 rules."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def always_refused(address: IPAddress) -> bool:
    return (
        address in METADATA_ADDRESSES
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or (address.is_reserved and not address.is_loopback)
    )


@dataclass(frozen=True)
class EgressPolicy:
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, allow_list: str) -> EgressPolicy:
        """``allow_list``: comma-separated networks (``127.0.0.0/8``, ``10.1.2.3``), host names and
        ``.suffix`` entries (every name under it)."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in (part.strip().lower() for part in allow_list.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry if entry.startswith(".") else entry.rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    def host_allowed(self, host: str) -> bool:
        """Named exactly, or under an entry starting with a dot (``.models.svc.cluster.local``)."""
        name = host.lower().rstrip(".")
        return name in self.allowed_hosts or any(
            entry.startswith(".") and name.endswith(entry) for entry in self.allowed_hosts
        )

    def check_name(self, host: str) -> None:
        """Refuses metadata names always, cluster-internal names unless allowed."""
        name = host.lower().rstrip(".")
        if name in METADATA_HOSTS:
            raise EgressRefused(f"{host} is a cloud metadata host")
        if self.host_allowed(name):
            return
        if name == "localhost" or "." not in name or name.endswith(INTERNAL_SUFFIXES):
            raise EgressRefused(f"{host} is an internal host name")

    def check_address(self, address: str, *, host_allowed: bool = False) -> None:
        """Refuses ``address`` unless it is global or allowed (by network, or because its host name is)."""
        ip = canonical(ipaddress.ip_address(address.split("%", 1)[0]))
        if always_refused(ip):
            raise EgressRefused(f"{address} is a link-local, metadata or reserved address")
        if ip.is_global or host_allowed or any(ip in network for network in self.allowed_networks):
            return
        raise EgressRefused(f"{address} is a loopback or private address")
