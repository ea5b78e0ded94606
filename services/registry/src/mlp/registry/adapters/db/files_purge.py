"""user.deleted: the user's files, datasets and versions go in the receipt's transaction; their bytes
and dataset rows (unreachable from then on) are removed by the worker's jobs queued in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.events import UserDeleted
from mlp.registry.adapters.db.datasets_repository import SqlDatasetRepository
from mlp.registry.adapters.db.files_repository import SqlFileRepository
from mlp.registry.application.dataset_reads import DROP_ROWS_JOB, rows_job_payload
from mlp.registry.application.files import SWEEP_USER_BLOBS_JOB
from mlp.registry.application.ports import RegistryOutbox
from mlp.registry.domain.files import user_storage_prefix


def files_purge(
    outbox: Callable[[AsyncConnection], RegistryOutbox],
) -> Callable[[AsyncConnection, UserDeleted], Awaitable[None]]:
    """The purge hook of this part; running it twice changes nothing more."""

    async def purge(conn: AsyncConnection, event: UserDeleted) -> None:
        version_ids = await SqlDatasetRepository(conn).delete_all(event.user_id)
        await SqlFileRepository(conn).delete_all(event.user_id)
        prefix = user_storage_prefix(event.user_id)
        jobs = outbox(conn)
        await jobs.enqueue(SWEEP_USER_BLOBS_JOB, [prefix.encode()], [f"purge:{event.user_id}"])
        if version_ids:
            await jobs.enqueue(DROP_ROWS_JOB, [rows_job_payload(version_ids)], [f"drop-rows:user:{event.user_id}"])

    return purge
