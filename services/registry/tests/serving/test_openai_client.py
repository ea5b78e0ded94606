"""The official openai package, pointed at registry with an API key: chat (plain and streaming),
completions, embeddings and models.list reach the test model server through the proxy."""

from __future__ import annotations

import time

import pytest
from openai import AsyncOpenAI, NotFoundError
from serving_helpers import SCOPES, Registry, User, deploy, new_user
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer, embedding


def client(registry: Registry, user: User) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=f"{registry.url}/v1", api_key=user.api_key, max_retries=0)


async def test_chat_completion(registry: Registry, user: User, engine: AsyncEngine, model_server: ModelServer) -> None:
    deployment = await deploy(user, engine, f"{model_server.url}/v1", name="assistant")
    assert deployment["status"] == "ready"
    answer = await client(registry, user).chat.completions.create(
        model="assistant", messages=[{"role": "user", "content": "hello there"}]
    )
    assert answer.choices[0].message.content == "HELLO THERE"
    assert answer.usage is not None
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (2, 2)


async def test_chat_completion_streams_chunks_as_they_arrive(
    registry: Registry, user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    await deploy(user, engine, f"{model_server.url}/v1", name="streamer")
    model_server.chunk_delay_seconds = 0.4
    try:
        started = time.perf_counter()
        stream = await client(registry, user).chat.completions.create(
            model="streamer", messages=[{"role": "user", "content": "one two three"}], stream=True
        )
        arrivals: list[tuple[float, str]] = []
        async for chunk in stream:
            # registry asked the upstream for usage (to bill it) but passes no usage-only chunk
            # the client did not ask for: every chunk has a choice
            assert chunk.choices
            assert chunk.usage is None
            if chunk.choices[0].delta.content:
                arrivals.append((time.perf_counter() - started, chunk.choices[0].delta.content))
    finally:
        model_server.chunk_delay_seconds = 0.0
    assert "".join(text for _, text in arrivals) == "ONE TWO THREE"
    # words arrive as the upstream sends them, 0.4 s apart; a buffering proxy would deliver them at once,
    # after the upstream finished (3 x 0.4 s)
    assert arrivals[-1][0] - arrivals[0][0] >= 0.6
    assert arrivals[0][0] < 1.2


async def test_a_stream_asked_for_usage_ends_with_it(
    registry: Registry, user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    await deploy(user, engine, f"{model_server.url}/v1", name="counted")
    stream = await client(registry, user).chat.completions.create(
        model="counted",
        messages=[{"role": "user", "content": "one two three"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (3, 3)


async def test_completion_and_embeddings(
    registry: Registry, user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    await deploy(user, engine, f"{model_server.url}/v1", kind="openai-completions", name="writer")
    await deploy(user, engine, f"{model_server.url}/v1", kind="openai-embeddings", name="embedder")
    openai = client(registry, user)
    completion = await openai.completions.create(model="writer", prompt="say this")
    assert completion.choices[0].text == "SAY THIS"
    vectors = await openai.embeddings.create(model="embedder", input=["a b", "c"])
    assert [item.embedding for item in vectors.data] == [embedding("a b"), embedding("c")]


async def test_models_list_shows_my_deployments_only(
    registry: Registry, user: User, engine: AsyncEngine, model_server: ModelServer, identity_url: str
) -> None:

    await deploy(user, engine, f"{model_server.url}/v1", name="mine-1")
    stranger = await new_user(identity_url, registry.url, SCOPES)
    await deploy(stranger, engine, f"{model_server.url}/v1", name="theirs-1")
    names = [m.id async for m in client(registry, user).models.list()]
    assert "mine-1" in names
    assert "theirs-1" not in names
    with pytest.raises(NotFoundError) as missing:
        await client(registry, user).chat.completions.create(
            model="theirs-1", messages=[{"role": "user", "content": "hi"}]
        )
    assert missing.value.status_code == 404
    await stranger.http.aclose()
