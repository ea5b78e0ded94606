"""Billing periods: calendar months in UTC, the unit budgets, summaries and invoices use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in days: the first day of a month and the first day of the next."""

    start: date
    end: date

    @classmethod
    def of_day(cls, day: date) -> Period:
        start = day.replace(day=1)
        end = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
        return cls(start, end)

    @classmethod
    def of(cls, moment: datetime) -> Period:
        return cls.of_day(moment.astimezone(UTC).date())

    @classmethod
    def parse(cls, text: str) -> Period:
        """``YYYY-MM``; raises ValueError otherwise."""
        year, _, month = text.partition("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError("period is YYYY-MM")
        return cls.of_day(date(int(year), int(month), 1))

    @property
    def label(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)
