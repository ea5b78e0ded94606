"""Progress streams (issues 17 and 14): a per-user cap, a keep-alive comment while idle, and an end
once the caller's credential is no longer accepted. The app is served by uvicorn on loopback (the
in-process test client buffers whole responses, and these never end by themselves)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from evaluation_fakes import FakeDatasetRows
from fake_registry import free_port, serving

from mlp.common.auth.errors import AuthError
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.evaluation.app import create_app
from mlp.evaluation.settings import EvaluationSettings
from mlp.evaluation.wiring import Gateways

Client = httpx.AsyncClient


class RevocableCredentials:
    """The real platform-token check, plus identity's say: a revoked credential is refused."""

    def __init__(self, resolver: ServiceCredentialResolver) -> None:
        self._resolver = resolver
        self.revoked: set[str] = set()

    def known(self, authorization: str) -> Principal | None:
        return None if authorization in self.revoked else self._resolver.known(authorization)

    async def resolve(self, authorization: str) -> Principal:
        if authorization in self.revoked:
            raise AuthError("revoked")
        return await self._resolver.resolve(authorization)


@pytest.fixture(scope="module")
def credentials(resolver: ServiceCredentialResolver) -> RevocableCredentials:
    return RevocableCredentials(resolver)


@pytest.fixture(scope="module")
async def streaming(
    evaluation_settings: EvaluationSettings, gateways: Gateways, credentials: RevocableCredentials
) -> AsyncIterator[httpx.AsyncClient]:
    settings = EvaluationSettings(
        database_url=evaluation_settings.database_url,
        log_level="WARNING",
        progress_interval_seconds=0.05,
        max_streams_per_user=2,
        stream_heartbeat_seconds=0.3,
        stream_credential_check_seconds=0.2,
    )
    app = create_app(settings, gateways=gateways, resolver=credentials)
    with serving(app, free_port()) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            yield client


async def queued_run(client: Client, gateways: Gateways, me: Any) -> str:
    """A run no worker takes here: it stays queued, so its stream stays open."""
    assert isinstance(gateways.rows, FakeDatasetRows)
    dataset = gateways.rows.add(me.id, [{"answer": "x"}])
    body = {"name": uuid.uuid4().hex, "type": "exact_match", "config": {"expected": "{{answer}}"}}
    criterion = (await client.post("/v1/criteria", json=body, headers=me.headers)).json()["id"]
    run = {
        "dataset_id": str(dataset),
        "criterion_ids": [criterion],
        "source": "predictions",
        "predictions_column": "answer",
    }
    created = await client.post("/v1/eval-runs", json=run, headers=me.headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_a_user_holds_at_most_the_cap_of_streams(
    streaming: Client, gateways: Gateways, user: Callable[..., Any]
) -> None:
    me, other = user(), user()
    run = await queued_run(streaming, gateways, me)
    path = f"/v1/eval-runs/{run}/events"
    async with AsyncExitStack() as streams:
        for _ in range(2):
            opened = await streams.enter_async_context(streaming.stream("GET", path, headers=me.headers))
            assert opened.status_code == 200
        third = await streaming.get(path, headers=me.headers)
        assert third.status_code == 429
        assert third.headers["content-type"].startswith("application/problem+json")
        other_run = await queued_run(streaming, gateways, other)
        async with streaming.stream("GET", f"/v1/eval-runs/{other_run}/events", headers=other.headers) as theirs:
            assert theirs.status_code == 200  # the cap is per user
    async with streaming.stream("GET", path, headers=me.headers) as again:
        assert again.status_code == 200  # closed streams gave their slots back


async def test_an_idle_stream_sends_keep_alive_comments(
    streaming: Client, gateways: Gateways, user: Callable[..., Any]
) -> None:
    me = user()
    run = await queued_run(streaming, gateways, me)
    async with streaming.stream("GET", f"/v1/eval-runs/{run}/events", headers=me.headers) as stream:
        lines = stream.aiter_lines()
        assert (await anext(lines)).startswith("event: progress")
        started = time.monotonic()
        while await asyncio.wait_for(anext(lines), 5) != ": keep-alive":
            pass
        assert time.monotonic() - started < 2


async def test_a_stream_ends_once_its_credential_is_revoked(
    streaming: Client, gateways: Gateways, user: Callable[..., Any], credentials: RevocableCredentials
) -> None:
    me = user()
    run = await queued_run(streaming, gateways, me)
    async with streaming.stream("GET", f"/v1/eval-runs/{run}/events", headers=me.headers) as stream:
        lines = stream.aiter_lines()
        assert (await anext(lines)).startswith("event: progress")
        credentials.revoked.add(me.headers["authorization"])
        revoked_at = time.monotonic()
        rest = [line async for line in lines]
        assert time.monotonic() - revoked_at < 2
    assert "event: error" in rest
