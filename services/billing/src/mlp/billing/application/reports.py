"""Usage and cost per metric, per day and per period, from the daily aggregates (never the raw events)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mlp.billing.application.ports import Clock, Transaction, Transactions
from mlp.billing.domain.errors import InvalidInput, NotFound
from mlp.billing.domain.periods import Period
from mlp.billing.domain.price_books import NO_BOOK, PriceBook
from mlp.billing.domain.rating import RatedDay, RatedLine, rate_period

MAX_DAILY_RANGE_DAYS = 366


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    period: Period
    lines: list[RatedLine]
    totals_minor: dict[str, int]


class BookCache:
    """Price books by id, kept by a process: a book's items (its prices) never change once created,
    only its window may be shortened, and rating does not read the window. Bounded."""

    def __init__(self, limit: int = 10_000) -> None:
        self._books: dict[uuid.UUID, PriceBook] = {}
        self._limit = limit

    async def many(self, tx: Transaction, ids: set[uuid.UUID]) -> dict[uuid.UUID, PriceBook]:
        missing = sorted(ids - self._books.keys())
        if missing:
            if len(self._books) + len(missing) > self._limit:
                self._books.clear()
            self._books.update(await tx.books.many(missing))
        return {i: self._books[i] for i in ids if i in self._books}


async def rate(
    tx: Transaction, user_id: uuid.UUID, period: Period, books: BookCache | None = None
) -> tuple[list[RatedLine], list[RatedDay]]:
    rows = await tx.usage.daily(user_id, period.start, period.end)
    ids = {r.price_book_id for r in rows if r.price_book_id != NO_BOOK}
    found = await books.many(tx, ids) if books is not None else await tx.books.many(sorted(ids))
    return rate_period(rows, found)


def totals(lines: list[RatedLine]) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in lines:
        if line.currency is not None:
            out[line.currency] = out.get(line.currency, 0) + line.amount_minor
    return out


class UsageReports:
    def __init__(self, transactions: Transactions, clock: Clock) -> None:
        self._tx = transactions
        self._clock = clock
        self._books = BookCache()

    async def summary(self, user_id: uuid.UUID, period_label: str | None) -> PeriodSummary:
        period = self._period(period_label)
        async with self._tx() as tx:
            lines, _ = await rate(tx, user_id, period, self._books)
        return PeriodSummary(period, lines, totals(lines))

    async def daily(self, user_id: uuid.UUID, start: date | None, end: date | None) -> list[RatedDay]:
        """Days in ``[start, end]``; each billing period is rated whole, so tiers count from its start."""
        today = self._clock.now().date()
        end = end or today
        start = start or Period.of_day(end).start
        if start > end or (end - start).days > MAX_DAILY_RANGE_DAYS:
            raise InvalidInput("invalid-range", f"start <= end, at most {MAX_DAILY_RANGE_DAYS} days", "start")
        days: list[RatedDay] = []
        async with self._tx() as tx:
            period = Period.of_day(start)
            while period.start <= end:
                _, rated = await rate(tx, user_id, period, self._books)
                days.extend(d for d in rated if start <= d.day <= end)
                period = Period.of_day(period.end)
        return days

    async def event_status(self, user_id: uuid.UUID, event_id: str, source: str | None = None) -> dict[str, Any]:
        """accepted / rated (period, book, pro-rata share of its line's cost) / pushed to Stripe."""
        async with self._tx() as tx:
            event = await tx.usage.event(user_id, event_id, source)
            if event is None:
                raise NotFound("not-found", "no such usage event")
            period = Period.of(event["occurred_at"])
            rated = event["price_book_id"] != NO_BOOK
            share: Decimal | None = None
            currency = None
            if rated:
                lines, _ = await rate(tx, user_id, period, self._books)
                line = next(
                    (x for x in lines if x.metric == event["metric"] and x.price_book_id == event["price_book_id"]),
                    None,
                )
                if line is not None and line.quantity:
                    share = line.cost * Decimal(event["quantity"]) / line.quantity
                    currency = line.currency
        status = "pushed" if event["stripe_pushed_at"] else "rated" if rated else "accepted"
        return {
            **event,
            "status": status,
            "period": period.label,
            "price_book_id": event["price_book_id"] if rated else None,
            "amount": share,
            "currency": currency,
        }

    def _period(self, label: str | None) -> Period:
        if label is None:
            return Period.of(self._clock.now())
        try:
            return Period.parse(label)
        except ValueError:
            raise InvalidInput("invalid-period", "period is YYYY-MM", "period") from None
