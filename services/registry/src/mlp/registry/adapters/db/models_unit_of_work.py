"""One transaction over the model registry's repositories and the outbox bound to it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.runtime.unit_of_work import SqlUnitOfWorkBase
from mlp.registry.adapters.db.model_aliases_repository import SqlAliasRepository
from mlp.registry.adapters.db.model_versions_repository import SqlVersionRepository
from mlp.registry.adapters.db.models_references import SqlDeploymentsInUse, SqlUserResources
from mlp.registry.adapters.db.models_repository import SqlModelRepository
from mlp.registry.application.models_ports import (
    AliasRepository,
    AuditOutbox,
    DeploymentsInUse,
    ModelRepository,
    UserResources,
    VersionRepository,
)


class SqlModelsUnitOfWork(SqlUnitOfWorkBase):
    def __init__(
        self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], AuditOutbox], *, read_only: bool = False
    ) -> None:
        super().__init__(engine, read_only=read_only)
        self._outbox_factory = outbox_factory

    def bind(self, conn: AsyncConnection) -> None:
        self.models: ModelRepository = SqlModelRepository(conn)
        self.versions: VersionRepository = SqlVersionRepository(conn)
        self.aliases: AliasRepository = SqlAliasRepository(conn)
        self.resources: UserResources = SqlUserResources(conn)
        self.deployments: DeploymentsInUse = SqlDeploymentsInUse(conn)
        self.outbox: AuditOutbox = self._outbox_factory(conn)
