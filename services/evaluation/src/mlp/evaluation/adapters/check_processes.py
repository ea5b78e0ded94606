"""Check processes: a pebble process pool whose workers have a memory ceiling and a time limit per batch.

A batch past its time limit has its process terminated (and replaced) by pebble; the row gets a
``check_timeout`` verdict per check and the worker's event loop, which only awaits the result,
keeps serving its other rows and heartbeats. ``RLIMIT_AS`` caps each process's address space, so
a check that allocates past it fails alone (``check_memory``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
from collections.abc import Iterator
from contextlib import contextmanager

from pebble import ProcessExpired, ProcessPool

from mlp.evaluation.domain.check_batch import CheckBatch, judge_batch
from mlp.evaluation.domain.verdicts import Verdict


def _limit_memory(max_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


class ProcessChecks:
    def __init__(self, pool: ProcessPool) -> None:
        self._pool = pool

    async def judge(self, batch: CheckBatch, time_limit: float) -> list[Verdict]:
        future = self._pool.schedule(judge_batch, args=(batch,), timeout=time_limit)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError:
            return batch.all_failed("check_timeout")
        except MemoryError:
            return batch.all_failed("check_memory")
        except ProcessExpired:
            return batch.all_failed("check_crashed")


@contextmanager
def check_processes(processes: int, memory_bytes: int) -> Iterator[ProcessChecks]:
    pool = ProcessPool(
        max_workers=max(1, processes),
        initializer=_limit_memory,
        initargs=(memory_bytes,),
        context=multiprocessing.get_context("spawn"),
    )
    try:
        yield ProcessChecks(pool)
    finally:
        pool.stop()  # type: ignore[no-untyped-call]  # running checks are abandoned: the worker stops
        pool.join()
