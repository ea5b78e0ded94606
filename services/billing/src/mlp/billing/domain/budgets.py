"""Budgets: a monthly amount and the thresholds (percent) that raise an alert once per period;
a hard limit also stops the user's spending once the period's cost reaches the amount."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

DEFAULT_THRESHOLDS = (50, 80, 100)


@dataclass(frozen=True, slots=True)
class Budget:
    user_id: uuid.UUID
    monthly_amount_minor: int
    currency: str
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS
    webhook_url: str | None = None
    webhook_secret: str | None = None
    hard_limit: bool = False

    def crossed(self, cost_minor: int) -> tuple[int, ...]:
        """The thresholds that ``cost_minor`` has reached (each fires once: the caller skips fired ones)."""
        return tuple(t for t in self.thresholds if cost_minor * 100 >= self.monthly_amount_minor * t)

    def exhausted(self, cost_minor: int) -> bool:
        """A hard limit at 100 %: the user's calls that spend are refused until the period rolls
        over or the limit is raised."""
        return self.hard_limit and cost_minor >= self.monthly_amount_minor
