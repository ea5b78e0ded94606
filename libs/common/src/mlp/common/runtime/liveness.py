"""A worker's liveness signal: a file touched from its event loop while the loop turns.

A worker has no HTTP port to probe, and "the process exists" says nothing of a stuck loop; its
Kubernetes liveness probe reads the file's age instead (``deploy/k8s/<service>/worker.yaml``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path


async def touch_while_running(path: str, every_seconds: float = 5.0) -> None:
    """Touch ``path`` every ``every_seconds`` until cancelled; nothing when ``path`` is empty."""
    if not path:
        return
    marker = Path(path)
    while True:
        await asyncio.to_thread(marker.touch)
        await asyncio.sleep(every_seconds)
