"""Traffic split: a deployment sends a weighted share of its calls to a second version of the same
model (a canary), the log and the stats break the calls down by the version that answered, and
promotion is one call."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from openai import AsyncOpenAI
from serving_helpers import Registry, User, add_model_version, deploy, model_of
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer

MESSAGES: Any = [{"role": "user", "content": "hi"}]
CALLS = 150


@pytest.fixture(scope="module")
def upstream() -> Iterator[ModelServer]:
    server = ModelServer("model-stable", "model-canary").start()
    yield server
    server.stop()


async def call_many(registry: Registry, user: User, name: str, count: int) -> Counter[str]:
    client = AsyncOpenAI(base_url=f"{registry.url}/v1", api_key=user.api_key, max_retries=0)
    answered: Counter[str] = Counter()
    for _ in range(count // 10):
        batch = [client.chat.completions.create(model=name, messages=MESSAGES) for _ in range(10)]
        answered.update(answer.model for answer in await asyncio.gather(*batch))
    return answered


async def stats_by_version(user: User, deployment_id: str, expected: int) -> dict[str, int]:
    for _ in range(100):
        days = (await user.http.get("/v1/inference-requests/stats", params={"deployment_id": deployment_id})).json()
        by_version = {row["model_version_id"]: row["requests"] for row in days["days"]}
        if sum(by_version.values()) >= expected:
            return by_version
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {expected} calls in the stats")


async def test_a_canary_answers_its_share_the_stats_split_by_version_and_promotion_is_one_call(
    registry: Registry, user: User, engine: AsyncEngine, upstream: ModelServer
) -> None:
    stable = await add_model_version(engine, user.user_id, artifact_uri="model-stable")
    canary = await add_model_version(engine, user.user_id, await model_of(engine, stable), "model-canary")
    deployment = await deploy(user, engine, f"{upstream.url}/v1", name="split", model_version_id=stable)
    path = f"/v1/deployments/{deployment['id']}"
    patched = await user.http.patch(path, json={"canary": {"model_version_id": str(canary), "weight": 10}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["canary"] == {
        "model_version_id": str(canary),
        "version": 2,
        "served_model": "model-canary",
        "weight": 10,
    }

    answered = await call_many(registry, user, "split", CALLS)
    assert sum(answered.values()) == CALLS
    assert 3 <= answered["model-canary"] <= 40  # 10 % of 150 is 15 (binomial: outside 3..40 about once in 10^5)
    by_version = await stats_by_version(user, deployment["id"], CALLS)
    assert by_version == {str(stable): answered["model-stable"], str(canary): answered["model-canary"]}
    logged = await user.http.get(
        "/v1/inference-requests", params={"deployment_id": deployment["id"], "model_version_id": str(canary)}
    )
    assert len(logged.json()["data"]) == answered["model-canary"]

    promoted = await user.http.post(f"{path}/promote")
    assert promoted.status_code == 200, promoted.text
    assert (promoted.json()["model_version_id"], promoted.json()["canary"]) == (str(canary), None)
    assert await call_many(registry, user, "split", 20) == Counter({"model-canary": 20})
    assert (await user.http.post(f"{path}/promote")).status_code == 409  # no canary left
    history = (await user.http.get(f"{path}/history")).json()["revisions"]
    assert [(r["version"], (r["canary"] or {}).get("weight")) for r in history] == [(1, None), (1, 10), (2, None)]


async def test_a_canary_must_be_another_version_of_the_same_model_and_is_pinned(
    user: User, engine: AsyncEngine, upstream: ModelServer
) -> None:
    stable = await add_model_version(engine, user.user_id, artifact_uri="model-stable")
    other_model = await add_model_version(engine, user.user_id, artifact_uri="model-canary")
    deployment = await deploy(user, engine, f"{upstream.url}/v1", model_version_id=stable)
    path = f"/v1/deployments/{deployment['id']}"
    for canary, field in (
        ({"model_version_id": str(other_model), "weight": 10}, "canary.model_version_id"),
        ({"model_version_id": str(stable), "weight": 10}, "canary.model_version_id"),
        ({"model_version_id": str(uuid.uuid4()), "weight": 10}, "canary.model_version_id"),
    ):
        refused = await user.http.patch(path, json={"canary": canary})
        assert refused.status_code in (400, 404), refused.text
        assert refused.json()["field"] == field
    canary = await add_model_version(engine, user.user_id, await model_of(engine, stable), "model-canary")
    weightless = await user.http.patch(path, json={"canary": {"model_version_id": str(canary), "weight": 100}})
    assert weightless.status_code == 400
    assert (await user.http.get(path)).json()["canary"] is None  # nothing changed
    await user.http.patch(path, json={"canary": {"model_version_id": str(canary), "weight": 50}})
    model_id = await model_of(engine, canary)
    pinned = await user.http.delete(f"/v1/registered-models/{model_id}/versions/2")
    assert pinned.status_code == 409  # a version a deployment's canary serves stays
    removed = await user.http.patch(path, json={"canary": None})
    assert removed.json()["canary"] is None
    assert (await user.http.delete(f"/v1/registered-models/{model_id}/versions/2")).status_code == 204
