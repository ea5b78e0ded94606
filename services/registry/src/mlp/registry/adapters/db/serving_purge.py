"""A deleted user's deployments (stopped first) and inference log, in the receipt's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.deployments import SqlDeploymentRepository
from mlp.registry.adapters.db.tables_serving import deployments


async def purge_serving(conn: AsyncConnection, user_id: uuid.UUID) -> list[uuid.UUID]:
    """Stops every deployment of the user, then deletes them with their revisions and log; the ids removed.

    Runs before the model registry's purge: deployments reference model versions.
    """
    await conn.execute(
        update(deployments)
        .where(deployments.c.user_id == user_id, deployments.c.status != "stopped")
        .values(status="stopped")
    )
    return await SqlDeploymentRepository(conn).purge_user(user_id)
