"""The SQLAlchemy async engine of a service: created in the app's lifespan, disposed after."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def async_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs (pgserver, Supabase) and use the asyncpg driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


def create_engine(url: str, pool_size: int = 20) -> AsyncEngine:
    return create_async_engine(
        async_database_url(url),
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_pre_ping=True,
    )
