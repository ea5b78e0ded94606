"""``/healthz`` (the process is up) and ``/readyz`` (database reachable, migrations at head)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.auth.litestar import PUBLIC
from mlp.common.runtime.migrations import current_revision
from mlp.common.runtime.problems import Problem


class HealthController(Controller):
    """Mounted by every service; reads ``state.engine``, ``state.schema`` and the revisions.

    Ready when the schema is at this code's head or ahead of it (a newer release migrated
    first, as in a rolling deploy); not ready when it is behind or missing.
    """

    include_in_schema = True
    tags = ["health"]
    opt = PUBLIC

    @get("/healthz", sync_to_thread=False)
    def healthz(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz")
    async def readyz(self, request: Request[Any, Any, State]) -> dict[str, str | None]:
        engine: AsyncEngine = request.app.state.engine
        schema: str = request.app.state.schema
        head: str | None = request.app.state.head_revision
        older: frozenset[str] = request.app.state.older_revisions
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                current = await current_revision(conn, schema)
        except Exception as exc:  # any driver error means "not ready"
            raise Problem(503, "not-ready", f"database unreachable: {type(exc).__name__}") from exc
        if current is None or current in older:
            raise Problem(503, "not-ready", f"schema {schema} at revision {current}, expected {head}")
        return {"status": "ready", "schema": schema, "revision": current}
