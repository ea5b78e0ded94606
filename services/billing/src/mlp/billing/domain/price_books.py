"""Price books: which prices apply to whom, when. One book is in force for a user at any moment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from mlp.billing.domain.pricing import PriceItem

NO_BOOK = uuid.UUID(int=0)
"""The book id of usage that no book priced (none was in force at its timestamp)."""


@dataclass(frozen=True, slots=True)
class PriceBook:
    id: uuid.UUID
    name: str
    currency: str
    user_id: uuid.UUID | None
    effective_from: datetime
    effective_to: datetime | None
    items: tuple[PriceItem, ...] = field(default_factory=tuple)
    created_at: datetime | None = None

    def overlaps(self, start: datetime, end: datetime | None) -> bool:
        """True when ``[start, end)`` meets this book's window (None: open-ended)."""
        starts_before_other_ends = end is None or self.effective_from < end
        ends_after_other_starts = self.effective_to is None or start < self.effective_to
        return starts_before_other_ends and ends_after_other_starts

    def item(self, metric: str) -> PriceItem | None:
        return next((item for item in self.items if item.metric == metric), None)
