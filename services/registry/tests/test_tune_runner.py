"""The worker's fine-tuning job with in-memory fakes and a fake clock: the pinned examples handed
to the trainer as JSONL, the trainer's states mirrored with an event and an audit each, a start
that a killed worker could not save re-attached rather than repeated."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from registry_fakes import (
    FakeClock,
    FakeVersionRegistrar,
    InMemoryTuneUoW,
    ScriptedTrainer,
    WorkerKilled,
)

from mlp.registry.application.tune_jobs import tune_job_payload
from mlp.registry.application.tune_ports import Examples, one_page
from mlp.registry.application.tune_runner import TuneRunner
from mlp.registry.domain.errors import NotFound
from mlp.registry.domain.tune_jobs import TuneJob

ME = uuid.uuid4()
BASE = uuid.uuid4()
TRAIN = uuid.uuid4()
CHECK = uuid.uuid4()
CHAT = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]


class World:
    def __init__(self, *states: str) -> None:
        self.clock = FakeClock()
        self.uow = InMemoryTuneUoW()
        self.uow.jobs.model_of[BASE] = uuid.uuid4()
        self.trainer = ScriptedTrainer(states) if states else ScriptedTrainer()
        self.versions = FakeVersionRegistrar()
        self.reads: list[tuple[uuid.UUID, int | None]] = []
        self.while_asleep: Callable[[], None] = lambda: None
        self.examples: dict[tuple[uuid.UUID, int | None], Callable[[], Examples]] = {
            (TRAIN, 2): lambda: Examples(["prompt", "completion"], one_page([["hi", "hello"]] * 3), TRAIN, 2),
            (CHECK, None): lambda: Examples(["messages"], one_page([[CHAT]]), None),
        }

        async def read(user_id: uuid.UUID, some_id: uuid.UUID, version: int | None) -> Examples:
            self.reads.append((some_id, version))
            if (some_id, version) not in self.examples:
                raise NotFound("dataset-not-found", f"no dataset or file {some_id}")
            return self.examples[(some_id, version)]()

        async def sleep(seconds: float) -> None:
            self.clock.advance(seconds)
            self.while_asleep()

        self.runner = TuneRunner(self.uow, self.trainer, self.versions, read, 5.0, self.clock, sleep)

    def job(self, **changes: Any) -> TuneJob:
        job = TuneJob(
            uuid.uuid4(), ME, "base:1", BASE, str(TRAIN), TRAIN, str(CHECK), {"n_epochs": 2}, None,
            "validating_files", self.clock(), training_dataset_version=2,
        )  # fmt: skip
        job = replace(job, **changes)
        self.uow.jobs.jobs[job.id] = job
        return job

    def stored(self, job: TuneJob) -> TuneJob:
        return self.uow.jobs.jobs[job.id]

    def messages(self, job: TuneJob) -> list[str]:
        return [e.message for e in self.uow.jobs.events_by_job.get(job.id, [])]


def lines(data: bytes | None) -> list[Any]:
    assert data is not None
    return [json.loads(line) for line in data.decode().splitlines()]


async def test_the_pinned_examples_go_to_the_trainer_and_its_states_are_mirrored() -> None:
    world = World("queued", "queued", "running", "running", "succeeded")
    job = world.job()
    await world.runner.run(tune_job_payload(job))
    assert world.reads == [(TRAIN, 2), (CHECK, None)]
    [(started, training, validation)] = world.trainer.started
    assert started == job.id
    assert world.trainer.base_models == ["base:1"]  # the base version's artifact is a file: its own name
    assert lines(training) == [{"messages": CHAT}] * 3
    assert lines(validation) == [{"messages": CHAT}]
    done = world.stored(job)
    assert (done.status, done.external_job_id, done.fine_tuned_model) == ("succeeded", "ftjob-1", "base:2")
    assert done.trained_tokens == 99
    assert done.finished_at == world.clock()
    assert world.messages(job) == [
        "Training files uploaded; the trainer's job ftjob-1 is queued",
        "Training is running",
        "Training succeeded: registered base:2",
    ]
    audits = world.uow.outbox.audits
    assert [(a.action, a.details["from_status"]) for a in audits] == [
        ("tune_job.queued", "validating_files"),
        ("tune_job.running", "queued"),
        ("tune_job.succeeded", "running"),
    ]
    assert [int(u.quantity) for u in world.uow.outbox.usages] == [99]
    assert world.versions.created[0].artifact.uri == "ft:ftjob-1"


async def test_a_start_the_killed_worker_never_saved_is_re_attached_not_repeated() -> None:
    world = World()
    job = world.job()
    world.trainer.die_after_start = True
    with pytest.raises(WorkerKilled):
        await world.runner.run(tune_job_payload(job))
    assert world.stored(job).external_job_id is None
    await world.runner.run(tune_job_payload(job))
    assert len(world.trainer.started) == 1
    assert world.stored(job).status == "succeeded"
    assert world.messages(job)[0] == "Re-attached to the trainer's job ftjob-1"


async def test_examples_that_are_gone_fail_the_job_without_training() -> None:
    world = World()
    job = world.job(training_dataset_version=1)
    await world.runner.run(tune_job_payload(job))
    failed = world.stored(job)
    assert failed.status == "failed"
    assert failed.error == f"the examples cannot be read any more: no dataset or file {TRAIN}"
    assert world.trainer.started == []
    [audit] = world.uow.outbox.audits
    assert (audit.action, audit.outcome) == ("tune_job.failed", "failure")


async def test_a_trainer_that_refuses_the_files_fails_the_job_for_good() -> None:
    world = World()
    job = world.job()
    world.trainer.refusal = "400: invalid training_file"
    await world.runner.run(tune_job_payload(job))
    assert world.stored(job).status == "failed"
    assert world.stored(job).error == "the trainer refused the job: 400: invalid training_file"


@pytest.mark.parametrize(("said", "error"), [("failed", "diverged"), ("cancelled", None)])
async def test_the_trainers_failure_or_cancellation_ends_the_job(said: str, error: str | None) -> None:
    world = World("running", said)
    job = world.job()
    await world.runner.run(tune_job_payload(job))
    assert (world.stored(job).status, world.stored(job).error) == (said, error)
    assert world.uow.outbox.actions(ME)[-1] == f"tune_job.{said}"


async def test_a_job_its_owner_cancelled_is_cancelled_at_the_trainer() -> None:
    world = World("running")
    job = world.job(status="running", external_job_id="ftjob-7")

    def owner_cancels() -> None:
        world.uow.jobs.jobs[job.id] = replace(world.stored(job), status="cancelled")

    world.while_asleep = owner_cancels
    await world.runner.run(tune_job_payload(job))
    assert world.trainer.cancelled == ["ftjob-7"]
    assert world.uow.outbox.audits == []


async def test_the_trainer_fine_tunes_the_base_versions_artifact_uri() -> None:
    world = World("succeeded")
    world.uow.jobs.artifact_uris[BASE] = "gpt-4o-mini-2024-07-18"
    await world.runner.run(tune_job_payload(world.job()))
    assert world.trainer.base_models == ["gpt-4o-mini-2024-07-18"]
