"""One transaction over the model registry's repositories and the outbox bound to it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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


class SqlModelsUnitOfWork:
    def __init__(
        self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], AuditOutbox], *, read_only: bool = False
    ) -> None:
        self._engine = engine
        self._outbox_factory = outbox_factory
        self._read_only = read_only
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlModelsUnitOfWork:
        self._conn = conn = await self._engine.connect()
        if self._read_only:
            # reads need no transaction: no BEGIN and ROLLBACK round trips around one SELECT
            await conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            await conn.begin()
        self.models: ModelRepository = SqlModelRepository(conn)
        self.versions: VersionRepository = SqlVersionRepository(conn)
        self.aliases: AliasRepository = SqlAliasRepository(conn)
        self.resources: UserResources = SqlUserResources(conn)
        self.deployments: DeploymentsInUse = SqlDeploymentsInUse(conn)
        self.outbox: AuditOutbox = self._outbox_factory(conn)
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
