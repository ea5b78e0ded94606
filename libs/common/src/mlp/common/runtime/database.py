"""The SQLAlchemy async engine of a service (created in the app's lifespan, disposed after) and the
asyncpg connection under one of its transactions."""

from __future__ import annotations

from typing import cast

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def async_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs (pgserver, Supabase) and use the asyncpg driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


def plain_database_url(url: str) -> str:
    """The libpq form (what asyncpg itself takes): no ``+asyncpg`` driver suffix."""
    return async_database_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


def create_engine(url: str, pool_size: int = 20) -> AsyncEngine:
    """No overflow: under load, extra connections would be opened and closed for every burst
    (seen halving throughput); requests wait briefly for one of ``pool_size`` instead.
    """
    return create_async_engine(
        async_database_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_recycle=1800,
    )


async def raw_connection(connection: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under ``connection`` (reads; writes go through the next one)."""
    return cast(asyncpg.Connection, (await connection.get_raw_connection()).driver_connection)


async def raw_connection_in_transaction(connection: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under ``connection``, for COPY and the job queue, inside the caller's
    transaction (whose BEGIN SQLAlchemy's asyncpg dialect sends lazily, with the first statement:
    without it, a raw write would land outside the transaction and survive a rollback)."""
    if not connection.in_transaction():
        raise RuntimeError("raw writes go in the caller's transaction: begin one first")
    raw = await raw_connection(connection)
    if not raw.is_in_transaction():
        await connection.execute(text("SELECT 1"))
    return raw
