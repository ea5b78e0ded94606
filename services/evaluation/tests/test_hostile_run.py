"""A hostile run cannot hang the worker (issue 17): while its rows burn their check processes' time
limits (catastrophic patterns on long inputs, similarity on huge cells), another user's run on the
same worker, whose JSON Schema checks use the same check processes, finishes, and the hostile run
ends with error verdicts rather than never."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from fake_registry import CREDENTIAL, RegistryState, fake_registry_app, free_port, serving
from litestar import Litestar
from litestar.testing import AsyncTestClient
from worker_processes import wait_for, worker_env

from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.common.runtime.database import plain_database_url
from mlp.devtools.processes import ServiceProcess, stop_all
from mlp.evaluation.app import create_app
from mlp.evaluation.settings import EvaluationSettings

HOSTILE_ROWS = 20
PREFIXED = r"^x(a|aa)+$"
"""Passes the creation probes (they never start with an x) yet backtracks exponentially after one."""
ERRORS = {"regex_timeout", "check_timeout", "input_too_large"}


def hostile_rows() -> list[dict[str, Any]]:
    long_string = json.dumps("x" + "a" * 40 + "!")
    slow_keys = json.dumps({"x" + "a" * 24 + f"{i}!": 1 for i in range(100)})  # ~0.04 s per key
    huge = "word " * 40_000
    return [{"out": long_string if i % 2 else slow_keys, "ref": huge} for i in range(HOSTILE_ROWS)]


async def criterion(client: AsyncTestClient[Litestar], headers: dict[str, str], kind: str, config: Any) -> str:
    created = await client.post("/v1/criteria", json={"name": uuid.uuid4().hex, "type": kind, "config": config},
                                headers=headers)  # fmt: skip
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def predictions_run(
    client: AsyncTestClient[Litestar], headers: dict[str, str], dataset: uuid.UUID, criteria: list[str]
) -> uuid.UUID:
    body = {"dataset_id": str(dataset), "criterion_ids": criteria, "source": "predictions", "predictions_column": "out"}
    created = await client.post("/v1/eval-runs", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return uuid.UUID(created.json()["id"])


async def test_a_second_users_run_finishes_while_a_hostile_one_runs_and_that_one_ends_in_error_verdicts(
    own_database: str, resolver: ServiceCredentialResolver, user: Callable[..., Any]
) -> None:
    attacker, other = user(), user()
    state = RegistryState()
    hostile_data = state.add_dataset(attacker.id, hostile_rows())
    plain_data = state.add_dataset(other.id, [{"out": f"{i}", "expected": f"{i}"} for i in range(3)])
    with serving(fake_registry_app(state), free_port()) as url:
        settings = EvaluationSettings(database_url=own_database, registry_url=url, identity_url=url,
                                      service_credential=CREDENTIAL)  # fmt: skip
        async with AsyncTestClient(app=create_app(settings, resolver=resolver)) as client:
            schema = {"pattern": PREFIXED, "patternProperties": {PREFIXED: {}}}
            hostile_criteria = [
                await criterion(client, attacker.headers, "json_schema", {"json_schema": schema}),
                await criterion(client, attacker.headers, "json_schema", {"json_schema": {"pattern": "^(a+)+$"}}),
                await criterion(
                    client, attacker.headers, "text_similarity", {"expected": "{{ref}}", "metric": "rouge_l"}
                ),
            ]
            hostile = await predictions_run(client, attacker.headers, hostile_data, hostile_criteria)
            exact = await criterion(client, other.headers, "exact_match", {"expected": "{{expected}}"})
            number = await criterion(client, other.headers, "json_schema", {"json_schema": {"type": "integer"}})

            env = worker_env(own_database, url, EVALUATION_CHECK_PROCESSES="2", EVALUATION_CHECK_TIMEOUT_SECONDS="1")
            conn = await asyncpg.connect(plain_database_url(own_database))
            workers = [ServiceProcess("evaluation", 0, env, worker=True).start()]
            try:

                async def status(run_id: uuid.UUID) -> str:
                    return str(await conn.fetchval("SELECT status FROM evaluation.eval_runs WHERE id = $1", run_id))

                async def hostile_going() -> bool:
                    done = "SELECT count(*) FROM evaluation.eval_row_results WHERE run_id = $1"
                    return await status(hostile) == "running" and int(await conn.fetchval(done, hostile)) >= 1

                await wait_for(hostile_going, within=120)  # a loaded machine starts processes slowly
                second = await predictions_run(client, other.headers, plain_data, [exact, number])
                await wait_for(lambda: _is(status(second), "succeeded"), within=60)
                assert await status(hostile) == "running"
                passed = "SELECT count(*) FROM evaluation.eval_row_results WHERE run_id = $1 AND passed"
                assert await conn.fetchval(passed, second) == 3  # its schema checks shared the check processes

                await wait_for(lambda: _is(status(hostile), "succeeded"), within=180)
                # its worker kept heart-beating: the job was never given to a worker again
                assert await conn.fetchval("SELECT attempts FROM evaluation.eval_runs WHERE id = $1", hostile) == 1
                rows = await conn.fetch(
                    "SELECT row_number, verdicts FROM evaluation.eval_row_results WHERE run_id = $1", hostile
                )
                assert len(rows) == HOSTILE_ROWS
                for row in rows:
                    errors = {v.get("error") for v in json.loads(row["verdicts"]).values()} & ERRORS
                    assert errors, row
            finally:
                stop_all(workers)
                await conn.close()


async def _is(value: Any, expected: str) -> bool:
    return bool(await value == expected)
