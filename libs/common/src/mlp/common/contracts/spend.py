"""A user's spend against their budget, as billing answers it to the services that spend for them.

``GET {SPEND_STATE_PATH}/{user_id}`` (service token): the current period's rated cost, from the
same aggregates and rating as the user's usage summary, and whether a hard limit is exhausted.
"""

from __future__ import annotations

import uuid
from typing import Final

import msgspec

SPEND_STATE_PATH: Final = "/internal/v1/spend-state"


class SpendState(msgspec.Struct, frozen=True, kw_only=True):
    user_id: uuid.UUID
    period: str
    """The billing period (``YYYY-MM``, UTC) the figures are for."""
    spent_minor: int = 0
    """Rated cost of the period so far in the budget's currency (minor units); 0 without a budget."""
    currency: str | None = None
    limit_minor: int | None = None
    """The monthly budget, if the user set one."""
    hard_limit: bool = False
    exhausted: bool = False
    """A hard limit is set and ``spent_minor`` has reached it: calls that spend are refused."""
