"""The inference log over HTTP: one row per call with the version that served it, billed tokens counted
by the platform beside the upstream's own figures, filters and cursor, daily stats, and usage events
for billing."""

from __future__ import annotations

import asyncio
from typing import Any

from serving_helpers import User, add_model_version, deploy, usage_jobs
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.contracts.usage import INFERENCE_TOKENS_INPUT, INFERENCE_TOKENS_OUTPUT
from mlp.devtools.model_server import ModelServer
from mlp.registry.adapters.tiktoken_counter import TiktokenCounter

count = TiktokenCounter().count


def chat_prompt(text: str) -> int:
    """A one-message chat prompt as the platform counts it (3 primed + 3 per message)."""
    return 3 + 3 + count("user") + count(text)


async def logged(user: User, count: int, **params: Any) -> list[dict[str, Any]]:
    """The log's rows once ``count`` of them are written (the flusher runs every 50 ms in tests)."""
    for _ in range(100):
        items: list[dict[str, Any]] = (await user.http.get("/v1/inference-requests", params=params)).json()["data"]
        if len(items) >= count:
            return items
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {len(items)} of {count} calls logged")


async def test_each_call_is_logged_with_the_version_that_served_it(
    user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    first = await add_model_version(engine, user.user_id)
    async with engine.connect() as conn:
        model_id = (
            await conn.execute(text("SELECT model_id FROM registry.model_versions WHERE id = :v"), {"v": first})
        ).scalar_one()
    second = await add_model_version(engine, user.user_id, model_id)
    deployment = await deploy(user, engine, f"{model_server.url}/v1", name="logged", model_version_id=first)
    chat = {"model": "logged", "messages": [{"role": "user", "content": "count these words"}]}
    assert (await user.http.post("/v1/chat/completions", json=chat)).status_code == 200
    await user.http.patch(f"/v1/deployments/{deployment['id']}", json={"model_version_id": str(second)})
    async with user.http.stream("POST", "/v1/chat/completions", json={**chat, "stream": True}) as streamed:
        assert streamed.status_code == 200
        assert streamed.headers["content-type"].startswith("text/event-stream")
        await streamed.aread()

    rows = await logged(user, 2, deployment_id=deployment["id"])
    streamed_row, plain_row = rows  # newest first
    assert plain_row["model_version_id"] == str(first)
    assert streamed_row["model_version_id"] == str(second)
    billed = (chat_prompt("count these words"), count("COUNT THESE WORDS"))
    assert (plain_row["prompt_tokens"], plain_row["completion_tokens"]) == billed
    assert (plain_row["upstream_prompt_tokens"], plain_row["upstream_completion_tokens"]) == (3, 3)
    # the upstream's own usage of the stream, asked for by registry though the client did not, logged beside
    assert (streamed_row["stream"], streamed_row["prompt_tokens"], streamed_row["completion_tokens"]) == (True, *billed)
    assert (streamed_row["upstream_prompt_tokens"], streamed_row["upstream_completion_tokens"]) == (3, 3)
    assert plain_row["api_key_id"] is not None
    assert plain_row["status_code"] == 200
    assert plain_row["latency_ms"] >= plain_row["upstream_latency_ms"] > 0

    usage = {(e.event_id, e.metric, int(e.quantity)) for e in await usage_jobs(engine) if e.user_id == user.user_id}
    assert (f"inference:{plain_row['id']}:input", INFERENCE_TOKENS_INPUT, billed[0]) in usage
    assert (f"inference:{plain_row['id']}:output", INFERENCE_TOKENS_OUTPUT, billed[1]) in usage


async def test_filters_cursor_and_daily_stats(user: User, engine: AsyncEngine, model_server: ModelServer) -> None:
    deployment = await deploy(user, engine, f"{model_server.url}/v1", name="stats")
    chat = {"model": "stats", "messages": [{"role": "user", "content": "a b"}]}
    for _ in range(3):
        assert (await user.http.post("/v1/chat/completions", json=chat)).status_code == 200
    model_server.fail_status = 500
    try:
        assert (await user.http.post("/v1/chat/completions", json=chat)).status_code == 502
    finally:
        model_server.fail_status = None
    everything = await logged(user, 4, deployment_id=deployment["id"])
    assert len(everything) == 4

    errors = await logged(user, 1, deployment_id=deployment["id"], status="error")
    assert [row["status_code"] for row in errors] == [500]
    first_page = (await user.http.get("/v1/inference-requests", params={"limit": 3})).json()
    second_page = (
        await user.http.get("/v1/inference-requests", params={"limit": 3, "cursor": first_page["next_cursor"]})
    ).json()
    seen = [r["id"] for r in first_page["data"] + second_page["data"]]
    assert seen == [r["id"] for r in everything]
    assert second_page["next_cursor"] is None

    stats = (await user.http.get("/v1/inference-requests/stats", params={"deployment_id": deployment["id"]})).json()
    (day,) = stats["days"]
    assert (day["requests"], day["errors"], day["error_rate"]) == (4, 1, 0.25)
    assert (day["prompt_tokens"], day["completion_tokens"]) == (3 * chat_prompt("a b"), 3 * count("A B"))
    assert 0 < day["p50_latency_ms"] <= day["p95_latency_ms"]

    bad = await user.http.get("/v1/inference-requests/stats", params={"since": "2026-12-31", "until": "2026-01-01"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "since"
    ancient = await user.http.get("/v1/inference-requests/stats", params={"until": "0001-01-02"})
    assert (ancient.status_code, ancient.json()["field"]) == (400, "until")
    cursor = await user.http.get("/v1/inference-requests", params={"cursor": "garbage"})
    assert cursor.status_code == 400
    for field, value in (("until", "0.5"), ("since", "yesterday")):
        moment = await user.http.get("/v1/inference-requests", params={field: value})
        assert (moment.status_code, moment.json()["field"]) == (400, field)
    assert cursor.json()["field"] == "cursor"
