"""A deployment serves its version: the upstream is asked for the version's served model id (never the
deployment's name), a rollout changes what answers on every replica within 5 s, the log records the
version that answered, and a rollback is one call. Through real HTTP with the official openai client."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from openai import AsyncOpenAI
from serving_helpers import Registry, User, add_model_version, deploy, model_of, serve
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer
from mlp.registry.app import create_app as create_registry
from mlp.registry.settings import RegistrySettings

MESSAGES: Any = [{"role": "user", "content": "hello there"}]


@pytest.fixture(scope="module")
def upstream() -> Iterator[ModelServer]:
    server = ModelServer("upstream-model-a", "upstream-model-b").start()
    yield server
    server.stop()


@pytest.fixture
async def replica(database_url: str, identity_url: str) -> AsyncIterator[str]:
    """A second registry process's worth: its own route cache, at the default time to live."""
    settings = RegistrySettings(
        database_url=database_url, identity_url=identity_url, egress_allow="127.0.0.0/8,::1", log_level="WARNING"
    )
    server, task, url = await serve(create_registry(settings))
    yield url
    server.should_exit = True
    await task


def openai(url: str, user: User) -> AsyncOpenAI:
    return AsyncOpenAI(base_url=f"{url}/v1", api_key=user.api_key, max_retries=0)


async def two_versions(engine: AsyncEngine, user: User) -> tuple[uuid.UUID, uuid.UUID]:
    v1 = await add_model_version(engine, user.user_id, artifact_uri="upstream-model-a")
    model_id = await model_of(engine, v1)
    return v1, await add_model_version(engine, user.user_id, model_id, artifact_uri="upstream-model-b")


async def logged(user: User, deployment_id: str, count: int) -> list[dict[str, Any]]:
    for _ in range(100):
        page = (await user.http.get("/v1/inference-requests", params={"deployment_id": deployment_id})).json()
        if len(page["data"]) >= count:
            return list(reversed(page["data"]))
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} calls logged")


async def test_the_upstream_is_asked_for_the_versions_model_plain_and_streamed(
    registry: Registry, user: User, engine: AsyncEngine, upstream: ModelServer
) -> None:
    v1, _ = await two_versions(engine, user)
    await deploy(user, engine, f"{upstream.url}/v1", name="assistant-a", model_version_id=v1)
    client = openai(registry.url, user)
    answer = await client.chat.completions.create(model="assistant-a", messages=MESSAGES)
    assert upstream.seen_models[-1] == "upstream-model-a"
    assert answer.model == "upstream-model-a"  # the answer names the model that answered, as OpenAI's do
    assert answer.choices[0].message.content == "HELLO THERE"
    stream = await client.chat.completions.create(model="assistant-a", messages=MESSAGES, stream=True)
    assert {chunk.model async for chunk in stream} == {"upstream-model-a"}
    assert upstream.seen_models[-1] == "upstream-model-a"


async def test_a_version_whose_artifact_is_no_model_id_needs_served_model(
    registry: Registry, user: User, engine: AsyncEngine, upstream: ModelServer
) -> None:
    weights = await add_model_version(engine, user.user_id, artifact_uri="s3://bucket/llama-3-8b")
    body = {"name": "weights", "kind": "openai-chat", "model_version_id": str(weights), "upstream_url": upstream.url}
    refused = await user.http.post("/v1/deployments", json=body)
    assert refused.status_code == 400
    assert refused.json()["field"] == "served_model"
    deployed = await deploy(
        user, engine, f"{upstream.url}/v1", name="weights", model_version_id=weights, served_model="upstream-model-b"
    )
    assert deployed["served_model"] == "upstream-model-b"
    answer = await openai(registry.url, user).chat.completions.create(model="weights", messages=MESSAGES)
    assert (answer.model, upstream.seen_models[-1]) == ("upstream-model-b", "upstream-model-b")


async def test_a_rollout_reaches_every_replica_within_5_s_and_the_log_records_who_answered(
    registry: Registry, replica: str, user: User, engine: AsyncEngine, upstream: ModelServer
) -> None:
    v1, v2 = await two_versions(engine, user)
    deployment = await deploy(user, engine, f"{upstream.url}/v1", name="rolling", model_version_id=v1)
    other = openai(replica, user)
    assert (await other.chat.completions.create(model="rolling", messages=MESSAGES)).model == "upstream-model-a"
    patched = await user.http.patch(f"/v1/deployments/{deployment['id']}", json={"model_version_id": str(v2)})
    assert patched.status_code == 200, patched.text
    rolled_out = time.monotonic()
    answered = []
    while not answered or answered[-1] != "upstream-model-b":
        assert time.monotonic() - rolled_out < 5, answered
        streamed = len(answered) % 2 == 1
        if streamed:
            stream = await other.chat.completions.create(model="rolling", messages=MESSAGES, stream=True)
            (model,) = {chunk.model async for chunk in stream}  # one version answers a whole stream
            answered.append(model)
        else:
            answered.append((await other.chat.completions.create(model="rolling", messages=MESSAGES)).model)
        await asyncio.sleep(0.1)
    # the replica that took the PATCH serves the new version at once
    assert (await openai(registry.url, user).chat.completions.create(model="rolling", messages=MESSAGES)).model == (
        "upstream-model-b"
    )
    rows = await logged(user, deployment["id"], len(answered) + 2)
    version_of = {"upstream-model-a": str(v1), "upstream-model-b": str(v2)}
    expected = [version_of[m] for m in ["upstream-model-a", *answered, "upstream-model-b"]]
    assert [row["model_version_id"] for row in rows] == expected


async def test_rollback_serves_the_previous_revision_in_one_call(
    registry: Registry, user: User, engine: AsyncEngine, upstream: ModelServer
) -> None:
    v1, v2 = await two_versions(engine, user)
    deployment = await deploy(user, engine, f"{upstream.url}/v1", name="undo", model_version_id=v1)
    path = f"/v1/deployments/{deployment['id']}"
    same = await user.http.patch(path, json={"model_version_id": str(v1)})  # what already serves: no revision
    assert same.status_code == 200, same.text
    nothing_before = await user.http.post(f"{path}/rollback")
    assert nothing_before.status_code == 409
    await user.http.patch(path, json={"model_version_id": str(v2), "served_model": "upstream-model-a"})
    await user.http.patch(path, json={"served_model": "upstream-model-b"})  # an override alone is a revision too
    rolled_back = await user.http.post(f"{path}/rollback")
    assert rolled_back.status_code == 200, rolled_back.text
    assert (rolled_back.json()["model_version_id"], rolled_back.json()["served_model"]) == (str(v2), "upstream-model-a")
    client = openai(registry.url, user)
    assert (await client.chat.completions.create(model="undo", messages=MESSAGES)).model == "upstream-model-a"
    history = (await user.http.get(f"{path}/history")).json()["revisions"]
    assert [(r["version"], r["served_model"]) for r in history] == [
        (1, "upstream-model-a"),
        (2, "upstream-model-a"),
        (2, "upstream-model-b"),
        (2, "upstream-model-a"),
    ]
    async with httpx.AsyncClient(base_url=registry.url) as anonymous:
        assert (await anonymous.post(f"{path}/rollback")).status_code == 401
