"""Events announced across services through each service's outbox."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

USER_DELETED_KIND = "user.deleted"
USER_DELETED_PATH = "/internal/v1/events/user-deleted"
"""Where each subscriber service receives ``UserDeleted`` (service token of identity; answers ``PurgeReceipt``)."""


class UserDeleted(msgspec.Struct, frozen=True, kw_only=True):
    """identity announces it to every service, which purges that user's data.

    ``event_id`` is the idempotency key: a redelivered event must change nothing more.
    """

    event_id: uuid.UUID
    user_id: uuid.UUID
    deleted_at: datetime


class PurgeReceipt(msgspec.Struct, frozen=True, kw_only=True):
    """A service's acknowledgement of ``UserDeleted``; ``duplicate`` on a redelivery."""

    event_id: uuid.UUID
    service: str
    duplicate: bool
