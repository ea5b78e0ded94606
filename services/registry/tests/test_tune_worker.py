"""The worker's fine-tuning job against a stand-in OpenAI-compatible fine-tuning API, on the real
SQL adapters: the examples uploaded as JSONL, validating_files -> queued -> running -> succeeded
registers a new version and meters the tokens."""

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
from test_fine_tuning_api import CHAT, JOBS, SCOPES, new_job

from mlp.common.contracts.usage import TUNE_TOKENS_TRAINED
from mlp.devtools.tuning_server import TuningServer
from mlp.registry.adapters.db.tune_jobs_repository import SqlTuneUnitOfWork
from mlp.registry.adapters.openai_trainer import OpenAITrainer
from mlp.registry.adapters.storage.local import LocalBlobStorage
from mlp.registry.application.tune_runner import TuneRunner
from mlp.registry.files_wiring import FilesPart
from mlp.registry.settings import RegistrySettings
from mlp.registry.tune_wiring import examples_reader, tune_runner


@pytest.fixture
def tuning_server() -> Iterator[TuningServer]:
    server = TuningServer(polls_to_finish=3, trained_tokens=4321, api_key="sk-test").start()
    yield server
    server.stop()


@pytest.fixture
async def trainer(tuning_server: TuningServer) -> AsyncIterator[OpenAITrainer]:
    trainer = OpenAITrainer(tuning_server.url, "sk-test")
    yield trainer
    await trainer.aclose()


@pytest.fixture
def runner(
    engine: AsyncEngine, outbox: RecordingOutbox, trainer: OpenAITrainer, registry_settings: RegistrySettings
) -> TuneRunner:
    files = FilesPart(engine, LocalBlobStorage(registry_settings.data_dir), registry_settings, outbox)
    examples = examples_reader(files.dataset_reads, files.files, registry_settings.tune_max_file_bytes)
    return tune_runner(engine, outbox, trainer, examples, poll_seconds=0.01)


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
    tuning_server.queued_polls = 1
    await runner.run(payload)
    await runner.run(payload)  # a redelivery changes nothing
    job = (await client.get(f"{JOBS}/{job_id}", headers=me.headers)).json()
    assert job["status"] == "succeeded"
    [created] = tuning_server.created
    assert created["metadata"] == {"mlp_tune_job_id": job_id}
    assert created["model"] == "s3://b/m"  # the base version's artifact URI, the trainer's name of it
    upload = tuning_server.uploads[created["training_file"]]
    assert (upload["filename"], upload["purpose"]) == (f"mlp-tune-{job_id}-train.jsonl", "fine-tune")
    lines = [json.loads(line) for line in upload["data"].decode().splitlines()]
    assert lines == [{"messages": json.loads(CHAT)}] * 12
    assert job["trained_tokens"] == 4321
    name, number = job["fine_tuned_model"].rsplit(":", 1)
    assert number == "2"
    model = (await client.get(f"/v1/registered-models/by-name/{name}", headers=me.headers)).json()
    version = (await client.get(f"/v1/registered-models/{model['id']}/versions/2", headers=me.headers)).json()
    assert version["source"]["kind"] == "tune_job"
    assert version["source"]["tune_job_id"] == job_id
    assert version["metrics"] == {"train_loss": 0.25}
    usage = [u for u in outbox.usages if u.user_id == me.id and u.metric == TUNE_TOKENS_TRAINED]
    assert [int(u.quantity) for u in usage] == [4321]
    events = (await client.get(f"{JOBS}/{job_id}/events", headers=me.headers)).json()["data"]
    assert [e["message"].split(":")[0].split(";")[0] for e in reversed(events)] == [
        "Examples validated",
        "Training files uploaded",
        "Training is running",
        "Training succeeded",
    ]
    actions = [a for a in outbox.actions(me.id) if a.startswith("tune_job.")]
    assert actions == ["tune_job.create", "tune_job.queued", "tune_job.running", "tune_job.succeeded"]


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


@pytest.mark.parametrize("filters_metadata", [True, False], ids=["filtered", "filter-ignored"])
async def test_a_start_whose_id_was_never_saved_is_found_not_repeated(
    client: Client,
    new_user: Callable[..., User],
    outbox: RecordingOutbox,
    engine: AsyncEngine,
    runner: TuneRunner,
    trainer: OpenAITrainer,
    tuning_server: TuningServer,
    filters_metadata: bool,
) -> None:
    me = new_user(SCOPES)
    other_id, _ = await queued_job(client, me, outbox)
    job_id, payload = await queued_job(client, me, outbox)
    tuning_server.filters_metadata = filters_metadata
    async with SqlTuneUnitOfWork(engine, outbox) as uow:
        for some_id in (job_id, other_id):  # a worker started this job, then died before saving the id
            job = await uow.jobs.get(me.id, uuid.UUID(some_id))
            assert job is not None
            await trainer.start(job, "base-model", b'{"messages": []}\n', None)
    await runner.run(payload)
    assert len(tuning_server.created) == 2
    done = (await client.get(f"{JOBS}/{job_id}", headers=me.headers)).json()
    assert done["status"] == "succeeded"
    events = (await client.get(f"{JOBS}/{job_id}/events", headers=me.headers)).json()["data"]
    assert "Re-attached to the trainer's job ftjob-1" in [e["message"] for e in events]


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
