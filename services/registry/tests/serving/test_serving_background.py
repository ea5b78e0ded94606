"""What happens off the request path: the worker's probes, audit events through the outbox, user purge."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
from serving_helpers import Registry, User, deploy
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.contracts.audit import OperationEventBatch
from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.policy import EgressPolicy
from mlp.common.runtime.outbox import AUDIT_ENTRYPOINT
from mlp.devtools.model_server import ModelServer
from mlp.registry.adapters.db.outbox import registry_outbox
from mlp.registry.adapters.db.serving_purge import purge_serving
from mlp.registry.adapters.upstream_client import HttpUpstreamClient
from mlp.registry.serving_wiring import build_prober
from mlp.registry.settings import RegistrySettings


async def audit_actions(engine: AsyncEngine, deployment_id: str) -> list[str]:
    async with engine.connect() as conn:
        payloads = (
            await conn.execute(
                text("SELECT payload FROM registry.pgqueuer WHERE entrypoint = :e ORDER BY id"),
                {"e": AUDIT_ENTRYPOINT},
            )
        ).scalars()
        events = [e for p in payloads for e in msgspec.json.decode(p, type=OperationEventBatch).events]
    return [e.action for e in events if e.resource_id == deployment_id]


async def test_the_worker_probe_degrades_a_failing_upstream_and_recovers_it(
    user: User, engine: AsyncEngine, registry: Registry, database_url: str
) -> None:
    upstream = ModelServer().start()
    deployment = await deploy(user, engine, f"{upstream.url}/v1")
    client = HttpUpstreamClient(EgressGuard(EgressPolicy.parse("127.0.0.0/8")))
    prober = build_prober(engine, RegistrySettings(database_url=database_url), registry_outbox, client)
    try:
        upstream.fail_status = 503
        await prober.probe_live()
        degraded = (await user.http.get(f"/v1/deployments/{deployment['id']}")).json()
        assert (degraded["status"], degraded["status_detail"]) == ("degraded", "the model server answered 503")
        upstream.fail_status = None
        await prober.probe_live()
        assert (await user.http.get(f"/v1/deployments/{deployment['id']}")).json()["status"] == "ready"
    finally:
        upstream.stop()
        await client.aclose()
    actions = await audit_actions(engine, deployment["id"])
    assert actions == [
        "deployment.created",
        "deployment.status.ready",
        "deployment.status.degraded",
        "deployment.status.ready",
    ]


async def test_user_deletion_purges_deployments_revisions_and_the_log(
    user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    deployment = await deploy(user, engine, f"{model_server.url}/v1", name="doomed")
    chat = {"model": "doomed", "messages": [{"role": "user", "content": "bye"}]}
    assert (await user.http.post("/v1/chat/completions", json=chat)).status_code == 200
    for _ in range(100):  # the call's log row is flushed within 50 ms in tests
        if (await user.http.get("/v1/inference-requests")).json()["data"]:
            break
        await asyncio.sleep(0.05)
    async with engine.begin() as conn:  # the serving part of app.purge_user_data, in the receipt's transaction
        removed = await purge_serving(conn, user.user_id)
    assert uuid.UUID(deployment["id"]) in removed
    async with engine.connect() as conn:
        for table in ("deployments", "deployment_revisions", "inference_requests"):
            query = text(f"SELECT count(*) FROM registry.{table} WHERE user_id = :u")
            assert (await conn.execute(query, {"u": user.user_id})).scalar_one() == 0, table
    assert (await user.http.get(f"/v1/deployments/{deployment['id']}")).status_code == 404
