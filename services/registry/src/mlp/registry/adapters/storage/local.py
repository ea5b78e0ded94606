"""Blobs as files under a root directory: written to ``.tmp/`` and renamed into place on commit.

The rename is atomic, so a reader never sees half a blob; a crash leaves only a file in
``.tmp/``. Disk I/O runs in threads, in chunks of 1 MiB, so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def _checked_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalBlobWriter:
    def __init__(self, temp: Path, final: Path) -> None:
        self._temp = temp
        self._final = final
        self._file: BinaryIO | None = temp.open("wb")
        self._buffer = bytearray()

    async def write(self, chunk: bytes) -> None:
        self._buffer += chunk
        if len(self._buffer) >= CHUNK:
            await self._flush()

    async def _flush(self) -> None:
        assert self._file is not None
        data, self._buffer = bytes(self._buffer), bytearray()
        await asyncio.to_thread(self._file.write, data)

    async def commit(self) -> None:
        await self._flush()
        assert self._file is not None
        self._file.close()
        self._file = None
        self._final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._temp, self._final)

    async def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._temp.unlink(missing_ok=True)


class LocalBlobStorage:
    def __init__(self, root: str | Path) -> None:
        self._root = Path(root).resolve()
        (self._root / ".tmp").mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self._root / _checked_key(key)

    async def writer(self, key: str) -> LocalBlobWriter:
        return LocalBlobWriter(self._root / ".tmp" / uuid.uuid4().hex, self._path(key))

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        try:
            file = await asyncio.to_thread(self._path(key).open, "rb")
        except FileNotFoundError as exc:
            raise KeyError(key) from exc
        try:
            await asyncio.to_thread(file.seek, start)
            left = None if end is None else end - start
            while left is None or left > 0:
                data = await asyncio.to_thread(file.read, CHUNK if left is None else min(CHUNK, left))
                if not data:
                    return
                if left is not None:
                    left -= len(data)
                yield data
        finally:
            file.close()

    async def size(self, key: str) -> int | None:
        return await asyncio.to_thread(_size, self._path(key))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def delete_prefix(self, prefix: str) -> int:
        """``prefix`` ends at a ``/``: the blobs under that folder."""
        return await asyncio.to_thread(_delete_tree, self._path(prefix.rstrip("/")))


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _delete_tree(directory: Path) -> int:
    if not directory.is_dir():
        return 0
    count = sum(1 for p in directory.rglob("*") if p.is_file())
    shutil.rmtree(directory, ignore_errors=True)
    return count
