"""Reading the inference log: one page of calls, and daily figures per deployment."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mlp.registry.application.serving_ports import InferenceFilter, InferenceLogReader, InferencePage
from mlp.registry.domain.deployment_errors import InvalidDeployment
from mlp.registry.domain.inference import DailyStats

MAX_STATS_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class StatsWindow:
    since: date
    until: date
    days: list[DailyStats]


class InferenceRequests:
    def __init__(self, reader: InferenceLogReader, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._reader = reader
        self._clock = clock

    async def page(self, user_id: uuid.UUID, filters: InferenceFilter, limit: int, cursor: str | None) -> InferencePage:
        return await self._reader.page(user_id, filters, limit, cursor)

    async def stats(
        self, user_id: uuid.UUID, deployment_id: uuid.UUID | None, since: date | None, until: date | None
    ) -> StatsWindow:
        """Days ``since`` .. ``until`` inclusive (UTC); the last 7 days by default, a year at most."""
        for field, day in (("since", since), ("until", until)):
            if day is not None and not EARLIEST <= day <= LATEST:
                raise InvalidDeployment(field, f"{field} must be between {EARLIEST} and {LATEST}")
        until = until or self._clock().date()
        since = since or until - timedelta(days=6)
        if since > until:
            raise InvalidDeployment("since", "since must not be after until")
        if (until - since).days >= MAX_STATS_DAYS:
            raise InvalidDeployment("since", f"at most {MAX_STATS_DAYS} days at once")
        return StatsWindow(since, until, await self._reader.daily_stats(user_id, deployment_id, since, until))
