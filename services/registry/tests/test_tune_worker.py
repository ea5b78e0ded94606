"""The worker's fine-tuning job against a stand-in OpenAI-compatible fine-tuning API, on the real
SQL adapters: queued -> running -> succeeded registers a new version and meters the tokens."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from dataset_helpers import Client
from registry_fakes import RecordingOutbox
from registry_users import User
from sqlalchemy.ext.asyncio import AsyncEngine
from test_fine_tuning_api import JOBS, SCOPES, new_job

from mlp.common.contracts.usage import TUNE_TOKENS_TRAINED
from mlp.devtools.tuning_server import TuningServer
from mlp.registry.adapters.openai_trainer import OpenAITrainer
from mlp.registry.application.tune_runner import TuneRunner
from mlp.registry.tune_wiring import tune_runner


@pytest.fixture
def tuning_server() -> Iterator[TuningServer]:
    server = TuningServer(polls_to_finish=3, trained_tokens=4321, api_key="sk-test").start()
    yield server
    server.stop()


@pytest.fixture
async def runner(
    engine: AsyncEngine, outbox: RecordingOutbox, tuning_server: TuningServer
) -> AsyncIterator[TuneRunner]:
    trainer = OpenAITrainer(tuning_server.url, "sk-test")
    yield tune_runner(engine, outbox, trainer, poll_seconds=0.01)
    await trainer.aclose()


async def queued_job(client: Client, me: User, outbox: RecordingOutbox) -> tuple[str, bytes]:
    job = (await new_job(client, me)).json()
    payloads = outbox.take_jobs("registry.run_tune_job")
    mine = [p for p in payloads if json.loads(p)["job_id"] == job["id"]]
    assert len(mine) == 1
    return job["id"], mine[0]


async def test_job_succeeds_registers_a_version_and_meters_tokens(
    client: Client,
    new_user: Callable[..., User],
    outbox: RecordingOutbox,
    runner: TuneRunner,
    tuning_server: TuningServer,
) -> None:
    me = new_user(SCOPES)
    job_id, payload = await queued_job(client, me, outbox)
    await runner.run(payload)
    await runner.run(payload)  # a redelivery changes nothing
    job = (await client.get(f"{JOBS}/{job_id}", headers=me.headers)).json()
    assert job["status"] == "succeeded"
    assert job["trained_tokens"] == 4321
    name, number = job["fine_tuned_model"].rsplit(":", 1)
    assert number == "2"
    assert len(tuning_server.created) >= 1
    model = (await client.get(f"/v1/registered-models/by-name/{name}", headers=me.headers)).json()
    version = (await client.get(f"/v1/registered-models/{model['id']}/versions/2", headers=me.headers)).json()
    assert version["source"]["kind"] == "tune_job"
    assert version["source"]["tune_job_id"] == job_id
    assert version["metrics"] == {"train_loss": 0.25}
    usage = [u for u in outbox.usages if u.user_id == me.id and u.metric == TUNE_TOKENS_TRAINED]
    assert [int(u.quantity) for u in usage] == [4321]
    events = (await client.get(f"{JOBS}/{job_id}/events", headers=me.headers)).json()["data"]
    assert events[0]["message"].startswith("Training succeeded")


async def test_a_rerun_reattaches_to_the_started_job(
    client: Client,
    new_user: Callable[..., User],
    outbox: RecordingOutbox,
    runner: TuneRunner,
    tuning_server: TuningServer,
) -> None:
    me = new_user(SCOPES)
    job_id, payload = await queued_job(client, me, outbox)
    tuning_server.polls_to_finish = 10**9  # never finishes: the first run is "killed" while polling
    task = asyncio.ensure_future(runner.run(payload))
    await asyncio.sleep(0.3)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    tuning_server.polls_to_finish = 0
    await runner.run(payload)
    assert len(tuning_server.created) == 1
    job = (await client.get(f"{JOBS}/{job_id}", headers=me.headers)).json()
    assert job["status"] == "succeeded"


async def test_failure_and_cancellation(
    client: Client,
    new_user: Callable[..., User],
    outbox: RecordingOutbox,
    runner: TuneRunner,
    tuning_server: TuningServer,
) -> None:
    me = new_user(SCOPES)
    failing, payload = await queued_job(client, me, outbox)
    tuning_server.fail = True
    await runner.run(payload)
    job = (await client.get(f"{JOBS}/{failing}", headers=me.headers)).json()
    assert job["status"] == "failed"
    assert job["error"]["message"] == "training diverged"

    cancelled, payload = await queued_job(client, me, outbox)
    await client.post(f"{JOBS}/{cancelled}/cancel", headers=me.headers)
    await runner.run(payload)
    assert (await client.get(f"{JOBS}/{cancelled}", headers=me.headers)).json()["status"] == "cancelled"
    assert uuid.UUID(cancelled)
