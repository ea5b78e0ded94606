"""One transaction over the deployments repository and the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.runtime.unit_of_work import SqlUnitOfWorkBase
from mlp.registry.adapters.db.deployments import SqlDeploymentRepository
from mlp.registry.application.serving_ports import DeploymentRepository, EventOutbox


class SqlServingUnitOfWork(SqlUnitOfWorkBase):
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], EventOutbox]) -> None:
        super().__init__(engine)
        self._outbox_factory = outbox_factory

    def bind(self, conn: AsyncConnection) -> None:
        self.deployments: DeploymentRepository = SqlDeploymentRepository(conn)
        self.outbox: EventOutbox = self._outbox_factory(conn)
