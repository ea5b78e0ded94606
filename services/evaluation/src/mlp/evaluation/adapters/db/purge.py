"""identity's ``user.deleted``: everything of the user goes, in the receipt's transaction.

Deleting a run stops its worker too: its next heartbeat finds no run and it ends the job.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.events import UserDeleted
from mlp.evaluation.adapters.db.tables import criterion_definitions, eval_row_results, eval_runs, evals


async def purge_user(conn: AsyncConnection, event: UserDeleted) -> None:
    for table in (eval_row_results, eval_runs, evals, criterion_definitions):
        await conn.execute(delete(table).where(table.c.user_id == event.user_id))
