"""A worker's liveness signal: a file its event loop keeps touching (the probe reads its age)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from mlp.common.runtime.liveness import touch_while_running


async def test_the_liveness_file_is_touched_while_the_loop_runs(tmp_path: Path) -> None:
    marker = tmp_path / "alive"
    task = asyncio.create_task(touch_while_running(str(marker), every_seconds=0.01))
    try:
        await asyncio.sleep(0.05)
        assert marker.exists()
        os.utime(marker, (0, 0))  # as if it had last been touched long ago
        await asyncio.sleep(0.05)
        assert marker.stat().st_mtime > 0
    finally:
        task.cancel()


async def test_no_file_no_signal() -> None:
    await asyncio.wait_for(touch_while_running(""), timeout=1)
