"""Only a ready (or degraded) deployment serves: pending, failed and stopped ones answer OpenAI-shaped
errors saying why, and nothing reaches the upstream."""

from __future__ import annotations

import uuid

import pytest
from serving_helpers import User, deploy
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer
from mlp.registry.adapters.db.tables import deployments

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


async def set_status(engine: AsyncEngine, deployment_id: str, status: str) -> None:
    async with engine.begin() as conn:
        one = deployments.c.id == uuid.UUID(deployment_id)
        await conn.execute(update(deployments).where(one).values(status=status))


@pytest.mark.parametrize(
    ("status", "code", "http_status", "why"),
    [
        ("pending", "deployment_pending", 503, "pending"),
        ("failed", "deployment_failed", 503, "failed"),
        ("stopped", "deployment_stopped", 409, "stopped"),
    ],
)
async def test_a_deployment_that_is_not_ready_answers_why_and_calls_nothing(
    user: User, engine: AsyncEngine, model_server: ModelServer, status: str, code: str, http_status: int, why: str
) -> None:
    deployment = await deploy(user, engine, f"{model_server.url}/v1")
    await set_status(engine, deployment["id"], status)
    before = model_server.requests
    for stream in (False, True):
        refused = await user.http.post(
            "/v1/chat/completions", json={"model": deployment["name"], "stream": stream, **CHAT}
        )
        assert refused.status_code == http_status
        error = refused.json()["error"]
        assert (error["code"], error["param"]) == (code, "model")
        assert why in error["message"]
    assert model_server.requests == before


async def test_a_failed_deployment_says_what_its_probe_found_and_a_degraded_one_serves(
    user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    gone = ModelServer().start()
    gone.stop()
    failed = await deploy(user, engine, f"{gone.url}/v1", name="never-reached")
    assert failed["status"] == "failed"
    refused = await user.http.post("/v1/chat/completions", json={"model": "never-reached", **CHAT})
    assert refused.status_code == 503
    assert "could not be reached" in refused.json()["error"]["message"]
    degraded = await deploy(user, engine, f"{model_server.url}/v1")
    await set_status(engine, degraded["id"], "degraded")
    served = await user.http.post("/v1/chat/completions", json={"model": degraded["name"], **CHAT})
    assert served.status_code == 200
