"""Budgets: a monthly amount and the thresholds (percent) that raise an alert once per period."""

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

    def crossed(self, cost_minor: int) -> tuple[int, ...]:
        """The thresholds that ``cost_minor`` has reached (each fires once: the caller skips fired ones)."""
        return tuple(t for t in self.thresholds if cost_minor * 100 >= self.monthly_amount_minor * t)
