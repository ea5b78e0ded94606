"""The inference log's buffer: batches, backpressure instead of loss, retries, a full flush on close."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

from registry_fakes import RecordingLogWriter
from registry_fakes import inference_record as record

from mlp.common.contracts.usage import INFERENCE_REQUESTS, INFERENCE_TOKENS_INPUT, INFERENCE_TOKENS_OUTPUT
from mlp.registry.application.inference_log import InferenceLog
from mlp.registry.application.inference_metering import ToCount
from mlp.registry.domain.inference import InferenceRecord


async def test_records_wait_in_memory_and_close_writes_them_all_in_batches() -> None:
    writer = RecordingLogWriter()
    log = InferenceLog(writer, batch_size=2, flush_interval_seconds=3600)
    for _ in range(5):
        await log.add(record())
    assert writer.records == []  # nothing written on the request path
    await log.close()
    assert len(writer.records) == 5
    assert writer.batches == 3


async def test_each_call_is_metered_once_by_its_tokens_or_else_as_one_request_keyed_by_its_id() -> None:
    writer = RecordingLogWriter()
    log = InferenceLog(writer, flush_interval_seconds=3600)
    first, untokened, refused = record(), record(None, None), replace(record(None, None), status_code=502)
    for each in (first, untokened, refused):
        await log.add(each)
    await log.close()
    assert [(e.event_id, e.metric, int(e.quantity)) for e in writer.usage] == [
        (f"inference:{first.id}:input", INFERENCE_TOKENS_INPUT, 3),
        (f"inference:{first.id}:output", INFERENCE_TOKENS_OUTPUT, 5),
        (f"inference:{untokened.id}:request", INFERENCE_REQUESTS, 1),
    ]


async def test_tokens_left_to_count_are_counted_at_flush_off_the_event_loop() -> None:
    writer = RecordingLogWriter()
    threads: list[str] = []

    def settle(logged: InferenceRecord, to_count: ToCount) -> InferenceRecord:
        threads.append(threading.current_thread().name)
        return replace(logged, prompt_tokens=len(to_count.request), completion_tokens=len(to_count.answer))

    log = InferenceLog(writer, flush_interval_seconds=3600, settle=settle)
    await log.add(record(None, None), ToCount("chat.completions", b"12345", b"123"))
    await log.add(record())
    await log.close()
    assert [(r.prompt_tokens, r.completion_tokens) for r in writer.records] == [(5, 3), (3, 5)]
    assert len(threads) == 1
    assert threads[0] != threading.main_thread().name


async def test_bytes_waiting_to_be_counted_are_bounded_too() -> None:
    writer = RecordingLogWriter()
    log = InferenceLog(writer, capacity_bytes=10, flush_interval_seconds=3600)
    await log.add(record(None, None), ToCount("embeddings", b"0123456789"))
    second = asyncio.create_task(log.add(record(None, None), ToCount("embeddings", b"x")))
    await asyncio.sleep(0.01)
    assert not second.done()  # backpressure on bytes: no room until a flush
    await log.flush()
    await asyncio.wait_for(second, 1)
    await log.close()
    assert len(writer.records) == 2


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
