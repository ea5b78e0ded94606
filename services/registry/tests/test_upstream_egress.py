"""The model-server client connects only where the egress guard checked: a deployment host that
passed the check at create time and then rebinds to loopback is never called, and metadata
addresses are refused at the connection even if they got past the create-time check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.policy import EgressPolicy
from mlp.devtools.model_server import ModelServer
from mlp.devtools.rebinding_resolver import RebindingResolver
from mlp.registry.adapters.upstream_client import HttpUpstreamClient
from mlp.registry.application.deployment_guard import UpstreamGuard
from mlp.registry.application.serving_ports import UpstreamTarget
from mlp.registry.application.upstream_errors import UpstreamUnavailable
from mlp.registry.domain.deployments import Timeouts

BODY = b'{"model": "test-model", "messages": [{"role": "user", "content": "hi"}]}'


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


def target(url: str) -> UpstreamTarget:
    return UpstreamTarget(url, None, Timeouts(2.0, 2.0))


async def test_a_deployment_host_rebound_to_loopback_is_never_called(model_server: ModelServer) -> None:
    guard = EgressGuard(EgressPolicy(), RebindingResolver())
    url = f"http://models.rebind.test:{model_server.url.rsplit(':', 1)[1]}/v1"
    assert await UpstreamGuard(guard).check(url) == url
    client = HttpUpstreamClient(guard)
    before = model_server.requests
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.call(target(url), "/chat/completions", BODY)
    finally:
        await client.aclose()
    assert model_server.requests == before


@pytest.mark.parametrize("url", ["http://169.254.169.254/v1", "http://[fd00:ec2::254]/v1", "http://100.100.100.200/v1"])
async def test_metadata_upstreams_are_refused_at_the_connection(url: str) -> None:
    client = HttpUpstreamClient(EgressGuard(EgressPolicy.parse("0.0.0.0/0,::/0")))
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.call(target(url), "/chat/completions", BODY)
    finally:
        await client.aclose()


async def test_an_allowed_loopback_upstream_is_called(model_server: ModelServer) -> None:
    client = HttpUpstreamClient(EgressGuard(EgressPolicy.parse("127.0.0.0/8")))
    try:
        reply = await client.call(target(f"{model_server.url}/v1"), "/chat/completions", BODY)
    finally:
        await client.aclose()
    assert reply.status_code == 200
