"""One transaction over identity's repositories (and its outbox)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.runtime.unit_of_work import SqlUnitOfWorkBase
from mlp.identity.adapters.db.api_keys import SqlApiKeyRepository
from mlp.identity.adapters.db.audit_log import SqlAuditLog
from mlp.identity.adapters.db.sessions import SqlSessionRepository
from mlp.identity.adapters.db.users import SqlUserRepository
from mlp.identity.application.ports import ApiKeyRepository, AuditLog, Outbox, SessionRepository, UserRepository


class SqlUnitOfWork(SqlUnitOfWorkBase):
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], Outbox]) -> None:
        super().__init__(engine)
        self._outbox_factory = outbox_factory

    def bind(self, conn: AsyncConnection) -> None:
        self.users: UserRepository = SqlUserRepository(conn)
        self.sessions: SessionRepository = SqlSessionRepository(conn)
        self.api_keys: ApiKeyRepository = SqlApiKeyRepository(conn)
        self.audit: AuditLog = SqlAuditLog(conn)
        self.outbox: Outbox = self._outbox_factory(conn)
