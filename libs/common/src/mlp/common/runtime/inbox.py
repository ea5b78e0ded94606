"""The receiving end of events announced across services: an idempotent inbox.

Each service keeps the events it has taken in its own ``<schema>.received_events`` table, keyed
by the sender's ``event_id``: recording an event and acting on it happen in one transaction, so
a redelivered event (the relay delivers at least once) is recognised and changes nothing more.

A service mounts the ``user.deleted`` receiver with::

    received_events = received_events_table(metadata)            # in its tables module
    user_deleted_receiver("registry", received_events, on_user_deleted=purge)  # in its routes

``on_user_deleted(conn, event)`` runs in the same transaction as the receipt, only the first time
the event arrives; it is where the service purges the user's data. It is required: a service
whose code keeps no user data yet says so with ``nothing_to_purge_yet(metadata)``, which refuses
the event (503, not acknowledged, so identity's relay delivers it again later) as soon as any
of the service's user-keyed tables holds a row of that user. An event is never acknowledged
while the user's data stays behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from litestar import Request, post
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody
from sqlalchemy import Column, DateTime, MetaData, Table, Text, exists, func, select
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.common.auth.litestar import SERVICE_ONLY
from mlp.common.auth.principal import Principal
from mlp.common.contracts.events import USER_DELETED_KIND, USER_DELETED_PATH, PurgeReceipt, UserDeleted
from mlp.common.runtime.columns import user_id_column, user_index
from mlp.common.runtime.problems import Problem
from mlp.common.runtime.retention import RetentionRule

OnUserDeleted = Callable[[AsyncConnection, UserDeleted], Awaitable[None]]


def received_events_table(metadata: MetaData) -> Table:
    """``received_events (event_id uuid pk, kind text, user_id uuid, received_at timestamptz)``,
    in the schema of ``metadata``."""
    return Table(
        "received_events",
        metadata,
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("kind", Text, nullable=False),
        user_id_column(),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        user_index("received_events"),
    )


def received_events_retention(keep_days: float) -> RetentionRule:
    """An inbox only needs an event id while a redelivery may still come (minutes, not months)."""
    return RetentionRule("received_events", "received_at", timedelta(days=keep_days))


async def record_event_once(
    conn: AsyncConnection, table: Table, event_id: uuid.UUID, kind: str, user_id: uuid.UUID
) -> bool:
    """Record the event; False when it was already recorded (a redelivery).

    A concurrent delivery of the same event waits on the primary key until the first
    transaction ends, then finds the row: exactly one of them gets True.
    """
    inserted = await conn.execute(
        insert(table)
        .values(event_id=event_id, kind=kind, user_id=user_id)
        .on_conflict_do_nothing(index_elements=[table.c.event_id])
        .returning(table.c.event_id)
    )
    return inserted.first() is not None


def user_deleted_receiver(
    service: str,
    table: Table,
    *,
    on_user_deleted: OnUserDeleted,
    senders: tuple[str, ...] = ("identity",),
) -> HTTPRouteHandler:
    """``POST /internal/v1/events/user-deleted`` for ``service``: record once, act once, acknowledge.

    Only a service token of one of ``senders`` (identity) is accepted: another service, or a user,
    gets 403. Answers 200 with a ``PurgeReceipt`` (``duplicate`` on a redelivery).
    """

    @post(
        USER_DELETED_PATH,
        opt=SERVICE_ONLY,
        status_code=200,
        tags=["internal"],
        summary="Receive identity's user.deleted event (idempotent on event_id)",
        name=f"{service}-receive-user-deleted",
    )
    async def receive_user_deleted(
        data: JSONBody[UserDeleted], request: Request[Principal, Any, State]
    ) -> PurgeReceipt:
        if request.user.service not in senders:
            raise Problem(403, "forbidden", f"only {', '.join(senders)} announces user deletions")
        engine: AsyncEngine = request.app.state.engine
        async with engine.begin() as conn:
            first_time = await record_event_once(conn, table, data.event_id, USER_DELETED_KIND, data.user_id)
            if first_time:
                await on_user_deleted(conn, data)
        return PurgeReceipt(event_id=data.event_id, service=service, duplicate=not first_time)

    return receive_user_deleted


class UserDataNotPurged(Problem):
    """The service holds data of a deleted user and has no purge for it yet: not acknowledged."""

    def __init__(self, tables: list[str]) -> None:
        super().__init__(
            503,
            "purge-not-implemented",
            f"this service keeps the user's data in {', '.join(tables)} and cannot purge it yet; redeliver later",
        )


def nothing_to_purge_yet(metadata: MetaData) -> OnUserDeleted:
    """The purge hook of a service whose code stores no user data yet, checked on every event.

    Any table of ``metadata`` with a ``user_id`` column (but the inbox itself) that holds a row of
    the deleted user makes the event fail with 503 (the receipt rolls back): it is redelivered
    until the service has a real purge, instead of being acknowledged with the data still there.
    """
    tables = [t for t in metadata.sorted_tables if "user_id" in t.c and t.name != "received_events"]

    async def refuse_if_user_has_data(conn: AsyncConnection, event: UserDeleted) -> None:
        holding = [
            t.fullname for t in tables if await conn.scalar(select(exists().where(t.c.user_id == event.user_id)))
        ]
        if holding:
            raise UserDataNotPurged(holding)

    return refuse_if_user_has_data
