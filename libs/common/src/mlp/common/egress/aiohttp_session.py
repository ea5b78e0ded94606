"""aiohttp sessions whose connections go only to addresses the egress guard checked.

The connector asks :class:`GuardedResolver` for every name (aiohttp connects to what it answers);
literal addresses never reach a resolver, so a trace hook checks them before each request.
"""

from __future__ import annotations

import socket
from types import SimpleNamespace

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.policy import EgressRefused


class GuardedResolver(AbstractResolver):
    def __init__(self, guard: EgressGuard) -> None:
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(hostname=host, host=checked.address, port=port, family=checked.family, proto=0, flags=0)
            for checked in await self._guard.addresses(host, port)
        ]

    async def close(self) -> None:
        return None


def _literal_host_check(guard: EgressGuard) -> aiohttp.TraceConfig:
    async def on_request_start(
        session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestStartParams
    ) -> None:
        try:
            guard.check_host(params.url.raw_host or "")
        except EgressRefused as exc:
            raise aiohttp.ClientConnectionError(str(exc)) from exc

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace


def guarded_session(
    guard: EgressGuard, *, limit: int, limit_per_host: int = 0, keepalive_seconds: float = 15.0
) -> aiohttp.ClientSession:
    """``limit`` connections in all, ``limit_per_host`` per host (0: no other bound), idle ones closed
    after ``keepalive_seconds``."""
    connector = aiohttp.TCPConnector(
        limit=limit,
        limit_per_host=limit_per_host,
        resolver=GuardedResolver(guard),
        ttl_dns_cache=60,
        keepalive_timeout=keepalive_seconds,
    )
    return aiohttp.ClientSession(connector=connector, trace_configs=[_literal_host_check(guard)], trust_env=False)
