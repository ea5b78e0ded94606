"""registry's transactional outbox: the shared ``Outbox`` on the ``registry`` queue, per transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.runtime.outbox import Outbox
from mlp.registry.adapters.db.tables import SCHEMA


def registry_outbox(conn: AsyncConnection) -> Outbox:
    """Fits every part's outbox port (audit, usage, jobs)."""
    return Outbox(conn, SCHEMA)
