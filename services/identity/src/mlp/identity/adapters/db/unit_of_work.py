"""One transaction over identity's repositories (and its outbox)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.identity.adapters.db.api_keys import SqlApiKeyRepository
from mlp.identity.adapters.db.audit_log import SqlAuditLog
from mlp.identity.adapters.db.sessions import SqlSessionRepository
from mlp.identity.adapters.db.users import SqlUserRepository
from mlp.identity.application.ports import ApiKeyRepository, AuditLog, Outbox, SessionRepository, UserRepository


class SqlUnitOfWork:
    def __init__(self, engine: AsyncEngine, outbox_factory: Callable[[AsyncConnection], Outbox]) -> None:
        self._engine = engine
        self._outbox_factory = outbox_factory
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self._conn = conn = await self._engine.connect()
        await conn.begin()
        self.users: UserRepository = SqlUserRepository(conn)
        self.sessions: SessionRepository = SqlSessionRepository(conn)
        self.api_keys: ApiKeyRepository = SqlApiKeyRepository(conn)
        self.audit: AuditLog = SqlAuditLog(conn)
        self.outbox: Outbox = self._outbox_factory(conn)
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
