"""A deleted user's fine-tuning jobs (cancelled first) and their events, in the receipt's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.tables_models import tune_job_events, tune_jobs


async def purge_tune_jobs(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    """Runs before the model registry's purge: tune jobs reference model versions (RESTRICT).

    Unfinished jobs are marked cancelled first, so a worker holding one stops at its next poll."""
    await conn.execute(
        update(tune_jobs)
        .where(tune_jobs.c.user_id == user_id, tune_jobs.c.status.in_(("validating_files", "queued", "running")))
        .values(status="cancelled")
    )
    await conn.execute(delete(tune_job_events).where(tune_job_events.c.user_id == user_id))
    await conn.execute(delete(tune_jobs).where(tune_jobs.c.user_id == user_id))
