"""A DNS answer that changes under the caller: the DNS-rebinding attack, for egress-guard tests."""

from __future__ import annotations

import socket

from mlp.common.egress.guard import CheckedAddress

PUBLIC_ADDRESS = "93.184.215.14"


class RebindingResolver:
    """A public address for the first lookup (the check when a URL is set), loopback for every later one."""

    def __init__(self) -> None:
        self.lookups = 0

    async def resolve(self, host: str, port: int) -> list[CheckedAddress]:
        self.lookups += 1
        return [CheckedAddress(PUBLIC_ADDRESS if self.lookups == 1 else "127.0.0.1", socket.AF_INET)]
