"""Fallback deployments fire before the first byte, never after: on a connection error, a timeout, a
5xx or a 429 of the deployment called (plain or streamed, a stream that breaks before its first
chunk included), in order, at most ``inference_max_attempts`` attempts; a 4xx answer is the caller's
and is passed on; a stream broken after its first byte ends with an error event. Every attempt is a
row of the log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from openai import APIError, AsyncOpenAI, NotFoundError
from serving_helpers import SCOPES, Registry, User, deploy, new_user
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer

MESSAGES: Any = [{"role": "user", "content": "one two three"}]


@pytest.fixture
def flaky() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture
def spare() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


async def attempts(user: User, request_count: int) -> list[dict[str, Any]]:
    """The user's log, oldest first, once it holds ``request_count`` rows."""
    for _ in range(100):
        rows = (await user.http.get("/v1/inference-requests")).json()["data"]
        if len(rows) >= request_count:
            return list(reversed(rows))
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {request_count} rows logged")


async def pair(user: User, engine: AsyncEngine, flaky: ModelServer, spare: ModelServer) -> tuple[str, str]:
    backup = await deploy(user, engine, f"{spare.url}/v1", name="backup")
    primary = await deploy(
        user, engine, f"{flaky.url}/v1", name="primary", fallbacks=[backup["id"]], timeout_seconds=0.5
    )
    assert primary["fallbacks"] == [backup["id"]]
    return primary["id"], backup["id"]


def client(registry: Registry, user: User) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=f"{registry.url}/v1", api_key=user.api_key, max_retries=0)


FAILURES = [(failure, stream) for failure in ("500", "503", "429", "timeout", "refused") for stream in (False, True)]


# "dropped": headers sent, then the connection drops before the first chunk (only a stream has headers first)
@pytest.mark.parametrize(("failure", "stream"), [*FAILURES, ("dropped", True)])
async def test_a_failure_before_the_first_byte_falls_back_and_each_attempt_is_logged(
    registry: Registry,
    user: User,
    engine: AsyncEngine,
    flaky: ModelServer,
    spare: ModelServer,
    failure: str,
    stream: bool,
) -> None:
    primary, backup = await pair(user, engine, flaky, spare)
    if failure == "timeout":
        flaky.latency_seconds = 1.5
    elif failure == "refused":
        flaky.stop()
    elif failure == "dropped":
        flaky.break_after_words = 0
    else:
        flaky.fail_status = int(failure)
    openai = client(registry, user)
    if stream:
        chunks = await openai.chat.completions.create(model="primary", messages=MESSAGES, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in chunks if c.choices])
    else:
        answer = await openai.chat.completions.create(model="primary", messages=MESSAGES)
        text = answer.choices[0].message.content or ""
    assert text == "ONE TWO THREE"
    assert spare.requests >= 2  # its probe, then the call
    first, second = await attempts(user, 2)
    assert (first["deployment_id"], first["attempt"], first["fallback_from"]) == (primary, 1, None)
    assert first["status_code"] == ({"timeout": 504, "refused": 502, "dropped": 502}.get(failure) or int(failure))
    assert first["error"]
    assert (second["deployment_id"], second["attempt"], second["fallback_from"]) == (backup, 2, primary)
    assert (second["status_code"], second["error"], second["stream"]) == (200, None, stream)


async def test_a_refusal_of_the_request_is_not_retried_elsewhere(
    registry: Registry, user: User, engine: AsyncEngine, flaky: ModelServer, spare: ModelServer
) -> None:
    await pair(user, engine, flaky, spare)
    before = spare.requests
    flaky.models.clear()  # 404 model_not_found: asking another server would not make the request right
    with pytest.raises(NotFoundError) as refused:
        await client(registry, user).chat.completions.create(model="primary", messages=MESSAGES)
    assert refused.value.code == "model_not_found"
    assert spare.requests == before
    (only,) = await attempts(user, 1)
    assert (only["status_code"], only["attempt"]) == (404, 1)


async def test_a_stream_broken_after_its_first_byte_ends_with_an_error_event_and_no_fallback(
    registry: Registry, user: User, engine: AsyncEngine, flaky: ModelServer, spare: ModelServer
) -> None:
    await pair(user, engine, flaky, spare)
    before = spare.requests
    flaky.break_after_words = 1
    chunks = await client(registry, user).chat.completions.create(model="primary", messages=MESSAGES, stream=True)
    received: list[str | None] = []

    async def read_all() -> None:
        async for chunk in chunks:
            received.append(chunk.choices[0].delta.content)

    with pytest.raises(APIError) as broken:
        await read_all()
    assert received == ["ONE"]
    assert "the stream broke after it started" in broken.value.message
    assert spare.requests == before
    (only,) = await attempts(user, 1)
    assert (only["attempt"], only["error"]) == (1, "stream broken: the model server could not be reached")


async def test_attempts_stop_at_the_configured_bound(
    registry: Registry, user: User, engine: AsyncEngine, flaky: ModelServer, spare: ModelServer
) -> None:
    backup = await deploy(user, engine, f"{spare.url}/v1", name="backup")
    broken = [(await deploy(user, engine, f"{flaky.url}/v1", name=f"broken-{i}"))["id"] for i in range(2)]
    await deploy(user, engine, f"{flaky.url}/v1", name="primary", fallbacks=[*broken, backup["id"]])
    flaky.fail_status = 500
    before = spare.requests
    refused = await user.http.post("/v1/chat/completions", json={"model": "primary", "messages": MESSAGES})
    assert refused.status_code == 502  # the third attempt's answer: inference_max_attempts is 3
    assert spare.requests == before
    rows = await attempts(user, 3)
    assert [(r["attempt"], r["status_code"]) for r in rows] == [(1, 500), (2, 500), (3, 500)]


async def test_fallbacks_are_my_other_deployments_of_the_same_kind(
    identity_url: str, registry: Registry, user: User, engine: AsyncEngine, spare: ModelServer
) -> None:
    stranger = await new_user(identity_url, registry.url, SCOPES)
    theirs = await deploy(stranger, engine, f"{spare.url}/v1")
    await stranger.http.aclose()
    embeddings = await deploy(user, engine, f"{spare.url}/v1", kind="openai-embeddings")
    mine = await deploy(user, engine, f"{spare.url}/v1")
    path = f"/v1/deployments/{mine['id']}"
    for fallbacks, status in (([theirs["id"]], 404), ([embeddings["id"]], 400), ([mine["id"]], 400)):
        refused = await user.http.patch(path, json={"fallbacks": fallbacks})
        assert (refused.status_code, refused.json()["field"]) == (status, "fallbacks"), refused.text
    assert (await user.http.get(path)).json()["fallbacks"] == []
