"""pytest fixtures every suite shares: a real PostgreSQL and throwaway databases, the Firebase Auth emulator.

The server is ``TEST_DATABASE_URL`` when set, else the machine's PostgreSQL (started if it is
installed and down), else an embedded one under ``.data/pgtest``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mlp.devtools.databases import create_database, drop_database, migrated_database
from mlp.devtools.firebase_emulator import EMULATOR_HOST_ENV, FirebaseEmulator
from mlp.devtools.postgres import test_server_url


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    return test_server_url(os.environ.get("TEST_DATABASE_URL"), Path(".data/pgtest").resolve())


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    """One database for the session with every service migrated to head."""
    with migrated_database(pg_server_url, "mlp_test") as url:
        yield url


@pytest.fixture
async def empty_database_url(pg_server_url: str) -> AsyncIterator[str]:
    """A database of its own, with no schema yet (migration tests)."""
    url = await create_database(pg_server_url, prefix="mlp_empty")
    yield url
    await drop_database(pg_server_url, url)


@pytest.fixture(scope="session")
def firebase_emulator() -> Iterator[FirebaseEmulator]:
    """The Firebase Auth emulator for project ``demo-mlp``, started (or reused if one answers).

    ``FIREBASE_AUTH_EMULATOR_HOST`` points this process's firebase-admin at it until the session
    ends; tests of Google's real token path must unset it (``monkeypatch.delenv``).
    """
    emulator = FirebaseEmulator().start()
    previous = os.environ.get(EMULATOR_HOST_ENV)
    os.environ[EMULATOR_HOST_ENV] = emulator.host_port
    try:
        yield emulator
    finally:
        if previous is None:
            os.environ.pop(EMULATOR_HOST_ENV, None)
        else:
            os.environ[EMULATOR_HOST_ENV] = previous
        emulator.stop()
