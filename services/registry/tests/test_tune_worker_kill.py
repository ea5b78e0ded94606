"""A fine-tuning job survives its worker: ``mlp worker registry`` is SIGKILLed while the job runs at
the trainer, another worker process takes the job (the shared worker's heartbeats) and finishes it,
re-attaching to the trainer's job rather than starting a second one, and registers one version."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from platform_tokens import SigningKeys
from registry_users import User
from test_fine_tuning_api import JOBS, SCOPES, new_job

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.migrations import upgrade_to_head
from mlp.devtools.processes import ServiceProcess
from mlp.devtools.tuning_server import TuningServer
from mlp.registry.app import create_app
from mlp.registry.settings import RegistrySettings


@pytest.fixture
def slow_trainer() -> Iterator[TuningServer]:
    # polled every 0.2 s, the job trains for about 8 s: long enough to kill a worker in the middle
    server = TuningServer(polls_to_finish=40, trained_tokens=777).start()
    yield server
    server.stop()


@pytest.fixture
async def own_registry(
    empty_database_url: str, keys: SigningKeys, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], str]]:
    """registry on a database of its own (real outbox), so only this test's workers take its jobs."""
    await asyncio.to_thread(upgrade_to_head, "mlp.registry", empty_database_url)
    settings = RegistrySettings(
        database_url=empty_database_url, data_dir=str(tmp_path_factory.mktemp("blobs")), log_level="WARNING"
    )
    async with AsyncTestClient(app=create_app(settings, resolver=keys.resolver())) as client:
        yield client, empty_database_url


def worker(database_url: str, trainer: TuningServer, data_dir: str) -> ServiceProcess:
    env = {
        "REGISTRY_DATABASE_URL": database_url,
        "REGISTRY_DATA_DIR": data_dir,
        "REGISTRY_TRAINER_URL": trainer.url,
        "EGRESS_ALLOW": "127.0.0.0/8",  # the stand-in trainer is on loopback (the egress guard refuses it otherwise)
        "REGISTRY_TUNE_POLL_SECONDS": "0.2",
        "REGISTRY_LOG_LEVEL": "WARNING",
        "OUTBOX_HEARTBEAT_TIMEOUT_SECONDS": "2",
        "OUTBOX_DEQUEUE_TIMEOUT_SECONDS": "1",
        "IDENTITY_URL": "http://127.0.0.1:9",  # audit relays retry in the background: not this test's concern
        "BILLING_URL": "http://127.0.0.1:9",
        "REGISTRY_ENVIRONMENT": "development",  # peers on loopback, the development credential key
    }
    return ServiceProcess("registry", 0, env, worker=True).start()


async def until(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, f"not within {within}s: {what}"
        await asyncio.sleep(0.1)


async def test_a_killed_workers_tune_job_is_finished_by_another_without_a_second_training(
    own_registry: tuple[AsyncTestClient[Litestar], str],
    keys: SigningKeys,
    slow_trainer: TuningServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    client, database_url = own_registry
    me = User(keys, SCOPES)
    job = (await new_job(client, me)).json()
    data_dir = str(tmp_path_factory.mktemp("worker-blobs"))

    first = worker(database_url, slow_trainer, data_dir)
    second: ServiceProcess | None = None
    try:
        await until(lambda: sum(slow_trainer.polls.values()) >= 3, 90, "the first worker started training")
        assert first.process is not None
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        second = worker(database_url, slow_trainer, data_dir)

        async def finished() -> bool:
            answer = await client.get(f"{JOBS}/{job['id']}", headers=me.headers)
            return bool(answer.json()["status"] == "succeeded")

        deadline = time.monotonic() + 90
        while not await finished():
            assert time.monotonic() < deadline, "the second worker did not finish the job"
            await asyncio.sleep(0.3)
    finally:
        first.stop()
        if second is not None:
            second.stop()

    done = (await client.get(f"{JOBS}/{job['id']}", headers=me.headers)).json()
    assert len(slow_trainer.created) == 1, "the second worker re-attached to the trainer's job"
    assert done["trained_tokens"] == 777
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        versions = await conn.fetchval(
            "SELECT count(*) FROM registry.model_versions WHERE user_id = $1 AND source_kind = 'tune_job'",
            me.id,
        )
    finally:
        await conn.close()
    assert versions == 1
    assert done["fine_tuned_model"].endswith(":2")
