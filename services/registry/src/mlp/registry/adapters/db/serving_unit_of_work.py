"""One transaction over the deployments repository and the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.registry.adapters.db.deployments import SqlDeploymentRepository
from mlp.registry.application.serving_ports import DeploymentRepository, EventOutbox


class SqlServingUnitOfWork:
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], EventOutbox]) -> None:
        self._engine = engine
        self._outbox_factory = outbox_factory
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlServingUnitOfWork:
        self._conn = conn = await self._engine.connect()
        await conn.begin()
        self.deployments: DeploymentRepository = SqlDeploymentRepository(conn)
        self.outbox: EventOutbox = self._outbox_factory(conn)
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
