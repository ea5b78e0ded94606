"""billing's outbox: the shared transactional outbox on the ``billing`` queue."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.tables import SCHEMA
from mlp.common.runtime.outbox import Outbox


def billing_outbox(connection: AsyncConnection) -> Outbox:
    return Outbox(connection, SCHEMA)
