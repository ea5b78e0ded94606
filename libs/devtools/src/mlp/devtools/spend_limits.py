"""A stand-in for billing's spend state in a service's own tests (the real one is asked in tests/)."""

from __future__ import annotations

import uuid


class SettableSpendLimits:
    """Users added to ``exhausted_users`` are at their hard spend limit; everyone else may spend."""

    def __init__(self) -> None:
        self.exhausted_users: set[uuid.UUID] = set()

    async def exhausted(self, user_id: uuid.UUID) -> bool:
        return user_id in self.exhausted_users
