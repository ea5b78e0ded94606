"""user.deleted: the user's files and datasets rows go in the receipt's transaction, their bytes after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.events import UserDeleted
from mlp.registry.adapters.db.datasets_repository import SqlDatasetRepository
from mlp.registry.adapters.db.files_repository import SqlFileRepository
from mlp.registry.application.files import SWEEP_USER_BLOBS_JOB
from mlp.registry.application.ports import RegistryOutbox
from mlp.registry.domain.files import user_storage_prefix


def files_purge(
    outbox: Callable[[AsyncConnection], RegistryOutbox],
) -> Callable[[AsyncConnection, UserDeleted], Awaitable[None]]:
    """The purge hook of this part; running it twice changes nothing more."""

    async def purge(conn: AsyncConnection, event: UserDeleted) -> None:
        await SqlDatasetRepository(conn).delete_all(event.user_id)
        await SqlFileRepository(conn).delete_all(event.user_id)
        prefix = user_storage_prefix(event.user_id)
        await outbox(conn).enqueue(SWEEP_USER_BLOBS_JOB, [prefix.encode()], [f"purge:{event.user_id}"])

    return purge
