"""identity's transactional outbox: ``user.deleted`` jobs in the ``identity`` queue, in the caller's transaction.

``announce_user_deleted`` queues one ``deliver_user_deleted`` job per subscriber service with the
shared :class:`mlp.common.runtime.outbox.Outbox`, on the very connection (and transaction) of the
business change, so the jobs commit or roll back with it. ``mlp worker identity``
(:mod:`mlp.identity.worker`) delivers them over HTTP and retries until acknowledged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.common.contracts.events import USER_DELETED_KIND, UserDeleted
from mlp.common.runtime.outbox import Outbox
from mlp.identity.adapters.db.tables import SCHEMA

DELIVER_USER_DELETED = "deliver_user_deleted"
"""The pgqueuer entrypoint of a ``user.deleted`` delivery to one subscriber."""

_SUBSCRIBER_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class UserDeletedDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """A job's payload: deliver ``event`` to the subscriber service named ``service``."""

    service: str
    event: UserDeleted


def parse_subscribers(spec: str) -> dict[str, str]:
    """``"registry=http://h:8002,billing=http://h:8004"`` -> ``{name: base URL}``."""
    subscribers: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, url = (piece.strip() for piece in entry.partition("="))
        if not sep or not _SUBSCRIBER_NAME.match(name) or not url.startswith(("http://", "https://")):
            raise ValueError(f"subscriber {entry!r} is not 'name=http(s)://host:port'")
        if name in subscribers:
            raise ValueError(f"subscriber {name!r} is listed twice")
        subscribers[name] = url.rstrip("/")
    return subscribers


class PgQueuerOutbox:
    """The ``Outbox`` port of identity, bound to one SQLAlchemy connection inside a transaction."""

    def __init__(self, connection: AsyncConnection, subscribers: Sequence[str]) -> None:
        self._outbox = Outbox(connection, SCHEMA)
        self._subscribers = tuple(subscribers)

    async def announce_user_deleted(self, event: UserDeleted) -> None:
        await self._outbox.enqueue(
            DELIVER_USER_DELETED,
            [msgspec.json.encode(UserDeletedDelivery(service=s, event=event)) for s in self._subscribers],
            # a retried announcement of the same event queues no second job while one is pending
            dedupe_keys=[f"{USER_DELETED_KIND}:{event.event_id}:{s}" for s in self._subscribers],
        )


def outbox_factory(subscribers: Sequence[str]) -> Callable[[AsyncConnection], PgQueuerOutbox]:
    """What a unit of work takes: the outbox of each transaction's connection."""
    names = tuple(subscribers)
    return lambda connection: PgQueuerOutbox(connection, names)
