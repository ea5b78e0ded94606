"""Checks every service runs on its own migrations (stairway, schema ownership)."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic import command

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.migrations import alembic_config

OBJECTS_BY_SCHEMA = """
SELECT n.nspname AS schema, array_agg(c.relname ORDER BY c.relname) AS objects
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
GROUP BY n.nspname
UNION ALL
SELECT n.nspname, array_agg(t.typname ORDER BY t.typname)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
GROUP BY n.nspname
"""
VERSION_TABLE_OBJECTS = ["alembic_version", "alembic_version_pkc"]


async def objects_by_schema(database_url: str) -> dict[str, list[str]]:
    """Relations (tables, indexes, sequences) and enum/domain types, by schema."""
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        found: dict[str, list[str]] = {}
        for row in await conn.fetch(OBJECTS_BY_SCHEMA):
            found.setdefault(row["schema"], []).extend(row["objects"])
        return found
    finally:
        await conn.close()


async def run_stairway(service: str, database_url: str) -> list[dict[str, list[str]]]:
    """Upgrade to head, downgrade to base, upgrade again; the objects seen after each step."""
    config = alembic_config(f"mlp.{service}", database_url)
    seen = []
    for step in (lambda: command.upgrade(config, "head"), lambda: command.downgrade(config, "base")):
        await asyncio.to_thread(step)
        seen.append(await objects_by_schema(database_url))
    await asyncio.to_thread(command.upgrade, config, "head")
    seen.append(await objects_by_schema(database_url))
    return seen


async def check_migrations(service: str, database_url: str) -> None:
    """Raise AssertionError unless the service's migrations are reversible and stay in its schema."""
    after_up, after_down, after_up_again = await run_stairway(service, database_url)
    assert set(after_up) == {service}, f"{service} created objects outside its schema: {after_up}"
    assert len(after_up[service]) > len(VERSION_TABLE_OBJECTS), f"{service} head created no tables"
    assert after_down == {service: VERSION_TABLE_OBJECTS}, f"downgrade left objects behind: {after_down}"
    assert after_up_again == after_up, "upgrading again does not rebuild the same schema"
    # the tables in code and the migrations agree (alembic raises if autogenerate sees a change)
    await asyncio.to_thread(command.check, alembic_config(f"mlp.{service}", database_url))
