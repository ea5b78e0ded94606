"""Quota decisions for an API key: requests per minute and per calendar month (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class QuotaWindow:
    kind: str  # "minute" | "month"
    limit: int
    used: int
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    windows: tuple[QuotaWindow, ...] = ()

    @property
    def tightest(self) -> QuotaWindow | None:
        return min(self.windows, key=lambda w: w.remaining, default=None)

    def retry_after(self, now: datetime) -> int:
        exhausted = [w.resets_at for w in self.windows if w.remaining == 0]
        return max(1, int((max(exhausted, default=now) - now).total_seconds()) + 1)


def minute_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def window_end(kind: str, start: datetime) -> datetime:
    if kind == "minute":
        return start + timedelta(minutes=1)
    return (start + timedelta(days=32)).replace(day=1)


def lease_size(limit: int) -> int:
    """How many requests a replica reserves at once from a window of ``limit``.

    1% of the limit, between 1 and 1000: limits under 200 are counted exactly, request by
    request; large ones cost one database transaction per lease. A replica holds at most one
    lease of unused requests per window, so the others can be refused up to that much early.
    """
    return max(1, min(limit // 100, 1000))
