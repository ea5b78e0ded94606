"""Resolves a host once, checks every address against the policy, and hands back the checked ones."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Protocol

from mlp.common.egress.policy import EgressPolicy
from mlp.common.runtime.settings import ServiceSettings


@dataclass(frozen=True)
class CheckedAddress:
    address: str
    family: socket.AddressFamily


class HostResolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[CheckedAddress]: ...


class SystemResolver:
    async def resolve(self, host: str, port: int) -> list[CheckedAddress]:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return [CheckedAddress(str(info[4][0]), info[0]) for info in infos]


def literal_address(host: str) -> CheckedAddress | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return CheckedAddress(str(ip), socket.AF_INET6 if ip.version == 6 else socket.AF_INET)


class EgressGuard:
    def __init__(self, policy: EgressPolicy, resolver: HostResolver | None = None) -> None:
        self.policy = policy
        self._resolver = resolver or SystemResolver()

    def check_host(self, host: str) -> CheckedAddress | None:
        """What can be known without DNS: a literal address checked (and returned), or a name's rules."""
        literal = literal_address(host)
        if literal is None:
            self.policy.check_name(host)
        else:
            self.policy.check_address(literal.address)
        return literal

    async def addresses(self, host: str, port: int) -> list[CheckedAddress]:
        """The addresses to connect to; refused when any address the name has is refused (``OSError``
        when it does not resolve)."""
        literal = self.check_host(host)
        if literal is not None:
            return [literal]
        found = await self._resolver.resolve(host, port)
        if not found:
            raise OSError(f"{host} has no address")
        allowed_name = self.policy.host_allowed(host)
        for checked in found:
            self.policy.check_address(checked.address, host_allowed=allowed_name)
        return found


def egress_guard(settings: ServiceSettings) -> EgressGuard:
    """The guard of a service: its ``egress_allow`` setting, the system's resolver."""
    return EgressGuard(EgressPolicy.parse(settings.egress_allow))
