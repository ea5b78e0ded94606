"""The lifecycle of a service's unit of work, written once: one connection, one transaction.

``async with uow:`` connects and begins, then calls ``bind(conn)`` where the service puts its
repositories and outbox on that connection; ``commit()`` commits, and leaving the block without
it rolls back. ``read_only=True`` runs without a transaction (autocommit): no BEGIN and ROLLBACK
round trips around a single SELECT.
"""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class SqlUnitOfWorkBase:
    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: AsyncConnection | None = None

    def bind(self, conn: AsyncConnection) -> None:
        """Put the repositories (and the outbox) of this transaction on ``self``."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self._conn = conn = await self._engine.connect()
        if self._read_only:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            await conn.begin()
        self.bind(conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
