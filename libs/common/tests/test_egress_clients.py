"""The guarded httpx and aiohttp clients against a real loopback server: the address checked is the
one connected to, so a name that rebinds to 127.0.0.1 after passing a check never reaches it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from mlp.common.egress.aiohttp_session import guarded_session
from mlp.common.egress.guard import CheckedAddress, EgressGuard
from mlp.common.egress.httpx_transport import guarded_http_client
from mlp.common.egress.policy import EgressPolicy, EgressRefused
from mlp.devtools.loopback_server import LoopbackServer

PUBLIC = "93.184.215.14"
HOST = "models.rebind.test"  # .test never resolves: only the guard's resolver knows it


class CountingServer(LoopbackServer):
    requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.requests += 1
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


class ScriptedResolver:
    """Answers each lookup with the next address of its script (the last one repeats)."""

    def __init__(self, *answers: str) -> None:
        self._answers = list(answers)
        self.lookups = 0

    async def resolve(self, host: str, port: int) -> list[CheckedAddress]:
        answer = self._answers[min(self.lookups, len(self._answers) - 1)]
        self.lookups += 1
        return [CheckedAddress(answer, socket.AF_INET)]


@pytest.fixture(scope="module")
def server() -> Iterator[CountingServer]:
    running = CountingServer().start()
    yield running
    running.stop()


def port_of(server: CountingServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


async def test_httpx_refuses_a_name_rebound_to_loopback_after_its_check(server: CountingServer) -> None:
    resolver = ScriptedResolver(PUBLIC, "127.0.0.1")
    guard = EgressGuard(EgressPolicy(), resolver)
    assert await guard.addresses(HOST, 80) == [CheckedAddress(PUBLIC, socket.AF_INET)]  # the check at create time
    before = server.requests
    async with guarded_http_client(guard, timeout=5.0) as client:
        with pytest.raises(EgressRefused):
            await client.get(f"http://{HOST}:{port_of(server)}/")
    assert resolver.lookups == 2
    assert server.requests == before


async def test_aiohttp_refuses_a_name_rebound_to_loopback_after_its_check(server: CountingServer) -> None:
    resolver = ScriptedResolver(PUBLIC, "127.0.0.1")
    guard = EgressGuard(EgressPolicy(), resolver)
    await guard.addresses(HOST, 80)
    before = server.requests
    async with guarded_session(guard, limit=4) as session:
        with pytest.raises(aiohttp.ClientConnectorError):
            await session.get(f"http://{HOST}:{port_of(server)}/")
    assert server.requests == before


async def test_allowed_loopback_is_reached_through_the_checked_address(server: CountingServer) -> None:
    guard = EgressGuard(EgressPolicy.parse("127.0.0.0/8"), ScriptedResolver("127.0.0.1"))
    async with guarded_http_client(guard, timeout=5.0) as client:
        assert (await client.get(f"http://{HOST}:{port_of(server)}/")).text == "ok"
    async with guarded_session(guard, limit=4) as session, session.get(f"http://{HOST}:{port_of(server)}/") as reply:
        assert await reply.text() == "ok"


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.100.100.200/"]
)
async def test_metadata_addresses_are_refused_before_any_connection(url: str) -> None:
    guard = EgressGuard(EgressPolicy.parse("0.0.0.0/0,::/0"), ScriptedResolver(PUBLIC))
    async with guarded_http_client(guard, timeout=5.0) as client:
        with pytest.raises(EgressRefused):
            await client.get(url)
    async with guarded_session(guard, limit=4) as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(url)


async def test_a_name_with_one_refused_address_is_refused() -> None:
    class TwoAnswers:
        async def resolve(self, host: str, port: int) -> list[CheckedAddress]:
            return [CheckedAddress(PUBLIC, socket.AF_INET), CheckedAddress("169.254.169.254", socket.AF_INET)]

    with pytest.raises(EgressRefused):
        await EgressGuard(EgressPolicy(), TwoAnswers()).addresses(HOST, 80)


async def test_loopback_by_name_or_literal_is_refused_without_the_allow_list(server: CountingServer) -> None:
    guard = EgressGuard(EgressPolicy(), ScriptedResolver("127.0.0.1"))
    before = server.requests
    async with guarded_http_client(guard, timeout=5.0) as client:
        for url in (server.url, f"http://localhost:{port_of(server)}/", f"http://{HOST}:{port_of(server)}/"):
            with pytest.raises(EgressRefused):
                await client.get(url)
    assert server.requests == before
