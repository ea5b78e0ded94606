"""The SQLAlchemy async engine of a service: created in the app's lifespan, disposed after."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


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
