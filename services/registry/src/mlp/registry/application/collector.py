"""Python's cyclic garbage collector held off while CPU-bound code makes millions of acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector is left as it was found.

    For synchronous code only (no ``await`` inside): a CSV chunk's rows are lists of strings, a
    tracked object each that can form no cycle, and the collections their allocation set off
    took as long as the parsing itself (each walking the rows made so far).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
