"""The inference log's buffer: batches, backpressure instead of loss, retries, a full flush on close."""

from __future__ import annotations

import asyncio

from registry_fakes import RecordingLogWriter
from registry_fakes import inference_record as record

from mlp.common.contracts.usage import INFERENCE_TOKENS_INPUT, INFERENCE_TOKENS_OUTPUT
from mlp.registry.application.inference_log import InferenceLog


async def test_records_wait_in_memory_and_close_writes_them_all_in_batches() -> None:
    writer = RecordingLogWriter()
    log = InferenceLog(writer, batch_size=2, flush_interval_seconds=3600)
    for _ in range(5):
        await log.add(record())
    assert writer.records == []  # nothing written on the request path
    await log.close()
    assert len(writer.records) == 5
    assert writer.batches == 3


async def test_each_call_becomes_two_usage_events_keyed_by_its_id() -> None:
    writer = RecordingLogWriter()
    log = InferenceLog(writer, flush_interval_seconds=3600)
    first, untokened = record(), record(None, None)
    await log.add(first)
    await log.add(untokened)
    await log.close()
    assert [(e.event_id, e.metric, int(e.quantity)) for e in writer.usage] == [
        (f"inference:{first.id}:input", INFERENCE_TOKENS_INPUT, 3),
        (f"inference:{first.id}:output", INFERENCE_TOKENS_OUTPUT, 5),
    ]


async def test_a_full_batch_wakes_the_flusher() -> None:
    writer = RecordingLogWriter()
    log = InferenceLog(writer, batch_size=3, flush_interval_seconds=3600)
    log.start()
    for _ in range(3):
        await log.add(record())
    for _ in range(300):
        if writer.records:
            break
        await asyncio.sleep(0.01)
    assert len(writer.records) == 3
    await log.close()


async def test_a_full_buffer_makes_callers_wait_rather_than_lose_records() -> None:
    writer = RecordingLogWriter()
    log = InferenceLog(writer, batch_size=2, capacity=2, flush_interval_seconds=3600)
    await log.add(record())
    await log.add(record())
    third = asyncio.create_task(log.add(record()))
    await asyncio.sleep(0.01)
    assert not third.done()  # backpressure: no room until a flush
    await log.flush()
    await asyncio.wait_for(third, 1)
    assert log.pending == 1
    await log.close()
    assert len(writer.records) == 3


async def test_a_failed_flush_keeps_the_batch_and_retries() -> None:
    writer = RecordingLogWriter()
    writer.fail_next = 1
    log = InferenceLog(writer, batch_size=10, flush_interval_seconds=0.01, retry_seconds=0.01)
    log.start()
    await log.add(record())
    for _ in range(200):
        if writer.records:
            break
        await asyncio.sleep(0.01)
    assert len(writer.records) == 1
    await log.close()
