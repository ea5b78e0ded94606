"""The fine-tuning use case with in-memory fakes and a fake clock."""

from __future__ import annotations

import json
import uuid
import weakref
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from registry_fakes import FakeClock, InMemoryTuneUoW

from mlp.registry.application.tune_jobs import NewTuneJob, TuneJobs
from mlp.registry.application.tune_ports import Examples, one_page
from mlp.registry.domain.errors import NotFound
from mlp.registry.domain.models import Artifact, ModelVersion, VersionSource
from mlp.registry.domain.tune_jobs import ExampleLimits, ModelSpec

CHAT = json.dumps([{"role": "user", "content": "hi"}])
ME = uuid.uuid4()
BASE_ID = uuid.uuid4()
LATEST = 3


def version(at: datetime) -> ModelVersion:
    return ModelVersion(
        BASE_ID,
        uuid.uuid4(),
        ME,
        "base",
        1,
        None,
        Artifact(uri="s3://m"),
        VersionSource(),
        "ready",
        None,
        {},
        {},
        {},
        at,
        at,
    )


class Setup:
    def __init__(self, rows: dict[uuid.UUID, tuple[list[str], list[list[Any]]]]) -> None:
        self.clock = FakeClock()
        self.uow = InMemoryTuneUoW()
        self.resolved: list[ModelSpec] = []
        self.read_versions: list[int | None] = []
        self.rows = rows

        async def resolve(user_id: uuid.UUID, spec: ModelSpec) -> ModelVersion:
            self.resolved.append(spec)
            if user_id != ME:
                raise NotFound("model-not-found", "no such model", field="model")
            return version(self.clock())

        async def read(user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> Examples:
            if dataset_id not in self.rows:
                raise NotFound("dataset-not-found", "no dataset", field="dataset_id")
            self.read_versions.append(number)
            columns, rows = self.rows[dataset_id]
            return Examples(columns, one_page(rows), dataset_id, LATEST)

        self.jobs = TuneJobs(self.uow, resolve, read, ExampleLimits(min_examples=2), self.clock)


GOOD = uuid.uuid4()
CHECK = uuid.uuid4()


@pytest.fixture
def setup() -> Setup:
    return Setup({GOOD: (["messages"], [[CHAT], [CHAT]]), CHECK: (["prompt", "completion"], [["a", "b"]] * 2)})


async def test_create_queues_one_job_with_an_event_and_an_audit(setup: Setup) -> None:
    job = await setup.jobs.create(ME, NewTuneJob("base@prod", str(GOOD), suffix="x"))
    assert setup.resolved == [ModelSpec("base", alias="prod")]
    assert job.status == "validating_files"
    assert job.base_model_version_id == BASE_ID
    assert job.dataset_id == GOOD
    assert job.created_at == setup.clock()
    assert [e for e, _, _ in setup.uow.outbox.jobs] == ["registry.run_tune_job"]
    assert setup.uow.outbox.jobs[0][2] == f"tune:{job.id}"
    assert setup.uow.outbox.actions(ME) == ["tune_job.create"]
    events, more = await setup.jobs.events(ME, job.id, None, 10)
    assert [e.message for e in events] == ["Examples validated; preparing the training files for the trainer"]
    assert more is False


async def test_create_pins_the_dataset_versions_it_validated(setup: Setup) -> None:
    job = await setup.jobs.create(ME, NewTuneJob("base:1", str(GOOD), validation_file=str(CHECK)))
    assert setup.read_versions == [None, None]
    assert (job.training_dataset_version, job.validation_dataset_version) == (LATEST, LATEST)
    assert setup.uow.jobs.jobs[job.id] == job


async def test_a_file_that_is_not_mine_is_not_found_and_nothing_is_queued(setup: Setup) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as refused:
        await setup.jobs.create(ME, NewTuneJob("base:1", str(missing), validation_file=str(missing)))
    assert refused.value.field == "training_file"
    assert setup.uow.outbox.jobs == []
    assert setup.uow.jobs.jobs == {}


async def test_list_pages_newest_first_and_cancel_is_idempotent(setup: Setup) -> None:
    first = await setup.jobs.create(ME, NewTuneJob("base:1", str(GOOD)))
    setup.clock.advance(1)
    second = await setup.jobs.create(ME, NewTuneJob("base:1", str(GOOD)))
    page, more = await setup.jobs.list_page(ME, None, 1)
    assert [j.id for j in page] == [second.id]
    assert more is True
    rest, more = await setup.jobs.list_page(ME, second.id, 1)
    assert [j.id for j in rest] == [first.id]
    assert more is False
    setup.clock.advance(5)
    cancelled = await setup.jobs.cancel(ME, first.id)
    assert cancelled.status == "cancelled"
    assert cancelled.finished_at == setup.clock()
    assert (await setup.jobs.cancel(ME, first.id)) == cancelled
    assert setup.uow.outbox.actions(ME).count("tune_job.cancel") == 1


async def test_another_users_job_is_not_found(setup: Setup) -> None:
    job = await setup.jobs.create(ME, NewTuneJob("base:1", str(GOOD)))
    for call in (setup.jobs.get, setup.jobs.cancel):
        with pytest.raises(NotFound):
            await call(uuid.uuid4(), job.id)


class Row(list[Any]):
    """A row that can be watched (a plain list takes no weak reference)."""


async def test_validation_holds_a_page_of_rows_at_a_time_not_the_dataset() -> None:
    alive = most_alive = 0

    def gone() -> None:
        nonlocal alive
        alive -= 1

    async def pages() -> AsyncIterator[list[list[Any]]]:
        nonlocal alive, most_alive
        for _ in range(50):
            page: list[list[Any]] = [Row([CHAT]) for _ in range(1000)]
            for row in page:
                weakref.finalize(row, gone)
            alive += len(page)
            most_alive = max(most_alive, alive)
            yield page

    async def read(user_id: uuid.UUID, dataset_id: uuid.UUID, number: int | None) -> Examples:
        return Examples(["messages"], pages(), dataset_id, LATEST)

    async def resolve(user_id: uuid.UUID, spec: ModelSpec) -> ModelVersion:
        return version(setup.clock())

    setup = Setup({})
    jobs = TuneJobs(setup.uow, resolve, read, ExampleLimits(), setup.clock)
    job = await jobs.create(ME, NewTuneJob("base:1", str(GOOD)))
    assert job.status == "validating_files"
    assert most_alive <= 2000  # the page being checked and the next one, of 50,000 rows
