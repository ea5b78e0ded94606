"""Point reads past SQLAlchemy's execution machinery: a Core statement compiled once for asyncpg.

Executing through SQLAlchemy costs every call a greenlet switch, a compiled-cache lookup, an
execution context and a result object: about a fifth of the CPU of a one-row read. A
:class:`DriverStatement` renders its statement once (``$1, $2 …``) and runs it on the asyncpg
connection under the SQLAlchemy one, whose prepared-statement cache does the rest.

Parameters go to asyncpg as they are: only values asyncpg encodes itself (no JSON, which
SQLAlchemy serialises before binding). Rows are ``asyncpg.Record`` mappings; JSON columns come
back decoded by the engine's codecs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import Executable

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


class DriverStatement:
    def __init__(self, statement: Executable) -> None:
        compiled = statement.compile(dialect=_DIALECT)  # type: ignore[attr-defined]
        self._statement = statement
        self.sql = str(compiled)
        self._names = tuple(compiled.positiontup or ())
        self._literals = {key: bind.effective_value for key, bind in compiled.binds.items() if not bind.required}
        """Values the statement carries itself (``column + 1``): bound like the caller's parameters."""

    async def fetchrow(self, conn: AsyncConnection, params: Mapping[str, Any]) -> Mapping[Any, Any] | None:
        raw = cast(asyncpg.Connection, conn.sync_connection.connection.driver_connection)  # type: ignore[union-attr]
        if conn.in_transaction() and not raw.is_in_transaction():
            # SQLAlchemy sends BEGIN with a transaction's first statement: let it, so this one runs inside
            return (await conn.execute(self._statement, params)).mappings().first()
        values = {**self._literals, **params} if self._literals else params
        row = await raw.fetchrow(self.sql, *[values[name] for name in self._names])
        return cast(Mapping[Any, Any] | None, row)
