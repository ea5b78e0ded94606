"""Creating and dropping throwaway databases on a server (one per test session or test)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.migrations import upgrade_to_head

SERVICES = ("identity", "registry", "evaluation", "billing")


def with_database(server_url: str, name: str) -> str:
    parts = urlsplit(plain_database_url(server_url))
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(plain_database_url(server_url))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def create_database(server_url: str, prefix: str = "mlp_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    return with_database(server_url, name)


async def drop_database(server_url: str, database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def migrate_all(database_url: str, services: tuple[str, ...] = SERVICES) -> None:
    for service in services:
        await asyncio.to_thread(upgrade_to_head, f"mlp.{service}", database_url)


@contextmanager
def migrated_database(server_url: str, prefix: str, services: Sequence[str] = SERVICES) -> Iterator[str]:
    """A new database with ``services`` migrated to head, dropped on the way out."""
    url = asyncio.run(create_database(server_url, prefix))
    try:
        asyncio.run(migrate_all(url, tuple(services)))
        yield url
    finally:
        asyncio.run(drop_database(server_url, url))
