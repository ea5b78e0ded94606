"""Purge of a deleted user's model registry rows (identity's ``user.deleted``), in the receipt's transaction.

Idempotent: it deletes whatever rows of the user are left, so running it twice changes nothing more.
Deployments and tune jobs name versions with RESTRICT keys: their purge hooks run before this one.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.events import UserDeleted
from mlp.registry.adapters.db.tables import model_alias_events, model_aliases, model_versions, models


async def purge_user_models(conn: AsyncConnection, event: UserDeleted) -> None:
    for table in (model_alias_events, model_aliases, model_versions, models):
        await conn.execute(delete(table).where(table.c.user_id == event.user_id))
