"""Metrics of ``mlp serve --workers N``: every process writes its series to a shared directory.

prometheus_client keeps each process's counters in memory unless ``PROMETHEUS_MULTIPROC_DIR``
names a directory when it is imported; then ``/metrics``, answered by any one process, sums
them all (``multiprocess.MultiProcessCollector``). Without it a scrape saw only the counters of
the process that happened to answer it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_metrics() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR_ENV))


@contextmanager
def shared_metrics_directory(processes: int, service: str) -> Iterator[None]:
    """For more than one process (and none given): a fresh directory, removed afterwards."""
    if processes <= 1 or multiprocess_metrics():
        yield
        return
    directory = tempfile.mkdtemp(prefix=f"mlp-{service}-metrics-")
    os.environ[MULTIPROCESS_DIR_ENV] = directory  # the children are spawned with this environment
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR_ENV]
        shutil.rmtree(directory, ignore_errors=True)
