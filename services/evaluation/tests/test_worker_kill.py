"""Worker processes on the real queue: one is SIGKILLed mid-run, another finishes the run, and every
row is recorded (and billed) once. The run is started through the API with the real HTTP adapters."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import asyncpg
from fake_registry import CREDENTIAL, RegistryState, fake_registry_app, free_port, serving
from litestar.testing import AsyncTestClient
from worker_processes import wait_for, worker_env

from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.common.runtime.database import plain_database_url
from mlp.devtools.processes import ServiceProcess, stop_all
from mlp.evaluation.app import create_app
from mlp.evaluation.settings import EvaluationSettings

ROWS = 300


async def test_a_killed_workers_run_is_finished_by_another_with_each_row_once(
    own_database: str, resolver: ServiceCredentialResolver, user: Callable[..., Any]
) -> None:
    me = user()
    state = RegistryState(delay_seconds=0.02)
    state.deployments["echo"] = me.id
    dataset = state.add_dataset(me.id, [{"q": f"answer {i}", "expected": f"answer {i}"} for i in range(ROWS)])
    with serving(fake_registry_app(state), free_port()) as url:
        settings = EvaluationSettings(
            database_url=own_database,
            registry_url=url,
            identity_url=url,
            service_credential=CREDENTIAL,
            progress_interval_seconds=0.2,
        )
        async with AsyncTestClient(app=create_app(settings, resolver=resolver)) as client:
            exact = await client.post(
                "/v1/criteria",
                json={"name": "same", "type": "exact_match", "config": {"expected": "{{expected}}"}},
                headers=me.headers,
            )
            body = {"dataset_id": str(dataset), "criterion_ids": [exact.json()["id"]], "source": "deployment",
                    "deployment": "echo", "prompt_template": "{{q}}"}  # fmt: skip
            created = await client.post("/v1/eval-runs", json=body, headers=me.headers)
            assert created.status_code == 201, created.text
            run_id = uuid.UUID(created.json()["id"])

        env = worker_env(own_database, url)
        conn = await asyncpg.connect(plain_database_url(own_database))
        workers = [ServiceProcess("evaluation", 0, env, worker=True).start()]
        try:

            async def recorded() -> int:
                return int(await conn.fetchval("SELECT count(*) FROM evaluation.eval_row_results") or 0)

            await wait_for(lambda: _at_least(recorded, 40), within=120)  # a loaded machine starts processes slowly
            first = workers[0].process
            assert first is not None
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
            await asyncio.sleep(0.3)  # requests the dead worker had sent have arrived
            recorded_at_kill, calls_at_kill = await recorded(), state.chat_calls
            assert recorded_at_kill < ROWS

            workers.append(ServiceProcess("evaluation", 0, env, worker=True).start())
            async with AsyncTestClient(app=create_app(settings, resolver=resolver)) as client:
                # the progress stream, from the resumed run to its end (the workers are other processes)
                events = await client.get(f"/v1/eval-runs/{run_id}/events", headers=me.headers, timeout=90)
            stream = events.text.replace("\r\n", "\n").strip().split("\n\n")
            assert [e for e in stream if e.startswith("event: progress")], events.text
            assert stream[-1].startswith("event: done")
            assert f'"status":"succeeded","rows_total":{ROWS},"rows_done":{ROWS}' in events.text
            status = "SELECT status FROM evaluation.eval_runs WHERE id = $1"
            assert await conn.fetchval(status, run_id) == "succeeded"

            rows = await conn.fetch(
                "SELECT row_number, passed FROM evaluation.eval_row_results WHERE run_id = $1", run_id
            )
            assert sorted(r["row_number"] for r in rows) == list(range(1, ROWS + 1))
            assert all(r["passed"] for r in rows)
            assert await conn.fetchval("SELECT attempts FROM evaluation.eval_runs WHERE id = $1", run_id) == 2
            # the second worker called the model for exactly the rows not yet recorded
            assert state.chat_calls - calls_at_kill == ROWS - recorded_at_kill

            async def billed_rows() -> Decimal:
                return sum((e.quantity for e in state.usage_events.values() if e.metric == "eval.rows"), Decimal(0))

            assert await wait_for(lambda: _equals(billed_rows(), ROWS), within=20)
        finally:
            stop_all(workers)
            await conn.close()


async def _at_least(value: Callable[[], Any], threshold: int) -> bool:
    return bool(await value() >= threshold)


async def _equals(value: Any, expected: Any) -> bool:
    return bool(await value == expected)
